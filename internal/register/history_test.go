package register_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-6: changes of data, checked like a registration and kept in the history (history.go).

func TestHistoryOfChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		tp := mustRegister(t, s, uniquePerson(5))
		surname, office, snils := "Петрова", "7702", "112-233-445 95"
		doc := register.IdentityDocument{Type: "passport_ru", Series: "4600", Number: "654321"}
		got, err := s.UpdatePerson(ctx, inspector, tp.TIN, register.PersonUpdate{Surname: &surname, TaxOffice: &office, Document: &doc, SNILS: &snils, Note: "брак"})
		if err != nil {
			t.Fatal(err)
		}
		// REG-6: the TIN does not change; the history holds old and new values.
		if got.TIN != tp.TIN || got.TaxOffice != "7702" || got.Person.Surname != "Петрова" || len(got.Person.Documents) != 2 || got.Person.SNILS != "11223344595" {
			t.Fatalf("updated: %+v %+v", got, got.Person)
		}
		last := got.History[len(got.History)-1]
		want := map[string][2]string{"surname": {uniquePerson(5).Surname, "Петрова"}, "tax_office": {"7701", "7702"}, "snils": {"", "11223344595"}, "identity_document": {"passport_ru 4500 000005", "passport_ru 4600 654321"}}
		if last.Action != "updated" || last.Note != "брак" || len(last.Fields) != len(want) {
			t.Fatalf("history: %+v", last)
		}
		for _, f := range last.Fields {
			if w, ok := want[f.Field]; !ok || w[0] != f.Old || w[1] != f.New {
				t.Fatalf("history field %+v, want %v", f, w)
			}
		}
		// Personal data never reach the audit log.
		entries, _ := db.ListAudit(ctx, audit.Filter{Subject: tp.TIN, Action: "taxpayer.update"})
		if len(entries) != 1 {
			t.Fatalf("audit: %+v", entries)
		}
		for _, secret := range []string{"654321", "4600", "11223344595", "112-233"} {
			if strings.Contains(entries[0].Details, secret) {
				t.Fatalf("audit details leak %q: %s", secret, entries[0].Details)
			}
		}
		// Both documents still find the person, by the new surname.
		for _, d := range []register.IdentityDocument{uniquePerson(5).Document, doc} {
			in := uniquePerson(5)
			in.Surname = "Петрова"
			in.Document = d
			r, err := s.RegisterPerson(ctx, inspector, in)
			if err != nil || r.Taxpayer == nil || r.Taxpayer.TIN != tp.TIN {
				t.Fatalf("find by %v: %+v %v", d, r, err)
			}
		}
		// A document of another person is refused.
		other := mustRegister(t, s, uniquePerson(6))
		d6 := uniquePerson(6).Document
		if _, err := s.UpdatePerson(ctx, inspector, tp.TIN, register.PersonUpdate{Document: &d6}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("someone else's document: %v", err)
		}
		if _, err := s.UpdatePerson(ctx, inspector, other.TIN, register.PersonUpdate{SNILS: &snils}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("someone else's SNILS: %v", err)
		}
		bad := "Smith"
		if err := func() error {
			_, err := s.UpdatePerson(ctx, inspector, tp.TIN, register.PersonUpdate{Surname: &bad})
			return err
		}(); !problem.Is(err, problem.Invalid) {
			t.Fatalf("bad surname: %v", err)
		}
	})
}

// TestUpdateChecks: an edit is checked like a registration, against the record it changes: the
// citizenship against ОКСМ and the current document, a new document against the citizenship and
// the birth date, every single-line field against control characters (REG-3, REG-6).
func TestUpdateChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := uniquePerson(5) // born 1950-01-06, a Russian passport
		in.Document.IssuedOn = time.Date(1990, 1, 10, 0, 0, 0, 0, time.UTC)
		tp := mustRegister(t, s, in)
		str := func(v string) *string { return &v }
		date := func(y, m, d int) *time.Time { v := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); return &v }
		for _, c := range []struct {
			name  string
			u     register.PersonUpdate
			field string
		}{
			{"citizenship not in OKSM", register.PersonUpdate{Citizenship: str("XYZ")}, "citizenship"},
			{"citizenship the passport does not fit", register.PersonUpdate{Citizenship: str("DEU")}, "citizenship"},
			{"foreign passport of a citizen", register.PersonUpdate{Document: &register.IdentityDocument{Type: "passport_foreign", Number: "C01X00T47"}}, "identity_document.type"},
			{"passport at 4", register.PersonUpdate{Document: &register.IdentityDocument{Type: "passport_ru", Series: "4600", Number: "111111", IssuedOn: *date(1954, 3, 1)}}, "identity_document.issued_on"},
			{"passport in the future", register.PersonUpdate{Document: &register.IdentityDocument{Type: "passport_ru", Series: "4600", Number: "111111", IssuedOn: *date(2999, 1, 1)}}, "identity_document.issued_on"},
			{"birth after the passport", register.PersonUpdate{BirthDate: date(1990, 2, 1)}, "birth_date"},
			{"line break in the city", register.PersonUpdate{Address: &register.Address{Region: "77", City: "Мос\nква"}}, "address.city"},
			{"ESC in the surname", register.PersonUpdate{Surname: str("Петрова\x1b")}, "surname"},
			{"line break in the note", register.PersonUpdate{Note: "брак\nразвод"}, "note"},
		} {
			_, err := s.UpdatePerson(ctx, inspector, tp.TIN, c.u)
			if f := fieldsOf(t, err); len(f) != 1 || f[c.field].Field == "" {
				t.Errorf("%s: fields %v, want one on %s", c.name, f, c.field)
			}
		}
		// A foreign citizen now, with a foreign passport given at the same time; then an edit that
		// sends the same citizenship again.
		got, err := s.UpdatePerson(ctx, inspector, tp.TIN, register.PersonUpdate{Citizenship: str("DEU"),
			Document: &register.IdentityDocument{Type: "passport_foreign", Number: "C01X00T47", IssuedOn: *date(2020, 5, 5)}})
		if err != nil || got.Person.Citizenship != "DEU" || got.Person.Documents[0].Type != "passport_foreign" {
			t.Fatalf("citizenship with a new document: %+v %v", got, err)
		}
		if _, err := s.UpdatePerson(ctx, inspector, tp.TIN, register.PersonUpdate{Citizenship: str("DEU"), Address: &register.Address{Region: "77", City: "Москва"}}); err != nil {
			t.Fatalf("an edit of the address: %v", err)
		}
		org := mustOrg(t, s, "7701", "1027700132195")
		if _, err := s.UpdateOrganization(ctx, inspector, org.TIN, register.OrganizationUpdate{FullName: str("ООО\n«Ромашка»")}); fieldsOf(t, err)["full_name"].Field == "" {
			t.Errorf("line break in an organization's name: %v", err)
		}
	})
}
