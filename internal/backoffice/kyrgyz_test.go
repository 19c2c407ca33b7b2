package backoffice_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// KG: the back office of the Kyrgyz register has the fields that apply there — the person's and
// the organization's own ИНН, the head and the accountant, the УГНС to choose from, the Kyrgyz
// documents — and none of those that do not (СНИЛС, ОГРН, КПП, foreign organizations); its pages
// show no code and a Russian ИНН in an address is answered as such.
func TestKyrgyzPages(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if _, err := a.Staff.Add(ctx, audit.Actor{Login: "test", Role: "system"}, "asanova", staff.RoleInspector, "Асанова Айгүл", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, 20); err != nil {
		t.Fatal(err)
	}
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "asanova", Method: session.Password, Assurance: "inspector"})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, lang string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", a.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: tok})
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	org := demo.KyrgyzOrganizations[0]
	person := demo.KyrgyzPersons(1, 20)[org.Head]
	before := len(i18n.Missing())
	for _, lang := range []string{"ru", "en"} {
		for path, want := range map[string]struct{ has, hasNot []string }{
			"/office/": {has: []string{`href="/office/persons/new"`}, hasNot: []string{`/office/foreign/new`}},
			"/office/persons/new": {has: []string{`name="tin"`, `value="id_card_kg"`, `value="passport_kg"`, `value="002"`, "УГНС по Ленинскому району г. Бишкек"},
				hasNot: []string{`name="snils"`, `value="birth_certificate"`, `value="military_id"`, `value="7701"`}},
			"/office/organizations/new":                    {has: []string{`name="tin"`, `name="head_tin"`, `name="accountant_tin"`}, hasNot: []string{`name="ogrn"`}},
			"/office/taxpayers/" + org.TIN:                 {has: []string{org.FullName, person.Surname + " " + person.GivenName, `id="head"`, `id="accountant"`}, hasNot: []string{`id="kpp-form"`}},
			"/office/taxpayers/" + org.TIN + "/edit":       {has: []string{`name="head_tin" type="text" value="` + person.TIN + `"`}, hasNot: []string{`name="ogrn"`}},
			"/office/taxpayers/" + person.TIN:              {has: []string{person.TIN, person.Surname}},
			"/office/taxpayers/" + person.TIN + "/edit":    {hasNot: []string{`name="snils"`}},
			"/office/taxpayers/" + person.TIN + "/extract": {has: []string{person.TIN, "Управление Государственной налоговой службы"}},
			"/office/search?q=" + person.TIN[:6]:           {has: []string{person.TIN}},
			"/office/audit":                                {},
		} {
			status, body := get(path, lang)
			if status != 200 {
				t.Errorf("%s %s: %d", lang, path, status)
				continue
			}
			for _, s := range want.has {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s: no %q", lang, path, s)
				}
			}
			for _, s := range want.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("%s %s: %q is not of this jurisdiction", lang, path, s)
				}
			}
			if text := visibleText(body); lang == "ru" && strings.Contains(text, "office.") {
				t.Errorf("%s %s shows a catalogue key", lang, path)
			}
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
	// A Russian ИНН in an address of the Kyrgyz back office says what it is.
	status, body := get("/office/taxpayers/500100732259", "ru")
	if status != 422 || !strings.Contains(visibleText(body), "российский ИНН") {
		t.Errorf("a Russian ИНН: %d %s", status, visibleText(body))
	}
}
