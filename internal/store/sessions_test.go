package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// Sessions of several sites live side by side; each expires idle and absolutely; a user lists
// and ends their sessions ("sign out everywhere").
func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		m := session.NewManager(store.NewSessions(db), func() time.Time { return now })
		staffTok, staffSess, err := m.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password, Assurance: "inspector", UserAgent: "Firefox", Address: "10.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		citizenTok, _, err := m.Start(ctx, session.Start{Site: "lk", Subject: "500100732259", Method: session.TemporaryPassword})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Start(ctx, session.Start{Site: "lk", Subject: "x", Method: "magic"}); err == nil {
			t.Fatal("unknown method accepted")
		}
		got, err := m.Get(ctx, "office", staffTok)
		if err != nil || got == nil || got.Subject != "ivanova" || got.CSRF != staffSess.CSRF || got.Method != session.Password ||
			got.Assurance != "inspector" || !got.AuthTime.Equal(now) || got.UserAgent != "Firefox" || got.Address != "10.0.0.1" {
			t.Fatalf("get: %+v %v", got, err)
		}
		// One site's session is not seen by another, and is not ended by looking.
		if got, _ := m.Get(ctx, "lk", staffTok); got != nil {
			t.Fatal("a staff session served the personal account")
		}
		if got, _ := m.Get(ctx, "office", staffTok); got == nil {
			t.Fatal("looking from another site ended the session")
		}
		if got, _ := m.Get(ctx, "lk", citizenTok); got == nil || got.Subject != "500100732259" {
			t.Fatal("citizen session lost")
		}
		// A fresh authentication is recorded and asked by sensitive changes.
		now = now.Add(20 * time.Minute)
		if m.Fresh(got, 10*time.Minute) {
			t.Fatal("a 20-minute-old authentication counted as fresh")
		}
		if err := m.Reauthenticated(ctx, citizenTok, session.ESignature, "confirmed"); err != nil {
			t.Fatal(err)
		}
		got, _ = m.Get(ctx, "lk", citizenTok)
		if got.Method != session.ESignature || got.Assurance != "confirmed" || !m.Fresh(got, time.Minute) {
			t.Fatalf("reauthentication not recorded: %+v", got)
		}
		// Several devices; the list; ending one; ending all but this one.
		var toks []string
		for i := 0; i < 3; i++ {
			tok, _, err := m.Start(ctx, session.Start{Site: "lk", Subject: "500100732259", Method: session.Password})
			if err != nil {
				t.Fatal(err)
			}
			toks = append(toks, tok)
		}
		list, err := m.List(ctx, "lk", "500100732259")
		if err != nil || len(list) != 4 {
			t.Fatalf("list: %d %v", len(list), err)
		}
		for _, s := range list {
			if s.Hash == nil || s.ID == "" || s.Site != "lk" {
				t.Fatalf("listed %+v", s)
			}
		}
		var others []string // sessions other than the one of toks[2]
		for _, s := range list {
			if string(s.Hash) != string(session.Hash(toks[2])) {
				others = append(others, s.ID)
			}
		}
		if err := m.EndOne(ctx, "lk", "500100732259", others[0]); err != nil {
			t.Fatal(err)
		}
		if err := m.EndOne(ctx, "lk", "someone-else", others[1]); err == nil {
			t.Fatal("ended another user's session")
		}
		n, err := m.EndAll(ctx, "lk", "500100732259", toks[2])
		if err != nil || n != 2 {
			t.Fatalf("end all: %d %v", n, err)
		}
		if got, _ := m.Get(ctx, "lk", toks[2]); got == nil {
			t.Fatal("the session that signed out the others ended too")
		}
		if got, _ := m.Get(ctx, "office", staffTok); got == nil {
			t.Fatal("signing out everywhere on the personal account ended the staff session")
		}
		// Idle expiry, absolute expiry and the clean-up.
		tok, _, _ := m.Start(ctx, session.Start{Site: "office", Subject: "petrov", Method: session.Password})
		for i := 0; i < 25; i++ {
			now = now.Add(29 * time.Minute)
			if got, _ := m.Get(ctx, "office", tok); got == nil && i < 24 {
				t.Fatalf("active session ended after %d touches", i)
			}
		}
		if got, _ := m.Get(ctx, "office", tok); got != nil {
			t.Fatal("session outlived its absolute expiry")
		}
		now = now.Add(time.Hour)
		if _, err := m.Cleanup(ctx); err != nil {
			t.Fatal(err)
		}
		if list, _ := m.List(ctx, "lk", "500100732259"); len(list) != 0 {
			t.Fatalf("clean-up left %d sessions", len(list))
		}
		if _, _, err := m.Start(ctx, session.Start{Site: "lk", Subject: "500100732259", Method: session.Password}); err != nil {
			t.Fatal(err)
		}
	})
}

// A session of the identity provider or of the personal account comes with its account, read in
// the same statement, on both engines; a session of another site, or one whose account is not
// there, comes alone; a token of one site's session is not another's even with its account.
func TestSessionWithItsAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		m := session.NewManager(store.NewSessions(db), func() time.Time { return now })
		acc := identity.Account{ID: "0123456789abcdef0123456789abcdef", Kind: identity.RussianCitizen, Surname: "Соколова", GivenName: "Анна",
			Phone: "+79161234567", Level: identity.Standard, PasswordHash: "h", Lang: "ru", CreatedAt: now, PasswordSetAt: now, Version: 1}
		if err := store.NewIdentity(db).InsertAccount(ctx, acc, identity.Effects{}); err != nil {
			t.Fatal(err)
		}
		lk := cabinet.Account{TIN: "500100732259", Name: "Соколова Елена", Source: cabinet.FromCard, PasswordHash: "own", SessionsFrom: now,
			CreatedAt: now, UpdatedAt: now, Version: 3}
		if err := store.NewCabinet(db).InsertAccount(ctx, lk, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		start := func(site, subject string) string {
			tok, _, err := m.Start(ctx, session.Start{Site: site, Subject: subject, Method: session.Password})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		idTok, lkTok, officeTok, goneTok := start(identity.Site, acc.ID), start(cabinet.Site, lk.TIN), start("office", "ivanova"), start(identity.Site, "no-such-account")
		if s, err := m.Get(ctx, identity.Site, idTok); err != nil || s == nil {
			t.Fatalf("identity session: %v", err)
		} else if a, ok := s.Holder.(*identity.Account); !ok || a.ID != acc.ID || a.Surname != acc.Surname || a.Level != identity.Standard || !a.CreatedAt.Equal(now) || s.Subject != acc.ID {
			t.Fatalf("identity session's account: %#v", s.Holder)
		}
		if s, err := m.Get(ctx, cabinet.Site, lkTok); err != nil || s == nil {
			t.Fatalf("personal account's session: %v", err)
		} else if a, ok := s.Holder.(*cabinet.Account); !ok || a.TIN != lk.TIN || a.Name != lk.Name || a.Version != 3 || !a.SessionsFrom.Equal(now) {
			t.Fatalf("personal account's session's account: %#v", s.Holder)
		}
		if s, err := m.Get(ctx, "office", officeTok); err != nil || s == nil || s.Holder != nil {
			t.Fatalf("a staff session: %+v %v", s, err)
		}
		if s, err := m.Get(ctx, identity.Site, goneTok); err != nil || s == nil || s.Holder != nil || s.Subject != "no-such-account" {
			t.Fatalf("a session whose account is gone: %+v %v", s, err)
		}
		if s, _ := m.Get(ctx, cabinet.Site, idTok); s != nil {
			t.Fatal("an identity provider's session served the personal account")
		}
		if s, _ := m.Get(ctx, identity.Site, lkTok); s != nil {
			t.Fatal("a personal account's session served the identity provider")
		}
	})
}
