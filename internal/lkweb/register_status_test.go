package lkweb_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// fieldErr returns the error a page shows beside field, "" when none.
func fieldErr(body, field string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(field) + `-error"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// KG-1: the application's status page. The saved application, the login page and the
// registration page link it; the form needs its CSRF token and both fields, each wrong one named
// (HTML and JSON); a wrong ИНН is answered as an unknown number; the page shows the state and
// the УГНС — waiting, refused with the reason and the way to apply again, approved with the login
// — to a browser and to a JSON client; guessing one number's ИНН is limited; the Russian profile
// has no such page.
func TestRegistrationStatusPage(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	persons := demo.KyrgyzPersons(1, 40)
	p := persons[25]

	// A browser registers (no phone, no e-mail): the saved page links the status page.
	b := newBrowser(t, a.URL)
	pg := b.Follow(b.Do("GET", "/lk/register/password", nil))
	action, csrf := webtest.Form(t, pg, "type-form")
	pg = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "person_type": {"individual"}}))
	action, csrf = webtest.Form(t, pg, "register-form")
	pg = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"register"}, "tin": {p.TIN}, "password": {"kyzyl-tash-1"},
		"password_repeat": {"kyzyl-tash-1"}}))
	number := regexp.MustCompile(`<strong class="tin" id="number">([0-9-]+)</strong>`).FindStringSubmatch(pg.Body)
	if pg.Status != 200 || number == nil || !strings.Contains(pg.Body, `href="/lk/register/status?number=`+number[1]+`" id="status-link"`) {
		t.Fatalf("the saved page does not link the status page: %d\n%.3000s", pg.Status, pg.Body)
	}
	for _, path := range []string{"/lk/login", "/lk/register"} {
		if _, _, body := get(t, a.URL, path); !strings.Contains(body, `href="/lk/register/status" id="status-link"`) {
			t.Errorf("%s does not link the status page", path)
		}
	}

	// The form: the number filled from the link; CSRF; both fields required, each named.
	pg = b.Do("GET", "/lk/register/status?number="+number[1], nil)
	if pg.Status != 200 || !strings.Contains(pg.Body, `name="number" type="text" value="`+number[1]+`"`) {
		t.Fatalf("the form: %d\n%.2000s", pg.Status, pg.Body)
	}
	action, csrf = webtest.Form(t, pg, "status-form")
	if np := b.Do("POST", action, url.Values{"number": {number[1]}, "tin": {p.TIN}}); np.Status != 403 {
		t.Errorf("without the CSRF token: %d", np.Status)
	}
	pg = b.Do("POST", action, url.Values{"csrf": {csrf}, "number": {""}, "tin": {""}})
	if pg.Status != 422 || !strings.Contains(fieldErr(pg.Body, "number"), "Номер заявки") || fieldErr(pg.Body, "tin") == "" {
		t.Fatalf("empty fields: %d %q %q", pg.Status, fieldErr(pg.Body, "number"), fieldErr(pg.Body, "tin"))
	}
	pg = b.Do("POST", action, url.Values{"csrf": {csrf}, "number": {"42"}, "tin": {"5001007322"}})
	if pg.Status != 422 || !strings.Contains(fieldErr(pg.Body, "number"), "2026-000042") || fieldErr(pg.Body, "tin") == "" {
		t.Fatalf("wrong fields: %d %q %q", pg.Status, fieldErr(pg.Body, "number"), fieldErr(pg.Body, "tin"))
	}
	// Another's ИНН and an unknown number: the same answer.
	wrong := b.Do("POST", action, url.Values{"csrf": {csrf}, "number": {number[1]}, "tin": {persons[26].TIN}})
	unknown := b.Do("POST", action, url.Values{"csrf": {csrf}, "number": {"2026-999999"}, "tin": {p.TIN}})
	problemText := regexp.MustCompile(`<p class="problem" role="alert" id="problem">[^<]*</p>`)
	if wrong.Status != 404 || unknown.Status != 404 || !strings.Contains(wrong.Body, "не найдена") ||
		problemText.FindString(wrong.Body) == "" || problemText.FindString(wrong.Body) != problemText.FindString(unknown.Body) || strings.Contains(wrong.Body, `id="state"`) {
		t.Fatalf("a wrong pair %d, an unknown number %d\n%.2000s", wrong.Status, unknown.Status, wrong.Body)
	}
	pg = b.Do("POST", action, url.Values{"csrf": {csrf}, "number": {number[1]}, "tin": {p.TIN}})
	if pg.Status != 200 || !strings.Contains(pg.Body, `id="state"><strong>на рассмотрении</strong>`) || !strings.Contains(pg.Body, p.TaxOffice+" — ") ||
		!strings.Contains(pg.Body, "паспорт") {
		t.Fatalf("waiting: %d\n%.3000s", pg.Status, pg.Body)
	}

	// Refused: the reason and the way to apply again, to a browser and to a JSON client.
	c := &client{t: t, base: a.URL, header: map[string]string{"Accept-Language": "ru"}}
	r, err := a.Cabinet.RefuseRegistration(ctx, sys, "", number[1], "Паспорт не совпадает с данными реестра")
	if err != nil || len(r.Notified) != 0 {
		t.Fatalf("refuse: %+v %v", r, err)
	}
	pg = b.Do("POST", action, url.Values{"csrf": {csrf}, "number": {number[1]}, "tin": {p.TIN}})
	if pg.Status != 200 || !strings.Contains(pg.Body, `id="reason">Паспорт не совпадает с данными реестра<`) || !strings.Contains(pg.Body, `id="apply-again"`) {
		t.Fatalf("refused: %d\n%.3000s", pg.Status, pg.Body)
	}
	code, f := c.do("POST", "/lk/register/status", map[string]string{"number": number[1], "tin": p.TIN})
	if code != 200 || f["state"] != "refused" || f["reason"] != "Паспорт не совпадает с данными реестра" || f["office"] != p.TaxOffice || f["next"] == "" {
		t.Fatalf("refused, JSON: %d %v", code, f)
	}
	code, f = c.do("POST", "/lk/register/status", map[string]string{"number": "", "tin": "12"})
	errs := map[string]bool{}
	for _, e := range f["errors"].([]any) {
		errs[e.(map[string]any)["field"].(string)] = true
	}
	if code != 422 || !errs["number"] || !errs["tin"] {
		t.Fatalf("JSON, wrong fields: %d %v", code, f)
	}
	if code, f = c.do("POST", "/lk/register/status", map[string]string{"number": number[1], "tin": persons[26].TIN}); code != 404 {
		t.Fatalf("JSON, a wrong pair: %d %v", code, f)
	}
	if code, f = c.do("GET", "/lk/register/status?number="+number[1], nil); code != 200 || f["action"] != "/lk/register/status" {
		t.Fatalf("JSON, the form: %d %v", code, f)
	}

	// Approved (a new application): the login, in Kyrgyz too.
	r2, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "kyzyl-tash-1", Again: "kyzyl-tash-1"}, "ky")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.ApproveRegistration(ctx, sys, "", r2.Number(), true, ""); err != nil {
		t.Fatal(err)
	}
	code, f = c.do("POST", "/lk/register/status", map[string]string{"number": r2.Number(), "tin": p.TIN})
	if code != 200 || f["state"] != "approved" || f["login"] != p.TIN || !strings.Contains(f["next"].(string), p.TIN) {
		t.Fatalf("approved, JSON: %d %v", code, f)
	}
	before := len(i18n.Missing())
	keyRE := regexp.MustCompile(`\b(lk|office|enum|notify|field|kg)\.[a-z_]+\.?[a-z_.]*\b`)
	for _, lang := range []string{"ky", "ru", "en"} {
		kb := newBrowser(t, a.URL)
		u, _ := url.Parse(a.URL)
		kb.Client.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-kabinet_lang", Value: lang, Path: "/", Secure: true}})
		pg := kb.Do("GET", "/lk/register/status", nil)
		action, csrf := webtest.Form(t, pg, "status-form")
		pg = kb.Do("POST", action, url.Values{"csrf": {csrf}, "number": {r2.Number()}, "tin": {p.TIN}})
		if pg.Status != 200 || !strings.Contains(pg.Body, `id="to-login"`) || !strings.Contains(pg.Body, `<html lang="`+lang+`">`) {
			t.Errorf("%s approved: %d", lang, pg.Status)
		}
		if m := keyRE.FindString(pg.Body); m != "" {
			t.Errorf("%s: the page shows a catalogue key %s", lang, m)
		}
		if lang == "ky" && !strings.Contains(pg.Body, "кирүү укугу берилди") {
			t.Errorf("ky: the state not in Kyrgyz")
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}

	// Guessing the ИНН of one number: limited, then refused even with the right one.
	g := &client{t: t, base: a.URL}
	last := 0
	for i := 0; i < cabinet.RegistrationStatusPolicy.PerClient.Max+2; i++ {
		last, _ = g.do("POST", "/lk/register/status", map[string]string{"number": r2.Number(), "tin": persons[27+i%3].TIN})
	}
	if last != 429 {
		t.Errorf("guessing: %d", last)
	}

	ru := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	if code, _, _ := get(t, ru.URL, "/lk/register/status"); code != 404 {
		t.Errorf("the Russian profile: %d", code)
	}
}

// KG-1 (issue: the JSON labels): a JSON client of the registration is told the fields as the
// form labels them — «ФИО» and «Код УГНС», not the catalogue's general «Наименование» and
// «Налоговый орган» — in each language.
func TestRegistrationJSONLabels(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	for lang, want := range map[string]map[string]string{
		"ru": {"name": "ФИО", "office": "Код УГНС", "tin": "ИНН", "password_repeat": "Пароль ещё раз", "phone": "Мобильный телефон"},
		"ky": {"name": "Аты-жөнү", "office": "УГНС коду"},
		"en": {"name": i18n.T("en", "lk.reg.f.name"), "office": i18n.T("en", "lk.reg.f.office")},
	} {
		c := &client{t: t, base: a.URL, header: map[string]string{"Accept-Language": lang}}
		_, f := c.do("GET", "/lk/register/password", nil)
		action, _ := f["action"].(string)
		code, f := c.do("POST", action, map[string]string{"person_type": "individual"})
		if code != 200 || f["state"] != "form" {
			t.Fatalf("%s: %d %v", lang, code, f)
		}
		labels := map[string]string{}
		for _, x := range f["fields"].([]any) {
			m := x.(map[string]any)
			labels[m["name"].(string)] = m["label"].(string)
		}
		for name, label := range want {
			if labels[name] != label {
				t.Errorf("%s: the label of %s is %q, want %q (the form's)", lang, name, labels[name], label)
			}
		}
	}
}
