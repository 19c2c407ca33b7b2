package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/web"
)

// The console watch of the browser tests sees a violation of kabinet's content security policy:
// a page with an inline style and an inline script under the policy. (So that the tests that
// find no violation on kabinet's pages could find one.)
func TestConsoleWatchSeesCSPViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", web.CSP)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="en"><head><title>x</title><style>body{color:red}</style></head><body><p style="color:blue">x</p><script>document.title="y"</script></body></html>`))
	}))
	defer srv.Close()
	ctx := browserContext(t)
	problems := watchConsole(ctx)
	run(t, ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS("p")))
	deadline := time.Now().Add(10 * time.Second)
	for len(problems()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := strings.Join(problems(), "\n")
	if !strings.Contains(got, "Content Security Policy") {
		t.Fatalf("no CSP violation seen: %q", got)
	}
	_ = context.Background()
}

// The accessibility check of the browser tests sees a page's faults: an image without a text
// alternative and a button without a name are critical.
func TestAxeSeesViolations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="en"><head><title>x</title></head><body><main><h1>x</h1><img src="/x.png"><button></button></main></body></html>`))
	}))
	defer srv.Close()
	ctx := browserContext(t)
	run(t, ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS("h1")))
	vs := axeViolations(t, ctx)
	ids := map[string]string{}
	for _, v := range vs {
		ids[v.ID] = v.Impact
	}
	if ids["image-alt"] != "critical" || ids["button-name"] != "critical" {
		t.Fatalf("axe missed the faults: %v", ids)
	}
}
