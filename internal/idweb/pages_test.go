package idweb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// IDP-1: the terms of use and the consent to the processing of personal data are pages in
// Russian and English, in the version a registration records, linked from its checkboxes; an
// earlier version is shown as such; a JSON client gets the text.
func TestConsentPages(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	for _, d := range identity.DefaultDocuments {
		path := map[string]string{"terms": "/id/terms", "personal_data": "/id/personal-data"}[d.Doc]
		for _, lang := range []string{"ru", "en"} {
			code, body := get(t, a.URL, path, lang, "", "")
			text, _ := identity.DocumentText(d.Doc, d.Version, lang)
			if code != 200 {
				t.Fatalf("%s %s: %d", path, lang, code)
			}
			wantAll(t, path+" "+lang, body, `data-version="`+d.Version+`"`, text[0], text[len(text)-1], "<title>"+i18n.T(lang, "id.doc_title."+d.Doc))
			if strings.Contains(body, `id="old-version"`) {
				t.Errorf("%s %s: the current version shown as an earlier one", path, lang)
			}
		}
		code, body := get(t, a.URL, path, "en", "", "application/json")
		if code != 200 || !strings.Contains(body, `"version":"`+d.Version+`"`) || !strings.Contains(body, `"paragraphs":[`) {
			t.Fatalf("%s as JSON: %d %.200s", path, code, body)
		}
		if code, _ := get(t, a.URL, path+"?version=1999-01", "ru", "", ""); code != 404 {
			t.Errorf("%s of a version that does not exist: %d", path, code)
		}
	}
	// The registration's first step asks a representative for the organization (the last
	// step's links to the texts are followed in the browser tests).
	_, body := get(t, a.URL, "/id/register", "ru", "", "")
	wantAll(t, "the registration's first step", body, `id="register-form"`, `name="organization_name"`, `name="organization_ogrn"`,
		i18n.T("ru", "id.register.organization"))
}

// The profile's errors land under their own inputs: a document's by its kind (only the filled
// documents are in the profile, so their places differ from the form's), the vehicle's under
// the vehicle — each named by its label.
func TestProfileErrorsUnderTheirFields(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Identity: app.Identity{Registry: registry{}}})
	if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Phone: "+79161234567",
		Level: identity.Simplified, Password: "Volga-river-2026"}); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: a.URL}
	c.login("+79161234567", "Volga-river-2026")
	long := strings.Repeat("7", 301)
	code, f := c.do("POST", "/id/profile", map[string]any{"action": "submit", "sex": "female", "birth_date": "1985-04-12", "birth_place": "г. Москва",
		"snils": "112-233-445 95", "passport_series": "4510", "passport_number": "123456", "passport_issued_on": "2005-05-20",
		"doc_driving_licence": long, "vehicle": long})
	errs, _ := f["errors"].([]any)
	if code != 422 || len(errs) != 2 {
		t.Fatalf("%d %v", code, f)
	}
	got := map[string]string{}
	for _, e := range errs {
		e := e.(map[string]any)
		got[e["field"].(string)] = e["message_ru"].(string)
	}
	if !strings.Contains(got["doc_driving_licence"], i18n.T("ru", "id.doc.driving_licence")) || !strings.Contains(got["vehicle"], i18n.T("ru", "id.f.vehicle")) {
		t.Fatalf("errors %v", got)
	}
}

// The account's home page says what the account is in words (its level, how it was confirmed,
// who registers), and writes the phone and the СНИЛС as people read them, in Russian and in
// English; a simplified account whose verification was refused reads why.
func TestHomePage(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	std, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: "Соколова", GivenName: "Анна", Phone: "+79161234567", SNILS: "112-233-445 95",
		Level: identity.Standard, Password: "Volga-river-2026"})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: a.URL}
	c.login("+79161234567", "Volga-river-2026")
	for _, lang := range []string{"ru", "en"} {
		code, body := get(t, a.URL, "/id/", lang, c.token, "")
		if code != 200 {
			t.Fatalf("home %s: %d", lang, code)
		}
		wantAll(t, "home "+lang, body, "<h1>"+std.FullName()+"</h1>", `<span id="level">`+i18n.T(lang, "enum.level.standard")+"</span>",
			i18n.T(lang, "enum.reg_kind."+string(std.Kind)), "+7 916 123-45-67", "112-233-445 95", `id="next"`, i18n.T(lang, "id.home.next_confirmed"),
			// no e-mail given: said so, not an empty line
			`<dd id="email"><span class="muted">`+i18n.T(lang, "id.home.no_email")+`</span></dd>`)
		for _, code := range []string{">standard<", ">russian<", "+79161234567", `id="level-lost"`, `id="method"`} {
			if strings.Contains(body, code) && !(lang == "en" && code == ">standard<") { // "standard" is the English word
				t.Errorf("home %s shows %s", lang, code)
			}
		}
	}
}

// IDP-3: a profile's citizenship is chosen from ОКСМ by the country's name in the page's
// language, in its alphabetical order, Russia first and chosen for a Russian citizen's account;
// a foreign citizen's account starts with none chosen and is not offered Russia, nor asked for
// a СНИЛС or a series of digits.
func TestCitizenshipChoice(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	for _, n := range []identity.NewAccount{
		{Surname: "Соколова", GivenName: "Анна", Phone: "+79161234567", Level: identity.Simplified, Password: "Volga-river-2026"},
		{Kind: identity.ForeignCitizen, Surname: "Müller", GivenName: "Anna", Email: "anna@example.org", Level: identity.Simplified, Password: "Rhine-valley-2026"},
	} {
		if _, err := a.Identity.AddAccount(ctx, n); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		c.login(n.Phone+n.Email, n.Password)
		for lang, order := range map[string][]string{
			"ru": {"Австралия", "Германия", "Ирландия", "Франция", "Эстония", "Япония"},
			"en": {"Afghanistan", "Åland Islands", "Albania", "Côte d'Ivoire", "Croatia", "Germany"},
		} {
			code, body := get(t, a.URL, "/id/profile", lang, c.token, "")
			if code != 200 {
				t.Fatalf("profile %s: %d", lang, code)
			}
			sel := webtest.Between(body, `<select id="citizenship" name="citizenship"`, "</select>")
			if sel == "" {
				t.Fatalf("profile %s: no select of the citizenship", lang)
			}
			russia := map[string]string{"ru": "Россия", "en": "Russian Federation"}[lang]
			first := `<option value="">` + i18n.T(lang, "form.choose") + `</option><option value="RUS" selected>` + russia + `</option>`
			if n.Kind == identity.ForeignCitizen {
				first = `<option value="">` + i18n.T(lang, "form.choose") + `</option><option value="ABH">`
			}
			if !strings.Contains(sel, first) || strings.Count(sel, " selected") > 1 || n.Kind == identity.ForeignCitizen && (strings.Contains(sel, " selected") || strings.Contains(sel, `"RUS"`)) {
				t.Errorf("profile %s of a %s account: the first choices %.200s", lang, n.Kind, sel[strings.Index(sel, "<option"):])
			}
			last := -1
			for _, name := range order {
				i := strings.Index(sel, ">"+name+"</option>")
				if i < 0 || i < last {
					t.Errorf("profile %s: %s missing or out of order", lang, name)
				}
				last = i
			}
			// The passport and the СНИЛС are asked as the account's kind has them: a Russian
			// citizen's series of 4 digits and СНИЛС required, a foreign passport's letters.
			snils := webtest.Between(body, `<input id="snils"`, ">")
			series := webtest.Between(body, `<input id="passport_series"`, ">")
			if ru := n.Kind != identity.ForeignCitizen; strings.Contains(snils, " required") != ru || strings.Contains(series, " required") != ru ||
				strings.Contains(series, `inputmode="numeric"`) != ru || strings.Contains(body, i18n.T(lang, "id.hint.passport_series_ru")) != ru {
				t.Errorf("profile %s of a %s account: СНИЛС %s, series %s", lang, n.Kind, snils, series)
			}
			if strings.Count(sel, "<option") < 240 {
				t.Errorf("profile %s: %d countries", lang, strings.Count(sel, "<option"))
			}
		}
	}
}
