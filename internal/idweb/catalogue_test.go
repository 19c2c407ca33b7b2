package idweb_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
	"github.com/kabinet/kabinet/internal/webtest"
)

// get fetches a page of the app in lang (with a session token when given) and returns its
// status and body, HTML entities decoded.
func get(t *testing.T, base, path, lang, token string, accept string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Accept-Language", lang)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if token != "" {
		req.Header.Set(web.SessionHeader, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if accept == "" {
		if csp := resp.Header.Get("Content-Security-Policy"); csp == "" {
			t.Errorf("%s: no content security policy", path)
		}
	}
	return resp.StatusCode, html.UnescapeString(string(b))
}

func wantAll(t *testing.T, what, body string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s: no %q", what, s)
		}
	}
}

// IDP-2, IDP-5: the catalogue of services and the finder of centres are public pages in Russian
// and English; a signed-in account sees what it may use now and what each other service needs.
func TestCataloguePages(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{})
	T := i18n.T

	t.Run("services for a visitor", func(t *testing.T) {
		for _, lang := range []string{"ru", "en"} {
			code, body := get(t, a.URL, "/id/services", lang, "", "")
			if code != 200 {
				t.Fatalf("%s: %d", lang, code)
			}
			wantAll(t, lang, body, `<html lang="`+lang+`"`, T(lang, "id.services.title"), T(lang, "id.services.guest"),
				T(lang, "id.services.with_simplified"), T(lang, "id.services.with_standard"), T(lang, "id.services.with_confirmed"),
				T(lang, "enum.audience.business"), `href="/id/centres"`)
			for _, id := range []string{"traffic-fines", "doctor-appointment", "taxpayer-account"} {
				s, _ := a.Identity.Catalogue().Service(id)
				wantAll(t, lang, body, s.NameIn(lang), s.AgencyIn(lang), `id="service-`+id+`"`)
			}
			if strings.Contains(body, `id="services-now"`) {
				t.Errorf("%s: a visitor is shown services available now", lang)
			}
		}
		if _, body := get(t, a.URL, "/id/services", "en", "", ""); !strings.Contains(body, "Checking traffic fines") || strings.Contains(body, "Проверка штрафов") {
			t.Error("the English page does not name the services in English")
		}
	})

	t.Run("services for a simplified account", func(t *testing.T) {
		ctx := context.Background()
		if _, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: "Лебедева", GivenName: "Ольга", Phone: "+79035550101",
			Level: identity.Simplified, Password: "Kama-river-2026"}); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		_, f := c.do("GET", "/id/login", nil)
		code, f := c.do("POST", f["action"].(string), map[string]any{"login": "+79035550101", "password": "Kama-river-2026"})
		res, _ := f["result"].(map[string]any)
		if code != 200 || res["session_token"] == nil {
			t.Fatalf("login: %d %v", code, f)
		}
		token := res["session_token"].(string)
		for _, lang := range []string{"ru", "en"} {
			code, body := get(t, a.URL, "/id/services", lang, token, "")
			if code != 200 {
				t.Fatalf("%s: %d", lang, code)
			}
			wantAll(t, lang, body, T(lang, "id.services.now"), T(lang, "id.services.needs_standard"), T(lang, "id.services.needs_confirmed"),
				T(lang, "id.services.todo_standard"), T(lang, "id.services.todo_standard_first"), `href="/id/profile" id="to-profile"`,
				T(lang, "enum.level.simplified"), `href="/id/centres">`+T(lang, "id.nav.centres"))
			// Traffic fines now; a doctor's appointment under "needs standard"; the taxpayer
			// account under "needs confirmed".
			now := section(body, `id="services-now"`)
			std := section(body, `id="needs-standard"`)
			conf := section(body, `id="needs-confirmed"`)
			if !strings.Contains(now, "service-traffic-fines") || strings.Contains(now, "service-doctor-appointment") {
				t.Errorf("%s: available now: %.400s", lang, now)
			}
			if !strings.Contains(std, "service-doctor-appointment") || !strings.Contains(std, "service-vehicle-registration") || strings.Contains(std, "service-taxpayer-account") {
				t.Errorf("%s: needs standard: %.400s", lang, std)
			}
			if !strings.Contains(conf, "service-taxpayer-account") {
				t.Errorf("%s: needs confirmed: %.400s", lang, conf)
			}
		}
		if _, body := get(t, a.URL, "/id/services", "en", token, ""); !strings.Contains(body, "Needs a standard account") {
			t.Error(`no "Needs a standard account"`)
		}
		// A JSON client gets the same split.
		c.token = token
		code, f = c.do("GET", "/id/services", nil)
		if code != 200 || f["level"] != "simplified" {
			t.Fatalf("JSON: %d %v", code, f)
		}
		for _, s := range f["unavailable"].([]any) {
			if s.(map[string]any)["level"] == "simplified" {
				t.Errorf("JSON: a simplified service unavailable: %v", s)
			}
		}
	})

	t.Run("centres", func(t *testing.T) {
		for _, lang := range []string{"ru", "en"} {
			code, body := get(t, a.URL, "/id/centres?"+url.Values{"city": {"казань"}, "service": {"confirm"}}.Encode(), lang, "", "")
			if code != 200 {
				t.Fatalf("%s: %d", lang, code)
			}
			wantAll(t, lang, body, T(lang, "id.centres.title"), T(lang, "id.centres.found", 4), `<label for="city">`, `<label for="service">`,
				`list="centre-cities"`, `<option value="Нижний Новгород">`, `<option value="confirm" selected>`, `value="казань"`,
				`id="centre-mfc-kazan-1"`, `id="centre-bank-kazan-1"`, "Казань, 420088, пр. Победы, д. 100",
				T(lang, "enum.centre_kind.bank"), T(lang, "enum.centre_service.confirm"),
				T(lang, "enum.weekday.mon")+"–"+T(lang, "enum.weekday.fri")+": 08:00–20:00", T(lang, "enum.weekday.sun")+": "+T(lang, "id.centres.closed"))
			if strings.Contains(body, "centre-mfc-moscow-1") || strings.Contains(body, `id="no-centres"`) {
				t.Errorf("%s: a centre of another city, or \"none found\" when some were", lang)
			}
			// Headings in order: h1, h2, h3.
			if h1, h2, h3 := strings.Index(body, "<h1"), strings.Index(body, "<h2"), strings.Index(body, "<h3"); !(h1 >= 0 && h1 < h2 && h2 < h3) {
				t.Errorf("%s: headings out of order", lang)
			}
		}
		// A city typed in part; a centre that does not confirm is not shown for "confirm".
		_, body := get(t, a.URL, "/id/centres?city=%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D0%B8%D0%B1&service=confirm", "ru", "", "") // "новосиб"
		wantAll(t, "новосиб", body, T("ru", "id.centres.found", 2), "centre-mfc-novosibirsk-1")
		if strings.Contains(body, "centre-post-novosibirsk-1") {
			t.Error("a centre that does not confirm is shown for confirm")
		}
		// ё = е: "ЁКАТЕРИН" finds Екатеринбург.
		_, body = get(t, a.URL, "/id/centres?"+url.Values{"city": {"ЁКАТЕРИН"}}.Encode(), "en", "", "")
		wantAll(t, "екатерин", body, "Centres found: 4", "centre-bank-ekaterinburg-1", "Monday: 08:00–18:00", "Tuesday–Friday: 08:00–20:00")
		// Every centre, with "daily" hours where it opens every day.
		_, body = get(t, a.URL, "/id/centres", "en", "", "")
		wantAll(t, "all", body, T("en", "id.centres.all"), "centre-mfc-vladivostok-1", "Daily: 08:00–20:00")
		// Nothing found, said plainly.
		for _, lang := range []string{"ru", "en"} {
			code, body := get(t, a.URL, "/id/centres?city=Atlantis&service=recover", lang, "", "")
			if code != 200 {
				t.Fatalf("%d", code)
			}
			wantAll(t, lang, body, T(lang, "id.centres.found", 0), `id="no-centres"`, T(lang, "id.centres.none"), `value="Atlantis"`)
		}
		// An unknown service is the field's error, the search kept.
		code, body := get(t, a.URL, "/id/centres?city=Moscow&service=divorce", "en", "", "")
		wantAll(t, "unknown service", body, T("en", "idp.centres.service"), `aria-invalid="true"`, `value="Moscow"`)
		if code != 422 || strings.Contains(body, `id="results"`) {
			t.Errorf("unknown service: %d", code)
		}
		// A JSON client.
		code, body = get(t, a.URL, "/id/centres?city=%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", "ru", "", "application/json") // "москва"
		var v struct {
			Cities  []string
			Centres []struct {
				ID    string
				Hours []string
			}
		}
		if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil || len(v.Centres) != 5 || len(v.Cities) < 6 || v.Centres[0].Hours[0] != "mon-sun 08:00-20:00" {
			t.Fatalf("JSON: %d %v %.300s", code, err, body)
		}
	})
}

// section returns the HTML of the <section> that starts with the attribute attr.
func section(body, attr string) string {
	i := strings.Index(body, attr)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// LK-6, IDP-2: an account confirmed by a letter's code is not told that every service is open
// to it: the taxpayer's personal account, which refuses that confirmation, is listed apart with
// what to do, on the services page, in its JSON and on the home page.
func TestMailConfirmedAccountServices(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Анна", Phone: "+79161234567",
		SNILS: "112-233-445 95", Level: identity.Confirmed, Method: identity.Mail, Password: "Volga-river-2026"}); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: a.URL}
	c.login("+79161234567", "Volga-river-2026")
	for _, lang := range []string{"ru", "en"} {
		_, body := get(t, a.URL, "/id/services", lang, c.token, "")
		barred := webtest.Between(body, `id="services-barred"`, "</section>")
		if !strings.Contains(barred, `id="service-taxpayer-account"`) || strings.Contains(webtest.Between(body, `id="services-now"`, "</section>"), "taxpayer-account") ||
			strings.Contains(body, i18n.T(lang, "id.home.all")) {
			t.Errorf("services %s: the personal account is not set apart", lang)
		}
		_, home := get(t, a.URL, "/id/", lang, c.token, "")
		wantAll(t, "home "+lang, home, `id="mail-lk"`, i18n.T(lang, "id.confirm.mail_lk"))
		if strings.Contains(home, i18n.T(lang, "id.home.all")) {
			t.Errorf("home %s: every service said to be open", lang)
		}
	}
	code, body := get(t, a.URL, "/id/services", "en", c.token, "application/json")
	if code != 200 || !strings.Contains(webtest.Between(body, `"barred":[`, "]"), `"id":"taxpayer-account"`) {
		t.Errorf("services as JSON: %d %.300s", code, body)
	}
}
