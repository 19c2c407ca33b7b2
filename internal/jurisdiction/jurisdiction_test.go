package jurisdiction_test

import (
	"io/fs"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// Every jurisdiction is complete: its reference files, a language the catalogue has first, a
// time zone that loads, the words messages name its things with in every language.
func TestProfiles(t *testing.T) {
	for _, c := range jurisdiction.Codes() {
		p, err := jurisdiction.Lookup(c)
		if err != nil || p.Code != c {
			t.Fatalf("%s: %v", c, err)
		}
		for _, f := range []string{"offices.csv", "regions.csv", "document_types.csv"} {
			if b, err := fs.ReadFile(p.Data, f); err != nil || len(b) == 0 {
				t.Errorf("%s: %s: %v", c, f, err)
			}
		}
		if !i18n.Supported(p.DefaultLanguage()) || p.Location().String() != p.TimeZone || len(p.Country) != 3 {
			t.Errorf("%s: language %s, zone %s, country %s", c, p.DefaultLanguage(), p.Location(), p.Country)
		}
		for _, k := range []string{p.Words.TIN, p.Words.Regions, p.Words.Citizen} {
			for _, lang := range i18n.Languages() {
				if !i18n.Has(lang, k) {
					t.Errorf("%s: no %s text of %q", c, lang, k)
				}
			}
		}
		if p.Register.OfficeDigits < 3 || p.Cabinet.Password.MinLength < 7 || len(p.TIN.Digits) != 2 {
			t.Errorf("%s: %+v %+v", c, p.Register, p.Cabinet)
		}
	}
	if p, err := jurisdiction.Lookup(""); err != nil || p.Code != jurisdiction.Default || jurisdiction.Default != jurisdiction.RU {
		t.Errorf("the default: %v %v", p.Code, err)
	}
	if _, err := jurisdiction.Lookup("kz"); err == nil {
		t.Error("an unknown jurisdiction")
	}
	if p := (jurisdiction.Profile{}).OrDefault(); p.Code != jurisdiction.RU {
		t.Errorf("zero profile: %s", p.Code)
	}
}

// TIN-1..6: each jurisdiction reads its own numbers, of which holder, and tells another
// jurisdiction's apart.
func TestTINRules(t *testing.T) {
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	ru, kg := jurisdiction.MustLookup(jurisdiction.RU), jurisdiction.MustLookup(jurisdiction.KG)
	for _, c := range []struct {
		p      jurisdiction.Profile
		number string
		holder jurisdiction.Holder
	}{
		{ru, "500100732259", jurisdiction.Person}, {ru, "7707083893", jurisdiction.Organization}, {ru, "9909000011", jurisdiction.Foreign},
		{kg, "21505199012345", jurisdiction.Person}, {kg, "11505199012345", jurisdiction.Person}, {kg, "02507199510010", jurisdiction.Organization},
	} {
		n, err := c.p.TIN.Parse(" "+c.number+" ", now)
		if err != nil || n.Digits != c.number || n.Holder != c.holder {
			t.Errorf("%s %s: %+v %v", c.p.Code, c.number, n, err)
		}
		if _, err := c.p.TIN.Parse(c.number, now); err != nil {
			t.Error(err)
		}
	}
	if n, _ := kg.TIN.Parse("21505199012345", now); !n.Date.Equal(time.Date(1990, 5, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the date a Kyrgyz ИНН carries: %s", n.Date)
	}
	for _, c := range []struct {
		p      jurisdiction.Profile
		number string
		other  jurisdiction.Code
	}{{ru, "21505199012345", jurisdiction.KG}, {kg, "500100732259", jurisdiction.RU}, {kg, "7707083893", jurisdiction.RU}} {
		if _, err := c.p.TIN.Parse(c.number, now); err == nil {
			t.Errorf("%s read %s", c.p.Code, c.number)
		}
		if o, ok := c.p.Other(c.number, now); !ok || o.Code != c.other {
			t.Errorf("%s: %s is not told to be %s's", c.p.Code, c.number, c.other)
		}
	}
	if _, ok := kg.Other("12345", now); ok {
		t.Error("no number is another jurisdiction's")
	}
	if !kg.TIN.Recorded() || ru.TIN.Recorded() {
		t.Error("sources")
	}
}
