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

// REG-6, REG-7: a deregistration is checked — the request and the record as it stands — without
// writing, by the same rules as the write itself; and the endings offered are those the register
// allows for the record's state.
func TestCheckDeregistration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		a := mustRegister(t, s, uniquePerson(1))
		b := mustRegister(t, s, uniquePerson(2))
		unchanged := func(name string, tin string, history int) {
			t.Helper()
			got, err := s.Taxpayer(ctx, tin)
			if err != nil || got.Status != register.StatusActive || got.Ending != nil || len(got.History) != history {
				t.Fatalf("%s: the check wrote %+v %v", name, got, err)
			}
			if e, _ := db.ListAudit(ctx, audit.Filter{Subject: tin, Action: "taxpayer.deregister"}); len(e) != 0 {
				t.Fatalf("%s: the check wrote to the audit log: %+v", name, e)
			}
		}
		// The date on its field: a death dated tomorrow or before the birth is refused before any
		// confirmation; so is a reason that is not a person's, or none.
		for name, c := range map[string]struct {
			e     register.Ending
			field string
		}{
			"death tomorrow":     {register.Ending{Reason: register.EndDeath, On: fixedNow.AddDate(0, 0, 1)}, "on"},
			"death before birth": {register.Ending{Reason: register.EndDeath, On: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, "on"},
			"no date":            {register.Ending{Reason: register.EndMoved}, "on"},
			"no reason":          {register.Ending{On: fixedNow}, "reason"},
			"liquidation":        {register.Ending{Reason: register.EndLiquidation, On: fixedNow}, "reason"},
			"note on two lines":  {register.Ending{Reason: register.EndMoved, On: fixedNow, Note: "a\nb"}, "note"},
		} {
			if _, err := s.CheckDeregistration(ctx, a.TIN, c.e); fieldsOf(t, err)[c.field].Field == "" {
				t.Errorf("%s: want an error on %s, got %v", name, c.field, err)
			}
		}
		// A good request answers what would follow, and writes nothing.
		d, err := s.CheckDeregistration(ctx, a.TIN, register.Ending{Reason: register.EndDeath, On: fixedNow.Add(5 * time.Hour), Note: "  акт   № 5 "})
		if err != nil || !d.Stops || d.Taxpayer.TIN != a.TIN || !d.Ending.On.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) || d.Ending.Note != "акт № 5" {
			t.Fatalf("death: %+v %v", d, err)
		}
		if d, err := s.CheckDeregistration(ctx, a.TIN, register.Ending{Reason: register.EndMoved, On: fixedNow}); err != nil || d.Stops {
			t.Fatalf("moved: %+v %v", d, err)
		}
		unchanged("checks", a.TIN, 1)
		// A duplicate: the kept TIN checked and followed, nothing written.
		if _, err := s.CheckDuplicate(ctx, a.TIN, "770100999999", ""); fieldsOf(t, err)["kept_tin"].Field == "" {
			t.Fatalf("kept unknown: %v", err)
		}
		if d, err := s.CheckDuplicate(ctx, a.TIN, b.TIN, "два ИНН"); err != nil || !d.Stops || d.Kept == nil || d.Kept.TIN != b.TIN || d.Ending.KeptTIN != b.TIN {
			t.Fatalf("duplicate: %+v %v", d, err)
		}
		unchanged("the duplicate's check", a.TIN, 1)
		unchanged("the kept one", b.TIN, 1)

		// Once deregistered (moved), only the endings that stop the TIN are allowed, and offered.
		if got := register.EndReasons(register.KindPerson, register.StatusActive); !slices.Equal(got, []register.EndReason{register.EndMoved, register.EndDeath, register.EndOther}) {
			t.Fatalf("active person: %v", got)
		}
		if _, err := s.Deregister(ctx, inspector, a.TIN, register.Ending{Reason: register.EndMoved, On: fixedNow}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []register.EndReason{register.EndMoved, register.EndOther} {
			if _, err := s.CheckDeregistration(ctx, a.TIN, register.Ending{Reason: r, On: fixedNow}); !problem.Is(err, problem.Conflict) {
				t.Fatalf("deregistered again (%s): %v", r, err)
			}
		}
		if d, err := s.CheckDeregistration(ctx, a.TIN, register.Ending{Reason: register.EndDeath, On: fixedNow}); err != nil || !d.Stops {
			t.Fatalf("death of a deregistered person: %+v %v", d, err)
		}
		for _, c := range []struct {
			kind register.Kind
			want []register.EndReason
		}{
			{register.KindPerson, []register.EndReason{register.EndDeath}},
			{register.KindOrganization, []register.EndReason{register.EndLiquidation, register.EndReorganization}},
			{register.KindForeign, []register.EndReason{register.EndLiquidation, register.EndReorganization, register.EndRedomiciled}},
		} {
			if got := register.EndReasons(c.kind, register.StatusDeregistered); !slices.Equal(got, c.want) {
				t.Errorf("deregistered %s: %v, want %v", c.kind, got, c.want)
			}
			if got := register.EndReasons(c.kind, register.StatusNotApplied); len(got) != 0 {
				t.Errorf("not applied %s: %v", c.kind, got)
			}
		}
		// A TIN that is not applied is final: nothing is checked as allowed.
		if _, err := s.Deregister(ctx, inspector, a.TIN, register.Ending{Reason: register.EndDeath, On: fixedNow}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckDeregistration(ctx, a.TIN, register.Ending{Reason: register.EndDeath, On: fixedNow}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("not applied, checked again: %v", err)
		}
		if _, err := s.CheckDuplicate(ctx, b.TIN, a.TIN, ""); fieldsOf(t, err)["kept_tin"].Field == "" {
			t.Fatalf("kept not applied: %v", err)
		}
	})
}
