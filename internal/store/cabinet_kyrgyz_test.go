package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The Kyrgyz cabinet's storage on both engines (KG-1, KG-2): applications numbered, one waiting
// per login under concurrency, queued per office, decided once at their version with the account
// an approval creates (and refused when the login has one); acceptances kept once per version;
// mobile tokens used once under concurrency, revoked by chain and by account, and cleaned up.
func TestKyrgyzCabinetStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewCabinet(db)
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		r := cabinet.Registration{Type: cabinet.Individual, TIN: "21505199012345", Name: "Үсөнбаев Жеңиш Өмүрбекович", Office: "002",
			PasswordHash: "h", Phone: "+996555100200", Lang: "ky", State: cabinet.AppSubmitted, CreatedAt: now, Version: 1}
		// Concurrent applications of one login: one waits, the others are a taken key.
		var wg sync.WaitGroup
		var mu sync.Mutex
		var seqs []int64
		taken := 0
		for range 4 {
			wg.Go(func() {
				seq, err := s.InsertRegistration(ctx, r)
				mu.Lock()
				defer mu.Unlock()
				if _, ok := storeerr.IsKeyTaken(err); ok {
					taken++
				} else if err != nil {
					t.Error(err)
				} else {
					seqs = append(seqs, seq)
				}
			})
		}
		wg.Wait()
		if len(seqs) != 1 || taken != 3 {
			t.Fatalf("one application per login: %v, %d taken", seqs, taken)
		}
		r.Seq = seqs[0]
		legal := cabinet.Registration{Type: cabinet.LegalEntity, TIN: "11203198500111", Name: "Асанова Айгүл", Office: "013", OrgTIN: "01403200310217",
			OrgName: "ОсОО «Ала-Тоо Агро»", Role: "accountant", PasswordHash: "h2", Lang: "ru", State: cabinet.AppSubmitted, CreatedAt: now.Add(time.Minute), Version: 1}
		if legal.Seq, _ = s.InsertRegistration(ctx, legal); legal.Seq <= r.Seq {
			t.Fatalf("numbers: %d after %d", legal.Seq, r.Seq)
		}
		got, err := s.Registration(ctx, r.Seq)
		if err != nil || got.Name != r.Name || got.Login() != r.TIN || got.Lang != "ky" || !got.CreatedAt.Equal(now) || got.Version != 1 {
			t.Fatalf("read: %+v %v", got, err)
		}
		if p, err := s.PendingRegistration(ctx, legal.OrgTIN); err != nil || p.Seq != legal.Seq {
			t.Fatalf("pending by the organization's login: %+v %v", p, err)
		}
		if _, err := s.PendingRegistration(ctx, legal.TIN); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("the accountant's own login waits for nothing: %v", err)
		}
		if q, _ := s.Registrations(ctx, cabinet.RegistrationFilter{Office: "002", State: cabinet.AppSubmitted}); len(q) != 1 || q[0].Seq != r.Seq {
			t.Fatalf("the queue of 002: %+v", q)
		}
		if q, _ := s.Registrations(ctx, cabinet.RegistrationFilter{}); len(q) != 2 || q[0].Seq != legal.Seq {
			t.Fatalf("every office, the newest first: %+v", q)
		}

		// Approved with its account and effects; a stale version and an existing account refused.
		r.State, r.DecidedAt, r.DecidedBy, r.Passport = cabinet.AppApproved, now.Add(time.Hour), "asanova", "ID 1234567"
		a := cabinet.Account{TIN: r.TIN, Name: r.Name, Source: cabinet.FromRegistration, PasswordHash: "h", SessionsFrom: now, Phone: r.Phone, Lang: "ky",
			CreatedAt: now, UpdatedAt: now, Version: 1}
		e := cabinet.Effects{Audit: []audit.Entry{{At: now, Actor: audit.Actor{Login: "asanova", Role: "inspector"}, Action: "lk.registration.approve", Subject: r.TIN}}}
		if err := s.DecideRegistration(ctx, r, &a, e); err != nil {
			t.Fatal(err)
		}
		if err := s.DecideRegistration(ctx, r, &a, cabinet.Effects{}); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("decided twice: %v", err)
		}
		if acc, err := s.Account(ctx, r.TIN); err != nil || acc.Source != cabinet.FromRegistration || acc.Phone != r.Phone {
			t.Fatalf("the account: %+v %v", acc, err)
		}
		if got, _ := s.Registration(ctx, r.Seq); got.State != cabinet.AppApproved || got.Passport != "ID 1234567" || got.Version != 2 {
			t.Fatalf("approved: %+v", got)
		}
		if _, err := s.PendingRegistration(ctx, r.TIN); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("nothing waits after the decision: %v", err)
		}
		// The organization's login gets an account elsewhere meanwhile: the approval is refused whole.
		org := cabinet.Account{TIN: legal.OrgTIN, Name: legal.OrgName, Source: cabinet.FromRegistration, Signatory: "21111111111111", SignatoryRole: "head",
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.InsertAccount(ctx, org, cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		legal.State = cabinet.AppApproved
		org2 := org
		org2.Signatory, org2.SignatoryRole = legal.TIN, "accountant"
		if err := s.DecideRegistration(ctx, legal, &org2, cabinet.Effects{}); !isKeyTaken(err) {
			t.Fatalf("an approval of a login with an account: %v", err)
		}
		if got, _ := s.Registration(ctx, legal.Seq); got.State != cabinet.AppSubmitted {
			t.Fatalf("rolled back: %+v", got)
		}
		if acc, _ := s.Account(ctx, legal.OrgTIN); acc.Signatory != "21111111111111" || acc.SignatoryRole != "head" {
			t.Fatalf("the signatory kept: %+v", acc)
		}

		// Acceptances: once per version, the newest first.
		tok := func(h byte, kind, family string, exp time.Time) cabinet.MobileToken {
			return cabinet.MobileToken{Hash: []byte{h, 1, 2, 3}, Kind: kind, Family: family, TIN: r.TIN, CreatedAt: now, ExpiresAt: exp}
		}
		acc := []cabinet.Acceptance{{TIN: r.TIN, Document: "offer", Version: "2026-01", At: now, Address: "192.0.2.1"},
			{TIN: r.TIN, Document: "privacy", Version: "2026-01", At: now, Address: "192.0.2.1"}}
		if err := s.IssueMobileTokens(ctx, []cabinet.MobileToken{tok(1, "access", "f1", now.Add(15*time.Minute)), tok(2, "refresh", "f1", now.Add(720*time.Hour))}, acc,
			cabinet.Effects{Events: []cabinet.Event{{TIN: r.TIN, At: now, Kind: "mobile_login"}}}); err != nil {
			t.Fatal(err)
		}
		acc[0].At = now.Add(time.Hour)
		acc = append(acc[:1], cabinet.Acceptance{TIN: r.TIN, Document: "offer", Version: "2026-07", At: now.Add(2 * time.Hour)})
		if err := s.IssueMobileTokens(ctx, []cabinet.MobileToken{tok(3, "access", "f2", now.Add(time.Minute)), tok(4, "refresh", "f2", now.Add(time.Hour))}, acc,
			cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		got2, err := s.Acceptances(ctx, r.TIN)
		if err != nil || len(got2) != 3 || got2[0].Version != "2026-07" || !got2[2].At.Equal(now) && !got2[1].At.Equal(now) {
			t.Fatalf("acceptances: %+v %v", got2, err)
		}
		for _, x := range got2 {
			if x.Version == "2026-01" && x.Document == "offer" && !x.At.Equal(now) {
				t.Errorf("an acceptance recorded again changed its time: %+v", x)
			}
		}
		// A refresh token is used once, under concurrency too.
		used := 0
		for range 4 {
			wg.Go(func() {
				if err := s.UseMobileToken(ctx, []byte{2, 1, 2, 3}, now.Add(time.Minute)); err == nil {
					mu.Lock()
					used++
					mu.Unlock()
				} else if !errors.Is(err, storeerr.ErrConflict) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if used != 1 {
			t.Fatalf("used %d times", used)
		}
		if m, err := s.MobileToken(ctx, []byte{2, 1, 2, 3}); err != nil || m.UsedAt.IsZero() || m.Family != "f1" || m.Kind != "refresh" {
			t.Fatalf("the used token: %+v %v", m, err)
		}
		if err := s.RevokeMobileFamily(ctx, "f1", now.Add(2*time.Minute), cabinet.Effects{}); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.MobileToken(ctx, []byte{1, 1, 2, 3}); m.RevokedAt.IsZero() {
			t.Fatal("the chain's access token not revoked")
		}
		if m, _ := s.MobileToken(ctx, []byte{3, 1, 2, 3}); !m.RevokedAt.IsZero() {
			t.Fatal("another chain revoked")
		}
		if err := s.RevokeMobileTokensOf(ctx, r.TIN, now.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.MobileToken(ctx, []byte{4, 1, 2, 3}); m.RevokedAt.IsZero() {
			t.Fatal("the account's tokens not revoked")
		}
		if err := s.UseMobileToken(ctx, []byte{4, 1, 2, 3}, now); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("a revoked token used: %v", err)
		}
		if n, err := s.DeleteExpiredMobileTokens(ctx, now.Add(2*time.Hour)); err != nil || n != 3 {
			t.Fatalf("cleanup: %d %v", n, err)
		}
		if _, err := s.MobileToken(ctx, []byte{2, 1, 2, 3}); err != nil {
			t.Fatalf("the unexpired refresh token removed: %v", err)
		}
	})
}

// BO-3: a staff member's tax office is kept, and read with the member wherever the member is.
func TestStaffOffice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewStaff(db)
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		e := audit.Entry{At: now, Actor: audit.Actor{Login: "cli", Role: "system"}, Action: "staff.add", Subject: "asanova"}
		m, err := s.InsertMember(ctx, staff.Account{Member: staff.Member{Login: "asanova", Name: "Асанова Айгүл", Office: "002", Role: staff.RoleInspector,
			CreatedAt: now}, PasswordHash: "h"}, e)
		if err != nil || m.ID == 0 {
			t.Fatal(err)
		}
		a, err := s.Account(ctx, "asanova")
		if err != nil || a.Office != "002" {
			t.Fatalf("account: %+v %v", a, err)
		}
		list, err := s.ListMembers(ctx)
		if err != nil || len(list) != 1 || list[0].Office != "002" {
			t.Fatalf("list: %+v %v", list, err)
		}
		if err := s.InsertToken(ctx, []byte("hash"), "asanova", now.Add(time.Hour), e); err != nil {
			t.Fatal(err)
		}
		if tm, _, err := s.TokenMember(ctx, []byte("hash")); err != nil || tm.Office != "002" {
			t.Fatalf("token member: %+v %v", tm, err)
		}
	})
}
