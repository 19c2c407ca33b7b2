package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// Client authentication at the token, revocation and introspection endpoints (IDP-7): a secret
// in HTTP Basic or in the form, a JWT signed with the client's key (private_key_jwt, RFC 7523),
// or nothing for a public client. A client uses the one method it registered.

// AssertionType is the client_assertion_type of private_key_jwt.
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionAlgs are the algorithms a client may sign its assertions with.
var AssertionAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// maxAssertionLife bounds how far in the future an assertion may expire (its jti is kept that
// long).
const maxAssertionLife = time.Hour

// Credentials are what a request carries to authenticate its client.
type Credentials struct {
	Basic                    bool // an Authorization: Basic header was sent
	BasicID, BasicSecret     string
	ClientID, ClientSecret   string // client_id and client_secret of the form
	AssertionType, Assertion string // client_assertion_type and client_assertion
}

func invalidClient(basic bool, format string, args ...any) *Error {
	e := errorf(ErrInvalidClient, format, args...)
	e.Basic = basic
	return e
}

// AuthenticateClient returns the client the credentials authenticate. audiences are the values
// an assertion's aud may hold (the issuer, the token endpoint, the endpoint called).
func (p *Provider) AuthenticateClient(ctx context.Context, audiences []string, cr Credentials) (*Client, error) {
	methods := 0
	for _, used := range []bool{cr.Basic, cr.ClientSecret != "", cr.Assertion != "" || cr.AssertionType != ""} {
		if used {
			methods++
		}
	}
	if methods > 1 {
		return nil, errorf(ErrInvalidRequest, "more than one client authentication method")
	}
	id, method := cr.ClientID, AuthNone
	switch {
	case cr.Basic:
		method = AuthBasic
		if cr.ClientID != "" && cr.ClientID != cr.BasicID {
			return nil, invalidClient(true, "client_id differs from the one authenticated")
		}
		id = cr.BasicID
	case cr.ClientSecret != "":
		method = AuthPost
	case cr.Assertion != "" || cr.AssertionType != "":
		method = AuthJWT
		if cr.AssertionType != AssertionType {
			return nil, invalidClient(false, "client_assertion_type must be %s", AssertionType)
		}
		tok, err := jwt.ParseSigned(cr.Assertion, AssertionAlgs)
		if err != nil {
			return nil, invalidClient(false, "client_assertion is not a signed JWT")
		}
		var cl jwt.Claims
		if err := tok.UnsafeClaimsWithoutVerification(&cl); err != nil {
			return nil, invalidClient(false, "client_assertion has no claims")
		}
		if cr.ClientID != "" && cr.ClientID != cl.Subject {
			return nil, invalidClient(false, "client_id differs from the assertion's sub")
		}
		id = cl.Subject
	}
	if id == "" {
		return nil, invalidClient(cr.Basic, "no client authentication")
	}
	if len(id) > 64 {
		return nil, invalidClient(cr.Basic, "unknown client")
	}
	c, err := p.cachedClient(ctx, id, false)
	if err == nil && (method == AuthBasic && !c.checkSecret(cr.BasicSecret) || method == AuthPost && !c.checkSecret(cr.ClientSecret)) {
		c, err = p.cachedClient(ctx, id, true) // the secret may have been rotated by another process
	}
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, invalidClient(cr.Basic, "unknown client")
	}
	if err != nil {
		return nil, err
	}
	if c.AuthMethod != method {
		return nil, invalidClient(cr.Basic, "the client authenticates with %s", c.AuthMethod)
	}
	switch method {
	case AuthBasic:
		if !c.checkSecret(cr.BasicSecret) {
			return nil, invalidClient(true, "wrong client secret")
		}
	case AuthPost:
		if !c.checkSecret(cr.ClientSecret) {
			return nil, invalidClient(false, "wrong client secret")
		}
	case AuthJWT:
		if err := p.checkAssertion(ctx, c, cr.Assertion, audiences); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkAssertion verifies a private_key_jwt assertion (RFC 7523 3): signed by one of the
// client's keys, iss and sub the client, aud this provider, not expired nor too long-lived,
// and its jti never seen before.
func (p *Provider) checkAssertion(ctx context.Context, c *Client, assertion string, audiences []string) error {
	tok, err := jwt.ParseSigned(assertion, AssertionAlgs)
	if err != nil {
		return invalidClient(false, "client_assertion is not a signed JWT")
	}
	var cl jwt.Claims
	verified := false
	for _, refresh := range []bool{false, true} {
		set, err := p.clientKeys(ctx, c, refresh)
		if err != nil {
			return err
		}
		if verifyWithSet(tok, set, &cl) {
			verified = true
			break
		}
		if c.JWKSURL == "" {
			break
		}
	}
	if !verified {
		return invalidClient(false, "client_assertion is not signed by a key of the client")
	}
	now := p.now()
	switch {
	case cl.Issuer != c.ID || cl.Subject != c.ID:
		return invalidClient(false, "client_assertion: iss and sub must be the client_id")
	case !slices.ContainsFunc(audiences, func(a string) bool { return cl.Audience.Contains(a) }):
		return invalidClient(false, "client_assertion: aud must name this provider")
	case cl.Expiry == nil:
		return invalidClient(false, "client_assertion: exp is required")
	case cl.Expiry.Time().Before(now.Add(-clockSkew)):
		return invalidClient(false, "client_assertion has expired")
	case cl.Expiry.Time().After(now.Add(maxAssertionLife)):
		return invalidClient(false, "client_assertion: exp is too far in the future")
	case cl.NotBefore != nil && cl.NotBefore.Time().After(now.Add(clockSkew)):
		return invalidClient(false, "client_assertion is not valid yet")
	case cl.ID == "" || len(cl.ID) > 200:
		return invalidClient(false, "client_assertion: jti is required")
	}
	err = p.o.Store.UseAssertion(ctx, c.ID, cl.ID, cl.Expiry.Time().Add(clockSkew))
	if _, taken := storeerr.IsKeyTaken(err); taken {
		return invalidClient(false, "client_assertion was used before")
	}
	return err
}

// verifyWithSet checks tok against the keys of set (the one its kid names, or each).
func verifyWithSet(tok *jwt.JSONWebToken, set jose.JSONWebKeySet, out *jwt.Claims) bool {
	if len(tok.Headers) != 1 {
		return false
	}
	keys := set.Keys
	if kid := tok.Headers[0].KeyID; kid != "" {
		keys = set.Key(kid)
	}
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if err := tok.Claims(k.Key, out); err == nil {
			return true
		}
	}
	return false
}

// clientKeys returns the client's registered key set: inline, or fetched from its URL (again
// when refresh is set: its keys may have rotated).
func (p *Provider) clientKeys(ctx context.Context, c *Client, refresh bool) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	raw := c.JWKS
	if c.JWKSURL != "" {
		if p.o.Fetcher == nil {
			return set, invalidClient(false, "the client's key set cannot be fetched")
		}
		b, err := p.o.Fetcher.FetchJWKS(ctx, c.JWKSURL, refresh)
		if err != nil {
			return set, &Error{Code: ErrInvalidClient, Description: "the client's key set cannot be fetched", Err: err}
		}
		raw = b
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return set, &Error{Code: ErrInvalidClient, Description: "the client's key set is not a JWK set", Err: err}
	}
	return set, nil
}
