package oidc_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
)

// verify checks a token of the provider against its published keys.
func (e *env) verify(raw string, out any) jose.Header {
	e.t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		e.t.Fatal(err)
	}
	set, err := e.p.JWKS(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	keys := set.Key(tok.Headers[0].KeyID)
	if len(keys) != 1 {
		e.t.Fatalf("the key %s is not published", tok.Headers[0].KeyID)
	}
	if err := tok.Claims(keys[0].Key, out); err != nil {
		e.t.Fatal(err)
	}
	return tok.Headers[0]
}

// A code is exchanged once, by its client, with its redirect URI and PKCE verifier, within a
// minute, for an ID token (nonce, acr, amr, auth_time, at_hash, the confirmation method) and an
// access token good at userinfo; a replay revokes what the code issued.
func TestCodeExchange(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp"})
	a := e.account(identity.Confirmed, identity.ESign)
	verifier, challenge := pkce()
	r := e.request(c, url.Values{"nonce": {"n-0S6"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "scope": {"openid profile snils"}})
	exchange := func(code, redirect, verifier string) (*oidc.TokenResponse, error) {
		return e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: code, RedirectURI: redirect, CodeVerifier: verifier})
	}
	code := e.code(c, a, r)
	e.clock.Add(30 * time.Second)
	res, err := exchange(code, c.RedirectURIs[0], verifier)
	if err != nil {
		t.Fatal(err)
	}
	if res.TokenType != "Bearer" || res.ExpiresIn != 900 || res.RefreshToken != "" || res.Scope != "openid profile snils" {
		t.Fatalf("response: %+v", res)
	}
	var id oidc.IDClaims
	hdr := e.verify(res.IDToken, &id)
	h := sha256.Sum256([]byte(res.AccessToken))
	if hdr.Algorithm != "ES256" || hdr.ExtraHeaders[jose.HeaderType] != "JWT" || id.Issuer != iss || id.Subject != a.ID || !id.Audience.Contains("rp") ||
		id.Nonce != "n-0S6" || id.ACR != "urn:kabinet:level:confirmed" || id.Confirmation != "esign" || id.AZP != "rp" || id.SID != "sess-1" ||
		strings.Join(id.AMR, ",") != "pwd" || id.AuthTime != e.clock.Now().Add(-30*time.Second).Unix() ||
		id.AtHash != base64.RawURLEncoding.EncodeToString(h[:16]) || !id.Expiry.Time().Equal(e.clock.Now().Add(oidc.IDTokenTTL).Truncate(time.Second)) {
		t.Fatalf("ID token: %+v %+v", hdr, id)
	}
	var at oidc.AccessClaims
	if hdr := e.verify(res.AccessToken, &at); hdr.ExtraHeaders[jose.HeaderType] != "at+jwt" || at.ClientID != "rp" || at.Scope != "openid profile snils" {
		t.Fatalf("access token: %+v %+v", hdr, at)
	}
	info, err := e.p.UserInfo(e.ctx, iss, res.AccessToken)
	if err != nil || info["sub"] != a.ID || info["snils"] != a.SNILS || info["family_name"] != "Соколова" || info["acr"] != "urn:kabinet:level:confirmed" {
		t.Fatalf("userinfo: %v %v", info, err)
	}
	// An ID token is no access token, and another issuer's token is not ours.
	if _, err := e.p.UserInfo(e.ctx, iss, res.IDToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("an ID token at userinfo: %v", err)
	}
	if _, err := e.p.UserInfo(e.ctx, "https://other.example", res.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("another issuer: %v", err)
	}
	// The code replayed: refused, and the access token it issued is revoked.
	if _, err := exchange(code, c.RedirectURIs[0], verifier); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("replayed: %v", err)
	}
	if _, err := e.p.UserInfo(e.ctx, iss, res.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("a token of a replayed code still works: %v", err)
	}

	// Each failure spends the code.
	for name, tc := range map[string]struct{ redirect, verifier string }{
		"no verifier":      {c.RedirectURIs[0], ""},
		"wrong verifier":   {c.RedirectURIs[0], strings.Repeat("a", 43)},
		"another redirect": {"https://rp.example/other", verifier},
	} {
		code := e.code(c, a, r)
		if _, err := exchange(code, tc.redirect, tc.verifier); errCode(err) != oidc.ErrInvalidGrant {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := exchange(code, c.RedirectURIs[0], verifier); errCode(err) != oidc.ErrInvalidGrant {
			t.Errorf("%s: the code still works after a failed attempt", name)
		}
	}
	// Expired.
	code = e.code(c, a, r)
	e.clock.Add(oidc.CodeTTL)
	if _, err := exchange(code, c.RedirectURIs[0], verifier); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("expired: %v", err)
	}
	// Another client's code is refused and left alone.
	other, _ := e.client(oidc.NewClient{ID: "other"})
	code = e.code(c, a, r)
	if _, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: other, GrantType: "authorization_code", Code: code, RedirectURI: c.RedirectURIs[0],
		CodeVerifier: verifier}); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("another client: %v", err)
	}
	if _, err := exchange(code, c.RedirectURIs[0], verifier); err != nil {
		t.Fatalf("another client's attempt spent the code: %v", err)
	}
	// A verifier without a challenge.
	plain := e.request(c, nil)
	if _, err := exchange(e.code(c, a, plain), c.RedirectURIs[0], verifier); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("a verifier without a challenge: %v", err)
	}
	if _, err := exchange(e.code(c, a, plain), c.RedirectURIs[0], ""); err != nil {
		t.Fatalf("a confidential client without PKCE: %v", err)
	}
	for gt, want := range map[string]string{"": oidc.ErrInvalidRequest, "password": oidc.ErrUnsupportedGrantType, "client_credentials": oidc.ErrUnsupportedGrantType} {
		if _, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: gt}); errCode(err) != want {
			t.Errorf("grant_type %q: %v", gt, err)
		}
	}
}

// Refresh tokens: issued only for offline_access, rotated on every use; a used one presented
// again revokes the whole chain (and the access tokens of the grant).
func TestRefresh(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp"})
	a := e.account(identity.Standard, "")
	r := e.request(c, url.Values{"scope": {"openid profile offline_access"}, "nonce": {"n"}})
	res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: e.code(c, a, r), RedirectURI: c.RedirectURIs[0]})
	if err != nil || res.RefreshToken == "" {
		t.Fatalf("no refresh token: %+v %v", res, err)
	}
	refresh := func(rt, scope string) (*oidc.TokenResponse, error) {
		return e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "refresh_token", RefreshToken: rt, Scope: scope})
	}
	e.clock.Add(time.Hour)
	second, err := refresh(res.RefreshToken, "")
	if err != nil || second.RefreshToken == "" || second.RefreshToken == res.RefreshToken || second.IDToken == "" {
		t.Fatalf("refresh: %+v %v", second, err)
	}
	var id oidc.IDClaims
	e.verify(second.IDToken, &id)
	if id.Nonce != "" || id.AuthTime != e.clock.Now().Add(-time.Hour).Unix() || id.ACR != "urn:kabinet:level:standard" || id.Confirmation != "" {
		t.Fatalf("refreshed ID token: %+v", id)
	}
	narrow, err := refresh(second.RefreshToken, "openid")
	if err != nil || narrow.Scope != "openid" {
		t.Fatalf("a narrower scope: %+v %v", narrow, err)
	}
	if _, err := refresh(narrow.RefreshToken, "openid email"); errCode(err) != oidc.ErrInvalidScope {
		t.Fatalf("a wider scope: %v", err)
	}
	// The wider-scope attempt was refused before rotating: the token still works.
	third, err := refresh(narrow.RefreshToken, "")
	if err != nil {
		t.Fatal(err)
	}
	// Reuse of a used one revokes the chain: the newest refresh token and the access tokens.
	if _, err := refresh(second.RefreshToken, ""); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("reuse: %v", err)
	}
	if _, err := refresh(third.RefreshToken, ""); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("the chain survived a reuse: %v", err)
	}
	if _, err := e.p.UserInfo(e.ctx, iss, third.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("an access token of a revoked chain: %v", err)
	}
	// Without offline_access, no refresh token; another client cannot use one; they expire.
	plain, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: e.code(c, a, e.request(c, nil)),
		RedirectURI: c.RedirectURIs[0]})
	if err != nil || plain.RefreshToken != "" {
		t.Fatalf("a refresh token without offline_access: %+v %v", plain, err)
	}
	res, _ = e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: e.code(c, a, r), RedirectURI: c.RedirectURIs[0]})
	other, _ := e.client(oidc.NewClient{ID: "other"})
	if _, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: other, GrantType: "refresh_token", RefreshToken: res.RefreshToken}); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("another client's refresh token: %v", err)
	}
	e.clock.Add(oidc.RefreshTTL)
	if _, err := refresh(res.RefreshToken, ""); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("an idle refresh token: %v", err)
	}
	// An access token expires.
	if _, err := e.p.UserInfo(e.ctx, iss, plain.AccessToken); errCode(err) != oidc.ErrInvalidToken {
		t.Fatalf("an expired access token: %v", err)
	}
}

// Revocation (RFC 7009) revokes the grant of the client's token and ignores others' tokens;
// introspection (RFC 7662) describes live tokens to confidential clients.
func TestRevokeAndIntrospect(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp"})
	rs, _ := e.client(oidc.NewClient{ID: "rs"})
	spa, _ := e.client(oidc.NewClient{ID: "spa", Public: true})
	a := e.account(identity.Simplified, "")
	issue := func() *oidc.TokenResponse {
		res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code",
			Code: e.code(c, a, e.request(c, url.Values{"scope": {"openid offline_access"}})), RedirectURI: c.RedirectURIs[0]})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := issue()
	info, err := e.p.Introspect(e.ctx, iss, rs, res.AccessToken)
	if err != nil || info["active"] != true || info["client_id"] != "rp" || info["sub"] != a.ID || info["token_type"] != "access_token" ||
		info["acr"] != "urn:kabinet:level:simplified" {
		t.Fatalf("introspect an access token: %v %v", info, err)
	}
	if info, _ := e.p.Introspect(e.ctx, iss, rs, res.RefreshToken); info["active"] != false {
		t.Fatalf("another client's refresh token described: %v", info)
	}
	if info, _ := e.p.Introspect(e.ctx, iss, c, res.RefreshToken); info["active"] != true || info["token_type"] != "refresh_token" {
		t.Fatalf("its own refresh token: %v", info)
	}
	if _, err := e.p.Introspect(e.ctx, iss, spa, res.AccessToken); errCode(err) != oidc.ErrInvalidClient {
		t.Fatalf("a public client introspects: %v", err)
	}
	for _, junk := range []string{"", "x", "a.b.c", strings.Repeat("z", 300)} {
		if info, err := e.p.Introspect(e.ctx, iss, rs, junk); err != nil || info["active"] != false {
			t.Fatalf("junk %q: %v %v", junk, info, err)
		}
	}
	// Another client's revocation changes nothing; the client's own revokes the grant.
	if err := e.p.Revoke(e.ctx, iss, rs, res.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.p.Introspect(e.ctx, iss, rs, res.AccessToken); info["active"] != true {
		t.Fatal("another client revoked the token")
	}
	if err := e.p.Revoke(e.ctx, iss, c, res.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.p.Introspect(e.ctx, iss, rs, res.AccessToken); info["active"] != false {
		t.Fatal("revoking the refresh token left its access token active")
	}
	res = issue()
	if err := e.p.Revoke(e.ctx, iss, c, res.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "refresh_token", RefreshToken: res.RefreshToken}); errCode(err) != oidc.ErrInvalidGrant {
		t.Fatalf("revoking the access token left the refresh token: %v", err)
	}
	if err := e.p.Revoke(e.ctx, iss, c, "unknown"); err != nil {
		t.Fatalf("an unknown token: %v", err)
	}
}

// End-session: the hint must be an ID token of this provider (expired is fine); a
// post-logout URI must be registered for the hint's client (or client_id's).
func TestCheckLogout(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(oidc.NewClient{ID: "rp", PostLogoutURIs: []string{"https://rp.example/bye"}})
	e.client(oidc.NewClient{ID: "other", PostLogoutURIs: []string{"https://other.example/bye"}})
	a := e.account(identity.Simplified, "")
	res, err := e.p.Token(e.ctx, oidc.TokenRequest{Issuer: iss, Client: c, GrantType: "authorization_code", Code: e.code(c, a, e.request(c, nil)), RedirectURI: c.RedirectURIs[0]})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * oidc.IDTokenTTL)
	l, err := e.p.CheckLogout(e.ctx, iss, oidc.LogoutRequest{IDTokenHint: res.IDToken, PostLogoutRedirectURI: "https://rp.example/bye", State: "s"})
	if err != nil || l.Client.ID != "rp" || l.Subject != a.ID || l.SessionID != "sess-1" || l.RedirectURI != "https://rp.example/bye" || l.State != "s" {
		t.Fatalf("logout: %+v %v", l, err)
	}
	if l, err := e.p.CheckLogout(e.ctx, iss, oidc.LogoutRequest{ClientID: "rp", PostLogoutRedirectURI: "https://rp.example/bye"}); err != nil || l.Subject != "" {
		t.Fatalf("by client_id: %+v %v", l, err)
	}
	if l, err := e.p.CheckLogout(e.ctx, iss, oidc.LogoutRequest{}); err != nil || l.RedirectURI != "" || l.Client != nil {
		t.Fatalf("a bare logout: %+v %v", l, err)
	}
	for name, in := range map[string]oidc.LogoutRequest{
		"unregistered":      {IDTokenHint: res.IDToken, PostLogoutRedirectURI: "https://evil.example/"},
		"another client's":  {IDTokenHint: res.IDToken, PostLogoutRedirectURI: "https://other.example/bye"},
		"no client":         {PostLogoutRedirectURI: "https://rp.example/bye"},
		"client_id differs": {IDTokenHint: res.IDToken, ClientID: "other"},
		"access token hint": {IDTokenHint: res.AccessToken},
		"tampered hint":     {IDTokenHint: res.IDToken[:len(res.IDToken)-4] + "AAAA"},
		"unknown client":    {ClientID: "nobody", PostLogoutRedirectURI: "https://rp.example/bye"},
	} {
		if _, err := e.p.CheckLogout(e.ctx, iss, in); !problem.Is(err, problem.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
