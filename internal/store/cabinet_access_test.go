package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The restores of access at the УГНС on both engines (KG-1, LK-2, LK-10; migration 00024): a
// restore is written with the account at its version — a stale version writes neither, nor its
// effects — and revokes the account's mobile tokens, not another's; restores are read back the
// newest first; the owner's own password marks the restore used, once.
func TestAccessRestoreStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewCabinet(db)
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		a := cabinet.Account{TIN: "21505199012345", Name: "Үсөнбаев Жеңиш", Source: cabinet.FromRegistration, PasswordHash: "own", Phone: "+996555100200",
			Lang: "ky", SessionsFrom: now, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.InsertAccount(ctx, a, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		other := a
		other.TIN = "11203198500111"
		if err := s.InsertAccount(ctx, other, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		toks := []cabinet.MobileToken{{Hash: []byte{9, 1}, Kind: "access", Family: "f", TIN: a.TIN, CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{Hash: []byte{9, 2}, Kind: "access", Family: "g", TIN: other.TIN, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}}
		if err := s.IssueMobileTokens(ctx, toks, nil, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		at := now.Add(time.Hour)
		r := cabinet.AccessRestore{ID: "r1", TIN: a.TIN, Name: a.Name, Office: "002", Passport: "ID 7654321", Lang: "ky", IssuedBy: "asanova",
			IssuedAt: at, ExpiresAt: at.AddDate(0, 1, 0)}
		e := cabinet.Effects{Audit: []audit.Entry{{At: at, Actor: audit.Actor{Login: "asanova", Role: "inspector"}, Action: "lk.access.restore",
			Subject: a.TIN, Details: "restore=r1 office=002 checked=passport"}}}
		b := a
		b.PasswordHash, b.Temporary, b.CardID, b.CardIssuedAt, b.CardExpiresAt, b.SessionsFrom, b.UpdatedAt = "one-time", true, r.ID, at, r.ExpiresAt, at, at
		stale := b
		stale.Version = 7
		if err := s.RestoreAccess(ctx, stale, r, e); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("a stale version: %v", err)
		}
		if list, _ := s.AccessRestores(ctx, a.TIN); len(list) != 0 {
			t.Fatalf("a restore written with a stale account: %+v", list)
		}
		if entries, _ := db.ListAudit(ctx, audit.Filter{Subject: a.TIN}); len(entries) != 0 {
			t.Fatalf("the effects of a stale restore: %+v", entries)
		}
		if err := s.RestoreAccess(ctx, b, r, e); err != nil {
			t.Fatal(err)
		}
		got, err := s.Account(ctx, a.TIN)
		if err != nil || !got.Temporary || got.CardID != "r1" || got.PasswordHash != "one-time" || !got.CardExpiresAt.Equal(r.ExpiresAt) || got.Version != 2 {
			t.Fatalf("the account: %+v %v", got, err)
		}
		if m, _ := s.MobileToken(ctx, []byte{9, 1}); m.RevokedAt.IsZero() {
			t.Error("the account's mobile token not revoked")
		}
		if m, _ := s.MobileToken(ctx, []byte{9, 2}); !m.RevokedAt.IsZero() {
			t.Error("another account's mobile token revoked")
		}
		if entries, _ := db.ListAudit(ctx, audit.Filter{Subject: a.TIN}); len(entries) != 1 || entries[0].Action != "lk.access.restore" {
			t.Fatalf("the audit entry: %+v", entries)
		}
		r2 := r
		r2.ID, r2.IssuedAt, r2.Passport = "r2", at.Add(time.Hour), ""
		if err := s.RestoreAccess(ctx, b, r2, cabinet.Effects{}); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("the same version twice: %v", err)
		}
		b.Version, b.CardID = 2, "r2"
		if err := s.RestoreAccess(ctx, b, r2, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		list, err := s.AccessRestores(ctx, a.TIN)
		if err != nil || len(list) != 2 || list[0].ID != "r2" || list[1].ID != "r1" || list[1].Passport != "ID 7654321" || list[1].Lang != "ky" ||
			!list[1].IssuedAt.Equal(at) || !list[1].ExpiresAt.Equal(r.ExpiresAt) || !list[1].UsedAt.IsZero() {
			t.Fatalf("the restores: %+v %v", list, err)
		}
		// The owner's own password: the account at its version, the restore used once.
		c, _ := s.Account(ctx, a.TIN)
		c.Temporary, c.PasswordHash = false, "own2"
		if err := s.UseCard(ctx, *c, "r2", at.Add(2*time.Hour), cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		c.Version++
		if err := s.UseCard(ctx, *c, "r2", at.Add(3*time.Hour), cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		if r, err := s.AccessRestore(ctx, "r2"); err != nil || !r.UsedAt.Equal(at.Add(2*time.Hour)) {
			t.Fatalf("used: %+v %v", r, err)
		}
		if r, _ := s.AccessRestore(ctx, "r1"); !r.UsedAt.IsZero() {
			t.Fatalf("another restore marked used: %+v", r)
		}
		if _, err := s.AccessRestore(ctx, "none"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("an unknown restore: %v", err)
		}
	})
}
