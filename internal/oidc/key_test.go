package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
)

// Keys (IDP-7): made on first use, kept encrypted (the private key never in clear in the
// database), read by every process with the same secret key, refused with another; rotated
// after KeyRotation with the old key published until its tokens have expired; RS256 for a
// client that asks.
func TestKeys(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp"})
	rsa, _ := e.client(oidc.NewClient{ID: "rsa", Alg: oidc.RS256})
	a := e.account(identity.Simplified, "")
	token := func(p *oidc.Provider, c *oidc.Client) *oidc.TokenResponse {
		t.Helper()
		code, err := p.IssueCode(e.ctx, c, e.request(c, nil), e.signIn(a), a)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: code, RedirectURI: c.RedirectURIs[0]})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if err := e.p.CheckSecretKey(e.ctx); err != nil {
		t.Fatalf("an empty database: %v", err)
	}
	first := token(e.p, c)
	if h := e.verify(first.IDToken, &oidc.IDClaims{}); h.Algorithm != "ES256" {
		t.Fatalf("default algorithm %s", h.Algorithm)
	}
	if h := e.verify(token(e.p, rsa).IDToken, &oidc.IDClaims{}); h.Algorithm != "RS256" {
		t.Fatalf("the client's algorithm: %s", h.Algorithm)
	}
	keys, err := e.pStore().Keys(e.ctx)
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	for _, k := range keys {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(k.Public, &jwk); err != nil || !jwk.IsPublic() || jwk.KeyID != k.ID {
			t.Fatalf("a stored public key: %v", err)
		}
		if bytes.Contains(k.Private, []byte("PRIVATE")) || len(k.Private) < 100 {
			t.Fatal("the private key is not encrypted")
		}
	}
	// Another process with the same secret key reads the same keys; one with another is refused.
	same := e.provider(e.key)
	if _, err := same.UserInfo(e.ctx, iss, first.AccessToken); err != nil {
		t.Fatalf("another process: %v", err)
	}
	if h := e.verify(token(same, c).IDToken, &oidc.IDClaims{}); h.KeyID != keys[0].ID && h.KeyID != keys[1].ID {
		t.Fatal("another process made its own key")
	}
	wrong := e.provider(secretKey())
	if err := wrong.CheckSecretKey(e.ctx); !errors.Is(err, oidc.ErrSecretKeyMismatch) {
		t.Fatalf("another secret key: %v", err)
	}
	if _, err := wrong.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: e.code(c, a, e.request(c, nil)),
		RedirectURI: c.RedirectURIs[0]}); !errors.Is(err, oidc.ErrSecretKeyMismatch) {
		t.Fatalf("signing with another secret key: %v", err)
	}
	if _, err := wrong.RotateKeys(e.ctx, true); !errors.Is(err, oidc.ErrSecretKeyMismatch) {
		t.Fatalf("a process with another secret key rotated: %v", err)
	}
	none := e.provider(nil)
	if err := none.CheckSecretKey(e.ctx); !errors.Is(err, oidc.ErrNoSecretKey) {
		t.Fatalf("no secret key: %v", err)
	}
	if _, err := oidc.New(oidc.Options{Store: e.pStore(), SecretKey: []byte("short")}); err == nil {
		t.Fatal("a short secret key accepted")
	}

	// Not due: nothing rotates. Due: both algorithms rotate; the old keys stay published.
	if made, err := e.p.RotateKeys(e.ctx, false); err != nil || len(made) != 0 {
		t.Fatalf("rotated early: %v %v", made, err)
	}
	e.clock.Add(oidc.KeyRotation)
	made, err := e.p.RotateKeys(e.ctx, false)
	if err != nil || len(made) != 2 {
		t.Fatalf("rotation: %v %v", made, err)
	}
	if again, err := same.RotateKeys(e.ctx, false); err != nil || len(again) != 0 {
		t.Fatalf("a second process rotated again: %v %v", again, err)
	}
	set, _ := e.p.JWKS(e.ctx)
	if len(set.Keys) != 4 {
		t.Fatalf("JWKS after rotation: %d keys", len(set.Keys))
	}
	before := e.clock.Now()
	old := token(e.p, c) // signed by the new key now
	var oc oidc.IDClaims
	if h := e.verify(old.IDToken, &oc); h.KeyID != made[0].ID && h.KeyID != made[1].ID {
		t.Fatalf("still signing with the old key %s", h.KeyID)
	}
	// A token of the previous key verifies until it expires, and the key goes after KeyGrace.
	e.clock.Add(oidc.KeyGrace - time.Second)
	set, _ = e.p.JWKS(e.ctx)
	if len(set.Keys) != 4 {
		t.Fatalf("the old keys left too early: %d", len(set.Keys))
	}
	if n, err := e.p.Cleanup(e.ctx); err != nil {
		t.Fatal(err)
	} else if keys, _ := e.pStore().Keys(e.ctx); len(keys) != 4 {
		t.Fatalf("cleanup removed published keys (%d rows)", n)
	}
	e.clock.Add(2 * time.Second)
	set, _ = e.p.JWKS(e.ctx)
	if len(set.Keys) != 2 || before.IsZero() {
		t.Fatalf("the old keys stayed: %d", len(set.Keys))
	}
	if _, err := e.p.Cleanup(e.ctx); err != nil {
		t.Fatal(err)
	}
	if keys, _ := e.pStore().Keys(e.ctx); len(keys) != 2 {
		t.Fatalf("retired keys kept: %d", len(keys))
	}
	// A forced rotation.
	if made, err := e.p.RotateKeys(e.ctx, true); err != nil || len(made) != 2 {
		t.Fatalf("forced: %v %v", made, err)
	}
	if _, err := none.RotateKeys(e.ctx, true); !errors.Is(err, oidc.ErrNoSecretKey) {
		t.Fatalf("rotation without a secret key: %v", err)
	}
}

// Claims per scope: the name always, the profile's data only once verified (standard and
// above), the document only then; acr and the confirmation method (LK-6); pairwise subjects
// differ between sectors and stay the same within one.
func TestClaims(t *testing.T) {
	a := &identity.Account{ID: "acc", Surname: "Соколова", GivenName: "Елена", Patronymic: "Викторовна", Phone: "+79161234567",
		Email: "e@example.ru", SNILS: "11223344595", Level: identity.Simplified,
		Profile: identity.Profile{Sex: "female", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), INN: "500100732259",
			Passport:  identity.Document{Type: "passport_ru", Series: "4509", Number: "123456", IssuedOn: time.Date(2005, 5, 1, 0, 0, 0, 0, time.UTC)},
			Residence: "Москва, ул. Тверская, 1"}}
	all := oidc.Scopes
	got := oidc.UserClaims(a, "sub-1", all)
	for _, k := range []string{"birthdate", "gender", "inn", "id_document", "address", oidc.ConfirmationClaim} {
		if _, ok := got[k]; ok {
			t.Errorf("simplified level released %s", k)
		}
	}
	if got["sub"] != "sub-1" || got["name"] != "Соколова Елена Викторовна" || got["middle_name"] != "Викторовна" || got["email_verified"] != true ||
		got["phone_number"] != "+79161234567" || got["acr"] != "urn:kabinet:level:simplified" || got["snils"] != "11223344595" {
		t.Fatalf("simplified: %v", got)
	}
	a.Level, a.Method = identity.Confirmed, identity.Mail
	got = oidc.UserClaims(a, "sub-1", all)
	doc, _ := got["id_document"].(oidc.IDDocument)
	if got["birthdate"] != "1985-04-12" || got["gender"] != "female" || got["inn"] != "500100732259" || doc.Number != "123456" || doc.IssuedOn != "2005-05-01" ||
		got["address"].(oidc.Address).Formatted != "Москва, ул. Тверская, 1" || got[oidc.ConfirmationClaim] != "mail" || got["acr"] != "urn:kabinet:level:confirmed" {
		t.Fatalf("confirmed: %v", got)
	}
	got = oidc.UserClaims(a, "sub-1", []string{"openid"})
	if len(got) != 3 {
		t.Fatalf("openid alone releases %v", got)
	}

	e := newEnv(t)
	p1, _ := e.client(oidc.NewClient{ID: "p1", Pairwise: true, RedirectURIs: []string{"https://a.example/cb"}})
	p2, _ := e.client(oidc.NewClient{ID: "p2", Pairwise: true, RedirectURIs: []string{"https://a.example/other"}})
	p3, _ := e.client(oidc.NewClient{ID: "p3", Pairwise: true, RedirectURIs: []string{"https://b.example/cb"}})
	pub, _ := e.client(oidc.NewClient{ID: "pub"})
	acc := e.account(identity.Simplified, "")
	sub := func(p *oidc.Provider, c *oidc.Client) string {
		s, err := p.Subject(e.ctx, c, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s1, s2, s3 := sub(e.p, p1), sub(e.p, p2), sub(e.p, p3); s1 != s2 || s1 == s3 || s1 == acc.ID || len(s1) != 43 {
		t.Fatalf("pairwise: %s %s %s", s1, s2, s3)
	}
	if sub(e.provider(e.key), p1) != sub(e.p, p1) || sub(e.provider(secretKey()), p1) != sub(e.p, p1) {
		t.Fatal("a pairwise subject changed with the process or the secret key")
	}
	if sub(e.p, pub) != acc.ID {
		t.Fatal("a public subject is not the account's id")
	}
	// The code carries the subject to the tokens.
	res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: p3, GrantType: "authorization_code", Code: e.code(p3, acc, e.request(p3, nil)),
		RedirectURI: p3.RedirectURIs[0]})
	if err != nil {
		t.Fatal(err)
	}
	var id oidc.IDClaims
	e.verify(res.IDToken, &id)
	if id.Subject != sub(e.p, p3) {
		t.Fatalf("ID token sub %s", id.Subject)
	}
}

// Consents are listed with the service's name and revoked with the grants.
func TestAccesses(t *testing.T) {
	e := newEnv(t)
	rp, _ := e.client(oidc.NewClient{ID: "rp", Name: "Запись к врачу"})
	lk, _ := e.client(oidc.NewClient{ID: "lk", Name: "Личный кабинет", Trusted: true})
	a := e.account(identity.Standard, "")
	if err := e.p.Allow(e.ctx, a.ID, rp.ID, []string{"openid", "profile"}); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Allow(e.ctx, a.ID, rp.ID, []string{"openid", "snils"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	r := e.request(lk, url.Values{"scope": {"openid offline_access"}})
	res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: lk, GrantType: "authorization_code", Code: e.code(lk, a, r), RedirectURI: lk.RedirectURIs[0]})
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.p.Accesses(e.ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].ClientName != "Личный кабинет" || list[1].ClientName != "Запись к врачу" || len(list[1].Scopes) != 3 {
		t.Fatalf("accesses: %+v %v", list, err)
	}
	if err := e.p.RevokeAccess(e.ctx, a.ID, lk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: lk, GrantType: "refresh_token", RefreshToken: res.RefreshToken}); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("a revoked service refreshed: %v", err)
	}
	if list, _ := e.p.Accesses(e.ctx, a.ID); len(list) != 1 {
		t.Fatalf("after revoking: %+v", list)
	}
}

// Cleanup removes expired codes and grants but keeps a redeemed code long enough to catch a
// replay.
func TestCleanup(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp"})
	a := e.account(identity.Simplified, "")
	code := e.code(c, a, e.request(c, nil))
	res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: code, RedirectURI: c.RedirectURIs[0]})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(5 * time.Minute)
	if _, err := e.p.Cleanup(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: code, RedirectURI: c.RedirectURIs[0]}); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatal(err)
	}
	if _, err := e.p.UserInfo(e.ctx, iss, res.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatal("a replay after cleanup did not revoke")
	}
	e.clock.Add(time.Hour)
	n, err := e.p.Cleanup(e.ctx)
	if err != nil || n < 2 {
		t.Fatalf("cleanup: %d %v", n, err)
	}
	if _, err := store.NewOIDC(e.db).Grant(context.Background(), "x"); err == nil {
		t.Fatal("a grant that never was")
	}
}
