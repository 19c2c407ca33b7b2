package web

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
)

// A request's pages follow its jurisdiction (Locale): its languages that the catalogue has, its
// default first, and its time zone; a language it does not offer is not picked, from the cookie
// or Accept-Language.
func TestLocale(t *testing.T) {
	ru, kg := NewLocale(jurisdiction.Profile{}), NewLocale(jurisdiction.MustLookup(jurisdiction.KG))
	if !slices.Equal(ru.Languages(), []string{"ru", "en"}) || ru.Zone().String() != "Europe/Moscow" {
		t.Errorf("ru: %v %s", ru.Languages(), ru.Zone())
	}
	if langs := kg.Languages(); langs[0] != "ru" || !slices.Contains(langs, "en") || kg.Zone().String() != "Asia/Bishkek" || kg.Profile().Code != jurisdiction.KG {
		t.Errorf("kg: %v %s", langs, kg.Zone())
	}
	r := httptest.NewRequest("GET", "/office/", nil)
	r.Header.Set("Accept-Language", "ky, en;q=0.5")
	if got := Lang(r.WithContext(WithLocale(r.Context(), ru))); got != "en" {
		t.Errorf("ru, Accept-Language ky, en: %s", got)
	}
	p := (&Site{Name: "office", Base: "/office/"}).NewPage(r.WithContext(WithLocale(r.Context(), kg)), "office.tagline")
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	if p.Profile.Code != jurisdiction.KG || p.When(at) != "10.03.2026 15:00" {
		t.Errorf("kg page: %s %s", p.Profile.Code, p.When(at))
	}
	if p := (&Site{Name: "office", Base: "/office/"}).NewPage(r, "office.tagline"); p.When(at) != "10.03.2026 12:00" || p.Profile.Code != jurisdiction.RU {
		t.Errorf("a request without a locale: %s", p.When(at))
	}
}

// WCAG 3.1.1: a site offers the languages of its jurisdiction its texts are written in
// (Site.Languages), and no page of it is declared in another: in the Kyrgyz profile a site without
// Kyrgyz texts (the back office) answers a Kyrgyz cookie or Accept-Language in Russian, offers no
// «Кыргызча» and leaves the Kyrgyz choice made elsewhere alone; the cabinet, which has them, is in
// Kyrgyz; the Russian profile offers no Kyrgyz anywhere.
func TestSiteLanguages(t *testing.T) {
	ru, kg := NewLocale(jurisdiction.Profile{}), NewLocale(jurisdiction.MustLookup(jurisdiction.KG))
	office, err := NewSite(Site{Name: "office", Base: "/office/", Tagline: "app.tagline"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lk, err := NewSite(Site{Name: "lk", Base: "/lk/", Tagline: "app.tagline", Languages: []string{"ru", "ky", "en"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	request := func(loc *Locale, path, cookie, accept string) *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: cookie})
		}
		if accept != "" {
			r.Header.Set("Accept-Language", accept)
		}
		return r.WithContext(WithLocale(r.Context(), loc))
	}
	links := func(p *Page) []string {
		var out []string
		for _, l := range p.Langs {
			out = append(out, l.Code)
		}
		return out
	}
	for _, c := range []struct {
		site           *Site
		loc            *Locale
		cookie, accept string
		lang           string
		links          []string
	}{
		{office, kg, "ky", "", "ru", []string{"en"}},
		{office, kg, "", "ky, en;q=0.5", "en", []string{"ru"}},
		{office, kg, "", "ky", "ru", []string{"en"}},
		{lk, kg, "ky", "", "ky", []string{"ru", "en"}},
		{lk, kg, "", "ky-KG, ru;q=0.5", "ky", []string{"ru", "en"}},
		{lk, kg, "", "", "ru", []string{"ky", "en"}},
		{lk, ru, "ky", "", "ru", []string{"en"}},
	} {
		r := request(c.loc, c.site.Base, c.cookie, c.accept)
		p := c.site.NewPage(r, "app.tagline")
		if p.Lang != c.lang || !slices.Equal(links(p), c.links) {
			t.Errorf("%s, %s, cookie %q, Accept-Language %q: %s, switches %v; want %s, %v", c.site.Name, c.loc.Profile().Code, c.cookie, c.accept,
				p.Lang, links(p), c.lang, c.links)
		}
		// A problem the site answers is in the page's language too.
		w := httptest.NewRecorder()
		r.Header.Set("Accept", "application/json")
		c.site.Error(w, r, problem.New(problem.NotFound, problem.MsgNotFound))
		if want := problem.MsgNotFound.In(c.lang); !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s, %s, cookie %q: the problem is not in %s: %s", c.site.Name, c.loc.Profile().Code, c.cookie, c.lang, w.Body.String())
		}
	}
	// The switch of a site sets only a language the site offers.
	for _, c := range []struct {
		site *Site
		to   string
		set  bool
	}{{office, "ky", false}, {office, "en", true}, {lk, "ky", true}} {
		w := httptest.NewRecorder()
		c.site.handleLang(w, request(kg, c.site.Base+"lang?lang="+c.to+"&back="+c.site.Base, "ky", ""))
		set := strings.Contains(w.Header().Get("Set-Cookie"), LangCookie+"="+c.to)
		if w.Code != http.StatusSeeOther || set != c.set || (!c.set && w.Header().Get("Set-Cookie") != "") {
			t.Errorf("%slang?lang=%s: %d, Set-Cookie %q", c.site.Base, c.to, w.Code, w.Header().Get("Set-Cookie"))
		}
	}
}
