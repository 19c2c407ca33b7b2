package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

var sys = audit.Actor{Login: "test", Role: "system"}

// syncBuffer is a log the server writes to from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func do(t *testing.T, c *http.Client, method, u string, body io.Reader, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestServer(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	get := func(path string) (*http.Response, string) { return do(t, noRedirect, "GET", a.URL+path, nil) }
	resp, body := get("/healthz")
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	for _, hdr := range []string{"X-Request-ID", "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if resp.Header.Get(hdr) == "" {
			t.Errorf("header %s missing", hdr)
		}
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	if resp, _ := get("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/office/" {
		t.Fatalf("root: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = get("/nowhere")
	if resp.StatusCode != 404 || !strings.Contains(body, resp.Header.Get("X-Request-ID")) {
		t.Fatalf("404 page must show the request id: %d", resp.StatusCode)
	}
	// The shared error page's language links lead somewhere: the switch sets the language and
	// goes back to the page.
	link := regexp.MustCompile(`href="(/lang\?lang=en[^"]*)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("the 404 page links to no English: %s", body)
	}
	if resp, _ := get(html.UnescapeString(link[1])); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/nowhere" ||
		!strings.Contains(resp.Header.Get("Set-Cookie"), "=en") {
		t.Fatalf("the 404 page's language link: %d %q %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Set-Cookie"))
	}
	if resp, body := get("/api/v1/nowhere"); resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("api 404: %d %s", resp.StatusCode, body)
	}
	// Static files, but no directory listing.
	if resp, _ := get("/static/style.css"); resp.StatusCode != 200 {
		t.Fatalf("style sheet: %d", resp.StatusCode)
	}
	for _, p := range []string{"/static/", "/static", "/static/../", "/static/nothing.css"} {
		if resp, body := get(p); resp.StatusCode == 200 || strings.Contains(body, `href="style.css"`) {
			t.Errorf("%s: %d lists the directory", p, resp.StatusCode)
		}
	}
	// Pages follow Accept-Language until the user picks a language.
	if _, body := do(t, http.DefaultClient, "GET", a.URL+"/office/login", nil, "Accept-Language", "en-GB,en;q=0.9"); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Staff login") {
		t.Fatalf("Accept-Language en not followed: %s", body[:min(300, len(body))])
	}
	if _, body := do(t, http.DefaultClient, "GET", a.URL+"/office/login", nil, "Accept-Language", "de,fr;q=0.8"); !strings.Contains(body, `<html lang="ru">`) {
		t.Fatal("unknown languages should fall back to Russian")
	}
	// Metrics name each route by its full pattern.
	get("/office/login")
	_, metrics := get("/metrics")
	for _, want := range []string{`kabinet_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
		`route="GET /office/login"`, `route="GET /static/"`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(metrics, `route="/office/"`+",status=\"200\"") {
		t.Error("a page counted under the sub-tree pattern")
	}
}

// Every redirect to a user-given address goes through one check: no other host, no scheme, no
// control characters or white space, nothing outside the site.
func TestSafeReturnOverHTTP(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	for raw, want := range map[string]string{
		"/%09/127.0.0.1:18102/":     "/office/",
		"//evil.example/":           "/office/",
		"/\\evil.example":           "/office/",
		"https://evil.example/":     "/office/",
		"/office/search?q=x":        "/office/search?q=x",
		"/office/%0d%0aX-Injected:": "/office/",
		"/office/../api/v1/":        "/office/",
		"/api/v1/audit":             "/office/",
	} {
		resp, _ := do(t, noRedirect, "GET", a.URL+"/office/lang?lang=en&back="+url.QueryEscape(raw), nil)
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("back=%q: redirected to %q, want %q", raw, got, want)
		}
	}
	// A raw tab in the query is refused before any redirect.
	resp, _ := do(t, noRedirect, "GET", a.URL+"/office/lang?lang=en&back=/%09/127.0.0.1:18102/", nil)
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusUnprocessableEntity || got != "" {
		t.Errorf("raw tab: %d, redirected to %q", resp.StatusCode, got)
	}
}

// Behind a trusted proxy its X-Forwarded-For is the client and X-Forwarded-Proto https brings
// HSTS; from anyone else both headers are ignored.
func TestTrustedProxies(t *testing.T) {
	db := storetest.SQLite(t)
	proxies, err := web.ParseProxies("127.0.0.1/32, ::1")
	if err != nil {
		t.Fatal(err)
	}
	a := apptest.Start(t, db, apptest.Options{Proxies: proxies})
	if _, err := a.Staff.Add(context.Background(), sys, "ivanova", staff.RoleInspector, "", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, noRedirect, "GET", a.URL+"/healthz", nil, "X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.7")
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS behind a TLS-terminating trusted proxy")
	}
	code, _ := jsonLogin(t, http.DefaultClient, a.URL, "ivanova", "inspector-password", "X-Forwarded-For", "203.0.113.5, 198.51.100.7")
	if code != 200 {
		t.Fatalf("login: %d", code)
	}
	entries, _ := db.ListAudit(context.Background(), audit.Filter{Action: "staff.login"})
	if len(entries) != 1 || entries[0].Actor.RemoteAddr != "198.51.100.7" {
		t.Fatalf("audit address %+v", entries)
	}
	untrusted := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	resp, _ = do(t, noRedirect, "GET", untrusted.URL+"/healthz", nil, "X-Forwarded-Proto", "https")
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS from an untrusted X-Forwarded-Proto")
	}
}

// jsonLogin drives the staff login flow as a JSON client: start a flow, post the credentials.
func jsonLogin(t *testing.T, c *http.Client, base, login, pw string, header ...string) (int, map[string]any) {
	t.Helper()
	f := startFlow(t, c, base, header...)
	return postFlow(t, c, base, f, login, pw, header...)
}

func startFlow(t *testing.T, c *http.Client, base string, header ...string) string {
	t.Helper()
	resp, body := do(t, c, "GET", base+"/office/login", nil, append([]string{"Accept", "application/json"}, header...)...)
	var f web.FlowView
	if err := json.Unmarshal([]byte(body), &f); err != nil || resp.StatusCode != 200 || f.ID == "" || f.Kind != "office.login" {
		t.Fatalf("start flow: %d %s", resp.StatusCode, body)
	}
	return f.ID
}

func postFlow(t *testing.T, c *http.Client, base, flowID, login, pw string, header ...string) (int, map[string]any) {
	t.Helper()
	resp, out := postFlowResponse(t, c, base, flowID, login, pw, header...)
	return resp.StatusCode, out
}

// postFlowResponse is postFlow with the whole response (its cookies).
func postFlowResponse(t *testing.T, c *http.Client, base, flowID, login, pw string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"login": login, "password": pw})
	resp, body := do(t, c, "POST", base+"/office/login?flow="+flowID, bytes.NewReader(b),
		append([]string{"Content-Type", "application/json", "Accept", "application/json"}, header...)...)
	var out map[string]any
	_ = json.Unmarshal([]byte(body), &out)
	return resp, out
}

func problemOf(v map[string]any) (code, title string) {
	p, _ := v["problem"].(map[string]any)
	code, _ = p["code"].(string)
	title, _ = p["title"].(string)
	return code, title
}

// The staff login as a stored flow over HTTP: a JSON client gets a session token; an unknown
// login and a wrong password answer alike; 50 concurrent wrong passwords from five loopback
// addresses compute at most the overall budget's number of hashes; the owner's trusted device
// (the cookie its first login set) still gets in during the burst. On both engines.
func TestStaffLoginFlowOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{})
		ctx := context.Background()
		if _, err := a.Staff.Add(ctx, sys, "ivanova", staff.RoleInspector, "Иванова Анна", "inspector-password"); err != nil {
			t.Fatal(err)
		}
		first, ok := postFlowResponse(t, http.DefaultClient, a.URL, startFlow(t, http.DefaultClient, a.URL), "ivanova", "inspector-password")
		result, _ := ok["result"].(map[string]any)
		token, _ := result["session_token"].(string)
		if first.StatusCode != 200 || ok["state"] != "done" || token == "" {
			t.Fatalf("login: %d %v", first.StatusCode, ok)
		}
		// The first login from this device made it a trusted device: a cookie for later logins.
		var device string
		for _, c := range first.Cookies() {
			if c.Name == "__Host-kabinet_office_device" {
				device = c.Value
			}
		}
		if device == "" {
			t.Fatalf("no device cookie after the first login: %v", first.Header["Set-Cookie"])
		}
		// The session token works as a header, for a client without cookies.
		resp, _ := do(t, noRedirect, "GET", a.URL+"/office/search", nil, web.SessionHeader, token)
		if resp.StatusCode != 200 {
			t.Fatalf("page with the session header: %d", resp.StatusCode)
		}
		// The session check tells who is signed in, how, until when.
		resp, body := do(t, noRedirect, "GET", a.URL+"/office/session", nil, web.SessionHeader, token)
		var who web.SessionView
		if json.Unmarshal([]byte(body), &who); resp.StatusCode != 200 || who.Subject != "ivanova" || who.Method != "password" || who.Site != "office" || who.Name != "Иванова Анна" {
			t.Fatalf("session check: %d %s", resp.StatusCode, body)
		}
		if resp, _ := do(t, noRedirect, "GET", a.URL+"/office/session", nil); resp.StatusCode != 401 {
			t.Fatalf("session check without a session: %d", resp.StatusCode)
		}
		// A finished flow cannot be replayed.
		var flowID string
		if flowID, _ = ok["id"].(string); flowID == "" {
			t.Fatal("no flow id")
		}
		if code, _ := postFlow(t, http.DefaultClient, a.URL, flowID, "ivanova", "inspector-password"); code != 404 {
			t.Fatalf("replayed flow: %d", code)
		}
		// Unknown and known logins answer alike.
		c1, v1 := jsonLogin(t, http.DefaultClient, a.URL, "ivanova", "wrong-password")
		c2, v2 := jsonLogin(t, http.DefaultClient, a.URL, "nobody", "wrong-password")
		k1, t1 := problemOf(v1)
		k2, t2 := problemOf(v2)
		if c1 != 401 || c1 != c2 || k1 != k2 || t1 != t2 || k1 == "" {
			t.Fatalf("known %d %s %q, unknown %d %s %q", c1, k1, t1, c2, k2, t2)
		}
		// Bad characters in the login answer like wrong credentials, with no error logged.
		if code, _ := jsonLogin(t, http.DefaultClient, a.URL, "ivan\x00ova", "x"); code != 401 {
			t.Fatalf("NUL in the login: %d", code)
		}
		// The same from the browser's form, with its CSRF token, so the login itself answers.
		browser, action, csrf := loginForm(t, a.URL)
		form := url.Values{"csrf": {csrf}, "login": {"\x00"}, "password": {"x"}}
		resp, _ = do(t, browser, "POST", a.URL+action, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("form with NUL: %d, want 401", resp.StatusCode)
		}

		// The burst, from five loopback addresses, each with its own flow.
		clients := make([]*http.Client, 5)
		for i := range clients {
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}, Timeout: 5 * time.Second}
			clients[i] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
		}
		for _, login := range []string{"ivanova", "nobody"} {
			flows := make([]string, 50)
			for i := range flows {
				flows[i] = startFlow(t, clients[i%5], a.URL)
			}
			before := a.Hasher.Computed()
			var wg sync.WaitGroup
			statuses := make(chan int, 50)
			for i := range flows {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, _ := postFlow(t, clients[i%5], a.URL, flows[i], login, "wrong-password")
					statuses <- code
				}()
			}
			wg.Wait()
			close(statuses)
			seen := map[int]int{}
			for s := range statuses {
				seen[s]++
			}
			hashes := a.Hasher.Computed() - before
			if hashes > int64(limits.StaffLogin.Overall.Budget) || seen[401] != int(hashes) || seen[429] != 50-int(hashes) {
				t.Fatalf("%s: %d password hashes for 50 attempts: %v", login, hashes, seen)
			}
			t.Logf("%s: %d password hashes for 50 concurrent attempts from 5 addresses: %v", login, hashes, seen)
		}
		// Known and unknown are throttled alike.
		c1, v1 = jsonLogin(t, clients[0], a.URL, "ivanova", "inspector-password")
		c2, v2 = jsonLogin(t, clients[0], a.URL, "nobody", "inspector-password")
		k1, t1 = problemOf(v1)
		k2, t2 = problemOf(v2)
		if c1 != 429 || c1 != c2 || k1 != k2 || t1 != t2 {
			t.Fatalf("throttled: known %d %s %q, unknown %d %s %q", c1, k1, t1, c2, k2, t2)
		}
		// The owner's browser, with its device cookie, gets in from the very address the burst
		// locked, while the delay still holds for everyone else.
		code, v := jsonLogin(t, clients[0], a.URL, "ivanova", "inspector-password", "Cookie", "__Host-kabinet_office_device="+device)
		if code != 200 || v["state"] != "done" {
			t.Fatalf("the owner's trusted device during the burst: %d %v", code, v)
		}
	})
}

// Sessions of two sites do not collide: another site's token opens no page of this site, in its
// cookie or in the session header; a browser's two cookies each open their own site; signing in
// to the back office while carrying the other site's token, and signing out of it, leave the
// other site's session live.
func TestSessionsOfTwoSites(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	if _, err := a.Staff.Add(ctx, sys, "ivanova", staff.RoleInspector, "", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	other, _, err := a.Sessions.Start(ctx, session.Start{Site: "lk", Subject: "ivanova", Method: session.Password})
	if err != nil {
		t.Fatal(err)
	}
	otherLive := func(when string) {
		t.Helper()
		if s, err := a.Sessions.Get(ctx, "lk", other); err != nil || s == nil {
			t.Fatalf("%s: the other site's session was ended (%v)", when, err)
		}
	}
	resp, _ := do(t, noRedirect, "GET", a.URL+"/office/search", nil, "Cookie", "__Host-kabinet_office="+other)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another site's session in the office cookie opened a staff page: %d", resp.StatusCode)
	}
	if resp, body := do(t, noRedirect, "GET", a.URL+"/office/session", nil, web.SessionHeader, other); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another site's session in the header passed the session check: %d %s", resp.StatusCode, body)
	}
	otherLive("after its token was shown to the back office")

	// Signing in to the back office while the client carries the other site's token.
	code, v := jsonLogin(t, http.DefaultClient, a.URL, "ivanova", "inspector-password", web.SessionHeader, other)
	result, _ := v["result"].(map[string]any)
	office, _ := result["session_token"].(string)
	if code != 200 || office == "" {
		t.Fatalf("login: %d %v", code, v)
	}
	otherLive("after the staff login")

	// A browser with both cookies: the back office sees its own session.
	both := "__Host-kabinet_lk=" + other + "; __Host-kabinet_office=" + office
	resp, body := do(t, noRedirect, "GET", a.URL+"/office/session", nil, "Cookie", both)
	var who web.SessionView
	if json.Unmarshal([]byte(body), &who); resp.StatusCode != 200 || who.Site != "office" {
		t.Fatalf("session check with both cookies: %d %s", resp.StatusCode, body)
	}
	// Signing out of the back office ends its session only.
	s, err := a.Sessions.Get(ctx, "office", office)
	if err != nil || s == nil {
		t.Fatalf("office session: %v", err)
	}
	form := url.Values{"csrf": {s.CSRF}}
	resp, _ = do(t, noRedirect, "POST", a.URL+"/office/logout", strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded", "Cookie", both)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if s, _ := a.Sessions.Get(ctx, "office", office); s != nil {
		t.Fatal("the office session outlived its logout")
	}
	otherLive("after the staff logout")
}

// With --demo the outbox is a page a newcomer reads the codes on; without, there is no such page.
func TestDemoOutbox(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{Demo: true})
	if _, err := a.Notify.Send(context.Background(), notify.Message{Channel: notify.SMS, To: "+79161234567", Lang: "ru", Key: "notify.code", Args: []string{"482913"}}); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, noRedirect, "GET", a.URL+"/demo/outbox", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "482913") || !strings.Contains(body, "79161234567") || !strings.Contains(body, "ждёт отправки") {
		t.Fatalf("outbox page: %d %s", resp.StatusCode, body)
	}
	plain := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	if resp, _ := do(t, noRedirect, "GET", plain.URL+"/demo/outbox", nil); resp.StatusCode != 404 {
		t.Fatalf("outbox without --demo: %d", resp.StatusCode)
	}
}
