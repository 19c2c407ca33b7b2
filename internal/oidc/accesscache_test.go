package oidc_test

import (
	"net/url"
	"testing"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
)

// An access token whose signature was checked once is remembered, and still every use checks
// what may change: the issuer, the expiry, the grant. A token differing by one character is
// another token.
func TestAccessTokenRemembered(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp"})
	a := e.account(identity.Standard, "")
	issue := func() *oidc.TokenResponse {
		res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code",
			Code: e.code(c, a, e.request(c, url.Values{"scope": {"openid"}})), RedirectURI: c.RedirectURIs[0]})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := issue()
	for range 2 {
		if _, err := e.p.UserInfo(e.ctx, iss, res.AccessToken); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.p.UserInfo(e.ctx, "https://other.example", res.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("a remembered token at another issuer: %v", err)
	}
	tampered := []byte(res.AccessToken)
	tampered[len(tampered)-5] ^= 1
	if _, err := e.p.UserInfo(e.ctx, iss, string(tampered)); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("a changed token: %v", err)
	}
	// Revoked: refused at once, remembered or not.
	if err := e.p.Revoke(e.ctx, iss, c, res.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.UserInfo(e.ctx, iss, res.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("a remembered token after its grant was revoked: %v", err)
	}
	// Expired: refused, remembered or not.
	res = issue()
	if _, err := e.p.UserInfo(e.ctx, iss, res.AccessToken); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(oidc.AccessTokenTTL)
	if _, err := e.p.UserInfo(e.ctx, iss, res.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("a remembered token after its expiry: %v", err)
	}
}
