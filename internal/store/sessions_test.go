package store_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		s := web.NewSessions(store.NewSessions(db), func() time.Time { return now })
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/office/login", nil)
		rec, err := s.Start(w, r, "staff", "ivanova")
		if err != nil {
			t.Fatal(err)
		}
		cookie := w.Result().Cookies()[0]
		if cookie.Name != web.SessionCookie || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie %+v", cookie)
		}
		req := func() *http.Request {
			r := httptest.NewRequest("GET", "/office/", nil)
			r.AddCookie(cookie)
			return r
		}
		got, err := s.Get(req(), "staff")
		if err != nil || got == nil || got.Subject != "ivanova" || got.CSRF != rec.CSRF {
			t.Fatalf("get: %+v %v", got, err)
		}
		if got, _ := s.Get(req(), "citizen"); got != nil {
			t.Fatal("a staff session served as another kind")
		}
		// Rotation: a new login ends the old session.
		w2 := httptest.NewRecorder()
		if _, err := s.Start(w2, req(), "staff", "ivanova"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(req(), "staff"); got != nil {
			t.Fatal("old session survived a new login")
		}
		cookie = w2.Result().Cookies()[0]
		// Idle expiry.
		now = now.Add(31 * time.Minute)
		if got, _ := s.Get(req(), "staff"); got != nil {
			t.Fatal("idle session accepted")
		}
		// CSRF: the session's token passes, anything else fails.
		w3 := httptest.NewRecorder()
		rec3, _ := s.Start(w3, req(), "staff", "petrov")
		post := httptest.NewRequest("POST", "/office/persons", nil)
		post.Form = map[string][]string{"csrf": {rec3.CSRF}}
		post.PostForm = post.Form
		if err := web.CheckCSRF(post, rec3); err != nil {
			t.Fatal(err)
		}
		post.PostForm = map[string][]string{"csrf": {"forged"}}
		if err := web.CheckCSRF(post, rec3); err == nil {
			t.Fatal("forged CSRF token accepted")
		}
		post.PostForm = map[string][]string{"csrf": {rec3.CSRF}}
		post.Header.Set("Origin", "https://evil.example")
		if err := web.CheckCSRF(post, rec3); err == nil {
			t.Fatal("cross-origin post accepted")
		}
	})
}
