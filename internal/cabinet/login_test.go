package cabinet_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// No answer tells whether a TIN has an account: an unknown TIN, a TIN without an account, a
// malformed login and a wrong password answer alike and each costs one hash, counted by the
// limits before it is computed; the demonstration account opens with any password (LK-9).
func TestLoginAnswersAlike(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	tin := e.person("Лебедева", "Екатерина", "Игоревна", time.Date(1981, 2, 3, 0, 0, 0, 0, time.UTC), "")
	noAccount := e.person("Лебедев", "Игорь", "Петрович", time.Date(1955, 2, 3, 0, 0, 0, 0, time.UTC), "")
	c := e.card(tin)
	var texts []string
	for _, login := range []string{tin, noAccount, "500100732259", "12345", "not a tin"} {
		before := e.hasher.Computed()
		_, err := e.svc.Login(ctx, login, "Wrong-1!", origin)
		wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")
		if n := e.hasher.Computed() - before; n != 1 {
			t.Errorf("%q: %d hashes, want 1", login, n)
		}
		p, _ := problem.As(err)
		texts = append(texts, p.Message.In("ru"))
	}
	for _, s := range texts[1:] {
		if s != texts[0] {
			t.Fatalf("answers differ: %q", texts)
		}
	}
	// The limits: after the overall budget a TIN is delayed, known or not, the right password too.
	for i := 0; i < 12; i++ {
		_, _ = e.svc.Login(ctx, tin, "Wrong-1!", cabinet.Origin{Address: "198.51.100." + string(rune('1'+i%9))})
		_, _ = e.svc.Login(ctx, noAccount, "Wrong-1!", cabinet.Origin{Address: "198.51.100." + string(rune('1'+i%9))})
	}
	_, err := e.svc.Login(ctx, tin, c.TemporaryPassword, cabinet.Origin{Address: "203.0.113.5"})
	wantCode(t, err, problem.TooMany, "limits.too_many")
	_, err = e.svc.Login(ctx, noAccount, c.TemporaryPassword, cabinet.Origin{Address: "203.0.113.5"})
	wantCode(t, err, problem.TooMany, "limits.too_many")
	// LK-9.
	res, err := e.svc.Login(ctx, "000 000 000 00", "", origin)
	if err != nil || !res.Demo || res.Account != nil {
		t.Fatalf("demo: %+v %v", res, err)
	}
}

// LK-6's entry: a provider's person is found by the TIN or by СНИЛС in the register; the first
// such login creates the account, without a password; a person the register lacks is refused.
func TestSignInThroughProvider(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	tin := e.person("Морозова", "Алла", "Викторовна", time.Date(1975, 3, 3, 0, 0, 0, 0, time.UTC), "171-845-096 83")
	a, created, err := e.svc.SignIn(ctx, cabinet.External{Provider: "kabinet", SNILS: "171-845-096 83"}, origin)
	if err != nil || !created || a.TIN != tin || a.HasPassword() || a.Source != cabinet.FromProvider {
		t.Fatalf("first sign-in: %+v %v %v", a, created, err)
	}
	if a, created, err = e.svc.SignIn(ctx, cabinet.External{Provider: "kabinet", TIN: tin}, origin); err != nil || created || a.TIN != tin {
		t.Fatalf("second sign-in: %+v %v %v", a, created, err)
	}
	_, _, err = e.svc.SignIn(ctx, cabinet.External{Provider: "kabinet", SNILS: "112-233-445 95"}, origin)
	wantCode(t, err, problem.Forbidden, "lk.provider.no_person")
	// A person first registered by card can later use either way.
	c := e.card(tin)
	if _, err := e.svc.Login(ctx, tin, c.TemporaryPassword, origin); err != nil {
		t.Fatal(err)
	}
}
