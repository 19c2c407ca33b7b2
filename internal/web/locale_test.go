package web

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jurisdiction"
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
