package identity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// IDP-6: the security answer is guessed under AnswerPolicy: five tries an hour from one
// address, then even the right answer is refused until the hour ends; another address may try.
func TestAnswerAttemptLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		f, err := e.recover("+79161234567", origin)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.p.SubmitRecoveryCode(ctx, f, e.lastCode("+79161234567"), origin); err != nil || f.State != identity.StepAnswer {
			t.Fatalf("code: %v %s", err, f.State)
		}
		for i := 0; i < identity.AnswerPolicy.PerClient.Max; i++ {
			if err := e.p.SubmitAnswer(ctx, f, fmt.Sprint("Петрова", i), origin); fieldOf(err) != "answer" {
				t.Fatalf("wrong answer %d: %v", i+1, err)
			}
		}
		if err := e.p.SubmitAnswer(ctx, f, "Смирнова", origin); !problem.Is(err, problem.TooMany) {
			t.Fatalf("the right answer after the tries ran out: %v", err)
		}
		other := identity.Origin{Address: "10.7.7.7", Lang: "ru"}
		if err := e.p.SubmitAnswer(ctx, f, "Смирнова", other); err != nil {
			t.Fatalf("the right answer from another address: %v", err)
		}
		if f.State != identity.StepNewPass {
			t.Fatalf("state %s", f.State)
		}
		e.clock.Add(time.Hour)
	})
}

// The password limits are the staff's design: a stranger's burst from many addresses delays
// every other device, and the counters of one address lock that address; but the owner's
// trusted device (where they signed in before) has its own counter and gets in at once.
func TestPasswordLockoutSparesTrustedDevice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		home := identity.Origin{Address: "10.0.0.5", Lang: "ru"}
		res, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", home)
		if err != nil || res.Device == "" {
			t.Fatalf("first login: %v", err)
		}
		home.Device = res.Device
		// One address: locked after PerClient tries.
		stranger := identity.Origin{Address: "203.0.113.7", Lang: "ru"}
		for i := 0; i < identity.PasswordPolicy.PerClient.Max; i++ {
			if _, err := e.p.Login(ctx, "+79161234567", "guess-"+fmt.Sprint(i), stranger); !problem.Is(err, problem.Unauthorized) {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		if _, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", stranger); !problem.Is(err, problem.TooMany) {
			t.Fatalf("the right password from a locked address: %v", err)
		}
		// Many addresses: the overall budget is spent; a new device waits.
		for i := 0; i < 3*identity.PasswordPolicy.Overall.Budget; i++ {
			e.p.Login(ctx, "8 916 123 45 67", "guess", identity.Origin{Address: fmt.Sprintf("198.51.100.%d", i+1)})
		}
		if _, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", identity.Origin{Address: "192.0.2.1"}); !problem.Is(err, problem.TooMany) {
			t.Fatalf("a new device during the burst: %v", err)
		}
		// A forged device token is no trusted device.
		forged := identity.Origin{Address: "192.0.2.2", Device: "forged-device-token"}
		if _, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", forged); !problem.Is(err, problem.TooMany) {
			t.Fatalf("a forged device token: %v", err)
		}
		// The owner's browser gets in, and its own counter is not the stranger's to spend.
		for i := 0; i < 3; i++ {
			if _, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", home); err != nil {
				t.Fatalf("the owner's trusted device during the burst (%d): %v", i+1, err)
			}
		}
	})
}

// A password change asks the current password (under the password limits): a wrong one is
// refused under its field and changes nothing; the right one sets the new password, tells the
// owner and is in the history.
func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		if err := e.p.ChangePassword(ctx, a.ID, " ", "Kama-river-2027", "Kama-river-2027", origin); requiredField(err) != "current_password" {
			t.Fatalf("the current password left empty: %v", err)
		}
		if err := e.p.ChangePassword(ctx, a.ID, "Volga-river-2025", "Kama-river-2027", "Kama-river-2027", origin); fieldOf(err) != "current_password" {
			t.Fatalf("a wrong current password: %v", err)
		}
		if err := e.p.ChangePassword(ctx, a.ID, "Volga-river-2026", "qwerty123", "qwerty123", origin); fieldOf(err) != "new_password" {
			t.Fatalf("a common new password: %v", err)
		}
		if err := e.p.ChangePassword(ctx, a.ID, "Volga-river-2026", "Kama-river-2027", "Kama-river-2027", origin); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", origin); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("the old password: %v", err)
		}
		if _, err := e.p.Login(ctx, "+79161234567", "Kama-river-2027", origin); err != nil {
			t.Fatalf("the new password: %v", err)
		}
		evs, _ := e.p.Events(ctx, a.ID, 5)
		if kinds := eventKinds(evs); kinds != "login login_failed password_changed registered" {
			t.Fatalf("history %s", kinds)
		}
		told := false
		for _, m := range e.messages("+79161234567") {
			told = told || m.Key == "notify.idp.password_changed"
		}
		if !told {
			t.Fatal("the owner was not told of the new password")
		}
	})
}

// eventKinds lists the kinds of a history, the newest first.
func eventKinds(evs []identity.Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return strings.Join(out, " ")
}
