package verifysite_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// server is the whole application with extracts signed by a demo office, as `kabinet serve
// --demo` runs it, and an inspector's API token.
type server struct {
	url, token, roots string
}

func start(t *testing.T, db *store.DB) *server {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	signer, err := extract.DemoSigner(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler), Hasher: password.NewHasherWith(apptest.CheapHash, 0), ExtractSigner: signer})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "ivanova", Role: staff.RoleInspector, Name: "Иванова Анна Сергеевна",
		Position: "Главный государственный налоговый инспектор"}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := a.Staff.IssueToken(ctx, sys, "ivanova", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &server{url: srv.URL, token: tok, roots: filepath.Join(dir, extract.DemoRoots)}
}

type answer struct {
	code int
	head http.Header
	body []byte
}

func (s *server) do(t *testing.T, method, path, lang string, body io.Reader, header ...string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, body)
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

const organization = `{"full_name":"Общество с ограниченной ответственностью «Вектор»","short_name":"ООО «Вектор»","ogrn":"1027700132195","ground":"creation",
 "tax_office":"7736","registered_on":"2002-07-16","address":{"region":"77","city":"Москва","street":"Тверская","house":"1"}}`

// REG-9: an extract issued through the API is signed by the office (the detached signature
// verifies against the demo centre's root), and its public page, without login, answers in
// Russian and English for its number with what it stated, compares a PDF by its hash, and
// refuses a made-up or malformed number with a plain 404.
func TestVerifyExtract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := start(t, db)
		a := s.do(t, "POST", "/api/v1/organizations", "", strings.NewReader(organization), "Content-Type", "application/json")
		if a.code != 201 {
			t.Fatalf("organization: %d %s", a.code, a.body)
		}
		tin := regexp.MustCompile(`"tin":"(\d+)"`).FindStringSubmatch(string(a.body))[1]

		// Issue the PDF, then fetch its signature by the number.
		pdf := s.do(t, "GET", "/api/v1/taxpayers/"+tin+"/extract?format=pdf", "ru", nil)
		number := pdf.head.Get("X-Extract-Number")
		if pdf.code != 200 || !bytes.HasPrefix(pdf.body, []byte("%PDF-")) || number == "" || !strings.Contains(pdf.head.Get("Link"), "format=p7s") {
			t.Fatalf("PDF: %d %v", pdf.code, pdf.head)
		}
		sig := s.do(t, "GET", "/api/v1/taxpayers/"+tin+"/extract?format=p7s&number="+number, "", nil)
		if sig.code != 200 || sig.head.Get("Content-Type") != "application/pkcs7-signature" {
			t.Fatalf("signature: %d %s", sig.code, sig.body)
		}
		v, err := esign.NewVerifier(esign.Config{RootsDir: s.roots})
		if err != nil {
			t.Fatal(err)
		}
		signer, err := v.VerifyDetached(context.Background(), pdf.body, sig.body)
		if err != nil || signer.Organization != extract.DemoOffice.Organization {
			t.Fatalf("the signature does not verify: %+v %v", signer, err)
		}
		if _, err := v.VerifyDetached(context.Background(), append(pdf.body, ' '), sig.body); err == nil {
			t.Fatal("a changed PDF verifies")
		}

		// The public page, in both languages, without login.
		for lang, want := range map[string][]string{
			"ru": {"Выписка № " + number + " выдавалась", "Инспекция Федеральной налоговой службы № 36 по г. Москве (код 7736)", "Иванова Анна Сергеевна, Главный государственный налоговый инспектор",
				"применяется", "выдана с электронной подписью налогового органа"},
			"en": {"Extract No. " + number + " was issued", "(code 7736)", "active", "electronic signature (a .p7s file)"},
		} {
			page := s.do(t, "GET", "/verify/extract/"+number, lang, nil)
			text := string(page.body)
			if page.code != 200 || !strings.Contains(text, tin) || !strings.Contains(text, "Общество с ограниченной ответственностью «Вектор»") {
				t.Fatalf("%s: %d %s", lang, page.code, text)
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%s: the page lacks %q", lang, w)
				}
			}
			if strings.Contains(text, "style=") || page.head.Get("Content-Security-Policy") == "" || page.head.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: inline style, no CSP or cacheable", lang)
			}
		}

		// Made-up and malformed numbers: "no such extract", 404, never a 500, in both languages.
		for _, n := range []string{"2026-0000001-ZZZZZZZZ", strings.Replace(number, "-", "-9", 1)[:len(number)], "abc", "2026-0000001", strings.Repeat("9", 500), "..%2F..%2Fetc", "2026-0000001-zzzzzzzz%20"} {
			for lang, want := range map[string]string{"ru": "Такой выписки нет", "en": "No such extract"} {
				page := s.do(t, "GET", "/verify/extract/"+n, lang, nil)
				if page.code != 404 || !strings.Contains(string(page.body), want) || strings.Contains(string(page.body), tin) {
					t.Errorf("%s %q: %d %s", lang, n, page.code, page.body)
				}
			}
		}
		// A control character is refused by the kit before any page, as everywhere (422, not 500).
		if a := s.do(t, "GET", "/verify/extract/%00", "", nil); a.code != 422 {
			t.Errorf("NUL in the number: %d", a.code)
		}
		// The lookup form sends a typed number (any case) to its page.
		if a := s.do(t, "GET", "/verify/extract?number="+strings.ToLower(number), "", nil); a.code != 303 || a.head.Get("Location") != "/verify/extract/"+number {
			t.Errorf("lookup: %d %v", a.code, a.head)
		}
		if a := s.do(t, "GET", "/verify/extract?number=nope", "en", nil); a.code != 404 || !strings.Contains(string(a.body), "No such extract") {
			t.Errorf("lookup of a malformed number: %d", a.code)
		}
		if a := s.do(t, "GET", "/verify/extract", "en", nil); a.code != 200 || !strings.Contains(string(a.body), "<h1") {
			t.Errorf("lookup form: %d", a.code)
		}

		// Comparing files: the PDF issued matches, another does not.
		for _, c := range []struct {
			file []byte
			want string
		}{{pdf.body, "The file matches the extract issued"}, {append(bytes.Clone(pdf.body), '\n'), "The file does not match"}} {
			if got := s.compare(t, number, c.file); !strings.Contains(got, c.want) {
				t.Errorf("compare: want %q in\n%s", c.want, got)
			}
		}
	})
}

// compare posts a file to the page of number, as the page's form does, and returns the page.
func (s *server) compare(t *testing.T, number string, file []byte) string {
	t.Helper()
	page := s.do(t, "GET", "/verify/extract/"+number, "en", nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page.body))
	if m == nil {
		t.Fatalf("no CSRF token in the form:\n%s", page.body)
	}
	var cookies []string
	for _, c := range page.head.Values("Set-Cookie") {
		cookies = append(cookies, strings.SplitN(c, ";", 2)[0])
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", m[1])
	fw, _ := mw.CreateFormFile("file", "extract.pdf")
	fw.Write(file)
	mw.Close()
	a := s.do(t, "POST", "/verify/extract/"+number, "en", &b, "Content-Type", mw.FormDataContentType(), "Cookie", strings.Join(cookies, "; "), "Origin", s.url)
	if a.code != 200 {
		t.Fatalf("compare: %d %s", a.code, a.body)
	}
	return string(a.body)
}
