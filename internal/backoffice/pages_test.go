package backoffice_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/backoffice"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestTemplatesParse(t *testing.T) {
	if _, err := backoffice.New(backoffice.Deps{}); err != nil {
		t.Fatal(err)
	}
}

var (
	tags    = regexp.MustCompile(`(?s)<[^>]*>`)
	scripts = regexp.MustCompile(`(?s)<(style|script)[^>]*>.*?</(style|script)>`)
)

// visibleText is what a reader of the page sees: its text without tags, attributes and
// scripts.
func visibleText(page string) string {
	return html.UnescapeString(tags.ReplaceAllString(scripts.ReplaceAllString(page, " "), " "))
}

// No page of the back office shows an internal code (an enumerated value, a catalogue key)
// instead of its label, in any language: every page of the demo data is walked.
func TestNoPageShowsACode(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{})
	ctx := context.Background()
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.Add(ctx, sys, "ivanova", staff.RoleInspector, "Иванова Анна", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password, Assurance: "inspector"})
	if err != nil {
		t.Fatal(err)
	}
	// Codes that must never be seen: every enumerated value (those that are also ordinary words
	// of a language, like "other", are looked for only on Russian pages, where they are not).
	var codes []string
	for _, list := range register.Enumerations() {
		codes = append(codes, list...)
	}
	codes = append(codes, staff.AuditActions...)
	pages := []string{"/office/", "/office/search?q=а", "/office/search?q=ООО", "/office/reviews", "/office/audit",
		"/office/persons/new", "/office/organizations/new", "/office/foreign/new"}
	list, err := a.Register.Search(ctx, register.SearchFilter{Limit: 500})
	if err != nil || len(list) < 40 {
		t.Fatalf("demo data: %d %v", len(list), err)
	}
	kinds := map[string]int{}
	for _, s := range list {
		key := string(s.Kind) + string(s.Status)
		if kinds[key] < 2 {
			pages = append(pages, "/office/taxpayers/"+s.TIN, "/office/taxpayers/"+s.TIN+"/extract")
			if s.Kind == register.KindPerson && s.Status == register.StatusActive {
				pages = append(pages, "/office/taxpayers/"+s.TIN+"/edit")
			}
		}
		kinds[key]++
	}
	before := len(i18n.Missing())
	for _, lang := range i18n.Languages() {
		for _, p := range pages {
			req, _ := http.NewRequest("GET", a.URL+p, nil)
			req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: tok})
			req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: %d", lang, p, resp.StatusCode)
				continue
			}
			text := visibleText(string(b))
			for _, c := range codes {
				if lang != "ru" && !strings.ContainsAny(c, "_.") {
					continue
				}
				if regexp.MustCompile(`(^|[^\p{L}_.])` + regexp.QuoteMeta(c) + `($|[^\p{L}_])`).MatchString(text) {
					t.Errorf("%s %s shows the code %q", lang, p, c)
				}
			}
			// A citizenship or a country is named (ОКСМ in the page's language), never a bare code.
			for _, label := range []string{"office.f.citizenship_short", "office.f.country"} {
				cell := regexp.MustCompile(`<dt>` + regexp.QuoteMeta(i18n.T(lang, label)) + `</dt><dd[^>]*>\s*([A-Z]{3}|[0-9]{3})\b`)
				if m := cell.FindStringSubmatch(string(b)); m != nil {
					t.Errorf("%s %s: %s shown as the code %q", lang, p, i18n.T(lang, label), m[1])
				}
			}
			if lang == "ru" && regexp.MustCompile(`\b(office|enum|tin|register|staff|flash)\.[a-z_.]+`).MatchString(text) {
				t.Errorf("%s %s shows a catalogue key: %s", lang, p, regexp.MustCompile(`\b(office|enum|tin|register|staff|flash)\.[a-z_.]+`).FindString(text))
			}
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
}
