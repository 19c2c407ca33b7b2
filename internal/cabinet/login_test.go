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
