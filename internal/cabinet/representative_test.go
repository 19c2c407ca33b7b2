package cabinet_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-8, BO-2: a representative with a notarized power of attorney acts in the principal's
// account while it is valid — on its last day too, not the day after; the documents are checked
// and the action audited; revoking ends it.
func TestPowerOfAttorney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		principal := e.person("Белова", "Нина", "Степановна", time.Date(1940, 5, 9, 0, 0, 0, 0, time.UTC), "")
		rep := e.person("Белов", "Олег", "Игоревич", time.Date(1968, 7, 1, 0, 0, 0, 0, time.UTC), "")
		in := cabinet.RepInput{Principal: principal, Representative: rep, Kind: cabinet.PowerOfAttorney, Notary: "Иванова Т. П., нотариус г. Москвы",
			Number: "77 АГ 1234567", IssuedOn: "2026-11-20", ValidUntil: "2026-12-10", Powers: []string{cabinet.PowerExtracts}}
		_, err := e.svc.AddRepresentation(ctx, inspector, in)
		if p, _ := problem.As(err); p == nil || len(p.Fields) != 2 {
			t.Fatalf("documents not checked: %v", err)
		}
		in.PassportShown, in.DocumentShown = true, true
		bad := in
		bad.ValidUntil, bad.Powers, bad.Notary = "2026-11-01", nil, ""
		_, err = e.svc.AddRepresentation(ctx, inspector, bad)
		if p, _ := problem.As(err); p == nil || len(p.Fields) != 3 {
			t.Fatalf("expired, no powers, no notary: %v", err)
		}
		// A representative's TIN with a wrong check digit is told so, not that 12 digits are needed.
		bad = in
		bad.Representative = rep[:11] + string('0'+(rep[11]-'0'+1)%10)
		_, err = e.svc.AddRepresentation(ctx, inspector, bad)
		if p, _ := problem.As(err); p == nil || len(p.Fields) != 1 || p.Fields[0].Field != "representative" || !strings.Contains(p.Fields[0].In("ru"), "контрольн") {
			t.Fatalf("a representative's TIN with a wrong check digit: %v", err)
		}
		r, err := e.svc.AddRepresentation(ctx, inspector, in)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Can(cabinet.PowerView) || !r.Can(cabinet.PowerExtracts) || r.Can(cabinet.PowerPayments) {
			t.Fatalf("powers %v", r.Powers)
		}
		// The principal had no account: one without credentials now exists.
		if a, err := e.svc.Account(ctx, principal); err != nil || a.Source != cabinet.Managed || a.HasPassword() {
			t.Fatalf("principal's account %+v %v", a, err)
		}
		if entries, _ := db.ListAudit(ctx, audit.Filter{Subject: principal, Action: "lk.representative.add"}); len(entries) != 1 {
			t.Fatalf("audit %+v", entries)
		}
		act, err := e.svc.StartActing(ctx, rep, principal, origin)
		if err != nil || act.Principal.TIN != principal {
			t.Fatalf("acting: %+v %v", act, err)
		}
		// Someone else may not; the principal's history says who acted.
		_, err = e.svc.Act(ctx, principal, rep)
		wantCode(t, err, problem.Forbidden, "lk.acting.none")
		evs, _ := e.svc.Events(ctx, principal, 10)
		if len(evs) == 0 || evs[0].Kind != "acting" || evs[0].Actor != rep {
			t.Fatalf("principal's history %+v", evs)
		}
		// The last day (10 December, Moscow time) is valid; the 11th is not.
		e.clock.Add(8*24*time.Hour + 10*time.Hour) // 10 December 20:00 UTC is 23:00 in Moscow
		if _, err := e.svc.Act(ctx, rep, principal); err != nil {
			t.Fatalf("on its last day: %v", err)
		}
		e.clock.Add(2 * time.Hour)
		_, err = e.svc.Act(ctx, rep, principal)
		wantCode(t, err, problem.Forbidden, "lk.acting.expired")
		if p, _ := problem.As(err); !strings.Contains(p.Message.In("ru"), "10.12.2026") {
			t.Fatalf("the refusal does not say when: %v", err)
		}
		_, asRep, err := e.svc.Representations(ctx, rep)
		if err != nil || len(asRep) != 1 || asRep[0].Valid || asRep[0].Why != "lk.acting.expired" || asRep[0].Name != "Белова Нина Степановна" {
			t.Fatalf("representations %+v %v", asRep, err)
		}
		// Revoked: refused with its own reason, and not twice.
		if _, err := e.svc.RevokeRepresentation(ctx, inspector, r.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RevokeRepresentation(ctx, inspector, r.ID)
		wantCode(t, err, problem.Conflict, "lk.acting.revoked")
	})
}

// LK-8: a parent with the birth certificate manages a child's account until the child's 14th
// birthday, when the access ends; the child gets no card before; a parent of a 14-year-old is
// refused.
func TestParentUntilFourteen(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	// The child turns 14 on 5 December 2026, three days after the tests' first day.
	child := e.person("Павлова", "Софья", "Олеговна", time.Date(2012, 12, 5, 0, 0, 0, 0, time.UTC), "")
	parent := e.person("Павлова", "Ирина", "Сергеевна", time.Date(1985, 1, 15, 0, 0, 0, 0, time.UTC), "")
	_, err := e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: child, Checks: cabinet.Checklist{PassportShown: true}})
	wantCode(t, err, problem.Conflict, "lk.card.child")
	r, err := e.svc.AddRepresentation(ctx, inspector, cabinet.RepInput{Principal: child, Representative: parent, Kind: cabinet.Parent,
		Series: "IV-МЮ", Number: "501234", IssuedOn: "2012-12-25", PassportShown: true, DocumentShown: true})
	if err != nil {
		t.Fatal(err)
	}
	if !r.ValidUntil.Equal(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)) || len(r.Powers) != len(cabinet.Powers) {
		t.Fatalf("parent's right %+v", r)
	}
	if _, err := e.svc.Act(ctx, parent, child); err != nil {
		t.Fatalf("the day before: %v", err)
	}
	e.clock.Add(2*24*time.Hour + 10*time.Hour) // 4 December, 23:00 in Moscow
	if _, err := e.svc.Act(ctx, parent, child); err != nil {
		t.Fatalf("the evening before the birthday: %v", err)
	}
	e.clock.Add(2 * time.Hour) // 5 December, 01:00 in Moscow: the child is 14
	_, err = e.svc.Act(ctx, parent, child)
	wantCode(t, err, problem.Forbidden, "lk.acting.grown")
	// Now the child gets a card of their own; a parent of a 14-year-old is refused.
	if _, err := e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: child, Checks: cabinet.Checklist{PassportShown: true}}); err != nil {
		t.Fatalf("the child's own card: %v", err)
	}
	_, err = e.svc.AddRepresentation(ctx, inspector, cabinet.RepInput{Principal: child, Representative: parent, Kind: cabinet.AdoptiveParent,
		Number: "1", IssuedOn: "2013-01-01", PassportShown: true, DocumentShown: true})
	wantCode(t, err, problem.Invalid, "lk.rep.adult")
}
