package store_test

import (
	"context"
	"testing"
	"time"

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
