// Package webtest is the tests' browser of kabinet's sites, without JavaScript: it keeps
// cookies and follows redirects by hand, so that a test sees every step (where it leads, the
// status, the page) as a citizen's browser would meet them. Tests only.
package webtest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser sends requests to the server at Base (paths beginning with / are its) with its
// cookies, and posts forms from Base's origin.
type Browser struct {
	t      testing.TB
	Base   string
	Client *http.Client
	// Header is sent with every request: Accept-Language ru unless changed, a User-Agent …
	Header http.Header
}

// NewBrowser returns a browser of the server at base, with no cookies yet, asking for Russian.
func NewBrowser(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, Base: base, Header: http.Header{"Accept-Language": {"ru"}},
		Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is an answer: where it was asked for, its status, where it redirects (the Location
// header resolved against URL, "" without one), its body and its headers.
type Page struct {
	URL      string
	Status   int
	Location string
	Body     string
	Header   http.Header
}

// Do sends a request; a form (nil for none) is posted URL-encoded, as a browser submits it.
func (b *Browser) Do(method, u string, form url.Values) Page {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.Base + u
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range b.Header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.Base)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	loc := resp.Header.Get("Location")
	if loc != "" {
		l, err := req.URL.Parse(loc) // against the address asked for, whatever a test's transport did with it
		if err != nil {
			b.t.Fatal(err)
		}
		loc = l.String()
	}
	return Page{URL: u, Status: resp.StatusCode, Location: loc, Body: string(raw), Header: resp.Header}
}

// Follow follows p's redirects, to whichever server they lead, and returns the last page.
func (b *Browser) Follow(p Page) Page {
	b.t.Helper()
	for i := 0; i < 15 && p.Location != ""; i++ {
		p = b.Do("GET", p.Location, nil)
	}
	if p.Location != "" {
		b.t.Fatalf("too many redirects, at %s", p.URL)
	}
	return p
}

var (
	csrfRE   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	actionRE = regexp.MustCompile(`<form method="post" action="([^"]+)" id="([a-z-]+)"`)
)

// Form returns the action and the CSRF token of the form with id on a page.
func Form(t testing.TB, p Page, id string) (action, csrf string) {
	t.Helper()
	for _, m := range actionRE.FindAllStringSubmatch(p.Body, -1) {
		if m[2] == id {
			c := csrfRE.FindStringSubmatch(p.Body)
			if c == nil {
				t.Fatal("no CSRF token on the page")
			}
			return html.UnescapeString(m[1]), c[1]
		}
	}
	t.Fatalf("no form %s on %s (%d):\n%.3000s", id, p.URL, p.Status, p.Body)
	return "", ""
}

// Between returns the part of a page's body from the first from to the next to (from included,
// to not), or "" when from is not there: one element of a page, to look into.
func Between(body, from, to string) string {
	_, rest, ok := strings.Cut(body, from)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(rest, to)
	return from + in
}
