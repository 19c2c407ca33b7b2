package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The shared error page (outside any site) is built on first use; eight concurrent first uses
// are safe (run with -race) and each gets the whole page. The test forgets the page built by
// earlier tests, so that it exercises the first use whatever ran before it.
func TestConcurrentFirstNotFound(t *testing.T) {
	fallbackOnce, fallback = sync.Once{}, nil
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			w := httptest.NewRecorder()
			NotFound(w, httptest.NewRequest("GET", "/nowhere", nil))
			if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `<html lang="ru">`) {
				t.Errorf("404: %d %s", w.Code, w.Body)
			}
		})
	}
	close(start)
	wg.Wait()
}
