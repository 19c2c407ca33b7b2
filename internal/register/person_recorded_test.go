package register_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// TIN-6, REG-3 in the Kyrgyz Republic: persons keep the ИНН they have; the register records it
// and never issues one (person_recorded.go, numbers.go).

var kyrgyzPerson = registertest.KyrgyzPerson

// conflictOn checks that err is a Conflict naming field, worded in both languages.
func conflictOn(t *testing.T, err error, field string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Code != problem.Conflict || len(p.Fields) != 1 || p.Fields[0].Field != field {
		t.Fatalf("want a conflict on %s, got %v", field, err)
	}
	if strings.Contains(p.Message.In("ru")+p.Message.In("en"), "%!") {
		t.Errorf("message %q / %q", p.Message.In("ru"), p.Message.In("en"))
	}
}

// The person's own ИНН is recorded and answered, and the record is found by it; no serial is
// taken; the same ИНН again is the same taxpayer (200, Created false), with what differs named.
func TestRecordedTIN(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := registertest.NewKyrgyzService(db)
		in := kyrgyzPerson(7)
		tp := mustRegister(t, s, in)
		if tp.TIN != in.TIN || len(tp.TIN) != 14 || tp.TaxOffice != "002" || tp.Person.Documents[0].Type != "id_card_kg" {
			t.Fatalf("recorded %+v", tp)
		}
		got, err := s.Taxpayer(ctx, in.TIN)
		if err != nil || got.Person.Surname != "Үсөнбаев" || got.Person.GivenName != "Жеңиш" || got.Person.Citizenship != "KGZ" {
			t.Fatalf("look-up: %+v %v", got, err)
		}
		if n := count(t, db, "reg_counters"); n != 0 {
			t.Errorf("%d counters: a recorded TIN takes no serial", n)
		}
		if found := searchTINs(t, s, in.TIN[:9], register.SearchFilter{}); len(found) != 1 || found[0] != in.TIN {
			t.Errorf("search by the beginning of the ИНН: %v", found)
		}
		// REG-3: the same ИНН twice is the same taxpayer; another address is not written over.
		again := in
		again.Address.House = "7"
		again.Document.Number = "7654321" // a new document is not written over either
		res, err := s.RegisterPerson(ctx, inspector, again)
		if err != nil || res.Created || res.Taxpayer == nil || res.Taxpayer.TIN != in.TIN {
			t.Fatalf("same ИНН again: %+v %v", res, err)
		}
		again.Sex = register.Female
		if res, err := s.RegisterPerson(ctx, inspector, again); err != nil || res.Created || len(res.Mismatch) != 1 || res.Mismatch[0] != "sex" {
			t.Fatalf("mismatch: %+v %v", res, err)
		}
		if n := count(t, db, "reg_taxpayers"); n != 1 {
			t.Fatalf("%d records", n)
		}
	})
}

// REG-3: another person's ИНН is refused, and so is a document on record under another ИНН; a
// namesake born the same day with an ИНН of their own is another person, not a review.
func TestRecordedTINOfAnother(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := registertest.NewKyrgyzService(db)
		first := mustRegister(t, s, kyrgyzPerson(1))
		other := kyrgyzPerson(2)
		other.TIN = first.TIN
		_, err := s.RegisterPerson(ctx, inspector, other)
		conflictOn(t, err, "tin")
		sameDoc := kyrgyzPerson(3)
		sameDoc.Document = kyrgyzPerson(1).Document
		_, err = s.RegisterPerson(ctx, inspector, sameDoc)
		conflictOn(t, err, "identity_document")
		if p, _ := problem.As(err); !strings.Contains(p.Message.In("ru"), first.TIN) {
			t.Errorf("the refusal does not name the holder: %s", p.Message.In("ru"))
		}
		namesake := kyrgyzPerson(1)
		namesake.TIN = namesake.TIN[:9] + "99999"
		namesake.Document.Number = "9999999"
		if tp := mustRegister(t, s, namesake); tp.TIN == first.TIN {
			t.Fatal("a namesake with an ИНН of their own took the first one's")
		}
		if n := count(t, db, "reg_reviews"); n != 0 {
			t.Errorf("%d reviews", n)
		}
		// In a batch: the same person twice is one record; another person under the same ИНН is
		// refused and the rest of the batch is not.
		a, b := kyrgyzPerson(20), kyrgyzPerson(21)
		clash := kyrgyzPerson(22)
		clash.TIN = a.TIN
		out, err := s.RegisterPersons(ctx, inspector, []register.PersonInput{a, a, clash, b})
		if err != nil {
			t.Fatal(err)
		}
		if out[0].Err != nil || !out[0].Created || out[1].Err != nil || out[1].Created || out[1].Taxpayer.TIN != a.TIN || out[3].Err != nil || !out[3].Created {
			t.Fatalf("batch: %+v", out)
		}
		conflictOn(t, out[2].Err, "tin")
	})
}

// Concurrent registrations of one person under their ИНН make one record; the others answer it.
func TestRecordedTINConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := registertest.NewKyrgyzService(db)
		in := kyrgyzPerson(30)
		var wg sync.WaitGroup
		results := make([]register.Result, 8)
		errs := make([]error, len(results))
		for i := range results {
			wg.Go(func() { results[i], errs[i] = s.RegisterPerson(context.Background(), inspector, in) })
		}
		wg.Wait()
		created := 0
		for i, r := range results {
			if errs[i] != nil || r.Taxpayer == nil || r.Taxpayer.TIN != in.TIN {
				t.Fatalf("attempt %d: %+v %v", i, r, errs[i])
			}
			if r.Created {
				created++
			}
		}
		if created != 1 || count(t, db, "reg_taxpayers") != 1 {
			t.Fatalf("%d created", created)
		}
	})
}

// TIN-6: what a Kyrgyz registration is checked against — the ИНН required, a person's, of the
// Kyrgyz structure (a Russian ИНН refused with a message that says so); a УГНС code of three
// digits from the directory; the Kyrgyz documents; no СНИЛС. And in Russia, a Kyrgyz ИНН is
// refused, as is any TIN a registration names (the register assigns them).
func TestRecordedTINChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kg := registertest.NewKyrgyzService(db)
		for _, c := range []struct {
			name, field, text string
			edit              func(*register.PersonInput)
		}{
			{"no ИНН", "tin", "обязательно", func(p *register.PersonInput) { p.TIN = "" }},
			{"Russian ИНН", "tin", "российский ИНН", func(p *register.PersonInput) { p.TIN = "500100732259" }},
			{"12 digits", "tin", "14 цифр", func(p *register.PersonInput) { p.TIN = "500100732250" }},
			{"an organization's", "tin", "ИНН организации", func(p *register.PersonInput) { p.TIN = "02507199510010" }},
			{"no such date", "tin", "31.02.1990", func(p *register.PersonInput) { p.TIN = "23102199012345" }},
			{"a Russian office code", "tax_office", "3 цифры", func(p *register.PersonInput) { p.TaxOffice = "7701" }},
			{"an unknown УГНС", "tax_office", "999", func(p *register.PersonInput) { p.TaxOffice = "999" }},
			{"СНИЛС", "snils", "не применяется", func(p *register.PersonInput) { p.SNILS = "112-233-445 95" }},
			{"ID card series", "identity_document.series", "ID", func(p *register.PersonInput) { p.Document.Series = "AN" }},
			{"ID card number", "identity_document.number", "7 цифр", func(p *register.PersonInput) { p.Document.Number = "12345" }},
			{"passport series", "identity_document.series", "латинские", func(p *register.PersonInput) {
				p.Document = register.IdentityDocument{Type: "passport_kg", Series: "А1", Number: "1234567"}
			}},
			{"a foreigner's ID card", "identity_document.type", "ID-карта", func(p *register.PersonInput) { p.Citizenship = "KAZ" }},
			{"a Russian passport of a Kyrgyz citizen", "identity_document.type", "гражданину Кыргызской Республики", func(p *register.PersonInput) {
				p.Document = register.IdentityDocument{Type: "passport_ru", Series: "4510", Number: "123456"}
			}},
			{"a Russian region", "address.region", "Кыргызской Республики", func(p *register.PersonInput) { p.Address.Region = "77" }},
		} {
			in := kyrgyzPerson(40)
			c.edit(&in)
			_, err := kg.RegisterPerson(ctx, inspector, in)
			fs := fieldsOf(t, err)
			if f, ok := fs[c.field]; !ok || len(fs) != 1 || !strings.Contains(f.In("ru"), c.text) {
				t.Errorf("%s: %v, want one error on %s saying %q", c.name, err, c.field, c.text)
			}
		}
		// Accepted: the Kyrgyz passport; a Russian citizen with a Russian passport; every УГНС of
		// the directory is known.
		pass := kyrgyzPerson(41)
		pass.Document = register.IdentityDocument{Type: "passport_kg", Series: "an", Number: "1234567"}
		mustRegister(t, kg, pass)
		ru := kyrgyzPerson(42)
		ru.TIN, ru.Citizenship, ru.Document = "1"+ru.TIN[1:], "RUS", register.IdentityDocument{Type: "passport_ru", Series: "4510", Number: "654321"}
		ru.Sex, ru.Surname, ru.GivenName, ru.Patronymic = register.Female, "Соколова", "Елена", "Викторовна"
		mustRegister(t, kg, ru)
		offices, err := kg.Offices(ctx)
		if err != nil || len(offices) < 25 {
			t.Fatalf("offices %d %v", len(offices), err)
		}
		for _, o := range offices {
			if len(o.Code) != 3 {
				t.Errorf("office %+v", o)
			}
		}
		// Russia: the register assigns TINs.
		rs := newService(db)
		in := person(50)
		in.TIN = kyrgyzPerson(50).TIN
		_, err = rs.RegisterPerson(ctx, inspector, in)
		if f, ok := fieldsOf(t, err)["tin"]; !ok || !strings.Contains(f.In("ru"), "ИНН Кыргызской Республики") || !strings.Contains(f.In("en"), "Kyrgyz TIN") {
			t.Errorf("a Kyrgyz ИНН in Russia: %v", err)
		}
		in.TIN = "500100732259"
		if f, ok := fieldsOf(t, err2(rs.RegisterPerson(ctx, inspector, in)))["tin"]; !ok || !strings.Contains(f.In("ru"), "присваивает налоговый орган") {
			t.Errorf("a TIN named in Russia: %v", f)
		}
		if _, err := rs.ParseTIN("tin", kyrgyzPerson(1).TIN); err == nil {
			t.Error("a Kyrgyz ИНН read as a Russian TIN")
		}
		if _, err := kg.ParseTIN("tin", "7707083893"); err == nil || !strings.Contains(fieldsOf(t, err)["tin"].In("en"), "a Russian TIN") {
			t.Errorf("a Russian TIN read in Kyrgyzstan: %v", err)
		}
	})
}

func err2[T any](_ T, err error) error { return err }
