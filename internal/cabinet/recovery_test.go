package cabinet_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

var linkRE = regexp.MustCompile(`\?l=([A-Za-z0-9_.-]+)`)

// setUpRecovery confirms an e-mail and a phone with their codes and switches recovery on.
func (e *env) setUpRecovery(tin, email, phone, word string) {
	e.t.Helper()
	ctx := context.Background()
	wantCode(e.t, e.svc.SendContactCode(ctx, tin, cabinet.ForEmail, "not-an-email", origin), problem.Invalid, "lk.email")
	wantCode(e.t, e.svc.SendContactCode(ctx, tin, cabinet.ForPhone, " ", origin), problem.Invalid, "lk.required") // empty: asked for, not called wrong
	for _, c := range []struct {
		p  cabinet.Purpose
		to string
	}{{cabinet.ForEmail, email}, {cabinet.ForPhone, phone}} {
		if err := e.svc.SendContactCode(ctx, tin, c.p, c.to, origin); err != nil {
			e.t.Fatal(err)
		}
		to := c.to
		if c.p == cabinet.ForPhone {
			to = notify.NormalizePhone(c.to)
		}
		if err := e.svc.ConfirmContact(ctx, tin, c.p, storetest.LastCode(e.t, e.db, to), origin); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.svc.EnableRecovery(ctx, tin, word, word, origin); err != nil {
		e.t.Fatal(err)
	}
}

// LK-4: online recovery needs a confirmed e-mail, a confirmed phone and a code word; the TIN and
// the code word send a single-use, expiring link; two wrong code words and a right one recover;
// three wrong ones switch recovery off until an office restores it, and the owner is told. The
// answer is the same whatever happened.
func TestOnlineRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tin := e.person("Кузнецова", "Дарья", "Андреевна", time.Date(1992, 8, 8, 0, 0, 0, 0, time.UTC), "")
		c := e.card(tin)
		if _, err := e.svc.SetOwnPassword(ctx, tin, c.ID, "First-pass-1!", "First-pass-1!", origin); err != nil {
			t.Fatal(err)
		}
		// Not yet: no confirmed contacts.
		err := e.svc.EnableRecovery(ctx, tin, "Берёза", "Берёза", origin)
		if p, _ := problem.As(err); p == nil || len(p.Fields) != 2 {
			t.Fatalf("recovery without contacts: %v", err)
		}
		// A wrong code for the e-mail; then the right one.
		if err := e.svc.SendContactCode(ctx, tin, cabinet.ForEmail, "d.kuznetsova@example.org", origin); err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.svc.ConfirmContact(ctx, tin, cabinet.ForEmail, "000000", origin), problem.Invalid, "lk.code.wrong")
		// A code left empty is named and spends none of the tries.
		for range cabinet.CodeTries + 1 {
			wantCode(t, e.svc.ConfirmContact(ctx, tin, cabinet.ForEmail, " ", origin), problem.Invalid, "lk.required")
		}
		e.setUpRecovery(tin, "d.kuznetsova@example.org", "8 916 555-01-02", "Берёза")
		const base = "https://kabinet.example/lk/recovery/link"
		// A code word left empty is named and is no try: three of them do not switch recovery off.
		for range 4 {
			wantCode(t, e.svc.RequestRecovery(ctx, tin, " ", base, origin), problem.Invalid, "lk.required")
		}
		// Two wrong code words, then the right one (case and ё do not matter): one e-mail, a link.
		sent := e.messagesTo("d.kuznetsova@example.org")
		for _, w := range []string{"осина", "клён"} {
			if err := e.svc.RequestRecovery(ctx, tin, w, base, origin); err != nil {
				t.Fatal(err)
			}
		}
		if e.messagesTo("d.kuznetsova@example.org") != sent {
			t.Fatal("a link was sent for a wrong code word")
		}
		if err := e.svc.RequestRecovery(ctx, tin, " БЕРЕЗА ", base, origin); err != nil {
			t.Fatal(err)
		}
		m := linkRE.FindStringSubmatch(e.lastMessage("d.kuznetsova@example.org"))
		if m == nil {
			t.Fatalf("no link in %q", e.lastMessage("d.kuznetsova@example.org"))
		}
		link := m[1]
		// The link: a bad password keeps it; a good one uses it; a second use is refused.
		if err := e.svc.CheckLink(ctx, link); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ResetPassword(ctx, link, "weak", "weak", origin)
		wantCode(t, err, problem.Invalid, "lk.password.rules")
		if _, err := e.svc.ResetPassword(ctx, link, "Second-pass-2!", "Second-pass-2!", origin); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ResetPassword(ctx, link, "Third-pass-3!", "Third-pass-3!", origin)
		wantCode(t, err, problem.NotFound, "lk.recovery.link_invalid")
		if _, err := e.svc.Login(ctx, tin, "First-pass-1!", origin); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("the old password: %v", err)
		}
		if _, err := e.svc.Login(ctx, tin, "Second-pass-2!", origin); err != nil {
			t.Fatal(err)
		}
		// An expired link.
		if err := e.svc.RequestRecovery(ctx, tin, "береза", base, origin); err != nil {
			t.Fatal(err)
		}
		expired := linkRE.FindStringSubmatch(e.lastMessage("d.kuznetsova@example.org"))[1]
		e.clock.Add(cabinet.LinkTTL + time.Minute)
		wantCode(t, e.svc.CheckLink(ctx, expired), problem.NotFound, "lk.recovery.link_invalid")
		// Three wrong code words: off, the owner told; the right word sends nothing now; the owner
		// may not switch it on again; an office restores it.
		for _, w := range []string{"дуб", "липа", "ель"} {
			if err := e.svc.RequestRecovery(ctx, tin, w, base, origin); err != nil {
				t.Fatal(err)
			}
		}
		a, _ := e.svc.Account(ctx, tin)
		if a.RecoveryOn || a.RecoveryOff != cabinet.RecoveryOffCodeWord {
			t.Fatalf("after three wrong code words: %+v", a)
		}
		if body := e.lastMessage("d.kuznetsova@example.org"); !regexp.MustCompile(`отключено`).MatchString(body) {
			t.Fatalf("the owner was not told: %q", body)
		}
		sent = e.messagesTo("d.kuznetsova@example.org")
		if err := e.svc.RequestRecovery(ctx, tin, "береза", base, origin); err != nil || e.messagesTo("d.kuznetsova@example.org") != sent {
			t.Fatalf("recovery switched off still sends: %v", err)
		}
		wantCode(t, e.svc.EnableRecovery(ctx, tin, "Сосна", "Сосна", origin), problem.Conflict, "lk.recovery.switched_off")
		wantCode(t, e.svc.RestoreRecovery(ctx, inspector, tin, false), problem.Invalid, "lk.card.checklist")
		if err := e.svc.RestoreRecovery(ctx, inspector, tin, true); err != nil {
			t.Fatal(err)
		}
		if a, _ = e.svc.Account(ctx, tin); !a.RecoveryOn {
			t.Fatalf("restored: %+v", a)
		}
		// An unknown TIN answers alike and sends nothing.
		if err := e.svc.RequestRecovery(ctx, "500100732259", "береза", base, origin); err != nil {
			t.Fatal(err)
		}
		// The notifications of the account list what was sent.
		ns, err := e.svc.Notifications(ctx, tin, 50)
		if err != nil || len(ns) < 5 {
			t.Fatalf("notifications %d %v", len(ns), err)
		}
	})
}
