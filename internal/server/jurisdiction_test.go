package server_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

// get answers a GET with the cookies given (name, value, …) and the Accept-Language, if any,
// redirects followed (a login page starts its flow).
func get(t *testing.T, u, accept string, cookies ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(cookies); i += 2 {
		req.AddCookie(&http.Cookie{Name: cookies[i], Value: cookies[i+1]})
	}
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// adminSession starts a back-office session of a new administrator, who may confirm
// identity-provider accounts where there are any (BO-4).
func adminSession(t *testing.T, a *apptest.App) string {
	t.Helper()
	ctx := context.Background()
	if _, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "admin", Role: staff.RoleAdmin, Name: "Администратор"}, "admin-password-1"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "admin", Method: session.Password, Assurance: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// IDP-1..7, BO-4: the identity provider is Russia's. On a kg database none of its addresses is
// served — /id/, the OpenID Connect provider and its well-known endpoints, the back office's
// confirmation of accounts — and the back office's menu does not link to them, even for an
// administrator; the application has neither provider. The ru profile serves them all.
func TestIdentityProviderByJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
		if a.Identity != nil || a.OIDC != nil {
			t.Fatalf("the kg application has an identity provider: %v %v", a.Identity, a.OIDC)
		}
		tok := adminSession(t, a)
		for _, path := range []string{"/id/", "/id/login", "/id/register", "/id/session", "/.well-known/openid-configuration", "/oidc/jwks",
			"/oidc/authorize?client_id=x", "/oidc/userinfo", "/office/accounts", "/office/accounts/x"} {
			if status, _ := get(t, a.URL+path, "", "__Host-kabinet_office", tok); status != http.StatusNotFound {
				t.Errorf("kg: %s: %d, want 404", path, status)
			}
		}
		resp, _ := do(t, noRedirect, "POST", a.URL+"/oidc/token", strings.NewReader("grant_type=authorization_code"), "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("kg: POST /oidc/token: %d", resp.StatusCode)
		}
		status, home := get(t, a.URL+"/office/", "", "__Host-kabinet_office", tok)
		if status != http.StatusOK || strings.Contains(home, "/office/accounts") || strings.Contains(home, `href="/id/`) {
			t.Errorf("kg: the back office's menu links to the identity provider: %d\n%.2000s", status, home)
		}
	})
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	tok := adminSession(t, a)
	for _, path := range []string{"/id/", "/id/login", "/.well-known/openid-configuration", "/oidc/jwks", "/office/accounts"} {
		if status, _ := get(t, a.URL+path, "", "__Host-kabinet_office", tok); status != http.StatusOK {
			t.Errorf("ru: %s: %d, want 200", path, status)
		}
	}
	if _, home := get(t, a.URL+"/office/", "", "__Host-kabinet_office", tok); !strings.Contains(home, `href="/office/accounts"`) {
		t.Errorf("ru: the back office's menu has no accounts")
	}
	// The provider's metadata name the languages of its pages, the /id/ site's.
	if _, meta := get(t, a.URL+"/.well-known/openid-configuration", ""); !strings.Contains(meta, `"ui_locales_supported":["ru","en"]`) {
		t.Errorf("ru: ui_locales_supported: %s", meta)
	}
}

var htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)

// WCAG 3.1.1: each site offers the languages its texts are written in. In the kg profile the
// cabinet is in Kyrgyz for a Kyrgyz cookie or browser and offers Kyrgyz, Russian and English; the
// back office (whose texts are Russian and English) answers the same requests in Russian,
// declared as such, with no «Кыргызча» to switch to, and its switch leaves the cabinet's
// Kyrgyz alone; the page of an address no site serves is in Kyrgyz; the ru profile offers no Kyrgyz.
func TestLanguagesBySite(t *testing.T) {
	kg := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ky := []string{web.LangCookie, "ky"}
	for _, c := range []struct {
		path, accept string
		cookie       []string
		lang         string
		kyrgyz       bool // «Кыргызча» is offered
	}{
		{"/office/login", "", ky, "ru", false},
		{"/office/login", "ky-KG,ky;q=0.9", nil, "ru", false},
		{"/office/login", "ky, en;q=0.5", nil, "en", false},
		{"/office/nowhere", "", ky, "ru", false},
		{"/lk/login", "", ky, "ky", false},
		{"/lk/login", "ky-KG,ky;q=0.9", nil, "ky", false},
		{"/lk/login", "", nil, "ru", true},
		{"/verify/extract", "", ky, "ru", false},
		{"/id/", "", ky, "ky", false}, // not served in kg: the kit's error page, in Kyrgyz
	} {
		status, body := get(t, kg.URL+c.path, c.accept, c.cookie...)
		m := htmlLang.FindStringSubmatch(body)
		if m == nil || m[1] != c.lang || strings.Contains(body, "Кыргызча") != c.kyrgyz {
			t.Errorf("kg %s (Accept-Language %q, cookie %v): %d, lang %v, «Кыргызча» %t; want %s, %t", c.path, c.accept, c.cookie, status, m,
				strings.Contains(body, "Кыргызча"), c.lang, c.kyrgyz)
		}
	}
	if _, body := get(t, kg.URL+"/lk/login", "", ky...); !strings.Contains(body, `id="lang-ru"`) || !strings.Contains(body, `id="lang-en"`) {
		t.Errorf("kg /lk/login in Kyrgyz offers no Russian or English")
	}
	// The check of extracts names the Kyrgyz register, not Russia's ЕГРН.
	if _, body := get(t, kg.URL+"/verify/extract", ""); strings.Contains(body, "ЕГРН") || !strings.Contains(body, "Проверка выписки из реестра налогоплательщиков") {
		t.Errorf("kg /verify/extract: %.600s", body)
	}
	resp, _ := do(t, noRedirect, "GET", kg.URL+"/office/lang?lang=ky&back=/office/login", nil, "Cookie", web.LangCookie+"=ky")
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 0 {
		t.Errorf("kg /office/lang?lang=ky: %d %v", resp.StatusCode, resp.Cookies())
	}
	resp, _ = do(t, noRedirect, "GET", kg.URL+"/lk/lang?lang=ky&back=/lk/login", nil)
	if c := resp.Cookies(); len(c) != 1 || c[0].Name != web.LangCookie || c[0].Value != "ky" {
		t.Errorf("kg /lk/lang?lang=ky: %v", c)
	}

	ru := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	for _, path := range []string{"/lk/login", "/office/login", "/id/login"} {
		if _, body := get(t, ru.URL+path, "", ky...); !strings.Contains(body, `<html lang="ru">`) || strings.Contains(body, "Кыргызча") {
			t.Errorf("ru %s with a Kyrgyz cookie: %.300s", path, body)
		}
	}
}
