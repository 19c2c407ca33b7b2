package register

import (
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/tin"
)

// The numbers the register builds and checks with package tin (TIN-1..5): TINs and КПП from
// serials (person.go, organization.go, foreign.go, kpp.go), СНИЛС, ОГРН and typed TINs.

// validTIN reports whether s is a Russian TIN with valid check digits.
func validTIN(s string) bool {
	_, err := tin.ParseINN(s)
	return err == nil
}

func TestNumbers(t *testing.T) {
	// TIN-5 check digits on known valid numbers.
	for _, tin := range []string{"7707083893", "500100732259", "7830002293"} {
		if !validTIN(tin) {
			t.Errorf("%s should be valid", tin)
		}
	}
	for _, tin := range []string{"7707083894", "500100732250", "77070838", "abcdefghij"} {
		if validTIN(tin) {
			t.Errorf("%s should be invalid", tin)
		}
	}
	p, err := newPersonTIN("7701", 1)
	if err != nil || len(p) != 12 || !validTIN(p) || p[:10] != "7701000001" {
		t.Errorf("person TIN %q %v", p, err)
	}
	o, err := newOrganizationTIN("7701", 99999)
	if err != nil || !validTIN(o) || o[:9] != "770199999" {
		t.Errorf("organization TIN %q %v", o, err)
	}
	if _, err := newOrganizationTIN("7701", 100000); err == nil {
		t.Error("serial overflow accepted")
	}
	f, err := newForeignTIN("00001")
	if err != nil || !validTIN(f) || f[:9] != "990900001" {
		t.Errorf("foreign TIN %q %v", f, err)
	}
	k, err := newKPP("7701", "01", 1)
	if err != nil || k != "770101001" {
		t.Errorf("KPP %q %v", k, err)
	}
	if _, err := newKPP("7701", "0a", 1); err == nil {
		t.Error("lower-case reason accepted")
	}
	if s, _, ok := parseSNILS("112-233-445 95"); !ok || s != "11223344595" {
		t.Errorf("SNILS %q %v", s, ok)
	}
	for _, bad := range []string{"112-233-445 96", "1122334459", "112x233-445 95"} {
		if _, m, ok := parseSNILS(bad); ok || !strings.HasPrefix(m.Key, "tin.") || !strings.Contains(m.In("ru"), "СНИЛС") || !strings.Contains(m.In("en"), "SNILS") {
			t.Errorf("SNILS %q accepted", bad)
		}
	}
	if _, _, ok := parseOGRN("1027700132195"); !ok {
		t.Error("valid OGRN refused")
	}
	if _, _, ok := parseOGRN("1027700132194"); ok {
		t.Error("bad OGRN accepted")
	}
}

func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"112-233-445 95", "1027700132195", "304500116000157", "", "0", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, m, ok := parseSNILS(s); ok && len(d) != 11 {
			t.Fatalf("SNILS %q → %q", s, d)
		} else if !ok && !i18n.Has("en", m.Key) {
			t.Fatalf("SNILS %q refused without a reason", s)
		}
		if _, m, ok := parseOGRN(s); !ok && !i18n.Has("en", m.Key) {
			t.Fatalf("OGRN %q refused without a reason", s)
		}
		_ = validTIN(s)
		_ = DocumentKey(IdentityDocument{Type: s, Number: s})
		_ = NormalizeName(s)
	})
}
