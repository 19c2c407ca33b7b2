package lkweb_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// KG-1: the Kyrgyz taxpayer cabinet's pages, in Kyrgyz, Russian and English: the login offers the
// registration (not the Russian application, e-signature, identity provider or demonstration
// account), its hint a 14-digit ИНН; the registration's steps, the home page of a person and of an
// organization, the settings and the recovery answer with no catalogue key shown and no key
// looked up without a text; the Kyrgyz pages say the words in Kyrgyz.
func TestKyrgyzCabinetPages(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if err := demo.SeedKyrgyz(ctx, a.Register, 30); err != nil {
		t.Fatal(err)
	}
	p := demo.KyrgyzPersons(1, 30)[20]
	org := demo.KyrgyzOrganizations[0]
	if _, err := a.Cabinet.AddAccount(ctx, sys, p.TIN, "Issyk-Kul-2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.AddAccount(ctx, sys, org.TIN, "Issyk-Kul-2026"); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, login := range []string{p.TIN, org.TIN} {
		c := &client{t: t, base: a.URL}
		if code, f := c.login(login, "Issyk-Kul-2026", ""); code != 200 || c.token == "" {
			t.Fatalf("login %s: %d %v", login, code, f)
		}
		tokens[login] = c.token
	}
	get := func(path, token, lang string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", a.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
		if token != "" {
			req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lk", Value: token})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	keyRE := regexp.MustCompile(`\b(lk|office|enum|notify|field|kg|extract)\.[a-z_]+\.?[a-z_.]*\b`)
	before := len(i18n.Missing())
	words := map[string][]string{
		"ky": {"Кирүү", "Сырсөз", "Катталуу"},
		"ru": {"Вход", "Пароль", "Регистрация"},
		"en": {"Log in", "Password", "Registration"},
	}
	for _, lang := range []string{"ky", "ru", "en"} {
		for _, pg := range []struct{ path, token string }{{"/lk/login", ""}, {"/lk/register", ""}, {"/lk/register/password", ""}, {"/lk/recovery", ""},
			{"/lk/", tokens[p.TIN]}, {"/lk/settings", tokens[p.TIN]}, {"/lk/", tokens[org.TIN]}, {"/lk/extract", tokens[p.TIN]}} {
			code, body := get(pg.path, pg.token, lang)
			if code != 200 {
				t.Errorf("%s %s: %d", lang, pg.path, code)
				continue
			}
			if m := keyRE.FindString(strings.ReplaceAll(body, "extract.css", "")); m != "" {
				t.Errorf("%s %s shows a catalogue key: %s", lang, pg.path, m)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", lang, pg.path, lang)
			}
		}
		_, login := get("/lk/login", "", lang)
		for _, w := range words[lang] {
			if !strings.Contains(login, w) {
				t.Errorf("%s login page lacks %q", lang, w)
			}
		}
		for _, gone := range []string{`id="apply-link"`, `id="esign-link"`, `id="demo-hint"`, `id="idp-login"`, `href="/lk/representatives"`} {
			if strings.Contains(login, gone) {
				t.Errorf("%s: the login page offers %s", lang, gone)
			}
		}
		if !strings.Contains(login, `id="register-link"`) || !strings.Contains(login, "14") {
			t.Errorf("%s: the login page lacks the registration or the ИНН's length", lang)
		}
		if _, home := get("/lk/", tokens[org.TIN], lang); !strings.Contains(home, org.ShortName) || !strings.Contains(home, org.TIN) {
			t.Errorf("%s: the organization's home page", lang)
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
	for _, path := range []string{"/lk/apply", "/lk/esign", "/lk/representatives"} {
		if code, _ := get(path, tokens[p.TIN], "ru"); code != 404 {
			t.Errorf("%s in the kg profile: %d", path, code)
		}
	}
}
