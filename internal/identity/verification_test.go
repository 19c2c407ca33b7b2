package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// IDP-3: a verification never stays "in progress" for ever. With the registries down for good
// (or none configured) the job keeps asking, its back-off capped at an hour, for the five days
// of VerifyDeadline; then the verification ends as not completed, the citizen is told, and may
// send the data again.
func TestVerificationDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		e.reg.persons["11223344595"] = identity.PersonQuery{Surname: "Соколова", BirthDate: profile().BirthDate}
		e.reg.down = true
		if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
			t.Fatal(err)
		}
		runs := 0
		for elapsed := time.Duration(0); elapsed < identity.VerifyDeadline-time.Hour; elapsed += time.Hour {
			runs += e.runJobs()
			if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.InProgress {
				t.Fatalf("after %s: %s, want in progress", elapsed, v.State)
			}
			e.clock.Add(time.Hour)
		}
		if runs < 100 {
			t.Fatalf("the registries were asked %d times in five days; the back-off is not capped at an hour", runs)
		}
		if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a second submission while the first is checked: %v", err)
		}
		e.clock.Add(2 * time.Hour)
		e.runJobs()
		v, _ := e.p.Verification(ctx, a.ID)
		if v.State != identity.NotCompleted || v.Reason != identity.ReasonUnreachable {
			t.Fatalf("after five days of outage: %s %q", v.State, v.Reason)
		}
		told := false
		for _, m := range e.messages("+79161234567") {
			told = told || (m.Key == "notify.idp.not_completed" && strings.Contains(m.Body, "ещё раз"))
		}
		if !told {
			t.Fatal("the citizen was not told that the check did not complete")
		}
		// The data may be sent again at once; with the registries back, they are verified.
		e.reg.down = false
		if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
			t.Fatalf("a new submission after the deadline: %v", err)
		}
		e.runJobs()
		if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.Verified {
			t.Fatalf("the new submission: %s", v.State)
		}
	})
}

// The job's last attempt ends the verification as not completed (whatever ran its attempts
// out), instead of leaving it in progress behind a dead job.
func TestVerificationLastAttempt(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
	e.reg.down = true
	if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"account":"` + a.ID + `","seq":1}`)
	if err := e.p.HandleVerify(ctx, jobs.Job{Kind: identity.VerifyJob, Payload: payload, Attempts: 3, MaxAttempts: 8}); err == nil {
		t.Fatal("an unreachable registry before the last attempt must fail the run, to be tried again")
	}
	if err := e.p.HandleVerify(ctx, jobs.Job{Kind: identity.VerifyJob, Payload: payload, Attempts: 8, MaxAttempts: 8}); err != nil {
		t.Fatalf("the last attempt: %v", err)
	}
	if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.NotCompleted {
		t.Fatalf("after the last attempt: %s", v.State)
	}
	if err := e.p.SaveDraft(ctx, a.ID, profile()); err != nil {
		t.Fatalf("the draft after the last attempt: %v", err)
	}
}

// A citizen may withdraw a verification in progress to correct the data: it is a draft again
// (what was sent kept), the job asks nothing more, and the corrected data may be sent.
func TestWithdrawVerification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		e.reg.persons["11223344595"] = identity.PersonQuery{Surname: "Соколова", BirthDate: profile().BirthDate}
		e.reg.delay = 48 * time.Hour
		if err := e.p.WithdrawVerification(ctx, a.ID, origin); !problem.Is(err, problem.Conflict) {
			t.Fatalf("withdrawing a draft: %v", err)
		}
		if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
			t.Fatal(err)
		}
		e.runJobs()
		if err := e.p.WithdrawVerification(ctx, a.ID, origin); err != nil {
			t.Fatal(err)
		}
		v, _ := e.p.Verification(ctx, a.ID)
		if v.State != identity.Draft || v.Draft.BirthPlace != "г. Москва" {
			t.Fatalf("withdrawn: %s %+v", v.State, v.Draft)
		}
		e.clock.Add(49 * time.Hour)
		e.runJobs()
		if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.Draft {
			t.Fatalf("the job decided a withdrawn verification: %s", v.State)
		}
		if a, _ := e.p.Account(ctx, a.ID); a.Level != identity.Simplified {
			t.Fatalf("level %s", a.Level)
		}
		evs, _ := e.p.Events(ctx, a.ID, 10)
		if evs[0].Kind != "verification_withdrawn" {
			t.Fatalf("history %+v", evs[0])
		}
		if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
			t.Fatalf("sent again: %v", err)
		}
	})
}

// IDP-3: the ИНН, when given, is checked against kabinet's own register: the person it holds
// under that ИНН must have the name and birth date of the profile.
func TestINNCheckedAgainstRegister(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		e.reg.persons["11223344595"] = identity.PersonQuery{Surname: "Соколова", BirthDate: profile().BirthDate}
		e.tax["500100732259"] = identity.PersonQuery{Surname: "Иванов", GivenName: "Пётр", BirthDate: profile().BirthDate}
		e.tax["773412345677"] = identity.PersonQuery{Surname: "СОКОЛОВА", GivenName: "Елена", BirthDate: profile().BirthDate}
		p := profile()
		for _, c := range []struct {
			inn   string
			state identity.VerificationState
		}{{"500100732259", identity.Refused}, {"526317984689", identity.Refused}, {"773412345677", identity.Verified}} {
			p.INN = c.inn
			if err := e.p.SubmitProfile(ctx, a.ID, p, origin); err != nil {
				t.Fatalf("%s: %v", c.inn, err)
			}
			e.runJobs()
			v, _ := e.p.Verification(ctx, a.ID)
			if v.State != c.state {
				t.Fatalf("ИНН %s: %s, want %s", c.inn, v.State, c.state)
			}
			if c.state == identity.Refused {
				if v.Reason != identity.ReasonINNMismatch || v.Checks[len(v.Checks)-1].Registry != identity.TaxRegister {
					t.Fatalf("ИНН %s: %+v", c.inn, v)
				}
			}
		}
		if a, _ := e.p.Account(ctx, a.ID); a.Profile.INN != "773412345677" || a.Level != identity.Standard {
			t.Fatalf("account %+v", a)
		}
	})
}

// IDP-3: a refusal is told by SMS with its reason and what to do, in the citizen's language.
func TestRefusalMessage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
	e.reg.persons["11223344595"] = identity.PersonQuery{Surname: "Соколова", BirthDate: profile().BirthDate}
	e.reg.invalid["4510123456"] = true
	if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
		t.Fatal(err)
	}
	e.runJobs()
	var body string
	for _, m := range e.messages("+79161234567") {
		if m.Key == "notify.idp.refused" {
			body = m.Body
		}
	}
	want := []string{"не прошли проверку", "паспорт недействителен (утрачен, заменён или просрочен)", "Исправьте их в профиле и отправьте снова"}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("the refusal's SMS %q lacks %q", body, w)
		}
	}
}
