package web

import (
	"bytes"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/kabinet/kabinet/internal/problem"
)

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"/office/search?q=x":       "/office/search?q=x",
		"/office/":                 "/office/",
		"/office":                  "/office",
		"":                         "/office/",
		"office/":                  "/office/",
		"//evil.example/":          "/office/",
		"/\\evil.example":          "/office/",
		"/\t/evil.example":         "/office/",
		"/office/\n":               "/office/",
		"/office/ x":               "/office/",
		"https://evil.example/":    "/office/",
		"/office/../api/":          "/office/",
		"/office/./x":              "/office/",
		"/office//evil":            "/office/",
		"/api/v1/":                 "/office/",
		"/office/%2e%2e/api/":      "/office/",
		"/office/\u2028":           "/office/",
		"/office/x?next=//evil":    "/office/x?next=//evil",
		"/office/\xff":             "/office/",
		"/officer/":                "/office/",
		"/office/taxpayers/123#x":  "/office/taxpayers/123#x",
		"/office/@evil.example/":   "/office/@evil.example/",
		"/%09/127.0.0.1:18102/":    "/office/",
		"/office/%09/127.0.0.1:1/": "/office/",
	} {
		if got := SafeReturn(in, "/office/", "/office/"); got != want {
			t.Errorf("SafeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever comes in, what goes out is the fallback or a same-site path with no character a
// browser could read as another origin.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/office/", "//x", "/\t/x", "/office/%2f%2fx", "/office/..", "\\\\x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeReturn(in, "/office/", "/office/")
		if got == "/office/" {
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/office") || strings.HasPrefix(got, "//") ||
			strings.ContainsFunc(got, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r == '\\' }) {
			t.Fatalf("SafeReturn(%q) = %q", in, got)
		}
	})
}

func TestFromAcceptLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "ru",
		"en-GB,en;q=0.9":            "en",
		"ru-RU,ru;q=0.9,en;q=0.8":   "ru",
		"de,en;q=0.5,ru;q=0.4":      "en",
		"en;q=0,ru;q=0.1":           "ru",
		"fr, de":                    "ru",
		"EN":                        "en",
		"en;q=abc":                  "ru",
		"x-klingon;q=1, en;q=0.001": "en",
	} {
		if got := FromAcceptLanguage(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func FuzzFromAcceptLanguage(f *testing.F) {
	f.Add("en-GB,en;q=0.9")
	f.Add(";;,,q=")
	f.Fuzz(func(t *testing.T, in string) {
		if got := FromAcceptLanguage(in); got != "ru" && got != "en" {
			t.Fatalf("%q: %q", in, got)
		}
	})
}

func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		in        string
		multiline bool
		ok        bool
	}{{"Иванов", false, true}, {"a\x00b", true, false}, {"a\nb", false, false}, {"a\nb\tc", true, true}, {"\x1b[31m", true, false},
		{"\xff", true, false}, {"a\u2028b", true, false}, {"\u007f", true, false}, {"«Ромашка» №5", false, true}} {
		if _, ok := CheckText(c.in, c.multiline); ok != c.ok {
			t.Errorf("CheckText(%q, %v) = %v", c.in, c.multiline, ok)
		}
	}
}

func TestProxies(t *testing.T) {
	ps, err := ParseProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Fatal("a bad prefix accepted")
	}
	req := func(remote string, hdr ...string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Add(hdr[i], hdr[i+1])
		}
		return r
	}
	for _, c := range []struct {
		r      *http.Request
		addr   string
		secure bool
	}{
		{req("203.0.113.1:5000", "X-Forwarded-For", "1.2.3.4", "X-Forwarded-Proto", "https"), "203.0.113.1", false},
		{req("10.1.2.3:5000", "X-Forwarded-For", "1.2.3.4", "X-Forwarded-Proto", "https"), "1.2.3.4", true},
		{req("10.1.2.3:5000", "X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.9.9.9"), "1.2.3.4", false},
		{req("127.0.0.1:5000", "X-Forwarded-For", "garbage"), "127.0.0.1", false},
		{req("[::1]:5000", "X-Forwarded-For", "1.2.3.4"), "::1", false},
	} {
		if got := ps.Resolve(c.r); got.Addr != c.addr || got.Secure != c.secure {
			t.Errorf("%s %v: %+v, want %s %v", c.r.RemoteAddr, c.r.Header, got, c.addr, c.secure)
		}
	}
}

type doc struct {
	Surname string `json:"surname"`
	Doc     *struct {
		Series string `json:"series"`
	} `json:"identity_document"`
	Lines []string `json:"lines"`
	N     int      `json:"n"`
}

func TestDecodeJSON(t *testing.T) {
	for body, field := range map[string]string{
		`{"surname":"Иванов"}`:            "",
		`[]`:                              "body",
		``:                                "body",
		`{"x":1}`:                         "x",
		`{"identity_document":{"foo":1}}`: "identity_document.foo",
		`{"surname":"a","surname":"b"}`:   "surname",
		`{"surname":"a\u0000"}`:           "surname",
		"{\"surname\":\"\xff\"}":          "surname",
		`{"identity_document":{"series":"\u001b"}}`: "identity_document.series",
		`{"lines":["ok","\u0007"]}`:                 "lines",
		`{"n":"x"}`:                                 "n",
		`{"surname":"a"} {}`:                        "body",
		`{"surname":`:                               "body",
	} {
		var v doc
		err := decodeJSON([]byte(body), &v)
		if field == "" {
			if err != nil {
				t.Errorf("%s: %v", body, err)
			}
			continue
		}
		p, ok := problem.As(err)
		if !ok || len(p.Fields) == 0 || p.Fields[0].Field != field {
			t.Errorf("%s: %v, want an error on %s", body, err, field)
			continue
		}
		for _, lang := range []string{"ru", "en"} {
			if m := p.Fields[0].In(lang); m == "" || strings.Contains(m, "%!") || strings.Contains(m, "web.") {
				t.Errorf("%s: %s message %q", body, lang, m)
			}
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(`{"surname":"Иванов","identity_document":{"series":"1"},"lines":["a"],"n":1}`)
	f.Add(`{"a":`)
	f.Fuzz(func(t *testing.T, body string) {
		var v doc
		err := decodeJSON([]byte(body), &v)
		if err == nil {
			return
		}
		if p, ok := problem.As(err); !ok || p.Code != problem.Invalid || len(p.Fields) == 0 || p.Fields[0].Field == "" {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

func TestCheckCSRF(t *testing.T) {
	s := &Site{Name: "office", Base: "/office/"}
	post := func(token, origin string) *http.Request {
		r := httptest.NewRequest("POST", "http://example.test/office/x", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return r
	}
	want := strings.Repeat("a", 43)
	if err := s.CheckCSRF(post(want, "http://example.test"), want); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckCSRF(post("forged", ""), want); err == nil {
		t.Fatal("forged token accepted")
	}
	if err := s.CheckCSRF(post(want, "https://evil.example"), want); err == nil {
		t.Fatal("cross-origin post accepted")
	}
	r := post(want, "")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if err := s.CheckCSRF(r, want); err == nil {
		t.Fatal("cross-site post accepted")
	}
	r = post(want, "")
	r.AddCookie(&http.Cookie{Name: s.csrfCookie(), Value: want})
	if err := s.CheckCSRF(r, ""); err != nil {
		t.Fatalf("pre-login double submit: %v", err)
	}
	if err := s.CheckCSRF(post(want, ""), ""); err == nil {
		t.Fatal("pre-login post without the cookie accepted")
	}
}

// A form with a file (multipart/form-data) goes through the page wrapper like any form: its CSRF
// field is read, its text fields are checked (a NUL byte is refused naming the field), and the
// action reads the file.
func TestMultipartForm(t *testing.T) {
	s, err := NewSite(Site{Name: "test", Base: "/test/", Tagline: "app.tagline"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := s.Page(Public, func(q *Request) error {
		f, _, err := q.R.FormFile("file")
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(f)
		got = q.Form("note") + ":" + string(b)
		q.W.WriteHeader(http.StatusNoContent)
		return nil
	})
	token := strings.Repeat("c", 43)
	post := func(note string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", token)
		mw.WriteField("note", note)
		fw, _ := mw.CreateFormFile("file", "signature.p7s")
		fw.Write([]byte{0x30, 0x82, 0x00, 0x01})
		mw.Close()
		r := httptest.NewRequest("POST", "http://example.test/test/upload", &body)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		r.AddCookie(&http.Cookie{Name: s.csrfCookie(), Value: token})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := post("ok"); w.Code != http.StatusNoContent || got != "ok:\x30\x82\x00\x01" {
		t.Fatalf("upload: %d %q %s", w.Code, got, w.Body)
	}
	got = ""
	w := post("bad\x00")
	if w.Code != http.StatusUnprocessableEntity || got != "" || !strings.Contains(w.Body.String(), i18n.Field("note").In(i18n.Default)) {
		t.Fatalf("NUL in a multipart field: %d %q", w.Code, got)
	}
}

// A page's fixed texts and its site's values put in at parse time render exactly as the calls
// they replace: in text, in attributes, inside conditions and ranges, in every language.
func TestFixedTextsRenderAsCalls(t *testing.T) {
	pages := fstest.MapFS{"p.html": {Data: []byte(`{{define "content"}}<p title="{{.T "demo.outbox.title"}}" data-x="{{.T "form.required_note"}}">{{.T "error.title"}}</p>` +
		`{{if .Flash}}{{$.T "nav.logout"}}{{else}}{{.T "nav.label"}}{{end}}{{range .Langs}}<a>{{$.T "skip.content"}}</a>{{end}}{{end}}`)}}
	rd, err := newRenderer(pages)
	if err != nil {
		t.Fatal(err)
	}
	rd.site = &Site{Name: "t", Base: "/t/", Home: "/t/home?a=1&b=2", Tagline: "app.tagline"}
	for _, lang := range i18n.Languages() {
		for _, flash := range []string{"", "x"} {
			p := &Page{Site: rd.site, Lang: lang, Title: "T", Flash: flash, Langs: langLinks(NewLocale(jurisdiction.MustLookup(jurisdiction.RU)).langs, "/t/", lang, "/t/"), Errors: map[string]string{},
				Viewer: &Viewer{Name: "<b>"}}
			if flash == "" {
				p.Viewer = nil
			}
			var fixed, calls bytes.Buffer
			inLang, err := rd.set(lang, "p.html", true)
			if err != nil {
				t.Fatal(err)
			}
			asWritten, err := rd.set("", "p.html", false)
			if err != nil {
				t.Fatal(err)
			}
			if err := inLang.ExecuteTemplate(&fixed, "layout", p); err != nil {
				t.Fatal(err)
			}
			if err := asWritten.ExecuteTemplate(&calls, "layout", p); err != nil {
				t.Fatal(err)
			}
			if fixed.String() != calls.String() {
				t.Fatalf("%s: fixed texts render\n%s\nwhere calls render\n%s", lang, fixed.String(), calls.String())
			}
			if !strings.Contains(fixed.String(), template.HTMLEscapeString(i18n.T(lang, "form.required_note"))) {
				t.Fatalf("%s: the attribute's text is missing", lang)
			}
		}
	}
}
