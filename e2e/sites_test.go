package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

// A second site of the web kit (a test site, as the identity provider and the personal account
// will be) keeps its own session beside the staff session in one browser: signing in to one
// does not end the other, and signing out of one leaves the other.
func TestTwoSitesInOneBrowser(t *testing.T) {
	var testSite *web.Site
	mux := http.NewServeMux()
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Wrap: func(app http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/test/") {
				web.SecurityHeaders(w, r)
				mux.ServeHTTP(w, r)
				return
			}
			app.ServeHTTP(w, r)
		})
	}})
	pages := fstest.MapFS{
		"_nav.html":  {Data: []byte(`{{define "nav"}}<a href="/test/">{{.T "error.home"}}</a>{{end}}`)},
		"home.html":  {Data: []byte(`{{define "content"}}<h1 id="who">{{.Viewer.Subject}}</h1>{{end}}`)},
		"login.html": {Data: []byte(`{{define "content"}}<form method="post" action="/test/login"><input type="hidden" name="csrf" value="{{.CSRF}}"><button id="submit" type="submit">{{.T "nav.label"}}</button></form>{{end}}`)},
	}
	var err error
	testSite, err = web.NewSite(web.Site{Name: "test", Base: "/test/", Tagline: "app.tagline", Login: "/test/login", Sessions: a.Sessions,
		Authorize: func(_ context.Context, s *session.Session) (*web.Viewer, error) {
			return &web.Viewer{Subject: s.Subject, Name: s.Subject}, nil
		}}, pages)
	if err != nil {
		t.Fatal(err)
	}
	testSite.Mount(mux)
	mux.Handle("GET /test/{$}", testSite.Page(web.SignedIn, func(q *web.Request) error { q.Render(200, "home.html"); return nil }))
	mux.Handle("GET /test/login", testSite.Page(web.Public, func(q *web.Request) error { q.Render(200, "login.html"); return nil }))
	mux.Handle("POST /test/login", testSite.Page(web.Public, func(q *web.Request) error {
		if _, _, err := testSite.StartSession(q.W, q.R, "citizen-1", session.OneTimeCode, "simplified"); err != nil {
			return err
		}
		q.Redirect("/test/", "")
		return nil
	}))
	if _, err := a.Staff.Add(context.Background(), audit.Actor{Login: "test", Role: "system"}, "ivanova", staff.RoleInspector, "Иванова Анна", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	login(t, ctx, &app{url: a.URL}, "ivanova", "inspector-password")
	if h := text(t, ctx, "h1"); h != "Реестр налогоплательщиков" {
		t.Fatalf("staff login: %q", h)
	}
	run(t, ctx, chromedp.Navigate(a.URL+"/test/"), chromedp.WaitVisible(chromedp.CSS("#submit")), submit("#submit"))
	if who := text(t, ctx, "#who"); who != "citizen-1" {
		t.Fatalf("test site: %q", who)
	}
	// The staff session is still there.
	run(t, ctx, chromedp.Navigate(a.URL+"/office/search"), chromedp.WaitVisible(chromedp.CSS("#q")))
	// Signing out of the back office leaves the test site signed in.
	run(t, ctx, submit("#logout"))
	run(t, ctx, chromedp.Navigate(a.URL+"/test/"), chromedp.WaitVisible(chromedp.CSS("#who")))
	if who := text(t, ctx, "#who"); who != "citizen-1" {
		t.Fatalf("test site after the staff logout: %q", who)
	}
	run(t, ctx, chromedp.Navigate(a.URL+"/office/search"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	if list, _ := a.Sessions.List(context.Background(), "test", "citizen-1"); len(list) != 1 {
		t.Fatalf("test site sessions: %d", len(list))
	}
}
