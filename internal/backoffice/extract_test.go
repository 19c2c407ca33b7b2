package backoffice_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
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
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-9: an inspector's extract names them by name and position, links its PDF and detached
// signature, which are the ones kept under its number: the signature verifies over the PDF
// against the demo centre's root; another TIN's number is not found.
func TestExtractFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	signer, err := extract.DemoSigner(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DB: storetest.SQLite(t), Log: slog.New(slog.DiscardHandler), Hasher: password.NewHasherWith(apptest.CheapHash, 0),
		ExtractSigner: signer, PublicURL: "https://kabinet.example"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "ivanova", Role: staff.RoleInspector, Name: "Иванова Анна Сергеевна",
		Position: "Главный государственный налоговый инспектор"}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	res, err := a.Register.RegisterOrganization(ctx, sys, register.OrganizationInput{FullName: "Общество с ограниченной ответственностью «Вектор»",
		OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "6601", RegisteredOn: time.Date(2002, 7, 16, 0, 0, 0, 0, time.UTC),
		Address: register.Address{Region: "66", City: "Екатеринбург", Street: "Ленина", House: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	tin := res.Taxpayer.TIN
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password, Assurance: "inspector"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, http.Header, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: tok})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	code, _, page := get("/office/taxpayers/" + tin + "/extract")
	text := html.UnescapeString(string(page))
	for _, want := range []string{"Иванова Анна Сергеевна", "Главный государственный налоговый инспектор", "Инспекция Федеральной налоговой службы № 1 по Свердловской области (код 6601)",
		"(местное время, UTC+05:00)", "https://kabinet.example/verify/extract/", `id="extract-qr"`} {
		if code != 200 || !strings.Contains(text, want) {
			t.Errorf("extract page: %d, no %q", code, want)
		}
	}
	links := regexp.MustCompile(`id="extract-(pdf|p7s)" href="([^"]+)"`).FindAllStringSubmatch(text, -1)
	if len(links) != 2 {
		t.Fatalf("links to the files: %v\n%s", links, text)
	}
	code, h, pdf := get(links[0][2])
	if code != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %v", code, h)
	}
	code, h, sig := get(links[1][2])
	if code != 200 || h.Get("Content-Type") != "application/pkcs7-signature" {
		t.Fatalf("signature: %d %v", code, h)
	}
	v, err := esign.NewVerifier(esign.Config{RootsDir: filepath.Join(dir, extract.DemoRoots)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyDetached(ctx, pdf, sig); err != nil {
		t.Fatalf("the signature of the kept PDF: %v", err)
	}
	number := regexp.MustCompile(`number=([^&]+)`).FindStringSubmatch(links[0][2])[1]
	for _, p := range []string{"/office/taxpayers/7707083893/extract?format=pdf&number=" + number, "/office/taxpayers/" + tin + "/extract?format=p7s",
		"/office/taxpayers/" + tin + "/extract?format=p7s&number=2026-0000001-AAAAAAAA"} {
		if code, _, _ := get(p); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}
