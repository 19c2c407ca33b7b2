package oidc_test

import (
	"slices"
	"testing"

	"github.com/kabinet/kabinet/internal/oidc"
)

// A first-party client (the personal account, LK-6) is registered at every start: its secret is
// derived from the secret key, never stored in clear, and authenticates; a second start changes
// nothing; redirect URIs learnt from requests are kept when asked; a new key gives a new secret.
func TestEnsureClient(t *testing.T) {
	e := newEnv(t)
	n := oidc.NewClient{ID: "kabinet-lk", Name: "Личный кабинет", RedirectURIs: []string{"https://lk.example/lk/oidc/callback"}, Trusted: true,
		Scopes: []string{"openid", "profile", "snils", "inn"}}
	secret := oidc.FirstPartySecret(e.key, n.ID)
	if len(secret) != 43 || secret == oidc.FirstPartySecret(secretKey(), n.ID) || secret != oidc.FirstPartySecret(e.key, n.ID) ||
		oidc.FirstPartySecret(nil, n.ID) != "" {
		t.Fatalf("secret %q", secret)
	}
	c, err := e.p.EnsureClient(e.ctx, n, secret, false)
	if err != nil || !c.Trusted || c.Public || c.AuthMethod != oidc.AuthBasic || !slices.Equal(c.Scopes, []string{"openid", "profile", "snils", "inn"}) {
		t.Fatalf("first: %+v %v", c, err)
	}
	stored, _ := e.p.Client(e.ctx, n.ID)
	if string(stored.SecretHash) == secret {
		t.Fatal("the secret is kept in clear")
	}
	auth := func(secret string) error {
		_, err := e.p.AuthenticateClient(e.ctx, []string{iss + "/oidc/token"}, oidc.Credentials{Basic: true, BasicID: n.ID, BasicSecret: secret})
		return err
	}
	if err := auth(secret); err != nil {
		t.Fatal(err)
	}
	again, err := e.provider(e.key).EnsureClient(e.ctx, n, secret, false)
	if err != nil || !again.SecretSetAt.Equal(stored.SecretSetAt) {
		t.Fatalf("second start: %+v %v", again, err)
	}
	// Addresses learnt from requests (no public URL) are added and kept.
	local := n
	local.RedirectURIs = []string{"http://127.0.0.1:8080/lk/oidc/callback"}
	if c, err = e.p.EnsureClient(e.ctx, local, secret, true); err != nil || len(c.RedirectURIs) != 2 {
		t.Fatalf("kept: %+v %v", c, err)
	}
	if c, err = e.p.EnsureClient(e.ctx, n, secret, false); err != nil || !slices.Equal(c.RedirectURIs, n.RedirectURIs) {
		t.Fatalf("replaced: %+v %v", c, err)
	}
	// Another secret key: another secret, and the old one stops working.
	other := oidc.FirstPartySecret(secretKey(), n.ID)
	if _, err := e.p.EnsureClient(e.ctx, n, other, false); err != nil {
		t.Fatal(err)
	}
	if auth(secret) == nil || auth(other) != nil {
		t.Fatal("the secret was not replaced")
	}
	if _, err := e.p.EnsureClient(e.ctx, n, "short", false); err == nil {
		t.Fatal("a short secret was taken")
	}
}
