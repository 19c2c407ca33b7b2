package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// publicBrowser opens a fresh browser context beside ctx: no cookie, no session, as a bank
// clerk who scanned the QR code would come. Its console is watched like the test's own.
func publicBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	pub, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(pub); err != nil {
		t.Fatal(err)
	}
	problems := watchConsole(pub)
	t.Cleanup(func() {
		for _, p := range problems() {
			t.Errorf("console (public): %s", p)
		}
	})
	return pub
}

// decodeQR reads the QR code of the extract the browser shows with zbarimg (Debian zbar-tools).
func decodeQR(t *testing.T, ctx context.Context) string {
	t.Helper()
	src := attr(t, ctx, `document.getElementById("extract-qr").getAttribute("src")`)
	b64, ok := strings.CutPrefix(src, "data:image/png;base64,")
	if !ok {
		t.Fatalf("the QR code is not a PNG: %.40s", src)
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg required under CI=true (apt-get install zbar-tools)")
		}
		t.Log("zbarimg not installed: the QR code is not decoded")
		return ""
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, png, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", file).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// REG-9: an inspector issues an extract; it prints on one A4 sheet, as does the taxpayer's page;
// its QR code carries the address of the public verification page, which, opened with no login
// in a fresh browser, states the TIN, the name and the status of a genuine number and refuses a
// made-up one, in Russian and English.
func TestExtractVerification(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	person := register1(t, a, personIn("Морозова", "Дарья", "880001"))
	org := organization(t, a, "Общество с ограниченной ответственностью «Северное сияние»", "ООО «Северное сияние»", "102780000004", "7801")
	for _, in := range []register.KPPInput{{Ground: register.KPPSubdivision, TaxOffice: "7801", Subdivision: "Обособленное подразделение в Пушкине"},
		{Ground: register.KPPProperty, TaxOffice: "7802"}} {
		if _, err := a.reg.AssignKPP(context.Background(), system, org, in); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")

	// The taxpayer pages, printed: one sheet each.
	for _, lang := range []string{"ru", "en"} {
		inLang(t, ctx, a, lang, "/office/taxpayers/"+person, "#history")
		printsOnOnePage(t, ctx, "taxpayer-person-"+lang)
		inLang(t, ctx, a, lang, "/office/taxpayers/"+org, "#kpps")
		printsOnOnePage(t, ctx, "taxpayer-org-"+lang)
		if lang == "ru" {
			noCodes(t, ctx, "taxpayer-org-ru")
		}
	}

	// The extracts, issued in the back office.
	numbers := map[string]string{}
	for _, c := range []struct{ lang, tin, name string }{{"en", org, "extract-org-en"}, {"ru", org, "extract-org-ru"}, {"ru", person, "extract-person-ru"}} {
		inLang(t, ctx, a, c.lang, "/office/taxpayers/"+c.tin+"/extract", "#extract-number")
		numbers[c.name] = strings.TrimSpace(text(t, ctx, "#extract-number"))
		has(t, ctx, "main", c.tin)
		checkPage(t, ctx, c.name)
		fits(t, ctx, c.name)
		printsOnOnePage(t, ctx, c.name)
	}
	number := numbers["extract-person-ru"]
	verifyURL := a.url + "/verify/extract/" + number
	if href := attr(t, ctx, `document.getElementById("extract-verify").getAttribute("href")`); href != verifyURL {
		t.Fatalf("the extract's verification address %q, want %q", href, verifyURL)
	}
	if qr := decodeQR(t, ctx); qr != "" && qr != verifyURL {
		t.Fatalf("the QR code says %q, want %q", qr, verifyURL)
	}

	// The public page, with no login: what the extract stated.
	pub := publicBrowser(t, ctx)
	visit(t, pub, verifyURL, "#found")
	if n := attr(t, pub, `String(document.querySelectorAll("#logout").length)`); n != "0" {
		t.Fatal("the public page shows a staff session")
	}
	has(t, pub, "#found", "Выписка № "+number+" выдавалась")
	if got := strings.TrimSpace(text(t, pub, "#stated-tin")); got != person {
		t.Fatalf("stated TIN %q, want %s", got, person)
	}
	has(t, pub, "#stated-name", "Морозова Дарья Петровна")
	has(t, pub, "#stated-status", "применяется")
	has(t, pub, "#stated-office", "7736")
	has(t, pub, "#stated-officer", "Иванова Анна")
	checkPage(t, pub, "verify-found-ru")
	noCodes(t, pub, "verify-found-ru")
	fits(t, pub, "verify-found-ru")
	run(t, pub, submit("#lang-en"))
	has(t, pub, "#found", "Extract No. "+number+" was issued")
	has(t, pub, "#stated-status", "active")
	if got := strings.TrimSpace(text(t, pub, "#stated-tin")); got != person {
		t.Fatalf("stated TIN in English %q", got)
	}
	checkPage(t, pub, "verify-found-en")

	// The organization's extract issued in English: its page names the organization.
	visit(t, pub, a.url+"/verify/extract/"+numbers["extract-org-en"], "#found")
	if got := strings.TrimSpace(text(t, pub, "#stated-tin")); got != org {
		t.Fatalf("stated TIN %q, want %s", got, org)
	}
	has(t, pub, "#stated-name", "Северное сияние")

	// A made-up number and a malformed one: no such extract, in both languages.
	fake := "2026-0000042-7K3QX9PD"
	if fake[:12] == number[:12] {
		fake = "2026-0000999-7K3QX9PD"
	}
	for _, c := range []struct{ lang, path, want string }{
		{"en", "/verify/extract/" + fake, "No extract with this number was issued"},
		{"en", "/verify/extract/not-a-number", "No extract with this number was issued"},
		{"ru", "/verify/extract/" + fake, "Выписка с таким номером не выдавалась"},
	} {
		visit(t, pub, a.url+"/verify/lang?lang="+c.lang+"&back="+c.path, "#not-found")
		has(t, pub, "#not-found", c.want)
		if n := attr(t, pub, `String(document.querySelectorAll("#stated, #stated-tin").length)`); n != "0" {
			t.Fatalf("%s states something", c.path)
		}
		if strings.Contains(text(t, pub, "main"), person) {
			t.Fatalf("%s shows a TIN", c.path)
		}
		checkPage(t, pub, "verify-not-found-"+c.lang)
	}
	fits(t, pub, "verify-not-found-ru")

	// The number typed into the lookup form, in lower case with spaces around: its page.
	visit(t, pub, a.url+"/verify/extract", "#number")
	checkPage(t, pub, "verify-lookup-ru")
	fill(t, pub, map[string]string{"number": "  " + strings.ToLower(number) + " "})
	run(t, pub, submit("#lookup"))
	if got := strings.TrimSpace(text(t, pub, "#stated-tin")); got != person {
		t.Fatalf("looked up %q: %q", number, got)
	}
	visit(t, pub, a.url+"/verify/extract", "#number")
	fill(t, pub, map[string]string{"number": fake})
	run(t, pub, submit("#lookup"))
	has(t, pub, "#not-found", "Выписка с таким номером не выдавалась")
	kept(t, pub, map[string]string{"number": fake})
}
