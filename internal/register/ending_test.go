package register_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-6, REG-7: deregistration, TINs that stop being applied, duplicates and the kept TIN
// (ending.go).

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
