package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestStaffLoginLockoutTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		svc := staff.New(store.NewStaff(db), password.NewHasherWith(cheap, 2), func() time.Time { return now })
		admin := audit.Actor{Login: "cli", Role: "system"}
		if _, err := svc.Add(ctx, admin, "ivanova", staff.RoleInspector, "Иванова А. А.", "long-enough-pass"); err != nil {
			t.Fatal(err)
		}
		// Bad input names every field.
		_, err := svc.Add(ctx, admin, "a", "boss", "", "short")
		p, _ := problem.As(err)
		if p == nil || len(p.Fields) != 3 {
			t.Fatalf("bad input: %v", err)
		}
		if _, err := svc.Add(ctx, admin, "ivanova", staff.RoleOperator, "", "long-enough-pass"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("duplicate login: %v", err)
		}
		m, err := svc.Login(ctx, "ivanova", "long-enough-pass", "127.0.0.1")
		if err != nil || m.Role != staff.RoleInspector {
			t.Fatalf("login: %v", err)
		}
		// No enumeration: unknown login and wrong password give the same error.
		_, e1 := svc.Login(ctx, "nobody", "x", "")
		_, e2 := svc.Login(ctx, "ivanova", "wrong", "")
		p1, _ := problem.As(e1)
		p2, _ := problem.As(e2)
		if p1 == nil || p2 == nil || p1.Code != problem.Unauthorized || p1.Message != p2.Message {
			t.Fatalf("enumeration: %v / %v", e1, e2)
		}
		// Lockout after 5 wrong passwords within the window (one already counted).
		for i := 0; i < 3; i++ {
			if _, err := svc.Login(ctx, "ivanova", "wrong", ""); !problem.Is(err, problem.Unauthorized) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		if _, err := svc.Login(ctx, "ivanova", "wrong", ""); !problem.Is(err, problem.TooMany) {
			t.Fatalf("5th wrong: %v", err)
		}
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", ""); !problem.Is(err, problem.TooMany) {
			t.Fatalf("right password while locked: %v", err)
		}
		now = now.Add(16 * time.Minute)
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", ""); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// Tokens.
		tok, exp, err := svc.IssueToken(ctx, admin, "ivanova", time.Hour)
		if err != nil || !strings.HasPrefix(tok, "kbt_") || !exp.Equal(now.Add(time.Hour)) {
			t.Fatalf("token: %v", err)
		}
		if m, err := svc.Authenticate(ctx, tok); err != nil || m.Login != "ivanova" {
			t.Fatalf("authenticate: %v", err)
		}
		if _, err := svc.Authenticate(ctx, tok+"x"); !problem.Is(err, problem.Unauthorized) {
			t.Fatal("altered token accepted")
		}
		now = now.Add(2 * time.Hour)
		if _, err := svc.Authenticate(ctx, tok); !problem.Is(err, problem.Unauthorized) {
			t.Fatal("expired token accepted")
		}
		tok2, _, _ := svc.IssueToken(ctx, admin, "ivanova", time.Hour)
		if err := svc.Disable(ctx, admin, "ivanova"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, tok2); !problem.Is(err, problem.Unauthorized) {
			t.Fatal("token of a disabled member accepted")
		}
		// Every action is in the audit log; no password or token in it.
		entries, _ := db.ListAudit(ctx, audit.Filter{Subject: "ivanova"})
		actions := map[string]bool{}
		for _, e := range entries {
			actions[e.Action] = true
			if strings.Contains(e.Details, "long-enough") || strings.Contains(e.Details, tok) {
				t.Fatal("secret in the audit log")
			}
		}
		for _, a := range []string{"staff.add", "staff.login", "staff.locked", "staff.token", "staff.disable"} {
			if !actions[a] {
				t.Errorf("audit lacks %s: %v", a, actions)
			}
		}
	})
}
