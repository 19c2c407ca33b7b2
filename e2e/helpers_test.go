package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
)

// Helpers of the browser tests of the register's checks, the search, the audit log, the
// extract's verification and the keyboard.

// startAppWith starts the application like startApp, with options (a clock set by the test).
func startAppWith(t *testing.T, db *store.DB, o apptest.Options) *app {
	t.Helper()
	a := apptest.Start(t, db, o)
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.Add(context.Background(), sys, "ivanova", staff.RoleInspector, "Иванова Анна", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	return &app{App: a, url: a.URL, reg: a.Register, db: db}
}

// inLang switches the back office to lang and opens back, waiting for sel.
func inLang(t *testing.T, ctx context.Context, a *app, lang, back, sel string) {
	t.Helper()
	visit(t, ctx, a.url+"/office/lang?lang="+lang+"&back="+url.QueryEscape(back), sel)
	if got := attr(t, ctx, `document.documentElement.lang`); got != lang {
		t.Fatalf("%s: page language %q, want %q", back, got, lang)
	}
}

// fieldError asserts that the field with id is marked invalid (aria-invalid), that the error it
// is described by says want, and that want is also in the error summary at the top of the page.
func fieldError(t *testing.T, ctx context.Context, id, want string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const el = document.getElementById(`+jsString(id)+`);
		if (!el) return ["", "no element #`+id+`", ""];
		const err = (el.getAttribute("aria-describedby") || "").split(" ").map(i => document.getElementById(i)).find(e => e && e.classList.contains("error"));
		const summary = document.querySelector(".error-summary, #problem");
		return [el.getAttribute("aria-invalid") || "", err ? err.textContent : "", summary ? summary.textContent : ""];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "true" || !strings.Contains(got[1], want) {
		t.Fatalf("#%s: aria-invalid %q, error %q; want %q", id, got[0], got[1], want)
	}
	if !strings.Contains(got[2], want) {
		t.Errorf("#%s: the error summary %q lacks %q", id, got[2], want)
	}
}

// notInvalid asserts that the fields with ids are not marked invalid.
func notInvalid(t *testing.T, ctx context.Context, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if v := attr(t, ctx, `(document.getElementById(`+jsString(id)+`) || {getAttribute: () => "missing"}).getAttribute("aria-invalid") || ""`); v != "" {
			t.Errorf("#%s: aria-invalid %q, want none", id, v)
		}
	}
}

// value is the current value of the field with id.
func value(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	return attr(t, ctx, `(document.getElementById(`+jsString(id)+`) || {value: "<no #`+id+`>"}).value`)
}

// kept asserts that the fields still hold what was typed.
func kept(t *testing.T, ctx context.Context, values map[string]string) {
	t.Helper()
	for id, want := range values {
		if got := value(t, ctx, id); got != want {
			t.Errorf("#%s: %q after the error, want what was typed %q", id, got, want)
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// focused is the id of the element that has the focus ("" for none or one without an id).
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	return attr(t, ctx, `document.activeElement ? document.activeElement.id : ""`)
}

// press sends keys to the element that has the focus, as a keyboard would.
func press(t *testing.T, ctx context.Context, keys ...string) {
	t.Helper()
	for _, k := range keys {
		run(t, ctx, chromedp.KeyEvent(k))
	}
}

// tabTo presses Tab until the element matching sel (a CSS selector) has the focus, and fails
// when it is not reached within limit presses. It returns the ids (or tag names) of the
// elements the focus passed, in order.
func tabTo(t *testing.T, ctx context.Context, sel string, limit int) []string {
	t.Helper()
	var path []string
	for i := 0; i < limit; i++ {
		press(t, ctx, kb.Tab)
		at := attr(t, ctx, `(() => { const e = document.activeElement; return e ? (e.id || e.tagName.toLowerCase() + (e.getAttribute("href") ? "[" + e.getAttribute("href") + "]" : "")) : ""; })()`)
		path = append(path, at)
		if attr(t, ctx, `String(!!document.activeElement && document.activeElement.matches(`+jsString(sel)+`))`) == "true" {
			return path
		}
	}
	t.Fatalf("%s not reached by %d presses of Tab; the focus went %v", sel, limit, path)
	return nil
}

// pressAndLoad presses key on the focused element and waits until the page it leads to has
// loaded (as submit does for a click).
func pressAndLoad(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(document.body.dataset.stale = "1") === "1"`)(ctx, tg)
		return err
	}), chromedp.KeyEvent(key))
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && !!document.body && !document.body.dataset.stale`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no page loaded after pressing %q: %v", key, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var (
	pdfPage      = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfinfoPages = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)
)

// printsOnOnePage prints the page the browser shows on A4 paper, as a browser prints it by
// default (margins of 1 cm, no header or footer), and fails unless it takes one sheet. With
// KABINET_SCREENSHOTS=DIR the PDF is saved there, named after name.
func printsOnOnePage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(0.4)))
	if err != nil {
		t.Fatalf("%s: print: %v", name, err)
	}
	pages := len(pdfPage.FindAll(pdf, -1))
	file := filepath.Join(t.TempDir(), name+".pdf")
	if dir := os.Getenv("KABINET_SCREENSHOTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		file = filepath.Join(dir, name+".pdf")
	}
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := exec.Command("pdfinfo", file).Output(); err == nil { // poppler-utils, when installed, counts for sure
		if m := pdfinfoPages.FindSubmatch(info); m != nil {
			pages, _ = strconv.Atoi(string(m[1]))
		}
	}
	if pages != 1 {
		t.Errorf("%s: printed on A4 it takes %d pages, want 1", name, pages)
	}
	// The same in print media: the document is no taller than a sheet (1123 px at 96 dpi) less
	// the margins.
	run(t, ctx, chromedp.EmulateViewport(794, 1123))
	setMedia(t, ctx, "print")
	h, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	setMedia(t, ctx, "")
	run(t, ctx, chromedp.EmulateViewport(1280, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if h > 1123 {
		t.Errorf("%s: printed %d px tall, more than an A4 sheet (1123 px)", name, h)
	}
}

// setMedia emulates a CSS media type ("print"), or none when m is "".
func setMedia(t *testing.T, ctx context.Context, m string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
		t.Fatal(err)
	}
}

// codeShape is a code a page must word by its label, known by its shape in any language: a
// snake_case code (passport_kg, legal_entity, not_applied) or an action of the audit log.
const codeShape = `(person|organization|foreign|taxpayer|staff|review|kio|account|extract)\.[a-z_]+|[a-z]+_[a-z_]+`

// internalCode is a code of the register, the personal account or the audit log that a Russian
// or a Kyrgyz page must word by its label: a document type, a status, a reason, a ground, a sex, a
// level, a kind of person, a signatory's role, an application's state, an action. An English
// page's words are these codes' own (registered, male, head), so there only codeShape is one.
var (
	internalCode = regexp.MustCompile(`\b(passport_ru|passport_foreign|birth_certificate|military_id|residence_permit|temporary_residence|refugee_certificate|` +
		`not_applied|deregistered|active|male|female|moved|death|liquidation|reorganization|redomiciled|duplicate|residence|stay|property|income_source|choice|` +
		`subdivision|new_location|location|creation|pending|standard|simplified|confirmed|registered|updated|` +
		`individual|legal|head|accountant|submitted|approved|refused|` + codeShape + `)\b`)
	englishCode = regexp.MustCompile(`\b(` + codeShape + `)\b`)
)

// catalogueKey is a catalogue key a page shows as is — a key looked up that the catalogue lacks
// (lk.reg.x), or one never looked up: a dotted lower-case name that is no part of an address (a
// host, an e-mail, a path) and whose first part begins keys of the catalogue (cataloguePrefixes).
var catalogueKey = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.@/:-])([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?:[^\p{L}\p{N}_@/-]|$)`)

// cataloguePrefixes are the first parts of the catalogue's keys: lk, enum, field, kg, tin …
var cataloguePrefixes = func() map[string]bool {
	m := map[string]bool{}
	for _, lang := range i18n.Languages() {
		for _, k := range i18n.Keys(lang) {
			m[strings.SplitN(k, ".", 2)[0]] = true
		}
	}
	return m
}()

// countryLabels are the keys of the labels of a citizenship or a country (countryCells).
var countryLabels = []string{"field.citizenship", "field.identification.country", "field.address.country"}

// alpha3 is a bare ОКСМ alpha-3 code (RUS, DEU) in a text.
var alpha3 = regexp.MustCompile(`(^|[^\p{L}])[A-Z]{3}([^\p{L}]|$)`)

// countryCells are the texts of the cells of the page that hold a citizenship or a country: the
// value beside a term with one of labels (a dl), and the cells of a column headed by one (a table).
func countryCells(t *testing.T, ctx context.Context, labels ...string) []string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const labels = `+func() string { b, _ := json.Marshal(labels); return string(b) }()+`, out = [];
		const is = el => labels.includes(el.textContent.trim());
		for (const dt of document.querySelectorAll("dt")) {
			if (is(dt) && dt.nextElementSibling) out.push(dt.nextElementSibling.textContent.trim());
		}
		for (const table of document.querySelectorAll("table")) {
			const heads = Array.from(table.querySelectorAll("thead th"));
			heads.forEach((th, i) => {
				if (!is(th)) return;
				for (const row of table.querySelectorAll("tbody tr")) if (row.cells[i]) out.push(row.cells[i].textContent.trim());
			});
		}
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// noCodes asserts that the page the browser shows, in Russian, Kyrgyz or English, words every
// code by its label — no catalogue key (lk.reg.x), no code of an enumerated value (passport_kg,
// registered, male, individual, legal_entity, head, accountant) — and names every citizenship
// and country (ОКСМ) rather than showing its alpha-3 code.
func noCodes(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	lang := attr(t, ctx, `document.documentElement.lang`)
	codes := internalCode
	switch lang {
	case "ru", "ky":
	case "en":
		codes = englishCode
	default:
		t.Fatalf("%s: noCodes on a page in %q", name, lang)
	}
	body := text(t, ctx, "body")
	found := codes.FindAllString(body, -1)
	for _, m := range catalogueKey.FindAllStringSubmatch(body, -1) {
		if cataloguePrefixes[strings.SplitN(m[1], ".", 2)[0]] {
			found = append(found, m[1])
		}
	}
	if len(found) > 0 {
		t.Errorf("%s: the page (%s) shows codes %q", name, lang, found)
	}
	var labels []string
	for _, k := range countryLabels {
		labels = append(labels, i18n.T(lang, k))
	}
	for _, c := range countryCells(t, ctx, labels...) {
		if alpha3.MatchString(c) {
			t.Errorf("%s: a citizenship or country shown as a code: %q", name, c)
		}
	}
}

// reasonsOffered are the reasons of the deregistration form of a taxpayer's page (REG-6, REG-7),
// its empty choice aside; none when the page has no such form.
func reasonsOffered(t *testing.T, ctx context.Context) []string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#deregister-form #reason option")).map(o => o.value).filter(v => v !== "")`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}
