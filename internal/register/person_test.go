package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-1, REG-3, REG-4: registering individuals, one at a time, in batches and concurrently, with
// the check that a person has no TIN yet (person.go, person_match.go).

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
