package register

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
)

// Rules that need no storage. The storage-backed behaviour is tested through the Service in
// internal/store (register_test.go), on SQLite and PostgreSQL.

func TestNormalizeName(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"  петров  Пётр "}, "ПЕТРОВ ПЕТР"},
		{[]string{"Семёнов", "Фёдор", ""}, "СЕМЕНОВ ФЕДОР"},
		{[]string{"Ёлкина-Иванова", " Анна  Мария "}, "ЕЛКИНА-ИВАНОВА АННА МАРИЯ"},
		{nil, ""},
	} {
		if got := NormalizeName(c.in...); got != c.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDocumentKey(t *testing.T) {
	a := DocumentKey(IdentityDocument{Type: "passport_ru", Series: "45 01", Number: "123456"})
	b := DocumentKey(IdentityDocument{Type: "passport_ru", Series: "4501", Number: " 123-456 "})
	c := DocumentKey(IdentityDocument{Type: "birth_certificate", Series: "iv-мю", Number: "123456"})
	if a != b || a != "passport_ru:4501123456" {
		t.Errorf("keys %q %q", a, b)
	}
	if c != "birth_certificate:IVМЮ123456" {
		t.Errorf("birth certificate key %q", c)
	}
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
	for _, c := range []struct {
		r       string
		foreign bool
		ok      bool
	}{{"01", false, true}, {"50", false, true}, {"51", false, false}, {"00", false, false}, {"50", true, true}, {"99", true, true}, {"49", true, false}, {"AB", true, true}, {"4A", false, true}, {"ab", false, false}} {
		if checkReason(c.r, c.foreign) != c.ok {
			t.Errorf("checkReason(%q, %v) != %v", c.r, c.foreign, c.ok)
		}
	}
}

func TestDirectory(t *testing.T) {
	if len(regionNames) < 85 {
		t.Fatalf("%d regions", len(regionNames))
	}
	seen := map[string]bool{}
	for _, o := range EmbeddedOffices() {
		if !isDigits(o.Code, 4) || o.Region != o.Code[:2] || o.Name == "" || seen[o.Code] {
			t.Fatalf("bad office %+v", o)
		}
		if _, ok := regionNames[o.Region]; !ok {
			t.Fatalf("office %s in unknown region", o.Code)
		}
		seen[o.Code] = true
	}
	for code := range regionNames {
		if code != "99" && !seen[code+"00"] {
			t.Errorf("no regional administration %s00", code)
		}
	}
	for _, c := range []string{"7701", "7751", "7801", "7842", "5001", "5050", ForeignOffice} {
		if !seen[c] {
			t.Errorf("office %s missing", c)
		}
	}
}

func TestValidatePerson(t *testing.T) {
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	good := PersonInput{Surname: " Д'Артаньян-Петров ", GivenName: "Шарль", BirthDate: time.Date(1990, 5, 1, 13, 0, 0, 0, time.UTC), Sex: Male, Citizenship: "FRA",
		Document: IdentityDocument{Type: "residence_permit", Series: "82", Number: "1234567"}, Ground: GroundStay, TaxOffice: "7701"}
	in, fe := validatePerson(good, now)
	if len(fe) != 0 {
		t.Fatalf("good input refused: %v", fe.Err())
	}
	if in.Surname != "Д'Артаньян-Петров" || in.BirthDate.Hour() != 0 {
		t.Errorf("normalized %+v", in)
	}
	for _, c := range []struct {
		name  string
		edit  func(*PersonInput)
		field string
	}{
		{"latin surname", func(p *PersonInput) { p.Surname = "Smith" }, "surname"},
		{"no given name", func(p *PersonInput) { p.GivenName = " " }, "given_name"},
		{"digits in patronymic", func(p *PersonInput) { p.Patronymic = "Иван0вич" }, "patronymic"},
		{"hyphen only", func(p *PersonInput) { p.Surname = "-" }, "surname"},
		{"future birth", func(p *PersonInput) { p.BirthDate = now.AddDate(0, 0, 1) }, "birth_date"},
		{"too old", func(p *PersonInput) { p.BirthDate = time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC) }, "birth_date"},
		{"sex", func(p *PersonInput) { p.Sex = "m" }, "sex"},
		{"citizenship", func(p *PersonInput) { p.Citizenship = "Fr" }, "citizenship"},
		{"doc type", func(p *PersonInput) { p.Document.Type = "library_card" }, "identity_document.type"},
		{"passport series", func(p *PersonInput) {
			p.Document = IdentityDocument{Type: "passport_ru", Series: "451", Number: "123456"}
		}, "identity_document.series"},
		{"passport number", func(p *PersonInput) {
			p.Document = IdentityDocument{Type: "passport_ru", Series: "4510", Number: "12345"}
		}, "identity_document.number"},
		{"birth certificate", func(p *PersonInput) {
			p.Document = IdentityDocument{Type: "birth_certificate", Series: "IV-M", Number: "123456"}
		}, "identity_document.series"},
		{"no document", func(p *PersonInput) { p.Document = IdentityDocument{} }, "identity_document"},
		{"snils", func(p *PersonInput) { p.SNILS = "112-233-445 96" }, "snils"},
		{"ground", func(p *PersonInput) { p.Ground = "holiday" }, "ground"},
		{"office", func(p *PersonInput) { p.TaxOffice = "77a1" }, "tax_office"},
		{"region", func(p *PersonInput) { p.Address.Region = "88" }, "address.region"},
		{"postal code", func(p *PersonInput) { p.Address.PostalCode = "1234" }, "address.postal_code"},
	} {
		in := good
		c.edit(&in)
		_, fe := validatePerson(in, now)
		if !fe.Has(c.field) || len(fe) != 1 {
			t.Errorf("%s: errors %v, want one on %s", c.name, fe.Err(), c.field)
			continue
		}
		if m := fe[0]; m.Key == "" || !i18n.Has("ru", m.Key) || !i18n.Has("en", m.Key) || strings.Contains(m.In("ru")+m.In("en"), "%!") {
			t.Errorf("%s: message %+v", c.name, m.Message)
		}
	}
}

func FuzzValidatePerson(f *testing.F) {
	f.Add("Иванов", "Иван", "passport_ru", "4501", "123456", "112-233-445 95", "7701", "77")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("\xff", "ё", "birth_certificate", "IVМЮ", "x", "99999999999", "9909", "00")
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, surname, given, typ, series, number, snils, office, region string) {
		in, fe := validatePerson(PersonInput{Surname: surname, GivenName: given, BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), Sex: Male,
			Document: IdentityDocument{Type: typ, Series: series, Number: number}, SNILS: snils, Ground: GroundResidence, TaxOffice: office,
			Address: Address{Region: region}}, now)
		for _, e := range fe {
			if e.Field == "" || e.In("ru") == "" || strings.Contains(e.In("ru")+e.In("en"), "%!") {
				t.Fatalf("empty error %+v", e)
			}
		}
		if len(fe) == 0 {
			if !utf8.ValidString(in.Surname) || in.Surname == "" || DocumentKey(in.Document) == "" || len(in.TaxOffice) != 4 {
				t.Fatalf("accepted bad input %+v", in)
			}
		}
	})
}

// FuzzNormalize checks the fast forms of NormalizeName and collapse against their plain
// definitions: words split at Unicode spaces, joined by one space, upper case, ё as е.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"  петров  Пётр ", "Ёлкина-Иванова", "a\u00a0b", "a\u3000 b", "\t\n", "\xff\xfe x", "x\u2028y", "Анна Мария"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		words := strings.Fields(a + " " + b)
		want := strings.NewReplacer("Ё", "Е").Replace(strings.Map(unicode.ToUpper, strings.Join(words, " ")))
		if got := NormalizeName(a, b); got != want {
			t.Fatalf("NormalizeName(%q, %q) = %q, want %q", a, b, got, want)
		}
		if got, want := collapse(a), strings.Join(strings.Fields(a), " "); got != want {
			t.Fatalf("collapse(%q) = %q, want %q", a, got, want)
		}
	})
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
