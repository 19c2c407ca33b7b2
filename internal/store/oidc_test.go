package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The OpenID Connect provider's storage (IDP-7) on both engines: clients round-trip; a code and
// a refresh token are used once (the second use is a conflict, even when it races); revoking a
// consent revokes the grants; removing a client removes all it was given; keys are unique per
// algorithm and generation; a client assertion is accepted once; expired rows go.
func TestOIDCStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewOIDC(db)
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		c := oidc.Client{ID: "lk", Name: "Личный кабинет", RedirectURIs: []string{"https://lk.example/cb", "http://127.0.0.1:8081/cb"},
			PostLogoutURIs: []string{"https://lk.example/bye"}, Trusted: true, Scopes: []string{"openid", "profile", "offline_access"},
			AuthMethod: oidc.AuthBasic, SecretHash: []byte{1, 2, 3}, SubjectType: oidc.SubPairwise, Sector: "lk.example", Alg: oidc.RS256,
			CreatedAt: now, SecretSetAt: now}
		if err := s.InsertClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, taken := storeerr.IsKeyTaken(s.InsertClient(ctx, c)); !taken {
			t.Fatal("a client id taken twice")
		}
		got, err := s.Client(ctx, "lk")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(c, *got); d != "" {
			t.Fatalf("client round trip (-want +got):\n%s", d)
		}
		pub := oidc.Client{ID: "spa", Name: "SPA", RedirectURIs: []string{"https://spa.example/"}, Public: true, Scopes: []string{"openid"},
			AuthMethod: oidc.AuthNone, SubjectType: oidc.SubPublic, JWKS: nil, CreatedAt: now}
		if err := s.InsertClient(ctx, pub); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Client(ctx, "spa")
		if got.SecretHash != nil || !got.SecretSetAt.IsZero() || len(got.PostLogoutURIs) != 0 || !got.Public {
			t.Fatalf("public client: %+v", got)
		}
		c.Name, c.SecretHash = "ЛК", []byte{9}
		if err := s.UpdateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if all, err := s.Clients(ctx); err != nil || len(all) != 2 || all[0].ID != "lk" || all[0].Name != "ЛК" {
			t.Fatalf("clients: %v %v", all, err)
		}

		// A code is redeemed once.
		code := oidc.Code{Hash: []byte("code-1"), ClientID: "lk", RedirectURI: "https://lk.example/cb", AccountID: "acc", Subject: "sub",
			Scopes: []string{"openid", "offline_access"}, Nonce: "n", CodeChallenge: "ch", AuthTime: now, ACR: "urn:kabinet:level:confirmed",
			AMR: []string{"pwd"}, SessionID: "sid", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.InsertCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		gotCode, err := s.Code(ctx, code.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(code, *gotCode); d != "" {
			t.Fatalf("code round trip (-want +got):\n%s", d)
		}
		g := oidc.Grant{ID: "g1", ClientID: "lk", AccountID: "acc", Subject: "sub", Scopes: code.Scopes, AuthTime: now, ACR: code.ACR,
			AMR: code.AMR, SessionID: "sid", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		rt := oidc.RefreshToken{Hash: []byte("rt-1"), GrantID: "g1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		opens := func(g oidc.Grant, rt *oidc.RefreshToken) func(*oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error) {
			return func(got *oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error) {
				if d := cmp.Diff(code.Hash, got.Hash); d != "" {
					t.Errorf("open got another code: %s", d)
				}
				return &g, rt, nil
			}
		}
		if err := s.RedeemCode(ctx, code.Hash, "spa", "g0", now, opens(g, &rt)); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("a code redeemed by another client: %v", err)
		}
		if err := s.RedeemCode(ctx, []byte("no-such-code"), "lk", "g0", now, opens(g, &rt)); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("an unknown code redeemed: %v", err)
		}
		// Racing redemptions: one reaches open and opens its grant; the other is a conflict.
		errs := make(chan error, 2)
		for _, id := range []string{"g1", "g2"} {
			go func() {
				gi := g
				gi.ID = id
				var r *oidc.RefreshToken
				if id == "g1" {
					r = &rt
				} else {
					r = &oidc.RefreshToken{Hash: []byte("rt-g2"), GrantID: "g2", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
				}
				errs <- s.RedeemCode(ctx, code.Hash, "lk", id, now, opens(gi, r))
			}()
		}
		for range 2 {
			if err := <-errs; err != nil && !errors.Is(err, storeerr.ErrConflict) {
				t.Fatal(err)
			}
		}
		gotCode, _ = s.Code(ctx, code.Hash)
		if !gotCode.UsedAt.Equal(now) || gotCode.GrantID != "g1" && gotCode.GrantID != "g2" {
			t.Fatalf("redeemed code: %+v", gotCode)
		}
		loser := map[string]string{"g1": "g2", "g2": "g1"}[gotCode.GrantID]
		if _, err := s.Grant(ctx, loser); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatal("both redemptions opened a grant")
		}
		if gotCode.GrantID == "g2" {
			// The test's later steps use g1 and rt-1: open them from a code of their own.
			code1 := code
			code1.Hash = []byte("code-1b")
			if err := s.InsertCode(ctx, code1); err != nil {
				t.Fatal(err)
			}
			if err := s.RedeemCode(ctx, code1.Hash, "lk", "g1", now, func(*oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error) { return &g, &rt, nil }); err != nil {
				t.Fatal(err)
			}
		}
		gotGrant, err := s.Grant(ctx, "g1")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(g, *gotGrant); d != "" {
			t.Fatalf("grant round trip (-want +got):\n%s", d)
		}
		// A refusal by open spends the code without a grant.
		code2 := code
		code2.Hash = []byte("code-2")
		if err := s.InsertCode(ctx, code2); err != nil {
			t.Fatal(err)
		}
		refusal := errors.New("refused")
		if err := s.RedeemCode(ctx, code2.Hash, "lk", "g3", now, func(*oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error) { return nil, nil, refusal }); err != refusal {
			t.Fatalf("a refusal: %v", err)
		}
		if got, err := s.Code(ctx, code2.Hash); err != nil || !got.UsedAt.Equal(now) || got.GrantID != "" {
			t.Fatalf("a refused code: %+v %v", got, err)
		}
		if _, err := s.Grant(ctx, "g3"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatal("a refused code opened a grant")
		}
		if err := s.RedeemCode(ctx, code2.Hash, "lk", "g4", now, opens(g, nil)); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("a refused code redeemed again: %v", err)
		}

		// A refresh token rotates once; racing rotations: one wins, and next sees the token and
		// its grant. A refusal by next changes nothing.
		rotate := func(n oidc.RefreshToken, refuse error) func(*oidc.RefreshToken, *oidc.Grant) (*oidc.RefreshToken, error) {
			return func(got *oidc.RefreshToken, gg *oidc.Grant) (*oidc.RefreshToken, error) {
				if string(got.Hash) != string(rt.Hash) || !got.UsedAt.IsZero() && !got.UsedAt.Equal(now) || gg.ID != "g1" || gg.AccountID != "acc" {
					t.Errorf("next got %+v %+v", got, gg)
				}
				return &n, refuse
			}
		}
		next := oidc.RefreshToken{Hash: []byte("rt-2"), GrantID: "g1", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.RotateRefresh(ctx, rt.Hash, now, rotate(next, refusal)); err != refusal {
			t.Fatalf("a refused rotation: %v", err)
		}
		if got, err := s.RefreshToken(ctx, rt.Hash); err != nil || !got.UsedAt.IsZero() {
			t.Fatalf("a refused rotation used the token: %+v %v", got, err)
		}
		if _, err := s.RefreshToken(ctx, next.Hash); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatal("a refused rotation stored a successor")
		}
		for i := range 2 {
			go func() {
				n := next
				n.Hash = []byte{byte('a' + i)}
				errs <- s.RotateRefresh(ctx, rt.Hash, now, rotate(n, nil))
			}()
		}
		won := 0
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				won++
			case !errors.Is(err, storeerr.ErrConflict):
				t.Fatal(err)
			}
		}
		if won != 1 {
			t.Fatalf("%d rotations of one refresh token won", won)
		}
		if got, err := s.RefreshToken(ctx, rt.Hash); err != nil || !got.UsedAt.Equal(now) || got.GrantID != "g1" {
			t.Fatalf("used refresh token: %+v %v", got, err)
		}
		if err := s.RotateRefresh(ctx, []byte("no-such-token"), now, rotate(next, nil)); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("an unknown refresh token rotated: %v", err)
		}

		// Consents: one per account and client, replaced; revoking revokes the grants.
		if err := s.PutConsent(ctx, oidc.Consent{AccountID: "acc", ClientID: "lk", Scopes: []string{"openid"}, GrantedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutConsent(ctx, oidc.Consent{AccountID: "acc", ClientID: "lk", Scopes: []string{"openid", "profile"}, GrantedAt: now.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutConsent(ctx, oidc.Consent{AccountID: "acc", ClientID: "spa", Scopes: []string{"openid"}, GrantedAt: now}); err != nil {
			t.Fatal(err)
		}
		cs, err := s.Consents(ctx, "acc")
		if err != nil || len(cs) != 2 || cs[0].ClientID != "lk" || len(cs[0].Scopes) != 2 {
			t.Fatalf("consents: %+v %v", cs, err)
		}
		if err := s.RevokeConsent(ctx, "acc", "lk", now.Add(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Consent(ctx, "acc", "lk"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("revoked consent: %v", err)
		}
		if gotGrant, _ = s.Grant(ctx, "g1"); gotGrant.RevokedAt.IsZero() {
			t.Fatal("revoking the consent left the grant live")
		}

		// Keys: one per algorithm and generation.
		k := oidc.Key{ID: "kid1", Alg: oidc.ES256, Generation: 1, Public: []byte(`{"kty":"EC"}`), Private: []byte{1, 2}, KEKID: "kek", CreatedAt: now}
		if err := s.InsertKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		k2 := k
		k2.ID = "kid2"
		if _, taken := storeerr.IsKeyTaken(s.InsertKey(ctx, k2)); !taken {
			t.Fatal("two keys of one generation")
		}
		k2.Generation = 2
		if err := s.InsertKey(ctx, k2); err != nil {
			t.Fatal(err)
		}
		keys, err := s.Keys(ctx)
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys: %v %v", keys, err)
		}
		if d := cmp.Diff(k, keys[0]); d != "" {
			t.Fatalf("key round trip (-want +got):\n%s", d)
		}
		if err := s.DeleteKey(ctx, "kid1"); err != nil {
			t.Fatal(err)
		}

		// Assertions and settings are made once.
		if err := s.UseAssertion(ctx, "lk", "jti-1", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, taken := storeerr.IsKeyTaken(s.UseAssertion(ctx, "lk", "jti-1", now.Add(time.Minute))); !taken {
			t.Fatal("an assertion accepted twice")
		}
		if _, err := s.Setting(ctx, "salt"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatal(err)
		}
		if err := s.InsertSetting(ctx, "salt", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, taken := storeerr.IsKeyTaken(s.InsertSetting(ctx, "salt", []byte("y"))); !taken {
			t.Fatal("a setting made twice")
		}
		if v, err := s.Setting(ctx, "salt"); err != nil || string(v) != "x" {
			t.Fatalf("setting: %q %v", v, err)
		}

		// Expired rows go: codes, grants with their refresh tokens, assertions.
		n, err := s.DeleteExpired(ctx, now.Add(2*time.Hour), now.Add(2*time.Hour))
		if err != nil || n < 6 {
			t.Fatalf("delete expired: %d %v", n, err)
		}
		if _, err := s.Grant(ctx, "g1"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatal("an expired grant stayed")
		}
		if _, err := s.RefreshToken(ctx, rt.Hash); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatal("a refresh token of an expired grant stayed")
		}
		if err := s.UseAssertion(ctx, "lk", "jti-1", now.Add(3*time.Hour)); err != nil {
			t.Fatalf("an expired jti was kept: %v", err)
		}

		// Removing a client removes what it was given.
		if err := s.InsertCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		if err := s.RedeemCode(ctx, code.Hash, "lk", "g1", now, func(*oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error) { return &g, &rt, nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.PutConsent(ctx, oidc.Consent{AccountID: "acc", ClientID: "lk", Scopes: []string{"openid"}, GrantedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteClient(ctx, "lk"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteClient(ctx, "lk"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("removed twice: %v", err)
		}
		for name, err := range map[string]error{"code": errOf(s.Code(ctx, code.Hash)), "grant": errOf(s.Grant(ctx, "g1")),
			"refresh": errOf(s.RefreshToken(ctx, rt.Hash)), "consent": errOf(s.Consent(ctx, "acc", "lk"))} {
			if !errors.Is(err, storeerr.ErrNotFound) {
				t.Errorf("the removed client's %s stayed: %v", name, err)
			}
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

// Userinfo reads a grant with its account in one statement, on both engines; a grant whose
// account is not there comes alone, and an unknown grant is not found.
func TestGrantWithAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewOIDC(db)
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		acc := identity.Account{ID: "fedcba9876543210fedcba9876543210", Kind: identity.RussianCitizen, Surname: "Орлова", GivenName: "Мария",
			Email: "m.orlova@example.org", Level: identity.Confirmed, Method: identity.ServiceCenter, PasswordHash: "h", Lang: "en",
			CreatedAt: now, PasswordSetAt: now, Version: 2}
		if err := store.NewIdentity(db).InsertAccount(ctx, acc, identity.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertClient(ctx, oidc.Client{ID: "rp", Name: "RP", RedirectURIs: []string{"https://rp.example/cb"}, Scopes: []string{"openid"},
			AuthMethod: oidc.AuthBasic, SecretHash: []byte{1}, SubjectType: oidc.SubPublic, Alg: oidc.ES256, CreatedAt: now, SecretSetAt: now}); err != nil {
			t.Fatal(err)
		}
		for i, account := range []string{acc.ID, "gone"} {
			code := oidc.Code{Hash: []byte{byte(i)}, ClientID: "rp", RedirectURI: "https://rp.example/cb", AccountID: account, Subject: "sub",
				Scopes: []string{"openid"}, AuthTime: now, ACR: "urn:kabinet:level:confirmed", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
			if err := s.InsertCode(ctx, code); err != nil {
				t.Fatal(err)
			}
			g := oidc.Grant{ID: "g-" + account, ClientID: "rp", AccountID: account, Subject: "sub", Scopes: code.Scopes, AuthTime: now, ACR: code.ACR,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			rt := oidc.RefreshToken{Hash: []byte{'r', byte(i)}, GrantID: g.ID, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
			if err := s.RedeemCode(ctx, code.Hash, "rp", g.ID, now, func(*oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error) { return &g, &rt, nil }); err != nil {
				t.Fatal(err)
			}
		}
		g, err := s.GrantWithAccount(ctx, "g-"+acc.ID)
		if err != nil || g.ID != "g-"+acc.ID || g.AccountID != acc.ID || !g.ExpiresAt.Equal(now.Add(time.Hour)) || g.Account == nil {
			t.Fatalf("grant with its account: %+v %v", g, err)
		}
		if a := g.Account; a.ID != acc.ID || a.Surname != "Орлова" || a.Level != identity.Confirmed || a.Method != identity.ServiceCenter ||
			a.Email != acc.Email || a.Version != 2 || !a.CreatedAt.Equal(now) {
			t.Fatalf("the grant's account: %+v", a)
		}
		if g, err := s.GrantWithAccount(ctx, "g-gone"); err != nil || g.ID != "g-gone" || g.Account != nil {
			t.Fatalf("a grant whose account is gone: %+v %v", g, err)
		}
		if _, err := s.GrantWithAccount(ctx, "no-such-grant"); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("an unknown grant: %v", err)
		}

		// A refresh token's rotation reads its grant the same way: with the account, or
		// without it when it is gone.
		for i, account := range []string{acc.ID, "gone"} {
			rt := oidc.RefreshToken{Hash: []byte{'r', byte(i)}, GrantID: "g-" + account}
			var seen *oidc.Grant
			if err := s.RotateRefresh(ctx, rt.Hash, now, func(_ *oidc.RefreshToken, g *oidc.Grant) (*oidc.RefreshToken, error) {
				seen = g
				return &oidc.RefreshToken{Hash: []byte{'n', byte(i)}, GrantID: g.ID, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}, nil
			}); err != nil || seen == nil || seen.ID != rt.GrantID {
				t.Fatalf("rotation of the refresh token of %s: %+v %v", account, seen, err)
			}
			if got := seen.Account; account == acc.ID && (got == nil || got.ID != acc.ID || got.Surname != "Орлова") || account == "gone" && got != nil {
				t.Fatalf("the rotated grant's account (%s): %+v", account, got)
			}
		}
	})
}
