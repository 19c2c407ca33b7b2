package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

// The register's conformance tests: every rule of SPEC section 2 through register.Service on
// SQLite and on PostgreSQL.

var inspector = audit.Actor{Login: "insp1", Role: "inspector"}

var fixedNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func newService(db *store.DB) *register.Service {
	return register.New(store.NewRegister(db), register.Options{Now: func() time.Time { return fixedNow }})
}

func person(n int) register.PersonInput {
	return register.PersonInput{
		Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович",
		BirthDate:  time.Date(1970+n%40, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Москва", Sex: register.Male, Citizenship: "RUS",
		Document: register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("%04d", 4500+n/1000000), Number: fmt.Sprintf("%06d", n%1000000)},
		Ground:   register.GroundResidence, TaxOffice: "7701",
		Address: register.Address{Region: "77", City: "Москва", Street: "Тверская", House: "1"},
	}
}

// uniquePerson differs from every other uniquePerson by name too (no REG-3 review).
func uniquePerson(n int) register.PersonInput {
	in := person(n)
	in.Surname = "Иванов" + strings.Repeat("а", 1+n%7)
	in.GivenName = "Иван" + string(rune('а'+n%32))
	in.Patronymic = ""
	in.BirthDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	return in
}

// checkTIN parses a TIN with package tin: structure, office and check digits (TIN-1..3, TIN-5).
func checkTIN(t *testing.T, s string, length int, office string) {
	t.Helper()
	v, err := tin.ParseINN(s)
	if err != nil {
		t.Fatalf("TIN %q: %v", s, err)
	}
	if len(s) != length || v.TaxOffice != office {
		t.Fatalf("TIN %q: want %d digits at office %s, got %+v", s, length, office, v)
	}
	if office == register.ForeignOffice && (v.Type != tin.ForeignOrganization || v.KIO == "") {
		t.Fatalf("TIN %q: not a foreign organization's: %+v", s, v)
	}
}

func validINN(s string) bool {
	_, err := tin.ParseINN(s)
	return err == nil
}

// checkKPP parses a КПП with package tin (TIN-4).
func checkKPP(t *testing.T, code, office, reason string) {
	t.Helper()
	v, err := tin.ParseKPP(code)
	if err != nil || v.TaxOffice != office || v.Reason != reason {
		t.Fatalf("KPP %q: %+v %v, want office %s reason %s", code, v, err, office, reason)
	}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mustRegister(t *testing.T, s *register.Service, in register.PersonInput) *register.Taxpayer {
	t.Helper()
	r, err := s.RegisterPerson(context.Background(), inspector, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Taxpayer == nil || !r.Created {
		t.Fatalf("want a new TIN, got %+v (review %+v)", r, r.Review)
	}
	return r.Taxpayer
}

func fieldsOf(t *testing.T, err error) map[string]problem.FieldError {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Code != problem.Invalid {
		t.Fatalf("want an invalid problem, got %v", err)
	}
	out := map[string]problem.FieldError{}
	for _, f := range p.Fields {
		if f.Key == "" || !i18n.Has("ru", f.Key) || !i18n.Has("en", f.Key) || strings.Contains(f.In("ru")+f.In("en"), "%!") {
			t.Errorf("field %s: message without key or translation: %+v", f.Field, f.Message)
		}
		out[f.Field] = f
	}
	return out
}

func TestRegisterPersonAssignsTIN(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		a := mustRegister(t, s, uniquePerson(1))
		b := mustRegister(t, s, uniquePerson(2))
		in := uniquePerson(3)
		in.TaxOffice = "7801"
		c := mustRegister(t, s, in)
		checkTIN(t, a.TIN, 12, "7701")
		checkTIN(t, c.TIN, 12, "7801")
		// REG-1: serials per office, monotonic.
		if a.TIN[4:10] != "000001" || b.TIN[4:10] != "000002" || c.TIN[4:10] != "000001" {
			t.Fatalf("serials: %s %s %s", a.TIN, b.TIN, c.TIN)
		}
		got, err := s.Taxpayer(context.Background(), a.TIN)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != register.StatusActive || got.Person.Surname != uniquePerson(1).Surname || got.TaxOffice != "7701" ||
			len(got.Person.Documents) != 1 || got.Person.Documents[0].Number != "000001" || len(got.History) != 1 || got.History[0].Action != "registered" {
			t.Fatalf("record: %+v %+v", got, got.Person)
		}
		entries, _ := db.ListAudit(context.Background(), audit.Filter{Subject: a.TIN})
		if len(entries) != 1 || entries[0].Action != "person.register" || entries[0].Actor.Login != "insp1" {
			t.Fatalf("audit: %+v", entries)
		}
		if _, err := s.Taxpayer(context.Background(), "770100999999"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("unknown TIN: %v", err)
		}
	})
}

func TestSamePersonByDocumentAndSNILS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := uniquePerson(10)
		in.SNILS = "112-233-445 95"
		first := mustRegister(t, s, in)
		// REG-3: the same document typed differently, with the same name and birth date, finds the
		// same TIN; other data are not overwritten, only named.
		again := in
		again.Document.Series, again.Document.Number = "45 00", " 000010 "
		again.Surname = strings.ToUpper(in.Surname)
		again.Sex = register.Female
		again.TaxOffice = "7702"
		r, err := s.RegisterPerson(ctx, inspector, again)
		if err != nil {
			t.Fatal(err)
		}
		if r.Created || r.Taxpayer == nil || r.Taxpayer.TIN != first.TIN || r.Taxpayer.Person.Sex != register.Male || len(r.Mismatch) != 1 || r.Mismatch[0] != "sex" {
			t.Fatalf("same document: %+v", r)
		}
		// By СНИЛС with another document, the same name and birth date.
		bySNILS := in
		bySNILS.Document.Number = "999010"
		bySNILS.SNILS = "11223344595"
		r, err = s.RegisterPerson(ctx, inspector, bySNILS)
		if err != nil || r.Created || r.Taxpayer == nil || r.Taxpayer.TIN != first.TIN {
			t.Fatalf("same SNILS: %+v %v", r, err)
		}
		if n := count(t, db, "reg_taxpayers"); n != 1 {
			t.Fatalf("%d taxpayers", n)
		}
	})
}

// TestDocumentOfAnotherPerson: a request whose СНИЛС or document is on record for a person with
// another name or birth date is not given that person's TIN or record: it is held for review
// like a namesake's (REG-3), and the inspector cannot register a different person with it.
func TestDocumentOfAnotherPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := uniquePerson(10)
		in.SNILS = "112-233-445 95"
		first := mustRegister(t, s, in)
		held := func(name string, req register.PersonInput) *register.Review {
			t.Helper()
			r, err := s.RegisterPerson(ctx, inspector, req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if r.Taxpayer != nil || r.Created || r.Review == nil || r.Review.Status != register.ReviewPending ||
				len(r.Review.Candidates) != 1 || r.Review.Candidates[0] != first.TIN || len(r.Mismatch) != 0 {
				t.Fatalf("%s: want a review with the first TIN as the candidate, got %+v (review %+v)", name, r, r.Review)
			}
			return r.Review
		}
		// Another person (name, birth date and passport) with the first one's СНИЛС.
		other := uniquePerson(11)
		other.SNILS = "11223344595"
		rv := held("SNILS of another person", other)
		if again := held("the same request again", other); again.ID != rv.ID {
			t.Fatalf("a second review %d for the same request (first %d)", again.ID, rv.ID)
		}
		// The first one's passport with another surname, or another birth date.
		renamed := in
		renamed.Surname, renamed.SNILS = "Другова", ""
		rvDoc := held("document with another surname", renamed)
		olderDoc := in
		olderDoc.BirthDate, olderDoc.SNILS = in.BirthDate.AddDate(-1, 0, 0), ""
		if again := held("document with another birth date", olderDoc); again.ID != rvDoc.ID {
			t.Fatalf("one pending review per document: %d and %d", again.ID, rvDoc.ID)
		}
		if n := count(t, db, "reg_taxpayers"); n != 1 {
			t.Fatalf("%d taxpayers", n)
		}
		// A different person cannot have the first one's СНИЛС or passport: the decision is refused
		// and the review stays pending; the same person's can be decided.
		if _, err := s.DecideReview(ctx, inspector, rv.ID, ""); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a different person with the SNILS on record: %v", err)
		} else if p, _ := problem.As(err); len(p.Fields) != 1 || p.Fields[0].Field != "snils" {
			t.Fatalf("conflict fields: %+v", p.Fields)
		}
		if _, err := s.DecideReview(ctx, inspector, rvDoc.ID, ""); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a different person with the passport on record: %v", err)
		}
		if got, _ := s.Review(ctx, rv.ID); got.Status != register.ReviewPending {
			t.Fatalf("review after a refused decision: %+v", got)
		}
		d, err := s.DecideReview(ctx, inspector, rvDoc.ID, first.TIN)
		if err != nil || d.Taxpayer.TIN != first.TIN || d.Review.Status != register.ReviewSame {
			t.Fatalf("same person: %+v %v", d, err)
		}
	})
}

func TestReviewFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		orig := mustRegister(t, s, person(1))
		// Same name (case, ё, spaces aside) and birth, another document: held for review.
		in := person(2)
		in.BirthDate = person(1).BirthDate
		in.Surname, in.GivenName = "  иванов ", "ИВАН"
		in.Document.IssuedOn, in.Document.IssuedBy = time.Date(2015, 6, 7, 0, 0, 0, 0, time.UTC), "ОВД Тверского района"
		r, err := s.RegisterPerson(ctx, inspector, in)
		if err != nil {
			t.Fatal(err)
		}
		if r.Taxpayer != nil || r.Review == nil || r.Review.Status != register.ReviewPending || len(r.Review.Candidates) != 1 || r.Review.Candidates[0] != orig.TIN {
			t.Fatalf("review: %+v %+v", r, r.Review)
		}
		// The same request again returns the same pending review.
		r2, err := s.RegisterPerson(ctx, inspector, in)
		if err != nil || r2.Review == nil || r2.Review.ID != r.Review.ID {
			t.Fatalf("repeat: %+v %v", r2, err)
		}
		list, err := s.Reviews(ctx, register.ReviewPending, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("pending: %+v %v", list, err)
		}
		if _, err := s.DecideReview(ctx, inspector, r.Review.ID, "770100999999"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("not a candidate: %v", err)
		}
		d, err := s.DecideReview(ctx, inspector, r.Review.ID, orig.TIN)
		if err != nil {
			t.Fatal(err)
		}
		if d.Created || d.Taxpayer.TIN != orig.TIN || d.Review.Status != register.ReviewSame || d.Review.ResultTIN != orig.TIN {
			t.Fatalf("same: %+v %+v", d, d.Review)
		}
		if _, err := s.DecideReview(ctx, inspector, r.Review.ID, ""); !problem.Is(err, problem.Conflict) {
			t.Fatalf("decided twice: %v", err)
		}
		// The held document, as it was typed (with its date and issuer), is the person's current one.
		got, _ := s.Taxpayer(ctx, orig.TIN)
		if len(got.Person.Documents) != 2 || got.Person.Documents[0] != in.Document || got.Person.Documents[1] != orig.Person.Documents[0] {
			t.Fatalf("documents: %+v", got.Person.Documents)
		}
		// The new document now finds the person directly.
		r3, err := s.RegisterPerson(ctx, inspector, in)
		if err != nil || r3.Taxpayer == nil || r3.Taxpayer.TIN != orig.TIN || r3.Created {
			t.Fatalf("after same: %+v %v", r3, err)
		}
		// A different person: a new TIN.
		other := person(3)
		other.BirthDate = person(1).BirthDate
		other.Document.IssuedOn = time.Date(2019, 1, 2, 0, 0, 0, 0, time.UTC)
		r4, err := s.RegisterPerson(ctx, inspector, other)
		if err != nil || r4.Review == nil {
			t.Fatalf("second review: %+v %v", r4, err)
		}
		d2, err := s.DecideReview(ctx, inspector, r4.Review.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if !d2.Created || d2.Taxpayer.TIN == orig.TIN || d2.Review.Status != register.ReviewDifferent || d2.Review.ResultTIN != d2.Taxpayer.TIN {
			t.Fatalf("different: %+v %+v", d2, d2.Review)
		}
		checkTIN(t, d2.Taxpayer.TIN, 12, "7701")
		if got, _ := s.Taxpayer(ctx, d2.Taxpayer.TIN); got.Person.Documents[0] != other.Document {
			t.Fatalf("document of the person registered after review: %+v", got.Person.Documents)
		}
		rv, err := s.Review(ctx, r4.Review.ID)
		if err != nil || rv.Status != register.ReviewDifferent || rv.DecidedBy != "insp1" || rv.DecidedAt == nil {
			t.Fatalf("stored review: %+v %v", rv, err)
		}
		// A different birth place is not a candidate.
		far := person(4)
		far.BirthDate = person(1).BirthDate
		far.BirthPlace = "г. Казань"
		r5, err := s.RegisterPerson(ctx, inspector, far)
		if err != nil || r5.Review != nil || !r5.Created {
			t.Fatalf("other birth place: %+v %v", r5, err)
		}
	})
}

func TestConcurrentSamePerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		in := person(77)
		var wg sync.WaitGroup
		tins := make([]string, 50)
		created := make([]bool, 50)
		errs := make([]error, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.RegisterPerson(context.Background(), inspector, in)
				errs[i] = err
				if err == nil && r.Taxpayer != nil {
					tins[i], created[i] = r.Taxpayer.TIN, r.Created
				}
			}()
		}
		wg.Wait()
		nCreated := 0
		for i := range 50 {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if tins[i] != tins[0] || tins[i] == "" {
				t.Fatalf("different TINs: %q %q", tins[0], tins[i])
			}
			if created[i] {
				nCreated++
			}
		}
		if nCreated != 1 || count(t, db, "reg_taxpayers") != 1 {
			t.Fatalf("created %d times, %d rows", nCreated, count(t, db, "reg_taxpayers"))
		}
	})
}

// TestConcurrentNamesakes: requests for one person (same name, birth date and place) with
// different documents, all at once, give one new TIN and hold the others for review with that TIN
// as the candidate (REG-3): a namesake committed concurrently is seen, not missed.
func TestConcurrentNamesakes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		const n = 20
		results := make([]register.Result, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := person(500)
				in.Document.Number = fmt.Sprintf("%06d", 900000+i)
				results[i], errs[i] = s.RegisterPerson(context.Background(), inspector, in)
			}()
		}
		wg.Wait()
		var tins []string
		reviews := 0
		for i, r := range results {
			switch {
			case errs[i] != nil:
				t.Fatalf("request %d: %v", i, errs[i])
			case r.Created:
				tins = append(tins, r.Taxpayer.TIN)
			case r.Review != nil:
				reviews++
			default:
				t.Fatalf("request %d: neither a new TIN nor a review: %+v", i, r)
			}
		}
		if len(tins) != 1 || reviews != n-1 {
			t.Fatalf("%d new TINs %v and %d reviews for one person, want 1 and %d", len(tins), tins, reviews, n-1)
		}
		for i, r := range results {
			if r.Review != nil && !slices.Contains(r.Review.Candidates, tins[0]) {
				t.Fatalf("review %d without the registered TIN as a candidate: %+v", i, r.Review)
			}
		}
	})
}

func TestConcurrentDifferentPersons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		const n = 1000
		tins := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n { // all at once: the pool and the retries must absorb them
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := uniquePerson(1000 + i)
				if i%2 == 1 {
					in.TaxOffice = "5001"
				}
				r, err := s.RegisterPerson(context.Background(), inspector, in)
				errs[i] = err
				if err == nil && r.Taxpayer != nil {
					tins[i] = r.Taxpayer.TIN
				}
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, tin := range tins {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			if seen[tin] {
				t.Fatalf("TIN %s issued twice", tin)
			}
			seen[tin] = true
			if !validINN(tin) || len(tin) != 12 {
				t.Fatalf("bad TIN %q", tin)
			}
		}
		if count(t, db, "reg_taxpayers") != n {
			t.Fatal("row count")
		}
	})
}

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

func TestDeregisterAndDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		a := mustRegister(t, s, uniquePerson(1))
		b := mustRegister(t, s, uniquePerson(2))
		c := mustRegister(t, s, uniquePerson(3))
		d := mustRegister(t, s, uniquePerson(4))
		today := fixedNow
		// The date is required: no silent today (REG-6).
		if _, err := s.Deregister(ctx, inspector, a.TIN, register.Ending{Reason: register.EndMoved}); fieldsOf(t, err)["on"].Field == "" {
			t.Fatalf("no date: %v", err)
		}
		// Moving away keeps the TIN applied (REG-6); the date is in the history and the audit entry.
		got, err := s.Deregister(ctx, inspector, a.TIN, register.Ending{Reason: register.EndMoved, On: today})
		if err != nil || got.Status != register.StatusDeregistered || got.Ending.Reason != register.EndMoved {
			t.Fatalf("moved: %+v %v", got, err)
		}
		last := got.History[len(got.History)-1]
		if last.Action != "deregistered" || !slices.Contains(last.Fields, register.FieldChange{Field: "on", New: "2026-03-10"}) {
			t.Fatalf("history of the deregistration: %+v", last)
		}
		if e, _ := db.ListAudit(ctx, audit.Filter{Subject: a.TIN, Action: "taxpayer.deregister"}); len(e) != 1 ||
			e[0].Details != "reason=moved status=deregistered on=2026-03-10" {
			t.Fatalf("audit of the deregistration: %+v", e)
		}
		// A deregistered record is not deregistered again; it may still stop being applied.
		if _, err := s.Deregister(ctx, inspector, a.TIN, register.Ending{Reason: register.EndOther, On: today}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("deregistered twice: %v", err)
		}
		// Liquidation is not a ground for a person.
		if _, err := s.Deregister(ctx, inspector, b.TIN, register.Ending{Reason: register.EndLiquidation, On: today}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("liquidation of a person: %v", err)
		}
		// Not before birth, nor before the registration, nor in the future.
		for name, on := range map[string]time.Time{"before birth": time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
			"before registration": fixedNow.AddDate(0, 0, -3), "future": fixedNow.AddDate(0, 0, 1)} {
			if _, err := s.Deregister(ctx, inspector, b.TIN, register.Ending{Reason: register.EndDeath, On: on}); fieldsOf(t, err)["on"].Field == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		// Death stops the TIN being applied (REG-7); it still answers.
		got, err = s.Deregister(ctx, inspector, b.TIN, register.Ending{Reason: register.EndDeath, On: today})
		if err != nil || got.Status != register.StatusNotApplied || got.Ending.Reason != register.EndDeath {
			t.Fatalf("death: %+v %v", got, err)
		}
		if _, err := s.Deregister(ctx, inspector, b.TIN, register.Ending{Reason: register.EndOther, On: today}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("deregister twice: %v", err)
		}
		// Duplicates: c → d, then d → a: c's kept TIN resolves to a.
		if _, err := s.MarkDuplicate(ctx, inspector, c.TIN, c.TIN, ""); !problem.Is(err, problem.Invalid) {
			t.Fatalf("self: %v", err)
		}
		if _, err := s.MarkDuplicate(ctx, inspector, c.TIN, b.TIN, ""); !problem.Is(err, problem.Invalid) {
			t.Fatalf("kept not applied: %v", err)
		}
		if _, err := s.MarkDuplicate(ctx, inspector, c.TIN, "770100999999", ""); !problem.Is(err, problem.Invalid) {
			t.Fatalf("kept unknown: %v", err)
		}
		got, err = s.MarkDuplicate(ctx, inspector, c.TIN, d.TIN, "two records")
		if err != nil || got.Status != register.StatusNotApplied || got.Ending.Reason != register.EndDuplicate || got.Ending.KeptTIN != d.TIN ||
			!got.Ending.On.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("duplicate: %+v %v", got, err)
		}
		if last := got.History[len(got.History)-1]; !slices.Contains(last.Fields, register.FieldChange{Field: "on", New: "2026-03-10"}) {
			t.Fatalf("history of the duplicate: %+v", last)
		}
		if e, _ := db.ListAudit(ctx, audit.Filter{Subject: c.TIN, Action: "taxpayer.duplicate"}); len(e) != 1 || e[0].Details != "kept="+d.TIN+" on=2026-03-10" {
			t.Fatalf("audit of the duplicate: %+v", e)
		}
		if _, err := s.MarkDuplicate(ctx, inspector, d.TIN, c.TIN, ""); !problem.Is(err, problem.Invalid) {
			t.Fatalf("cycle: %v", err)
		}
		// d is a duplicate of a (deregistered, still applied), through the deregistration's reason
		// "duplicate", which takes a date too.
		if _, err := s.Deregister(ctx, inspector, d.TIN, register.Ending{Reason: register.EndDuplicate, KeptTIN: a.TIN}); fieldsOf(t, err)["on"].Field == "" {
			t.Fatalf("duplicate without a date: %v", err)
		}
		if _, err := s.Deregister(ctx, inspector, d.TIN, register.Ending{Reason: register.EndDuplicate, KeptTIN: a.TIN, On: today}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Taxpayer(ctx, c.TIN)
		if err != nil || got.Ending.KeptTIN != a.TIN {
			t.Fatalf("chain: %+v %v", got.Ending, err)
		}
		// The duplicate's document now answers with the kept record; no new TIN is issued.
		r, err := s.RegisterPerson(ctx, inspector, uniquePerson(3))
		if err != nil || r.Created || r.Taxpayer.TIN != a.TIN {
			t.Fatalf("register duplicate's document: %+v %v", r, err)
		}
		if _, err := s.UpdatePerson(ctx, inspector, b.TIN, register.PersonUpdate{}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("update not applied: %v", err)
		}
		// A not-applied TIN is never re-issued: the next serial continues.
		e := mustRegister(t, s, uniquePerson(5))
		if e.TIN[4:10] != "000005" {
			t.Fatalf("next TIN %s", e.TIN)
		}
		// A deregistered person who dies: the TIN stops being applied.
		moved := mustRegister(t, s, uniquePerson(6))
		if _, err := s.Deregister(ctx, inspector, moved.TIN, register.Ending{Reason: register.EndMoved, On: today}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Deregister(ctx, inspector, moved.TIN, register.Ending{Reason: register.EndDeath, On: today}); err != nil || got.Status != register.StatusNotApplied {
			t.Fatalf("death after deregistration: %+v %v", got, err)
		}
		// A person registered before the register held them: the date of the registration counts.
		early := uniquePerson(7)
		early.RegisteredOn = time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC)
		old := mustRegister(t, s, early)
		if !old.RegisteredOn.Equal(early.RegisteredOn) {
			t.Fatalf("registered on %v, want %v", old.RegisteredOn, early.RegisteredOn)
		}
		if _, err := s.Deregister(ctx, inspector, old.TIN, register.Ending{Reason: register.EndDeath, On: time.Date(2001, 2, 2, 0, 0, 0, 0, time.UTC)}); fieldsOf(t, err)["on"].Field == "" {
			t.Fatalf("death before the registration: %v", err)
		}
		if _, err := s.Deregister(ctx, inspector, old.TIN, register.Ending{Reason: register.EndDeath, On: time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatalf("death after the registration: %v", err)
		}
		// Organizations: liquidation stops the TIN; death is not a ground.
		org := mustOrg(t, s, "7701", "1027700132195")
		if _, err := s.Deregister(ctx, inspector, org.TIN, register.Ending{Reason: register.EndDeath, On: today}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("death of an organization: %v", err)
		}
		if _, err := s.Deregister(ctx, inspector, org.TIN, register.Ending{Reason: register.EndLiquidation, On: fixedNow.AddDate(0, 0, -2)}); fieldsOf(t, err)["on"].Field == "" {
			t.Fatalf("liquidation before the state registration: %v", err)
		}
		got, err = s.Deregister(ctx, inspector, org.TIN, register.Ending{Reason: register.EndLiquidation, On: today})
		if err != nil || got.Status != register.StatusNotApplied {
			t.Fatalf("liquidation: %+v %v", got, err)
		}
	})
}

func mustOrg(t *testing.T, s *register.Service, office, ogrn string) *register.Taxpayer {
	t.Helper()
	r, err := s.RegisterOrganization(context.Background(), inspector, register.OrganizationInput{
		FullName: "Общество с ограниченной ответственностью «Ромашка»", ShortName: "ООО «Ромашка»", OGRN: ogrn,
		Ground: register.GroundCreation, TaxOffice: office, RegisteredOn: fixedNow.AddDate(0, 0, -1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Created {
		t.Fatalf("organization not created: %+v", r)
	}
	return r.Taxpayer
}

func TestOrganizationsAndKPP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		a := mustOrg(t, s, "7701", "1027700132195")
		b := mustOrg(t, s, "7701", "1027739609391")
		checkTIN(t, a.TIN, 10, "7701")
		if a.TIN[4:9] != "00001" || b.TIN[4:9] != "00002" {
			t.Fatalf("serials %s %s", a.TIN, b.TIN)
		}
		// REG-5: КПП at location with the TIN; serial per office and reason.
		if len(a.KPPs) != 1 || a.KPPs[0].Code != "770101001" || b.KPPs[0].Code != "770101002" {
			t.Fatalf("KPPs %+v %+v", a.KPPs, b.KPPs)
		}
		// Same ОГРН: the TIN the organization has.
		r, err := s.RegisterOrganization(ctx, inspector, register.OrganizationInput{FullName: "Другое", OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "7702"})
		if err != nil || r.Created || r.Taxpayer.TIN != a.TIN {
			t.Fatalf("same OGRN: %+v %v", r, err)
		}
		k, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7702", Subdivision: "Филиал"})
		if err != nil || k.Code != "770243001" || k.Reason != register.ReasonSubdivision {
			t.Fatalf("subdivision: %+v %v", k, err)
		}
		checkKPP(t, k.Code, "7702", "43")
		checkKPP(t, a.KPPs[0].Code, "7701", "01")
		k, err = s.AssignKPP(ctx, inspector, b.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7702", Subdivision: "Склад"})
		if err != nil || k.Code != "770243002" {
			t.Fatalf("second subdivision: %+v %v", k, err)
		}
		k, err = s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPProperty, TaxOffice: "5001"})
		if err != nil || k.Code != "500145001" {
			t.Fatalf("property: %+v %v", k, err)
		}
		if _, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPNewLocation, TaxOffice: "7701"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("new location at the same office: %v", err)
		}
		for _, reason := range []string{"60", "4A", "XX"} { // TIN-4: kpp_reasons.csv has 01–50 for a Russian organization
			if _, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701", Reason: reason}); fieldsOf(t, err)["reason"].Field == "" {
				t.Fatalf("reason %s for a Russian organization: %v", reason, err)
			}
		}
		if _, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7702", Subdivision: "Филиал\r\nN"}); fieldsOf(t, err)["subdivision"].Field == "" {
			t.Fatalf("line break in the subdivision: %v", err)
		}
		fe := func() map[string]problem.FieldError {
			_, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: "nowhere", TaxOffice: "77"})
			return fieldsOf(t, err)
		}()
		if _, ok := fe["ground"]; !ok {
			t.Fatalf("fields %v", fe)
		}
		if _, ok := fe["tax_office"]; !ok {
			t.Fatalf("fields %v", fe)
		}
		k, err = s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPNewLocation, TaxOffice: "7801"})
		if err != nil || k.Code != "780101001" {
			t.Fatalf("new location: %+v %v", k, err)
		}
		got, _ := s.Taxpayer(ctx, a.TIN)
		if got.TIN != a.TIN || got.TaxOffice != "7801" || len(got.KPPs) != 4 {
			t.Fatalf("after move: %+v", got)
		}
		person := mustRegister(t, s, uniquePerson(1))
		if _, err := s.AssignKPP(ctx, inspector, person.TIN, register.KPPInput{Ground: register.KPPProperty, TaxOffice: "7701"}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("KPP for a person: %v", err)
		}
		name := "ООО «Лютик»"
		up, err := s.UpdateOrganization(ctx, inspector, b.TIN, register.OrganizationUpdate{ShortName: &name})
		if err != nil || up.TIN != b.TIN || up.Organization.ShortName != name || up.History[len(up.History)-1].Fields[0].Old != "ООО «Ромашка»" {
			t.Fatalf("update org: %+v %v", up, err)
		}
		if _, err := s.RegisterOrganization(ctx, inspector, register.OrganizationInput{FullName: "X", OGRN: "1027700132194", Ground: "x", TaxOffice: "7799"}); err == nil {
			t.Fatal("bad organization accepted")
		} else if f := fieldsOf(t, err); len(f) != 3 {
			t.Fatalf("fields: %v", f)
		}
	})
}

func TestForeignOrganizationsAndKIO(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		id := register.KIOInput{NameRu: "Глобал Трейд Лимитед", NameLatin: "Global Trade Limited", Address: "1 Main St, Dublin", Country: "Ирландия", OKSM: "372", RegNumber: "IE123456", TaxCode: "IE9S99999L"}
		r, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: id})
		if err != nil || !r.Created {
			t.Fatalf("foreign: %+v %v", r, err)
		}
		// TIN-3: 9909 + КИО + check digit.
		checkTIN(t, r.Taxpayer.TIN, 10, "9909")
		if r.Taxpayer.TIN[4:9] != "00001" || r.Taxpayer.Foreign.Code != "00001" || r.Taxpayer.KPPs[0].Code != "990950001" {
			t.Fatalf("foreign TIN/KIO/KPP: %+v %+v", r.Taxpayer, r.Taxpayer.KPPs)
		}
		checkKPP(t, r.Taxpayer.KPPs[0].Code, "9909", "50")
		// REG-8: the КИО is reused, by ОКСМ + registration number and by code.
		r2, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: id})
		if err != nil || r2.Created || r2.Taxpayer.TIN != r.Taxpayer.TIN {
			t.Fatalf("reuse: %+v %v", r2, err)
		}
		r3, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{KIO: "00001"})
		if err != nil || r3.Taxpayer.TIN != r.Taxpayer.TIN {
			t.Fatalf("by code: %+v %v", r3, err)
		}
		if _, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{KIO: "00077"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("unknown KIO: %v", err)
		}
		id2 := id
		id2.RegNumber, id2.NameRu = "IE777", "Второй Лимитед"
		r4, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: id2, Reason: "51", TaxOffice: "7701"})
		if err != nil || r4.Taxpayer.Foreign.Code != "00002" || r4.Taxpayer.KPPs[0].Code != "770151001" {
			t.Fatalf("second: %+v %v", r4, err)
		}
		k, err := s.AssignKPP(ctx, inspector, r.Taxpayer.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701"})
		if err != nil || k.Reason != "50" {
			t.Fatalf("foreign KPP: %+v %v", k, err)
		}
		if _, err := s.AssignKPP(ctx, inspector, r.Taxpayer.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701", Reason: "01"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("Russian reason for a foreign organization: %v", err)
		}
		// Changes by application: the code stays, the date of change is set, history is kept.
		id.NameRu = "Глобал Трейд Холдинг"
		kio, err := s.UpdateKIO(ctx, inspector, "00001", id)
		if err != nil || kio.Code != "00001" || kio.ChangedOn == nil || kio.NameRu != id.NameRu {
			t.Fatalf("update KIO: %+v %v", kio, err)
		}
		got, _ := s.Taxpayer(ctx, r.Taxpayer.TIN)
		if got.Foreign.NameRu != id.NameRu || got.History[len(got.History)-1].Action != "kio_changed" {
			t.Fatalf("after KIO change: %+v %+v", got.Foreign, got.History)
		}
		list, err := s.ListKIO(ctx, "глобал", 10)
		if err != nil || len(list) != 1 || list[0].Code != "00001" {
			t.Fatalf("list KIO: %+v %v", list, err)
		}
		_, err = s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: register.KIOInput{OKSM: "12"}, Reason: "01"})
		f := fieldsOf(t, err)
		for _, name := range []string{"identification.name_ru", "identification.name_latin", "identification.oksm", "identification.country", "reason"} {
			if _, ok := f[name]; !ok {
				t.Errorf("no error on %s: %v", name, f)
			}
		}
		// The reference data: ОКСМ, the country its code names (in Russian or English), the КПП
		// reasons of a foreign organization (REG-8, TIN-4), every field one line of text.
		de := register.KIOInput{NameRu: "Дойче Машинен ГмбХ", NameLatin: "Deutsche Maschinen GmbH", Country: "Германия", OKSM: "276", RegNumber: "HRB 1"}
		for _, c := range []struct {
			name  string
			edit  func(*register.ForeignOrganizationInput)
			field string
		}{
			{"OKSM code of no country", func(in *register.ForeignOrganizationInput) { in.Identification.OKSM = "999" }, "identification.oksm"},
			{"country of another code", func(in *register.ForeignOrganizationInput) { in.Identification.Country = "Франция" }, "identification.country"},
			{"reason XX", func(in *register.ForeignOrganizationInput) { in.Reason = "XX" }, "reason"},
			{"Russian reason", func(in *register.ForeignOrganizationInput) { in.Reason = "43" }, "reason"},
			{"line break in the name", func(in *register.ForeignOrganizationInput) { in.Identification.NameRu = "Дойче\nМашинен" }, "identification.name_ru"},
			{"NUL in the address", func(in *register.ForeignOrganizationInput) { in.Identification.Address = "Berlin\x00" }, "identification.address"},
			{"ESC in the Russian address", func(in *register.ForeignOrganizationInput) {
				in.Address = register.Address{Region: "77", Street: "\x1b[31m"}
			}, "address.street"},
		} {
			in := register.ForeignOrganizationInput{Identification: de}
			c.edit(&in)
			_, err := s.RegisterForeignOrganization(ctx, inspector, in)
			if f := fieldsOf(t, err); len(f) != 1 || f[c.field].Field == "" {
				t.Errorf("%s: fields %v, want one on %s", c.name, f, c.field)
			}
		}
		for _, country := range []string{"ГЕРМАНИЯ", "Germany", "Федеративная Республика Германия", "federal republic of germany"} {
			in := register.ForeignOrganizationInput{Identification: de}
			in.Identification.Country = country
			if _, err := s.RegisterForeignOrganization(ctx, inspector, in); err != nil {
				t.Errorf("country %q of OKSM 276: %v", country, err)
			}
		}
		k, err = s.AssignKPP(ctx, inspector, r.Taxpayer.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701", Reason: "XX"})
		if fieldsOf(t, err)["reason"].Field == "" {
			t.Fatalf("KPP reason XX: %+v %v", k, err)
		}
		if _, err := s.UpdateKIO(ctx, inspector, "00001", register.KIOInput{NameRu: "Глобал", NameLatin: "Global", Country: "Германия", OKSM: "372"}); fieldsOf(t, err)["identification.country"].Field == "" {
			t.Fatalf("KIO changed to a country of another code: %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := uniquePerson(1)
		in.Surname, in.GivenName = "Семёнов", "Фёдор"
		p := mustRegister(t, s, in)
		for i := 2; i < 8; i++ {
			mustRegister(t, s, uniquePerson(i))
		}
		org := mustOrg(t, s, "7801", "1027700132195")
		find := func(q string, f register.SearchFilter) []string {
			t.Helper()
			f.Query = q
			res, err := s.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range res {
				out = append(out, r.TIN)
			}
			return out
		}
		for _, q := range []string{"семенов", "СЕМЁНОВ ФЁДОР", "  Семенов  ф", p.TIN, p.TIN[:11], "4500 000001", "4500000001"} {
			if got := find(q, register.SearchFilter{}); len(got) != 1 || got[0] != p.TIN {
				t.Errorf("search %q: %v", q, got)
			}
		}
		if got := find("1027700132195", register.SearchFilter{}); len(got) != 1 || got[0] != org.TIN {
			t.Errorf("by OGRN: %v", got)
		}
		if got := find("7701", register.SearchFilter{}); len(got) != 7 {
			t.Errorf("by prefix: %v", got)
		}
		if got := find("7701", register.SearchFilter{Limit: 3, Offset: 5}); len(got) != 2 {
			t.Errorf("paging: %v", got)
		}
		if got := find("", register.SearchFilter{Kind: register.KindOrganization}); len(got) != 1 || got[0] != org.TIN {
			t.Errorf("by kind: %v", got)
		}
		if got := find("иванов", register.SearchFilter{Status: register.StatusNotApplied}); len(got) != 0 {
			t.Errorf("by status: %v", got)
		}
		if got := find("Нет-Такого", register.SearchFilter{}); len(got) != 0 {
			t.Errorf("nothing: %v", got)
		}
	})
}

func TestBadInputLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		tables := []string{"reg_taxpayers", "reg_documents", "reg_history", "reg_counters", "reg_reviews", "audit_log"}
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = count(t, db, tb)
		}
		bad := register.PersonInput{
			Surname: "Smith", GivenName: "", Patronymic: "Иван0вич", BirthDate: fixedNow.AddDate(1, 0, 0), Sex: "x", Citizenship: "ru",
			Document: register.IdentityDocument{Type: "passport_ru", Series: "45", Number: "12345"}, SNILS: "112-233-445 96",
			Ground: "moon", TaxOffice: "7799", Address: register.Address{Region: "00"},
		}
		_, err := s.RegisterPerson(ctx, inspector, bad)
		f := fieldsOf(t, err)
		for _, name := range []string{"surname", "given_name", "patronymic", "birth_date", "sex", "citizenship", "identity_document.series", "identity_document.number", "snils", "ground", "tax_office", "address.region"} {
			if _, ok := f[name]; !ok {
				t.Errorf("no error on %s: %v", name, err)
			}
		}
		bad = person(1)
		bad.BirthDate = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
		bad.Document.Type = "diploma"
		_, err = s.RegisterPerson(ctx, inspector, bad)
		f = fieldsOf(t, err)
		if _, ok := f["birth_date"]; !ok || len(f) != 2 {
			t.Errorf("fields: %v", f)
		}
		if _, ok := f["identity_document.type"]; !ok {
			t.Errorf("fields: %v", f)
		}
		bad.Document = register.IdentityDocument{}
		bad.BirthDate = time.Time{}
		f = fieldsOf(t, func() error { _, err := s.RegisterPerson(ctx, inspector, bad); return err }())
		if _, ok := f["identity_document"]; !ok {
			t.Errorf("missing document: %v", f)
		}
		// A request refused inside the transaction leaves nothing either.
		if _, err := s.AssignKPP(ctx, inspector, "7701000019", register.KPPInput{Ground: register.KPPProperty, TaxOffice: "7701"}); !problem.Is(err, problem.NotFound) {
			t.Fatalf("unknown TIN: %v", err)
		}
		for _, tb := range tables {
			if n := count(t, db, tb); n != before[tb] {
				t.Errorf("%s: %d rows, was %d", tb, n, before[tb])
			}
		}
	})
}

func TestOfficesAndExtract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		offices, err := s.Offices(ctx)
		if err != nil || len(offices) < 500 {
			t.Fatalf("offices: %d %v", len(offices), err)
		}
		in := uniquePerson(1)
		in.TaxOffice = "7760"
		if _, err := s.RegisterPerson(ctx, inspector, in); !problem.Is(err, problem.Invalid) {
			t.Fatalf("unknown office: %v", err)
		}
		if err := s.AddOffice(ctx, inspector, register.Office{Code: "7760", Name: "Инспекция ФНС России № 60 по г. Москве"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOffice(ctx, inspector, register.Office{Code: "7760", Name: "Снова"}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("office twice: %v", err)
		}
		if err := s.AddOffice(ctx, inspector, register.Office{Code: "0001", Name: ""}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("bad office: %v", err)
		}
		tp := mustRegister(t, s, in)
		checkTIN(t, tp.TIN, 12, "7760")
		// REG-9: the extract names the officer by name and position, and the office (one added at
		// run time: its name, Moscow time); the register keeps what it stated under the number.
		officer := register.Officer{Login: "insp1", Name: "Иванова Анна Сергеевна", Position: "Главный государственный налоговый инспектор"}
		e1, err := s.Extract(ctx, inspector, tp.TIN, officer, nil)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := s.Extract(ctx, inspector, tp.TIN, register.Officer{Login: "insp1"}, nil)
		if err != nil || e1.Number == e2.Number || e1.IssuedBy != officer.Name || e1.Position != officer.Position || e2.IssuedBy != "insp1" ||
			e1.Office.FullName != "Инспекция ФНС России № 60 по г. Москве" || e1.Office.TimeZone != register.DefaultTimeZone || e1.Taxpayer.TIN != tp.TIN {
			t.Fatalf("extracts: %+v %+v %v", e1, e2, err)
		}
		if x, err := s.IssuedExtract(ctx, e1.Number); err != nil || x.TIN != tp.TIN || x.IssuedBy != officer.Name || x.Position != officer.Position ||
			x.OfficeCode != "7760" || x.Status != register.StatusActive || x.Name == "" || x.IssuedAt.Sub(e1.IssuedAt).Abs() > time.Millisecond {
			t.Fatalf("issued extract: %+v %v", x, err)
		}
		if got, _ := db.ListAudit(ctx, audit.Filter{Subject: tp.TIN, Action: "taxpayer.extract"}); len(got) != 2 {
			t.Fatalf("extract audit: %+v", got)
		}
		if _, err := s.Extract(ctx, inspector, "7701000019", officer, nil); !problem.Is(err, problem.NotFound) {
			t.Fatalf("extract of unknown: %v", err)
		}
	})
}

func TestRegisterPersonsBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		existing := mustRegister(t, s, uniquePerson(100))
		bad := uniquePerson(3)
		bad.Surname = "Smith"
		rows := []register.PersonInput{uniquePerson(1), uniquePerson(2), bad, uniquePerson(1), uniquePerson(100), person(201), person(202)}
		rows[6].BirthDate = rows[5].BirthDate // same name and birth as row 5 in the batch: review
		rows[6].SNILS = "112-233-445 95"
		sameSNILS := rows[6] // another document, the СНИЛС of row 6: follows row 6
		sameSNILS.Document.Number = "300300"
		sameSNILS.SNILS = "11223344595"
		otherSNILS := uniquePerson(301) // another person with the СНИЛС of row 6, itself held: refused
		otherSNILS.SNILS = "11223344595"
		renamed := uniquePerson(1) // the document of row 0 with another name: held, row 0's TIN the candidate
		renamed.Surname = "Петрова"
		stranger := uniquePerson(302) // the document on record for existing, another name: held
		stranger.Document = uniquePerson(100).Document
		rows = append(rows, sameSNILS, otherSNILS, renamed, stranger)
		out, err := s.RegisterPersons(ctx, inspector, rows)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(rows) {
			t.Fatalf("%d results", len(out))
		}
		if out[0].Err != nil || !out[0].Created || out[1].Err != nil || !out[1].Created {
			t.Fatalf("good rows: %+v %+v", out[0], out[1])
		}
		if out[2].Err == nil || !problem.Is(out[2].Err, problem.Invalid) {
			t.Fatalf("bad row: %+v", out[2])
		}
		if out[3].Err != nil || out[3].Created || out[3].Taxpayer.TIN != out[0].Taxpayer.TIN {
			t.Fatalf("repeat in batch: %+v", out[3])
		}
		if out[4].Created || out[4].Taxpayer.TIN != existing.TIN {
			t.Fatalf("existing: %+v", out[4])
		}
		if out[6].Review == nil || len(out[6].Review.Candidates) != 1 || out[6].Review.Candidates[0] != out[5].Taxpayer.TIN {
			t.Fatalf("review in batch: %+v %+v", out[6], out[6].Review)
		}
		if out[7].Review == nil || out[7].Review.ID != out[6].Review.ID {
			t.Fatalf("same SNILS in batch: %+v", out[7])
		}
		// REG-3: a document or СНИЛС of another person is never that person's record.
		if f := fieldsOf(t, out[8].Err); f["snils"].Field == "" || out[8].Taxpayer != nil {
			t.Fatalf("SNILS of another person held in the batch: %+v", out[8])
		}
		if r := out[9]; r.Err != nil || r.Taxpayer != nil || r.Review == nil || !slices.Equal(r.Review.Candidates, []string{out[0].Taxpayer.TIN}) {
			t.Fatalf("document of row 0 with another name: %+v", r)
		}
		if r := out[10]; r.Err != nil || r.Taxpayer != nil || r.Review == nil || !slices.Equal(r.Review.Candidates, []string{existing.TIN}) {
			t.Fatalf("document on record with another name: %+v", r)
		}
		// The same batch again: the same outcomes, no new TIN and no second review.
		again, err := s.RegisterPersons(ctx, inspector, rows)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			a, b := out[i], again[i]
			switch {
			case (a.Err == nil) != (b.Err == nil), (a.Taxpayer == nil) != (b.Taxpayer == nil), (a.Review == nil) != (b.Review == nil),
				a.Taxpayer != nil && a.Taxpayer.TIN != b.Taxpayer.TIN, a.Review != nil && a.Review.ID != b.Review.ID, b.Created:
				t.Errorf("row %d again: %+v, first %+v", i, b, a)
			}
		}
		if n := count(t, db, "reg_taxpayers"); n != 4 {
			t.Fatalf("%d taxpayers", n)
		}
		// BO-5: the batch is one staff action on the persons it registered, found from each of them.
		for _, r := range []register.BatchResult{out[0], out[1], out[5]} {
			got, err := db.ListAudit(ctx, audit.Filter{Subject: r.Taxpayer.TIN, Action: "person.register"})
			if err != nil || len(got) != 1 || got[0].Subject != r.Taxpayer.TIN || got[0].Count != 3 || got[0].Actor.Login != inspector.Login ||
				got[0].Details != "persons=3 offices=7701" {
				t.Fatalf("audit of %s: %+v %v", r.Taxpayer.TIN, got, err)
			}
		}
		if got, _ := db.ListAudit(ctx, audit.Filter{Actor: inspector.Login, Action: "person.register"}); len(got) != 2 || got[0].Count != 3 {
			t.Fatalf("audit of the inspector: %+v", got)
		}
		for _, r := range out {
			if r.Taxpayer != nil {
				checkTIN(t, r.Taxpayer.TIN, 12, "7701")
			}
		}
	})
}

// TestSearchUsesIndexes checks that the TIN-prefix and name-prefix searches are index range
// scans, not full scans, whatever the table size.
func TestSearchUsesIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queries := map[string][]any{
			"reg_taxpayers_name": {`SELECT t.tin FROM reg_taxpayers t WHERE t.name_norm >= $1 AND t.name_norm < $2 AND t.kind = $3 ORDER BY t.name_norm, t.tin LIMIT 50`, "ИВ", "ИВ\U0010FFFF", "person"},
			"tin":                {`SELECT t.tin FROM reg_taxpayers t WHERE t.tin >= $1 AND t.tin < $2 ORDER BY t.tin LIMIT 50`, "7701", "7701\U0010FFFF"},
			"reg_documents key":  {`SELECT t.tin FROM reg_taxpayers t JOIN reg_documents d ON d.tin = t.tin WHERE d.doc_key IN ($1, $2) ORDER BY t.tin LIMIT 50`, "passport_ru:4500000001", "other:4500000001"},
		}
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		explain := "EXPLAIN QUERY PLAN "
		if db.Dialect == store.Postgres {
			explain = "EXPLAIN "
			// A fresh table is tiny: make the planner show what it does on a big one.
			if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
				t.Fatal(err)
			}
		}
		for want, q := range queries {
			rows, err := conn.QueryContext(ctx, explain+q[0].(string), q[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			var plan strings.Builder
			for rows.Next() {
				cols, _ := rows.Columns()
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(&plan, vals...)
			}
			rows.Close()
			p := plan.String()
			if strings.Contains(p, "SCAN t\n") || strings.Contains(p, "Seq Scan") || (!strings.Contains(strings.ToLower(p), "index") && !strings.Contains(p, "PRIMARY KEY")) {
				t.Errorf("%s: plan without index:\n%s", want, p)
			}
		}
	})
}

// TestConcurrentOverlappingBatches: two bulk batches with the same persons, at once, give each
// person one TIN (REG-3 holds for the bulk path too).
func TestConcurrentOverlappingBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		batch := make([]register.PersonInput, 200)
		for i := range batch {
			batch[i] = uniquePerson(5000 + i)
		}
		results := make([][]register.BatchResult, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for k := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[k], errs[k] = s.RegisterPersons(context.Background(), inspector, batch)
			}()
		}
		wg.Wait()
		for k := range results {
			if errs[k] != nil {
				t.Fatal(errs[k])
			}
			for i, r := range results[k] {
				if r.Err != nil || r.Taxpayer == nil || r.Taxpayer.TIN != results[0][i].Taxpayer.TIN {
					t.Fatalf("batch %d row %d: %+v %v", k, i, r.Result, r.Err)
				}
			}
		}
		if n := count(t, db, "reg_taxpayers"); n != len(batch) {
			t.Fatalf("%d taxpayers for %d persons", n, len(batch))
		}
	})
}

// TestRecordRoundTrip: a record with every field filled comes back from the store as it was
// registered (the data column is written by encoding/json and read by the JSON v2 decoder).
func TestRecordRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := person(7)
		in.SNILS = "112-233-445 95"
		in.Patronymic = "Ильич"
		in.Sex = register.Female
		in.Document.IssuedOn, in.Document.IssuedBy = time.Date(2010, 11, 12, 0, 0, 0, 0, time.UTC), "ОУФМС «Тверское» г. Москвы"
		in.Address = register.Address{Country: "RUS", Region: "77", PostalCode: "125009", City: "Москва", Street: "Тверская", House: "7", Flat: "12", Text: "вход со двора"}
		res, err := s.RegisterPerson(ctx, inspector, in)
		if err != nil || !res.Created {
			t.Fatalf("register: %+v %v", res, err)
		}
		got, err := s.Taxpayer(ctx, res.Taxpayer.TIN)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res.Taxpayer.Person, got.Person); diff != "" {
			t.Errorf("person (-registered +read):\n%s", diff)
		}
		org, err := s.RegisterOrganization(ctx, inspector, register.OrganizationInput{FullName: "ООО «Ромашка» \"Север\"", ShortName: "Ромашка", OGRN: "1027700132195",
			Ground: register.GroundCreation, TaxOffice: "7701", Address: register.Address{Region: "77", City: "Москва"}, RegisteredOn: time.Date(2002, 7, 30, 0, 0, 0, 0, time.UTC)})
		if err != nil || !org.Created {
			t.Fatalf("register organization: %+v %v", org, err)
		}
		gotOrg, err := s.Taxpayer(ctx, org.Taxpayer.TIN)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(org.Taxpayer.Organization, gotOrg.Organization); diff != "" {
			t.Errorf("organization (-registered +read):\n%s", diff)
		}
	})
}
