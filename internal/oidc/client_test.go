package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
)

// Registration (IDP-7): a confidential client gets a secret once, kept only hashed; a public
// one none; redirect URIs are absolute, https (http only on the loopback interface), without a
// fragment; private_key_jwt needs a key set; a pairwise client needs one sector.
func TestClientRegistration(t *testing.T) {
	e := newEnv(t)
	c, secret := e.client(oidc.NewClient{ID: "lk", Name: "Личный кабинет", Trusted: true})
	if len(secret) < 43 || c.AuthMethod != oidc.AuthBasic || c.Public || !c.Trusted || len(c.Scopes) != len(oidc.Scopes) {
		t.Fatalf("confidential client: %+v %q", c, secret)
	}
	stored, err := e.p.Client(e.ctx, "lk")
	if err != nil || string(stored.SecretHash) == secret || len(stored.SecretHash) != 32 {
		t.Fatalf("the secret is not kept hashed: %v", err)
	}
	pub, secret := e.client(oidc.NewClient{ID: "spa", Public: true, Scopes: []string{"profile"}, RedirectURIs: []string{"http://127.0.0.1:5173/cb", "com.example.app:/cb"}})
	if secret != "" || pub.AuthMethod != oidc.AuthNone || len(pub.Scopes) != 2 || pub.Scopes[0] != "openid" {
		t.Fatalf("public client: %+v %q", pub, secret)
	}
	if _, _, err := e.p.AddClient(e.ctx, oidc.NewClient{ID: "lk", RedirectURIs: []string{"https://x.example/"}}); !problem.Is(err, problem.Invalid) {
		t.Fatalf("an id taken: %v", err)
	}
	for name, n := range map[string]oidc.NewClient{
		"bad id":               {ID: "a b", RedirectURIs: []string{"https://x.example/"}},
		"no redirect":          {ID: "x"},
		"http elsewhere":       {ID: "x", RedirectURIs: []string{"http://rp.example/cb"}},
		"fragment":             {ID: "x", RedirectURIs: []string{"https://rp.example/cb#top"}},
		"relative":             {ID: "x", RedirectURIs: []string{"/cb"}},
		"custom scheme":        {ID: "x", RedirectURIs: []string{"com.example.app:/cb"}},
		"unknown scope":        {ID: "x", RedirectURIs: []string{"https://x.example/"}, Scopes: []string{"everything"}},
		"jwt without keys":     {ID: "x", RedirectURIs: []string{"https://x.example/"}, AuthMethod: oidc.AuthJWT},
		"keys without jwt":     {ID: "x", RedirectURIs: []string{"https://x.example/"}, JWKSURL: "https://x.example/jwks"},
		"public with a method": {ID: "x", RedirectURIs: []string{"https://x.example/"}, Public: true, AuthMethod: oidc.AuthPost},
		"pairwise two hosts":   {ID: "x", RedirectURIs: []string{"https://a.example/", "https://b.example/"}, Pairwise: true},
		"unknown algorithm":    {ID: "x", RedirectURIs: []string{"https://x.example/"}, Alg: "HS256"},
	} {
		if _, _, err := e.p.AddClient(e.ctx, n); !problem.Is(err, problem.Invalid) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	pw, _ := e.client(oidc.NewClient{ID: "pw", RedirectURIs: []string{"https://a.example/1", "https://a.example/2"}, Pairwise: true})
	if pw.SubjectType != oidc.SubPairwise || pw.Sector != "a.example" {
		t.Fatalf("pairwise: %+v", pw)
	}
	// A new secret replaces the old one at once.
	_, old := e.client(oidc.NewClient{ID: "rot"})
	fresh, err := e.p.RotateSecret(e.ctx, "rot")
	if err != nil || fresh == old {
		t.Fatal(err)
	}
	if _, err := e.p.AuthenticateClient(e.ctx, nil, oidc.Credentials{Basic: true, BasicID: "rot", BasicSecret: old}); errCode(err) != oidc.ErrInvalidClient {
		t.Fatalf("the old secret still works: %v", err)
	}
	if _, err := e.p.AuthenticateClient(e.ctx, nil, oidc.Credentials{Basic: true, BasicID: "rot", BasicSecret: fresh}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.RotateSecret(e.ctx, "spa"); !problem.Is(err, problem.Invalid) {
		t.Fatalf("a public client got a secret: %v", err)
	}
	if err := e.p.RemoveClient(e.ctx, "rot"); err != nil {
		t.Fatal(err)
	}
	if err := e.p.RemoveClient(e.ctx, "rot"); !problem.Is(err, problem.NotFound) {
		t.Fatalf("removed twice: %v", err)
	}
}

// Client authentication: the registered method only, one method per request, the secret
// compared, a public client by its id alone.
func TestClientAuthentication(t *testing.T) {
	e := newEnv(t)
	_, basic := e.client(oidc.NewClient{ID: "basic"})
	_, post := e.client(oidc.NewClient{ID: "post", AuthMethod: oidc.AuthPost})
	e.client(oidc.NewClient{ID: "spa", Public: true})
	for _, tc := range []struct {
		name string
		cr   oidc.Credentials
		want string // error code, "" for success
	}{
		{"basic", oidc.Credentials{Basic: true, BasicID: "basic", BasicSecret: basic}, ""},
		{"basic, wrong secret", oidc.Credentials{Basic: true, BasicID: "basic", BasicSecret: basic + "x"}, oidc.ErrInvalidClient},
		{"basic, in the form", oidc.Credentials{ClientID: "basic", ClientSecret: basic}, oidc.ErrInvalidClient},
		{"basic with another client_id", oidc.Credentials{Basic: true, BasicID: "basic", BasicSecret: basic, ClientID: "post"}, oidc.ErrInvalidClient},
		{"post", oidc.Credentials{ClientID: "post", ClientSecret: post}, ""},
		{"post, wrong secret", oidc.Credentials{ClientID: "post", ClientSecret: basic}, oidc.ErrInvalidClient},
		{"post, in basic", oidc.Credentials{Basic: true, BasicID: "post", BasicSecret: post}, oidc.ErrInvalidClient},
		{"two methods", oidc.Credentials{Basic: true, BasicID: "post", BasicSecret: post, ClientSecret: post}, oidc.ErrInvalidRequest},
		{"public", oidc.Credentials{ClientID: "spa"}, ""},
		{"confidential without a secret", oidc.Credentials{ClientID: "basic"}, oidc.ErrInvalidClient},
		{"unknown", oidc.Credentials{Basic: true, BasicID: "nobody", BasicSecret: "x"}, oidc.ErrInvalidClient},
		{"nothing", oidc.Credentials{}, oidc.ErrInvalidClient},
	} {
		_, err := e.p.AuthenticateClient(e.ctx, []string{iss}, tc.cr)
		if got := errCode(err); got != tc.want || (tc.want == "" && err != nil) {
			t.Errorf("%s: %q (%v), want %q", tc.name, got, err, tc.want)
		}
		if pe, ok := oidc.AsError(err); ok && pe.Basic != tc.cr.Basic && pe.Code == oidc.ErrInvalidClient {
			t.Errorf("%s: WWW-Authenticate %v", tc.name, pe.Basic)
		}
	}
}

// signer signs client assertions with a key of its own.
type signer struct {
	key *ecdsa.PrivateKey
	kid string
}

func newSigner(t *testing.T, kid string) *signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{key: k, kid: kid}
}

func (s *signer) jwks() []byte {
	b, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: s.key.Public(), KeyID: s.kid, Algorithm: "ES256", Use: "sig"}}})
	return b
}

func (s *signer) assertion(t *testing.T, c jwt.Claims) string {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fetcher serves a client's key set by URL, counting the fetches.
type fetcher struct {
	sets    map[string][]byte
	fetches int
}

func (f *fetcher) FetchJWKS(_ context.Context, url string, _ bool) ([]byte, error) {
	f.fetches++
	if b, ok := f.sets[url]; ok {
		return b, nil
	}
	return nil, errors.New("not found")
}

// private_key_jwt (RFC 7523): an assertion signed by the client's key (inline or by URL),
// naming the client as iss and sub and this provider as aud, not expired, used once.
func TestPrivateKeyJWT(t *testing.T) {
	e := newEnv(t)
	mine, other := newSigner(t, "k1"), newSigner(t, "k1")
	e.client(oidc.NewClient{ID: "jwt", AuthMethod: oidc.AuthJWT, JWKS: mine.jwks()})
	token := iss + "/oidc/token"
	auds := []string{iss, token}
	now := e.clock.Now()
	n := 0
	claims := func(mod func(*jwt.Claims)) jwt.Claims {
		n++
		c := jwt.Claims{Issuer: "jwt", Subject: "jwt", Audience: jwt.Audience{token}, Expiry: jwt.NewNumericDate(now.Add(time.Minute)),
			IssuedAt: jwt.NewNumericDate(now), ID: "jti-" + string(rune('a'+n))}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	cred := func(a string) oidc.Credentials {
		return oidc.Credentials{AssertionType: oidc.AssertionType, Assertion: a}
	}
	good := mine.assertion(t, claims(nil))
	if c, err := e.p.AuthenticateClient(e.ctx, auds, cred(good)); err != nil || c.ID != "jwt" {
		t.Fatalf("a good assertion: %v", err)
	}
	if _, err := e.p.AuthenticateClient(e.ctx, auds, cred(good)); errCode(err) != oidc.ErrInvalidClient {
		t.Fatalf("a replayed assertion: %v", err)
	}
	for name, a := range map[string]string{
		"another key":       other.assertion(t, claims(nil)),
		"another audience":  mine.assertion(t, claims(func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://elsewhere.example"} })),
		"expired":           mine.assertion(t, claims(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(now.Add(-2 * time.Minute)) })),
		"no expiry":         mine.assertion(t, claims(func(c *jwt.Claims) { c.Expiry = nil })),
		"a day long":        mine.assertion(t, claims(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(now.Add(24 * time.Hour)) })),
		"no jti":            mine.assertion(t, claims(func(c *jwt.Claims) { c.ID = "" })),
		"another issuer":    mine.assertion(t, claims(func(c *jwt.Claims) { c.Issuer = "someone" })),
		"not yet valid":     mine.assertion(t, claims(func(c *jwt.Claims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })),
		"not a JWT":         "abc.def.ghi",
		"unknown client":    mine.assertion(t, claims(func(c *jwt.Claims) { c.Issuer, c.Subject = "nobody", "nobody" })),
		"an unsigned token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJqd3QifQ.",
	} {
		if _, err := e.p.AuthenticateClient(e.ctx, auds, cred(a)); errCode(err) != oidc.ErrInvalidClient {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := e.p.AuthenticateClient(e.ctx, auds, oidc.Credentials{AssertionType: "other", Assertion: good}); errCode(err) != oidc.ErrInvalidClient {
		t.Errorf("a wrong assertion type: %v", err)
	}
	// Keys by URL: fetched, and fetched again when the key is not found (the client rotated).
	f := &fetcher{sets: map[string][]byte{"https://rp.example/jwks": other.jwks()}}
	p, err := oidc.New(oidc.Options{Store: e.pStore(), Accounts: e.ids, SecretKey: e.key, Now: e.clock.Now, Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.AddClient(e.ctx, oidc.NewClient{ID: "byurl", RedirectURIs: []string{"https://rp.example/cb"}, AuthMethod: oidc.AuthJWT,
		JWKSURL: "https://rp.example/jwks"}); err != nil {
		t.Fatal(err)
	}
	byURL := func(mod func(*jwt.Claims)) string {
		return mine.assertion(t, claims(func(c *jwt.Claims) {
			c.Issuer, c.Subject = "byurl", "byurl"
			if mod != nil {
				mod(c)
			}
		}))
	}
	if _, err := p.AuthenticateClient(e.ctx, auds, cred(byURL(nil))); errCode(err) != oidc.ErrInvalidClient || f.fetches != 2 {
		t.Fatalf("a key not published: %v, %d fetches", err, f.fetches)
	}
	f.sets["https://rp.example/jwks"] = mine.jwks()
	if _, err := p.AuthenticateClient(e.ctx, auds, cred(byURL(nil))); err != nil {
		t.Fatalf("a key published by URL: %v", err)
	}
}

// A process remembers the clients its token endpoint authenticated for ClientCacheTTL: a secret
// rotated by another process works at once here, the old one at most that long, and a client
// removed elsewhere is refused once that time has passed.
func TestClientCache(t *testing.T) {
	e := newEnv(t)
	other := e.provider(e.key) // another process on the same database
	_, old := e.client(oidc.NewClient{ID: "cached"})
	auth := func(p *oidc.Provider, secret string) error {
		_, err := p.AuthenticateClient(e.ctx, nil, oidc.Credentials{Basic: true, BasicID: "cached", BasicSecret: secret})
		return err
	}
	if err := auth(e.p, old); err != nil {
		t.Fatal(err)
	}
	fresh, err := other.RotateSecret(e.ctx, "cached")
	if err != nil {
		t.Fatal(err)
	}
	if err := auth(e.p, fresh); err != nil {
		t.Fatalf("the new secret, rotated elsewhere: %v", err)
	}
	if err := auth(e.p, old); errCode(err) != oidc.ErrInvalidClient {
		t.Fatalf("the old secret after the new one was seen: %v", err)
	}
	if err := other.RemoveClient(e.ctx, "cached"); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(oidc.ClientCacheTTL)
	if err := auth(e.p, fresh); errCode(err) != oidc.ErrInvalidClient {
		t.Fatalf("a client removed elsewhere, after the cache's time: %v", err)
	}
}
