package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/post"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// IDP-4b: a new letter no earlier than a calendar month after the last one: on the same day of
// the next month in Moscow time, or on that month's last day.
func TestNextLetterAt(t *testing.T) {
	for _, c := range []struct{ ordered, want string }{
		{"2026-12-07T10:00:00+03:00", "2027-01-07T10:00:00+03:00"},
		{"2027-01-31T09:00:00+03:00", "2027-02-28T09:00:00+03:00"},
		{"2028-01-31T09:00:00+03:00", "2028-02-29T09:00:00+03:00"},
		{"2026-03-31T12:00:00+03:00", "2026-04-30T12:00:00+03:00"},
		// 22:30 UTC on 30 November is 1 December in Moscow: a month later is 1 January.
		{"2026-11-30T22:30:00Z", "2027-01-01T01:30:00+03:00"},
	} {
		o, _ := time.Parse(time.RFC3339, c.ordered)
		w, _ := time.Parse(time.RFC3339, c.want)
		if got := identity.NextLetterAt(o, moscow); !got.Equal(w) {
			t.Errorf("ordered %s: next %s, want %s", c.ordered, got, w)
		}
	}
}

// IDP-4b with the provider: the letter is tracked from the next day in Moscow time (not at
// 03:00 the day after, UTC's midnight), and a second one is refused until a calendar month has
// passed — 7 December, then 7 January, not 6 January.
func TestLetterDaysInMoscow(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db)
	ctx := context.Background()
	// An identity provider of this env with the simulated post.
	e.p = identity.New(identity.Options{Store: e.st, Hasher: hasher, Limits: limiter(db, e.clock), Flows: e.flows, Registry: e.reg, Now: e.clock.Now,
		Post: post.New(), Zone: moscow})
	a, err := e.p.AddAccount(ctx, identity.NewAccount{Surname: "Кузнецов", GivenName: "Дмитрий", Email: "d.kuznetsov@example.org",
		SNILS: "134-589-271 87", Level: identity.Standard, Password: "Volga-river-2026"})
	if err != nil {
		t.Fatal(err)
	}
	// 22:30 Moscow time on 7 December (19:30 UTC).
	e.clock.t = time.Date(2026, 12, 7, 19, 30, 0, 0, time.UTC)
	if _, err := e.p.OrderLetter(ctx, a.ID, "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12", origin); err != nil {
		t.Fatal(err)
	}
	tracked := func() bool {
		ls, err := e.p.Letters(ctx, a.ID)
		if err != nil || len(ls) != 1 {
			t.Fatalf("letters: %v %v", ls, err)
		}
		return ls[0].Tracked
	}
	if tracked() {
		t.Fatal("tracked on the day it was ordered")
	}
	e.clock.t = time.Date(2026, 12, 7, 21, 1, 0, 0, time.UTC) // 00:01 on 8 December in Moscow
	if !tracked() {
		t.Fatal("not tracked from the next day in Moscow")
	}
	e.clock.t = time.Date(2027, 1, 6, 20, 0, 0, 0, time.UTC) // 23:00 on 6 January in Moscow
	_, err = e.p.OrderLetter(ctx, a.ID, "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12", origin)
	if p, ok := problem.As(err); !ok || p.Code != problem.Conflict || p.Message.In("ru") != "Новое письмо можно заказать не раньше 07.01.2027" {
		t.Fatalf("a letter on 6 January: %v", err)
	}
	e.clock.t = time.Date(2027, 1, 7, 19, 31, 0, 0, time.UTC) // 22:31 on 7 January in Moscow
	if _, err := e.p.OrderLetter(ctx, a.ID, "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12", origin); err != nil {
		t.Fatalf("a letter a calendar month later: %v", err)
	}
}
