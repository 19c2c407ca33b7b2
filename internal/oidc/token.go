package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The token endpoint's grants (IDP-7; RFC 6749 4.1.3 and 6, OpenID Connect Core 3.1.3 and 12):
// a code is exchanged once, by its client, with its redirect URI and PKCE verifier, for an ID
// token, a JWT access token and (with offline_access) a refresh token; a code replayed revokes
// every token it issued. A refresh token is used once and replaced; a used one presented again
// revokes its whole chain.

// TokenRequest is a request to the token endpoint from an authenticated client.
type TokenRequest struct {
	Issuer       string
	Client       *Client
	GrantType    string
	Code         string
	RedirectURI  string
	CodeVerifier string
	RefreshToken string
	Scope        string // refresh_token: a narrower scope, or ""
}

// TokenResponse is the token endpoint's answer (RFC 6749 5.1).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope"`
}

// Token answers a token request.
func (p *Provider) Token(ctx context.Context, r TokenRequest) (*TokenResponse, error) {
	switch r.GrantType {
	case "authorization_code":
		return p.exchangeCode(ctx, r)
	case "refresh_token":
		return p.refresh(ctx, r)
	case "":
		return nil, errorf(ErrInvalidRequest, "grant_type is required")
	}
	return nil, errorf(ErrUnsupportedGrantType, "grant_type must be authorization_code or refresh_token")
}

func invalidGrant(format string, args ...any) *Error { return errorf(ErrInvalidGrant, format, args...) }

// exchangeCode redeems a code. The hot path is one transaction: the code is claimed and read by
// one statement (RedeemCode), checked here, and its grant opened; only a code that cannot be
// claimed — unknown, another client's, or used before (a replay) — is read again, to say which.
func (p *Provider) exchangeCode(ctx context.Context, r TokenRequest) (*TokenResponse, error) {
	if r.Code == "" || len(r.Code) > 200 {
		return nil, errorf(ErrInvalidRequest, "code is required")
	}
	hash := hashToken(r.Code)
	now := p.now().UTC()
	g := Grant{ID: newGrantID()}
	var issued *Code
	refresh := ""
	err := p.o.Store.RedeemCode(ctx, hash, r.Client.ID, g.ID, now, func(code *Code) (*Grant, *RefreshToken, error) {
		if refusal := checkRedemption(code, r, now); refusal != nil {
			return nil, nil, refusal // the code is spent all the same: it is single use
		}
		// The level is the one the code was issued at, a minute ago at most: the account is not
		// read again on the token endpoint's hot path.
		issued = code
		g = Grant{ID: g.ID, ClientID: code.ClientID, AccountID: code.AccountID, Subject: code.Subject, Scopes: code.Scopes, AuthTime: code.AuthTime,
			ACR: code.ACR, AMR: code.AMR, SessionID: code.SessionID, CreatedAt: now, ExpiresAt: now.Add(AccessTokenTTL)}
		refresh = ""
		if !slices.Contains(code.Scopes, "offline_access") {
			return &g, nil, nil
		}
		// offline_access is in a code only when the citizen allowed it, or the client is trusted.
		g.ExpiresAt = now.Add(OfflineTTL)
		refresh = newSecret()
		return &g, &RefreshToken{Hash: hashToken(refresh), GrantID: g.ID, IssuedAt: now, ExpiresAt: now.Add(RefreshTTL)}, nil
	})
	if errors.Is(err, storeerr.ErrConflict) {
		return nil, p.unclaimedCode(ctx, hash, r.Client)
	}
	if err != nil {
		return nil, err
	}
	res, err := p.mint(ctx, r.Issuer, r.Client, &g, level{acr: issued.ACR, confirmation: issued.Confirmation}, g.Scopes, issued.Nonce, true)
	if err != nil {
		return nil, err
	}
	res.RefreshToken = refresh
	return res, nil
}

// checkRedemption applies the rules of a code's exchange (RFC 6749 4.1.3, RFC 7636 4.6): not
// expired, the authorization request's redirect URI, and the PKCE verifier of its challenge.
func checkRedemption(code *Code, r TokenRequest, now time.Time) *Error {
	switch {
	case !now.Before(code.ExpiresAt):
		return invalidGrant("the code has expired")
	case r.RedirectURI != code.RedirectURI:
		return invalidGrant("redirect_uri differs from the authorization request's")
	case code.CodeChallenge != "" && r.CodeVerifier == "":
		return invalidGrant("code_verifier is required")
	case code.CodeChallenge != "" && !checkVerifier(r.CodeVerifier, code.CodeChallenge):
		return invalidGrant("code_verifier does not match the code_challenge")
	case code.CodeChallenge == "" && r.CodeVerifier != "":
		return invalidGrant("code_verifier without a code_challenge in the authorization request")
	}
	return nil
}

// unclaimedCode says why a code could not be claimed: unknown, issued to another client (which
// cannot spend it), or used before — a replay, which revokes every token the code issued.
func (p *Provider) unclaimedCode(ctx context.Context, hash []byte, c *Client) error {
	code, err := p.o.Store.Code(ctx, hash)
	switch {
	case errors.Is(err, storeerr.ErrNotFound):
		return invalidGrant("unknown code")
	case err != nil:
		return err
	case code.ClientID != c.ID:
		return invalidGrant("the code was issued to another client")
	case !code.UsedAt.IsZero():
		return p.replayed(ctx, code.GrantID, "the code was used before; the tokens it issued are revoked")
	}
	return invalidGrant("unknown code")
}

// replayed revokes the grant of a code or refresh token presented a second time, and returns
// the refusal.
func (p *Provider) replayed(ctx context.Context, grantID, why string) error {
	if grantID != "" {
		if err := p.o.Store.RevokeGrant(ctx, grantID, p.now().UTC()); err != nil && !errors.Is(err, storeerr.ErrNotFound) {
			return err
		}
	}
	return invalidGrant("%s", why)
}

// refresh rotates a refresh token. The hot path is one transaction: the token is claimed and
// read by one statement and its grant read with it (RotateRefresh), checked here, and its
// successor stored; the account is read after, for its level now. Only a token that cannot be
// claimed — unknown, or used before (a reuse) — is read again, to say which.
func (p *Provider) refresh(ctx context.Context, r TokenRequest) (*TokenResponse, error) {
	if r.RefreshToken == "" || len(r.RefreshToken) > 200 {
		return nil, errorf(ErrInvalidRequest, "refresh_token is required")
	}
	hash := hashToken(r.RefreshToken)
	now := p.now().UTC()
	var g *Grant
	var scopes []string
	refresh := ""
	err := p.o.Store.RotateRefresh(ctx, hash, now, func(rt *RefreshToken, grant *Grant) (*RefreshToken, error) {
		if grant.ClientID != r.Client.ID {
			return nil, invalidGrant("the refresh token was issued to another client")
		}
		if !grant.Live(now) || !now.Before(rt.ExpiresAt) {
			return nil, invalidGrant("the refresh token has expired or was revoked")
		}
		scopes = grant.Scopes
		if r.Scope != "" {
			scopes = sortScopes(strings.Fields(r.Scope))
			if !scopesCover(grant.Scopes, scopes) {
				return nil, errorf(ErrInvalidScope, "scope exceeds what was granted")
			}
		}
		g = grant
		refresh = newSecret()
		return &RefreshToken{Hash: hashToken(refresh), GrantID: grant.ID, IssuedAt: now, ExpiresAt: minTime(now.Add(RefreshTTL), grant.ExpiresAt)}, nil
	})
	switch {
	case errors.Is(err, storeerr.ErrConflict):
		return nil, p.unclaimedRefresh(ctx, hash, r.Client)
	case errors.Is(err, storeerr.ErrNotFound):
		return nil, invalidGrant("unknown refresh token") // its grant went (expired) meanwhile
	case err != nil:
		return nil, err
	}
	a, err := p.grantAccount(ctx, g)
	if problem.Is(err, problem.NotFound) {
		return nil, invalidGrant("the account no longer exists")
	}
	if err != nil {
		return nil, err
	}
	// A new ID token, without a nonce, with the original auth_time (OpenID Connect Core 12.2).
	res, err := p.mint(ctx, r.Issuer, r.Client, g, tokenLevel(a), scopes, "", slices.Contains(scopes, "openid"))
	if err != nil {
		return nil, err
	}
	res.RefreshToken = refresh
	return res, nil
}

// unclaimedRefresh says why a refresh token could not be claimed: unknown, issued to another
// client, or used before — a reuse, which revokes its whole chain (the grant).
func (p *Provider) unclaimedRefresh(ctx context.Context, hash []byte, c *Client) error {
	rt, err := p.o.Store.RefreshToken(ctx, hash)
	if errors.Is(err, storeerr.ErrNotFound) {
		return invalidGrant("unknown refresh token")
	}
	if err != nil {
		return err
	}
	g, err := p.o.Store.Grant(ctx, rt.GrantID)
	switch {
	case errors.Is(err, storeerr.ErrNotFound):
		return invalidGrant("unknown refresh token")
	case err != nil:
		return err
	case g.ClientID != c.ID:
		return invalidGrant("the refresh token was issued to another client")
	case !rt.UsedAt.IsZero():
		return p.replayed(ctx, g.ID, "the refresh token was used before; its chain is revoked")
	}
	return invalidGrant("unknown refresh token")
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func newGrantID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// AccessClaims are the claims of a JWT access token (RFC 9068): its grant (gid) is checked on
// every use, so a revoked grant stops its access tokens at once.
type AccessClaims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	AuthTime int64  `json:"auth_time"`
	ACR      string `json:"acr"`
	GrantID  string `json:"gid"`
}

// IDClaims are the claims of an ID token (OpenID Connect Core 2) besides the user's.
type IDClaims struct {
	jwt.Claims
	AuthTime     int64    `json:"auth_time"`
	Nonce        string   `json:"nonce,omitempty"`
	ACR          string   `json:"acr"`
	AMR          []string `json:"amr,omitempty"`
	AZP          string   `json:"azp"`
	SID          string   `json:"sid,omitempty"`
	AtHash       string   `json:"at_hash,omitempty"`
	Confirmation string   `json:"confirmation_method,omitempty"`
}

// mint signs an access token (and an ID token when withID) for grant g.
func (p *Provider) mint(ctx context.Context, iss string, c *Client, g *Grant, lv level, scopes []string, nonce string, withID bool) (*TokenResponse, error) {
	alg := c.Alg
	if alg == "" {
		alg = p.o.DefaultAlg
	}
	key, err := p.keys.signer(ctx, alg)
	if err != nil {
		return nil, err
	}
	now := p.now()
	acr := lv.acr
	jti := make([]byte, 16)
	rand.Read(jti)
	at := AccessClaims{Claims: jwt.Claims{Issuer: iss, Subject: g.Subject, Audience: jwt.Audience{c.ID}, Expiry: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		IssuedAt: jwt.NewNumericDate(now), ID: base64.RawURLEncoding.EncodeToString(jti)},
		ClientID: c.ID, Scope: strings.Join(scopes, " "), AuthTime: g.AuthTime.Unix(), ACR: acr, GrantID: g.ID}
	access, err := signJWT(key.signAT, at)
	if err != nil {
		return nil, err
	}
	res := &TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds()), Scope: strings.Join(scopes, " ")}
	if !withID {
		return res, nil
	}
	h := sha256.Sum256([]byte(access))
	conf := lv.confirmation
	id := IDClaims{Claims: jwt.Claims{Issuer: iss, Subject: g.Subject, Audience: jwt.Audience{c.ID}, Expiry: jwt.NewNumericDate(now.Add(IDTokenTTL)),
		IssuedAt: jwt.NewNumericDate(now)}, AuthTime: g.AuthTime.Unix(), Nonce: nonce, ACR: acr, AMR: g.AMR, AZP: c.ID, SID: g.SessionID,
		AtHash: base64.RawURLEncoding.EncodeToString(h[:16]), Confirmation: conf}
	if res.IDToken, err = signJWT(key.signID, id); err != nil {
		return nil, err
	}
	return res, nil
}

// signJWT signs claims with s as a compact JWS. The claims are marshalled once: go-jose's jwt
// builder marshals them, reads them back into a map and marshals that again, which cost about
// as much as the ES256 signature itself.
func signJWT(s jose.Signer, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// verifyJWT checks a token signed by one of the provider's published keys, with the JOSE
// type typ, and reads its claims into out. Expiry and the issuer are the caller's to check.
func (p *Provider) verifyJWT(ctx context.Context, raw, typ string, out any) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil || len(tok.Headers) != 1 {
		return errors.New("not a signed JWT")
	}
	hdr := tok.Headers[0]
	if t, _ := hdr.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(t, typ) {
		return errors.New("wrong token type")
	}
	key, err := p.keys.verificationKey(ctx, hdr.KeyID)
	if err != nil {
		return err
	}
	if key == nil || string(key.Alg) != hdr.Algorithm {
		return errors.New("unknown key")
	}
	return tok.Claims(key.pub.Key, out)
}

// checkAccessToken verifies a JWT access token and its grant: signed here, issued by iss, not
// expired, and its grant neither revoked nor expired.
func (p *Provider) checkAccessToken(ctx context.Context, iss, raw string, allowExpired bool) (*AccessClaims, *Grant, error) {
	return p.checkAccessTokenWith(ctx, iss, raw, allowExpired, p.o.Store.Grant)
}

// checkAccessTokenWith is checkAccessToken reading the token's grant with readGrant.
func (p *Provider) checkAccessTokenWith(ctx context.Context, iss, raw string, allowExpired bool,
	readGrant func(ctx context.Context, id string) (*Grant, error)) (*AccessClaims, *Grant, error) {
	now := p.now()
	c := p.verified.get(raw, now)
	if c == nil {
		c = &AccessClaims{}
		if err := p.verifyJWT(ctx, raw, typAccess, c); err != nil {
			return nil, nil, &Error{Code: ErrInvalidToken, Description: "the access token is not valid", Err: err}
		}
		p.verified.put(raw, c, now)
	}
	if c.Issuer != iss || c.GrantID == "" {
		return nil, nil, errorf(ErrInvalidToken, "the access token is not valid here")
	}
	if !allowExpired && (c.Expiry == nil || !now.Before(c.Expiry.Time())) {
		return nil, nil, errorf(ErrInvalidToken, "the access token has expired")
	}
	g, err := readGrant(ctx, c.GrantID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, nil, errorf(ErrInvalidToken, "the access token was revoked")
	}
	if err != nil {
		return nil, nil, err
	}
	if !allowExpired && !g.Live(now) {
		return nil, nil, errorf(ErrInvalidToken, "the access token was revoked")
	}
	return c, g, nil
}

// UserInfo answers the userinfo endpoint (OpenID Connect Core 5.3): the claims the access
// token's scopes release, read from the account now.
func (p *Provider) UserInfo(ctx context.Context, iss, accessToken string) (map[string]any, error) {
	c, g, err := p.checkAccessTokenWith(ctx, iss, accessToken, false, p.o.Store.GrantWithAccount)
	if err != nil {
		return nil, err
	}
	scopes := strings.Fields(c.Scope)
	if !slices.Contains(scopes, "openid") {
		return nil, errorf(ErrInsufficientScope, "the access token lacks the openid scope")
	}
	a, err := p.grantAccount(ctx, g)
	if problem.Is(err, problem.NotFound) {
		return nil, errorf(ErrInvalidToken, "the account no longer exists")
	}
	if err != nil {
		return nil, err
	}
	return UserClaims(a, g.Subject, scopes), nil
}

// grantAccount returns the grant's account: the one the store read with the grant, else read
// now (a NotFound problem when it is gone).
func (p *Provider) grantAccount(ctx context.Context, g *Grant) (*identity.Account, error) {
	if g.Account != nil && g.Account.ID == g.AccountID {
		return g.Account, nil
	}
	return p.o.Accounts.Account(ctx, g.AccountID)
}
