package register

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/problem"
)

// REG-3, REG-4: what a registration of an individual is checked against (person_check.go).

// validatePerson checks in as the register of the default jurisdiction with ref does at now.
func validatePerson(in PersonInput, now time.Time, ref *Reference) (PersonInput, problem.Fields) {
	return New(nil, Options{Now: func() time.Time { return now }, Reference: ref}).checkPerson(in, now)
}

func TestValidatePerson(t *testing.T) {
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	ref := NewReference()
	good := PersonInput{Surname: " Д'Артаньян-Петров ", GivenName: "Шарль", BirthDate: time.Date(1990, 5, 1, 13, 0, 0, 0, time.UTC), Sex: Male, Citizenship: "FRA",
		Document: IdentityDocument{Type: "residence_permit", Series: "82", Number: "1234567"}, Ground: GroundStay, TaxOffice: "7701"}
	in, fe := validatePerson(good, now, ref)
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
			p.Citizenship, p.Document = "RUS", IdentityDocument{Type: "passport_ru", Series: "451", Number: "123456"}
		}, "identity_document.series"},
		{"passport number", func(p *PersonInput) {
			p.Citizenship, p.Document = "RUS", IdentityDocument{Type: "passport_ru", Series: "4510", Number: "12345"}
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
		// REG-3: citizenship from ОКСМ, a document its holder may have, issued after birth.
		{"citizenship not in OKSM", func(p *PersonInput) { p.Citizenship = "XYZ" }, "citizenship"},
		{"Russian passport of a foreigner", func(p *PersonInput) {
			p.Document = IdentityDocument{Type: "passport_ru", Series: "4510", Number: "123456"}
		}, "identity_document.type"},
		{"foreign passport of a citizen", func(p *PersonInput) {
			p.Citizenship, p.Document = "RUS", IdentityDocument{Type: "passport_foreign", Number: "X1234567"}
		}, "identity_document.type"},
		{"military ID of a stateless person", func(p *PersonInput) {
			p.Citizenship, p.Document = "", IdentityDocument{Type: "military_id", Series: "АБ", Number: "1234567"}
		}, "identity_document.type"},
		{"issued in the future", func(p *PersonInput) { p.Document.IssuedOn = time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC) }, "identity_document.issued_on"},
		{"issued before birth", func(p *PersonInput) { p.Document.IssuedOn = time.Date(1990, 4, 30, 0, 0, 0, 0, time.UTC) }, "identity_document.issued_on"},
		{"passport at 4", func(p *PersonInput) {
			p.Citizenship = "RUS"
			p.Document = IdentityDocument{Type: "passport_ru", Series: "4510", Number: "123456", IssuedOn: time.Date(1994, 5, 1, 0, 0, 0, 0, time.UTC)}
		}, "identity_document.issued_on"},
		{"passport a day before 14", func(p *PersonInput) {
			p.Citizenship = "RUS"
			p.Document = IdentityDocument{Type: "passport_ru", Series: "4510", Number: "123456", IssuedOn: time.Date(2004, 4, 30, 0, 0, 0, 0, time.UTC)}
		}, "identity_document.issued_on"},
		{"address country not in OKSM", func(p *PersonInput) { p.Address.Country = "XYZ" }, "address.country"},
		{"registered before birth", func(p *PersonInput) { p.RegisteredOn = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC) }, "tax_registered_on"},
		{"registered in the future", func(p *PersonInput) { p.RegisteredOn = now.AddDate(0, 0, 1) }, "tax_registered_on"},
		// Every single-line field refuses control characters, line breaks included.
		{"line break in surname", func(p *PersonInput) { p.Surname = "Ива\nнов" }, "surname"},
		{"tab in given name", func(p *PersonInput) { p.GivenName = "Шарль\t" }, "given_name"},
		{"bidi override in patronymic", func(p *PersonInput) { p.Patronymic = "Иван\u202eович" }, "patronymic"},
		{"line separator in birth place", func(p *PersonInput) { p.BirthPlace = "г. Москва\u2028" }, "birth_place"},
		{"ESC in city", func(p *PersonInput) { p.Address.City = "Мос\x1bква" }, "address.city"},
		{"NUL in street", func(p *PersonInput) { p.Address.Street = "Тверская\x00" }, "address.street"},
		{"CR in house", func(p *PersonInput) { p.Address.House = "1\r" }, "address.house"},
		{"line break in flat", func(p *PersonInput) { p.Address.Flat = "1\n2" }, "address.flat"},
		{"DEL in address text", func(p *PersonInput) { p.Address.Text = "x\x7f" }, "address.text"},
		{"line break in postal code", func(p *PersonInput) { p.Address.PostalCode = "\n101000" }, "address.postal_code"},
		{"invalid UTF-8 in region", func(p *PersonInput) { p.Address.Region = "7\xff" }, "address.region"},
		{"replacement character in document issuer", func(p *PersonInput) { p.Document.IssuedBy = "ОВД \ufffd" }, "identity_document.issued_by"},
		{"line break in document number", func(p *PersonInput) { p.Document.Number = "123\n4567" }, "identity_document.number"},
		{"line break in document series", func(p *PersonInput) { p.Document.Series = "8\n2" }, "identity_document.series"},
		{"line break in citizenship", func(p *PersonInput) { p.Citizenship = "FRA\n" }, "citizenship"},
		{"line break in SNILS", func(p *PersonInput) { p.SNILS = "112-233-445\n95" }, "snils"},
	} {
		in := good
		c.edit(&in)
		_, fe := validatePerson(in, now, ref)
		if !fe.Has(c.field) || len(fe) != 1 {
			t.Errorf("%s: errors %v, want one on %s", c.name, fe.Err(), c.field)
			continue
		}
		checkMessages(t, c.name, fe)
	}
	// Accepted: a Russian passport issued on the 14th birthday, a stateless person's residence
	// permit, a document type a deployment added for one citizenship.
	for name, edit := range map[string]func(*PersonInput){
		"passport at 14": func(p *PersonInput) {
			p.Citizenship = "RUS"
			p.Document = IdentityDocument{Type: "passport_ru", Series: "4510", Number: "123456", IssuedOn: time.Date(2004, 5, 1, 0, 0, 0, 0, time.UTC)}
		},
		"stateless":       func(p *PersonInput) { p.Citizenship = "" },
		"registered then": func(p *PersonInput) { p.RegisteredOn = time.Date(2008, 6, 1, 0, 0, 0, 0, time.UTC) },
		"added document type": func(p *PersonInput) {
			p.Citizenship, p.Document = "BLR", IdentityDocument{Type: "eaeu_card", Number: "AB1234567"}
		},
	} {
		ref := NewReference()
		if err := ref.SetDocumentHolders("eaeu_card", "BLR", "KAZ"); err != nil {
			t.Fatal(err)
		}
		in := good
		edit(&in)
		if _, fe := validatePerson(in, now, ref); len(fe) != 0 {
			t.Errorf("%s: refused: %v", name, fe.Err())
		}
		in.Citizenship = "FRA"
		if _, fe := validatePerson(in, now, ref); name == "added document type" && !fe.Has("identity_document.type") {
			t.Errorf("%s: accepted for another citizenship", name)
		}
	}
}

func FuzzValidatePerson(f *testing.F) {
	f.Add("Иванов", "Иван", "passport_ru", "4501", "123456", "112-233-445 95", "7701", "77")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("\xff", "ё", "birth_certificate", "IVМЮ", "x", "99999999999", "9909", "00")
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	ref := NewReference()
	f.Fuzz(func(t *testing.T, surname, given, typ, series, number, snils, office, region string) {
		in, fe := validatePerson(PersonInput{Surname: surname, GivenName: given, BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), Sex: Male,
			Document: IdentityDocument{Type: typ, Series: series, Number: number}, SNILS: snils, Ground: GroundResidence, TaxOffice: office,
			Address: Address{Region: region}}, now, ref)
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
