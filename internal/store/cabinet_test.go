package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The personal accounts' storage on both engines: accounts at their versions, cards replacing
// each other with the account in one transaction, effects (history, messages listed as the
// account's notifications, audit) written with the change, codes taken once, applications
// numbered and filtered, representations listed and revoked once.
func TestCabinetStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewCabinet(db)
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		a := cabinet.Account{TIN: "773600000015", Name: "Соколова Елена", Source: cabinet.FromCard, PasswordHash: "h1", Temporary: true, CardID: "c1",
			CardIssuedAt: now, CardExpiresAt: now.AddDate(0, 1, 0), SessionsFrom: now, Lang: "ru", CreatedAt: now, UpdatedAt: now, Version: 1}
		card := cabinet.Card{ID: "c1", TIN: a.TIN, Name: a.Name, Office: "7736", OfficeName: "ИФНС № 36", IssuedAt: now, ExpiresAt: a.CardExpiresAt,
			IssuedBy: "ivanova", Checked: []string{"passport"}, State: cabinet.CardIssued}
		msgs, err := notify.Prepare(now, notify.Message{Channel: notify.Email, To: "e@example.org", Key: "notify.lk.password_changed"})
		if err != nil {
			t.Fatal(err)
		}
		e := cabinet.Effects{Events: []cabinet.Event{{TIN: a.TIN, At: now, Kind: "card_issued", Actor: "ivanova"}},
			Messages: []cabinet.Notice{{TIN: a.TIN, Message: msgs[0]}},
			Audit:    []audit.Entry{{At: now, Actor: audit.Actor{Login: "ivanova", Role: "inspector"}, Action: "lk.card.issue", Subject: a.TIN}}}
		if err := s.IssueCard(ctx, cabinet.CardIssue{Account: a, Insert: true, Card: card}, e); err != nil {
			t.Fatal(err)
		}
		if err := s.IssueCard(ctx, cabinet.CardIssue{Account: a, Insert: true, Card: card}, cabinet.Effects{}); !isKeyTaken(err) {
			t.Fatalf("an account inserted twice: %v", err)
		}
		got, err := s.Account(ctx, a.TIN)
		if err != nil || !got.Temporary || got.CardID != "c1" || !got.CardExpiresAt.Equal(a.CardExpiresAt) || got.Version != 1 || !got.ActiveFrom.IsZero() {
			t.Fatalf("account %+v %v", got, err)
		}
		// A second card replaces the first, with the account at its version.
		got.CardID, got.PasswordHash = "c2", "h2"
		card2 := card
		card2.ID, card2.IssuedAt = "c2", now.Add(time.Hour)
		if err := s.IssueCard(ctx, cabinet.CardIssue{Account: *got, Card: card2}, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.IssueCard(ctx, cabinet.CardIssue{Account: *got, Card: cabinet.Card{ID: "c3", TIN: a.TIN, IssuedAt: now, ExpiresAt: now, State: cabinet.CardIssued}},
			cabinet.Effects{}); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("a stale version: %v", err)
		}
		if _, err := s.Card(ctx, "c3"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("the card of a rolled-back issue: %v", err)
		}
		got.Version++
		got.Temporary = false
		if err := s.UseCard(ctx, *got, "c2", now.Add(2*time.Hour), cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		cards, err := s.Cards(ctx, a.TIN)
		if err != nil || len(cards) != 2 || cards[0].ID != "c2" || cards[0].State != cabinet.CardUsed || cards[0].UsedAt.IsZero() ||
			cards[1].State != cabinet.CardReplaced || len(cards[1].Checked) != 1 {
			t.Fatalf("cards %+v %v", cards, err)
		}
		// The history and the notifications.
		evs, _ := s.Events(ctx, a.TIN, 10)
		if len(evs) != 1 || evs[0].Actor != "ivanova" || !evs[0].At.Equal(now) {
			t.Fatalf("events %+v", evs)
		}
		ns, err := s.Notifications(ctx, a.TIN, 10)
		if err != nil || len(ns) != 1 || ns[0].To != "e@example.org" || ns[0].State != "queued" || ns[0].Key != "notify.lk.password_changed" {
			t.Fatalf("notifications %+v %v", ns, err)
		}
		if entries, _ := db.ListAudit(ctx, audit.Filter{Subject: a.TIN}); len(entries) != 1 {
			t.Fatalf("audit %+v", entries)
		}

		// A code is taken once, even by concurrent takers.
		c := cabinet.Code{Purpose: cabinet.ForRecovery, Key: "link1", Subject: a.TIN, Hash: []byte{1, 2, 3}, ExpiresAt: now.Add(time.Hour)}
		if err := s.PutCode(ctx, c, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		taken := 0
		for i := 0; i < 8; i++ {
			wg.Go(func() {
				if got, err := s.TakeCode(ctx, cabinet.ForRecovery, "link1"); err == nil && got.Subject == a.TIN {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if taken != 1 {
			t.Fatalf("a code taken %d times", taken)
		}

		// Applications: numbered, found by surname prefix and state, decided at their version.
		var seqs []int64
		for _, name := range []string{"Степанова", "Стеклов", "Иванов"} {
			seq, err := s.InsertApplication(ctx, cabinet.Application{KeyHash: []byte("k"), SurnameKey: strings.ToLower(name), State: cabinet.AppSubmitted,
				Data: cabinet.ApplicationData{Surname: name, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}, Lang: "ru", CreatedAt: now, Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, seq)
		}
		if seqs[1] <= seqs[0] || seqs[2] <= seqs[1] {
			t.Fatalf("sequence %v", seqs)
		}
		list, err := s.Applications(ctx, cabinet.ApplicationFilter{State: cabinet.AppSubmitted, Name: "сте"})
		if err != nil || len(list) != 2 || list[0].Data.Surname != "Стеклов" || !list[0].Data.BirthDate.Equal(time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("by surname: %+v %v", list, err)
		}
		app, _ := s.Application(ctx, seqs[2])
		app.State, app.Reason, app.DecidedAt, app.DecidedBy = cabinet.AppRefused, "не явился", now, "ivanova"
		if err := s.UpdateApplication(ctx, *app, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateApplication(ctx, *app, cabinet.Effects{}); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("a stale application: %v", err)
		}
		if list, _ := s.Applications(ctx, cabinet.ApplicationFilter{State: cabinet.AppRefused}); len(list) != 1 || list[0].Reason != "не явился" {
			t.Fatalf("refused: %+v", list)
		}

		// Representations: with the principal's account created, listed from both sides, revoked once.
		principal := cabinet.Account{TIN: "773600000023", Name: "Павлова Софья", Source: cabinet.Managed, Lang: "ru", CreatedAt: now, UpdatedAt: now, Version: 1}
		r := cabinet.Representation{ID: "r1", Principal: principal.TIN, Representative: a.TIN, Kind: cabinet.Parent, Powers: cabinet.Powers,
			Document:  cabinet.RepDocument{Series: "IV-МЮ", Number: "501234", IssuedOn: time.Date(2012, 12, 25, 0, 0, 0, 0, time.UTC)},
			ValidFrom: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), CreatedAt: now, CreatedBy: "ivanova"}
		if err := s.InsertRepresentation(ctx, r, &principal, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		if p, err := s.Account(ctx, principal.TIN); err != nil || p.Source != cabinet.Managed || p.HasPassword() {
			t.Fatalf("principal %+v %v", p, err)
		}
		for _, f := range []cabinet.RepresentationFilter{{Principal: principal.TIN}, {Representative: a.TIN}, {Principal: principal.TIN, Representative: a.TIN}} {
			rs, err := s.Representations(ctx, f)
			if err != nil || len(rs) != 1 || rs[0].Document.Number != "501234" || len(rs[0].Powers) != len(cabinet.Powers) || !rs[0].ValidUntil.Equal(r.ValidUntil) {
				t.Fatalf("%+v: %+v %v", f, rs, err)
			}
		}
		if rs, _ := s.Representations(ctx, cabinet.RepresentationFilter{Principal: a.TIN}); len(rs) != 0 {
			t.Fatalf("the other way round: %+v", rs)
		}
		if err := s.RevokeRepresentation(ctx, "r1", now, "ivanova", cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeRepresentation(ctx, "r1", now, "ivanova", cabinet.Effects{}); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("revoked twice: %v", err)
		}
		if got, _ := s.Representation(ctx, "r1"); got.RevokedAt.IsZero() || got.RevokedBy != "ivanova" {
			t.Fatalf("revoked %+v", got)
		}
	})
}

func isKeyTaken(err error) bool { _, ok := storeerr.IsKeyTaken(err); return ok }
