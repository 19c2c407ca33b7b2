package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newStaff(db *store.DB, h *password.Hasher, now *time.Time) *staff.Service {
	clock := func() time.Time { return *now }
	return staff.New(store.NewStaff(db), h, limits.New(store.NewLimits(db), clock), clock)
}

func auditActions(t *testing.T, db *store.DB, subject string) map[string]int {
	t.Helper()
	entries, err := db.ListAudit(context.Background(), audit.Filter{Subject: subject, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range entries {
		out[e.Action]++
	}
	return out
}

func TestStaffLoginLimitsTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		svc := newStaff(db, password.NewHasherWith(cheap, 2), &now)
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
		home := limits.Origin{Address: "10.0.0.1"}
		res, err := svc.Login(ctx, "ivanova", "long-enough-pass", home)
		if err != nil || res.Member.Role != staff.RoleInspector || res.Device == "" {
			t.Fatalf("login: %+v %v", res, err)
		}
		device := limits.Origin{Address: "10.0.0.1", Device: res.Device}
		if res, err := svc.Login(ctx, "ivanova", "long-enough-pass", device); err != nil || res.Device != "" {
			t.Fatalf("login from the trusted device: %+v %v", res, err)
		}
		// No enumeration: an unknown login and a wrong password give the same error, and both
		// are counted alike.
		_, e1 := svc.Login(ctx, "nobody", "x", home)
		_, e2 := svc.Login(ctx, "ivanova", "wrong", home)
		p1, _ := problem.As(e1)
		p2, _ := problem.As(e2)
		if p1 == nil || p2 == nil || p1.Code != problem.Unauthorized || p1.Message.Key != p2.Message.Key {
			t.Fatalf("enumeration: %v / %v", e1, e2)
		}
		// A stranger's address: five wrong passwords, then that address may not try this login,
		// not even with the right password (one audit entry for the lock).
		stranger := limits.Origin{Address: "203.0.113.9"}
		for _, login := range []string{"ivanova", "nobody"} {
			for i := 0; i < 5; i++ {
				if _, err := svc.Login(ctx, login, "wrong", stranger); !problem.Is(err, problem.Unauthorized) {
					t.Fatalf("%s attempt %d: %v", login, i, err)
				}
			}
			for i := 0; i < 3; i++ {
				if _, err := svc.Login(ctx, login, "long-enough-pass", stranger); !problem.Is(err, problem.TooMany) {
					t.Fatalf("%s: the locked address tried again: %v", login, err)
				}
			}
		}
		if n := auditActions(t, db, "ivanova")["staff.login_locked"]; n != 1 {
			t.Fatalf("lock audited %d times", n)
		}
		// The owner, at home and on the trusted device, is not locked out by the stranger.
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", home); err != nil {
			t.Fatalf("owner at another address: %v", err)
		}
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", device); err != nil {
			t.Fatalf("owner on the trusted device: %v", err)
		}
		now = now.Add(16 * time.Minute)
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", stranger); err != nil {
			t.Fatalf("after the window: %v", err)
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
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", device); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("disabled member logged in: %v", err)
		}
		if _, _, err := svc.IssueToken(ctx, admin, "nobody", time.Hour); !problem.Is(err, problem.NotFound) {
			t.Fatalf("token for nobody: %v", err)
		}
		// Every action is in the audit log; no password or token in it.
		entries, _ := db.ListAudit(ctx, audit.Filter{Subject: "ivanova"})
		for _, e := range entries {
			if strings.Contains(e.Details, "long-enough") || strings.Contains(e.Details, tok) {
				t.Fatal("secret in the audit log")
			}
		}
		actions := auditActions(t, db, "ivanova")
		for _, a := range []string{"staff.add", "staff.login", "staff.login_locked", "staff.token", "staff.disable"} {
			if actions[a] == 0 {
				t.Errorf("audit lacks %s: %v", a, actions)
			}
		}
	})
}

// A burst of 50 concurrent wrong passwords from 10 addresses computes at most the overall
// budget's number of password hashes (the attempt is counted before the hash, atomically), for
// a known login and an unknown one alike; the start of the delay is one audit entry; then the
// owner's trusted device still gets in, and a new address waits for the delay.
func TestStaffLoginBurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		h := password.NewHasherWith(cheap, 4)
		svc := newStaff(db, h, &now)
		if _, err := svc.Add(ctx, audit.Actor{Login: "cli", Role: "system"}, "ivanova", staff.RoleInspector, "", "long-enough-pass"); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Login(ctx, "ivanova", "long-enough-pass", limits.Origin{Address: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		for _, login := range []string{"ivanova", "nobody"} {
			before := h.Computed()
			var wg sync.WaitGroup
			codes := make(chan problem.Code, 50)
			for i := 0; i < 50; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := svc.Login(ctx, login, "wrong", limits.Origin{Address: fmt.Sprintf("198.51.100.%d", i%10)})
					codes <- problem.CodeOf(err)
				}()
			}
			wg.Wait()
			close(codes)
			seen := map[problem.Code]int{}
			for c := range codes {
				seen[c]++
			}
			hashes := h.Computed() - before
			if hashes > int64(limits.StaffLogin.Overall.Budget) || seen[problem.Unauthorized] != int(hashes) || seen[problem.TooMany] != 50-int(hashes) {
				t.Fatalf("%s: %d hashes for 50 attempts (budget %d): %v", login, hashes, limits.StaffLogin.Overall.Budget, seen)
			}
			t.Logf("%s: %d password hashes for 50 concurrent attempts", login, hashes)
			if n := auditActions(t, db, login)["staff.login_throttled"]; n != 1 {
				t.Fatalf("%s: the delay was audited %d times", login, n)
			}
		}
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", limits.Origin{Address: "10.0.0.2"}); !problem.Is(err, problem.TooMany) {
			t.Fatalf("a new address skipped the delay: %v", err)
		}
		if _, err := svc.Login(ctx, "nobody", "long-enough-pass", limits.Origin{Address: "10.0.0.2"}); !problem.Is(err, problem.TooMany) {
			t.Fatalf("an unknown login skipped the delay: %v", err)
		}
		now = now.Add(limits.StaffLogin.Overall.Step)
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", limits.Origin{Address: "10.0.0.2"}); err != nil {
			t.Fatalf("after the delay: %v", err)
		}
		// During a new burst the owner's trusted device gets in at once.
		for i := 0; i < 30; i++ {
			svc.Login(ctx, "ivanova", "wrong", limits.Origin{Address: fmt.Sprintf("198.51.100.%d", i%10)})
		}
		if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", limits.Origin{Address: "10.0.0.1", Device: res.Device}); err != nil {
			t.Fatalf("the owner's trusted device was locked out: %v", err)
		}
		// The owner signing in often is never delayed.
		for i := 0; i < 3*limits.StaffLogin.Overall.Budget; i++ {
			if _, err := svc.Login(ctx, "ivanova", "long-enough-pass", limits.Origin{Address: "10.0.0.3"}); err != nil {
				t.Fatalf("sign-in %d of the owner: %v", i, err)
			}
		}
	})
}
