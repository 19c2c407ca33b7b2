package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/server"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

func TestServer(t *testing.T) {
	db := storetest.SQLite(t)
	h := server.New(server.Deps{DB: db, Register: register.New(store.NewRegister(db), register.Options{}),
		Staff: staff.New(store.NewStaff(db), password.NewHasherWith(password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 1), nil),
		Audit: db, Sessions: web.NewSessions(store.NewSessions(db), nil), Log: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(h)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		resp, err := noRedirect.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/healthz")
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	for _, hdr := range []string{"X-Request-ID", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if resp.Header.Get(hdr) == "" {
			t.Errorf("header %s missing", hdr)
		}
	}
	if resp, _ := get("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/office/" {
		t.Fatalf("root: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get("/nowhere"); resp.StatusCode != 404 || !strings.Contains(body, resp.Header.Get("X-Request-ID")) {
		t.Fatalf("404 page must show the request id: %d", resp.StatusCode)
	}
	if resp, body := get("/api/v1/nowhere"); resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("api 404: %d %s", resp.StatusCode, body)
	}
	_, metrics := get("/metrics")
	if !strings.Contains(metrics, `kabinet_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`) {
		t.Fatalf("metrics: %s", metrics[:min(len(metrics), 2000)])
	}
	// Logins are rate limited per address: past the burst, 429 before any password is checked.
	var last int
	for i := 0; i < 15; i++ {
		resp, err := noRedirect.PostForm(srv.URL+"/office/login", url.Values{"login": {"x"}, "password": {"y"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("login flood: last status %d", last)
	}
}
