package lkweb_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// Every page of the personal account and of the inspector's side of it renders in every
// language of the catalogue, with no key looked up that has no text and no key shown.
func TestPagesInEveryLanguage(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	tin := person(t, a, "Соколова", "Елена", "111111", time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC))
	principal := person(t, a, "Белова", "Нина", "222222", time.Date(1940, 5, 9, 0, 0, 0, 0, time.UTC))
	card, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin, Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.AddRepresentation(ctx, sys, cabinet.RepInput{Principal: principal, Representative: tin, Kind: cabinet.PowerOfAttorney,
		Notary: "Иванова Т. П.", Number: "77 АГ 1", IssuedOn: time.Now().Format(time.DateOnly), ValidUntil: time.Now().AddDate(0, 0, 10).Format(time.DateOnly),
		Powers: []string{cabinet.PowerExtracts}, PassportShown: true, DocumentShown: true}); err != nil {
		t.Fatal(err)
	}
	app, key, err := a.Cabinet.SubmitApplication(ctx, cabinet.ApplicationInput{Surname: "Петрова", GivenName: "Анна", BirthDate: "1990-01-02",
		DocType: "passport_ru", DocNumber: "333333", DocIssuedOn: "2010-01-10", Email: "anna@example.org", Office: "7736", Consent: true}, "ru")
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: a.URL}
	if code, f := c.login(tin, card.TemporaryPassword, "Volga-2026!"); code != 200 {
		t.Fatalf("login: %d %v", code, f)
	}
	demo := &client{t: t, base: a.URL}
	demo.login(cabinet.DemoLogin, "x", "")
	if _, err := a.Staff.Add(ctx, sys, "ivanova", staff.RoleInspector, "Иванова Анна", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	staffToken := officeToken(t, a.URL)
	// LK-6: an account first entered through the identity provider, without a password.
	idpTIN, _ := taxpayer(t, a, "Кузнецова")
	if _, _, err := a.Cabinet.SignIn(ctx, cabinet.External{Provider: "test", TIN: idpTIN, ACR: cabinet.ACRPrefix + "confirmed", Confirmation: "esign"}, cabinet.Origin{}); err != nil {
		t.Fatal(err)
	}
	idpToken, _, err := a.Sessions.Start(ctx, session.Start{Site: "lk", Subject: idpTIN, Method: session.IdentityProvider, Assurance: "idp"})
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		path, cookie, token, acting string
	}
	pages := []page{{path: "/lk/login"}, {path: "/lk/esign"}, {path: "/lk/recovery"}, {path: "/lk/apply"},
		{path: "/lk/apply/" + app.Number() + "?key=" + key}, {path: "/lk/recovery/link?l=a.b"},
		{path: "/lk/", token: c.token}, {path: "/lk/settings", token: c.token}, {path: "/lk/representatives", token: c.token},
		{path: "/lk/", token: c.token, acting: principal}, {path: "/lk/settings", token: c.token, acting: principal},
		{path: "/lk/", token: demo.token}, {path: "/lk/settings", token: demo.token}, {path: "/lk/representatives", token: demo.token},
		{path: "/office/cards", cookie: staffToken}, {path: "/office/cards/" + tin, cookie: staffToken}, {path: "/office/cards/" + principal, cookie: staffToken},
		{path: "/office/applications", cookie: staffToken}, {path: "/office/applications/" + app.Number(), cookie: staffToken},
		{path: "/lk/oidc/password", token: idpToken}, {path: "/lk/settings", token: idpToken}, {path: "/lk/oidc/refused/level?level=standard"},
		{path: "/lk/oidc/refused/level?level=simplified"}, {path: "/lk/oidc/refused/level"}, {path: "/lk/oidc/refused/mail"},
		{path: "/lk/oidc/refused/method"}, {path: "/lk/oidc/refused/no_person"}, {path: "/lk/oidc/refused/not_applied"}}
	keyRE := regexp.MustCompile(`\b(lk|office|enum|notify|field)\.[a-z_]+\.[a-z_.]+`)
	before := len(i18n.Missing())
	for _, lang := range i18n.Languages() {
		for _, p := range pages {
			req, _ := http.NewRequest("GET", a.URL+p.path, nil)
			req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
			if p.token != "" {
				req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lk", Value: p.token})
			}
			if p.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: p.cookie})
			}
			if p.acting != "" {
				req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lk_acting", Value: p.acting})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 && !(strings.Contains(p.path, "link?l=") && resp.StatusCode == 404) {
				t.Errorf("%s %s: %d", lang, p.path, resp.StatusCode)
				continue
			}
			if (p.token != "" || p.cookie != "") && !strings.Contains(string(b), `id="logout"`) {
				t.Errorf("%s %s: not signed in", lang, p.path)
			}
			if m := keyRE.FindString(string(b)); m != "" {
				t.Errorf("%s %s shows a catalogue key: %s", lang, p.path, m)
			}
			if p.acting != "" && !strings.Contains(string(b), `id="acting"`) {
				t.Errorf("%s %s does not say for whom the viewer acts", lang, p.path)
			}
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
}

// officeToken signs the inspector in to the back office as a JSON client and returns the token.
func officeToken(t *testing.T, base string) string {
	t.Helper()
	c := &client{t: t, base: base}
	_, f := c.do("GET", "/office/login", nil)
	code, f := c.do("POST", f["action"].(string), map[string]any{"login": "ivanova", "password": "inspector-password"})
	res, _ := f["result"].(map[string]any)
	tok, _ := res["session_token"].(string)
	if code != 200 || tok == "" {
		t.Fatalf("office login: %d %v", code, f)
	}
	return tok
}
