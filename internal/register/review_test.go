package register_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-3: registrations held for an inspector, and the decision (review.go).

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

// BO-3, REG-3: an application held because the applicant gave another registered person's СНИЛС
// (or document) cannot be that person's nor get a new TIN with it; the inspector refuses it with
// a reason: no TIN is assigned, the review is closed as refused with the reason, in the audit log.
func TestRefuseReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := uniquePerson(10)
		in.SNILS = "112-233-445 95"
		first := mustRegister(t, s, in)
		other := uniquePerson(11)
		other.SNILS = in.SNILS
		r, err := s.RegisterPerson(ctx, inspector, other)
		if err != nil || r.Review == nil {
			t.Fatalf("held: %+v %v", r, err)
		}
		id := r.Review.ID
		if _, err := s.DecideReview(ctx, inspector, id, ""); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a different person with the SNILS: %v", err)
		}
		// The reason is required, one line.
		for _, reason := range []string{"", "   ", "указан СНИЛС\nдругого лица", strings.Repeat("я", 1001)} {
			if _, err := s.CheckRefusal(ctx, id, reason); fieldsOf(t, err)["refusal_reason"].Field == "" {
				t.Errorf("reason %q: %v", reason, err)
			}
			if _, err := s.RefuseReview(ctx, inspector, id, reason); fieldsOf(t, err)["refusal_reason"].Field == "" {
				t.Errorf("refused with reason %q: %v", reason, err)
			}
		}
		if _, err := s.CheckRefusal(ctx, 99999, "x"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("no such review: %v", err)
		}
		if rv, err := s.CheckRefusal(ctx, id, "указан СНИЛС другого лица"); err != nil || rv.ID != id || rv.Status != register.ReviewPending {
			t.Fatalf("check: %+v %v", rv, err)
		}
		taxpayers := count(t, db, "reg_taxpayers")
		rv, err := s.RefuseReview(ctx, inspector, id, "  указан СНИЛС   другого лица ")
		if err != nil || rv.Status != register.ReviewRefused || rv.Reason != "указан СНИЛС другого лица" || rv.ResultTIN != "" || rv.DecidedBy != "insp1" {
			t.Fatalf("refused: %+v %v", rv, err)
		}
		if n := count(t, db, "reg_taxpayers"); n != taxpayers {
			t.Fatalf("a refusal assigned a TIN: %d taxpayers, were %d", n, taxpayers)
		}
		if got, err := s.Review(ctx, id); err != nil || got.Status != register.ReviewRefused || got.Reason != "указан СНИЛС другого лица" || got.DecidedAt == nil {
			t.Fatalf("stored: %+v %v", got, err)
		}
		if list, err := s.Reviews(ctx, register.ReviewRefused, 10); err != nil || len(list) != 1 || list[0].ID != id {
			t.Fatalf("refused reviews: %+v %v", list, err)
		}
		if list, _ := s.Reviews(ctx, register.ReviewPending, 10); len(list) != 0 {
			t.Fatalf("still pending: %+v", list)
		}
		e, err := db.ListAudit(ctx, audit.Filter{Subject: fmt.Sprint("review:", id), Action: "person.review_decide"})
		if err != nil || len(e) != 1 || e[0].Details != "decision=refused refusal=указан СНИЛС другого лица" || e[0].Actor.Login != "insp1" {
			t.Fatalf("audit: %+v %v", e, err)
		}
		// Decided once: neither refused again nor decided otherwise; the first person is untouched.
		if _, err := s.RefuseReview(ctx, inspector, id, "ещё раз"); !problem.Is(err, problem.Conflict) {
			t.Fatalf("refused twice: %v", err)
		}
		if _, err := s.CheckRefusal(ctx, id, "ещё раз"); !problem.Is(err, problem.Conflict) {
			t.Fatalf("checked after the refusal: %v", err)
		}
		if _, err := s.DecideReview(ctx, inspector, id, first.TIN); !problem.Is(err, problem.Conflict) {
			t.Fatalf("decided after the refusal: %v", err)
		}
		if got, _ := s.Taxpayer(ctx, first.TIN); len(got.History) != 1 || len(got.Person.Documents) != 1 {
			t.Fatalf("the person whose SNILS was given: %+v", got)
		}
		// The same application made again is held for a new review.
		again, err := s.RegisterPerson(ctx, inspector, other)
		if err != nil || again.Review == nil || again.Review.ID == id || again.Review.Status != register.ReviewPending {
			t.Fatalf("the application again: %+v %v", again, err)
		}
	})
}
