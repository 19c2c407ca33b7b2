// Package oidc is the identity provider's OpenID Connect provider (IDP-7): the rules by which
// other services (the taxpayer personal account first, LK-6) log citizens in with the account's
// level and confirmation method (IDP-2, IDP-4). It owns registered clients and their
// authentication, authorization requests (code flow with PKCE only), authorization codes, the
// grants they open, ID tokens and JWT access tokens, rotating refresh tokens, consents, claims
// per scope, pairwise subjects, signing keys (encrypted at rest, rotated on a schedule),
// revocation, introspection and RP-initiated logout.
//
// It holds the rules only: no net/http and no SQL. Package oidcweb serves the endpoints and
// pages, package store keeps what Store declares, package identity owns the accounts it reads.
// Every time comes from the injected clock.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
)

// Lifetimes (IDP-7). Short-lived tokens are JWTs checked by signature; what lives longer
// (refresh tokens) is stored and rotated.
const (
	// CodeTTL is how long an authorization code may be exchanged.
	CodeTTL = 60 * time.Second
	// AccessTokenTTL is the lifetime of a JWT access token.
	AccessTokenTTL = 15 * time.Minute
	// IDTokenTTL is the lifetime of an ID token.
	IDTokenTTL = 15 * time.Minute
	// RefreshTTL is how long a refresh token stays usable without being used (each rotation
	// starts it again).
	RefreshTTL = 30 * 24 * time.Hour
	// OfflineTTL bounds a grant with refresh tokens, however often they are rotated: after it
	// the citizen logs in again.
	OfflineTTL = 180 * 24 * time.Hour
	// KeyRotation is how often signing keys are replaced (a periodic job checks every hour).
	KeyRotation = 30 * 24 * time.Hour
	// KeyCacheTTL is how long a process keeps the keys it read before reading them again.
	KeyCacheTTL = time.Minute
	// KeyGrace is how long a replaced key stays published: until every token it signed has
	// expired, plus the time every process needs to notice the replacement and some clock skew.
	KeyGrace = max(AccessTokenTTL, IDTokenTTL) + KeyCacheTTL + 5*time.Minute
	// usedCodeKept is how long a redeemed code is kept so that a replay still finds it (and
	// revokes what it issued).
	usedCodeKept = 10 * time.Minute
	// clockSkew is allowed between kabinet and a client signing an assertion.
	clockSkew = time.Minute
)

// Accounts is what the provider reads of the identity provider's accounts; *identity.Provider
// is one. A missing account is a problem with code NotFound.
type Accounts interface {
	Account(ctx context.Context, id string) (*identity.Account, error)
}

// JWKSFetcher fetches the key set a client publishes at a URL (private_key_jwt, RFC 7523); the
// web layer implements it over HTTP, with a cache.
type JWKSFetcher interface {
	FetchJWKS(ctx context.Context, url string, refresh bool) ([]byte, error)
}

// Options are the Provider's dependencies.
type Options struct {
	Store    Store
	Accounts Accounts
	// SecretKey (32 bytes) encrypts the signing keys in the database (AES-256-GCM). Without it
	// no key can be made or read: the endpoints that sign answer that the service is
	// unavailable.
	SecretKey []byte
	// Fetcher fetches clients' key sets registered by URL; without it such clients cannot
	// authenticate.
	Fetcher JWKSFetcher
	// DefaultAlg signs the tokens of clients that ask for no algorithm: ES256 (the default) or
	// RS256.
	DefaultAlg string
	Now        func() time.Time
}

// Provider applies the OpenID Connect provider's rules.
type Provider struct {
	o    Options
	now  func() time.Time
	keys *keyring
	salt *saltCache
	// verified remembers the access tokens whose signature was checked (accesscache.go).
	verified verifiedTokens
	// clients remembers the clients the token endpoint authenticated (clientcache.go).
	clients clientCache
}

// New returns the provider.
func New(o Options) (*Provider, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DefaultAlg == "" {
		o.DefaultAlg = ES256
	}
	if o.DefaultAlg != ES256 && o.DefaultAlg != RS256 {
		return nil, fmt.Errorf("oidc: signing algorithm %q: want ES256 or RS256", o.DefaultAlg)
	}
	if o.SecretKey != nil && len(o.SecretKey) != 32 {
		return nil, fmt.Errorf("oidc: the secret key must be 32 bytes, got %d", len(o.SecretKey))
	}
	p := &Provider{o: o, now: o.Now}
	p.keys = newKeyring(o.Store, o.SecretKey, o.Now)
	p.salt = &saltCache{st: o.Store}
	return p, nil
}

// Now returns the provider's time.
func (p *Provider) Now() time.Time { return p.now() }

// ErrNoSecretKey is returned when a key must be made or read and no secret key was given.
var ErrNoSecretKey = errors.New("oidc: no secret key to encrypt the signing keys (KABINET_SECRET_KEY or --secret-key-file)")

// The error codes of the standards: RFC 6749 (4.1.2.1, 5.2), RFC 6750 (3.1), OpenID Connect
// Core 1.0 (3.1.2.6), RFC 7009 and the Unmet Authentication Requirements 1.0 extension.
const (
	ErrInvalidRequest          = "invalid_request"
	ErrUnauthorizedClient      = "unauthorized_client"
	ErrAccessDenied            = "access_denied"
	ErrUnsupportedResponseType = "unsupported_response_type"
	ErrInvalidScope            = "invalid_scope"
	ErrServerError             = "server_error"
	ErrTemporarilyUnavailable  = "temporarily_unavailable"
	ErrInvalidClient           = "invalid_client"
	ErrInvalidGrant            = "invalid_grant"
	ErrUnsupportedGrantType    = "unsupported_grant_type"
	ErrInvalidToken            = "invalid_token"
	ErrInsufficientScope       = "insufficient_scope"
	ErrUnsupportedTokenType    = "unsupported_token_type"
	ErrInteractionRequired     = "interaction_required"
	ErrLoginRequired           = "login_required"
	ErrConsentRequired         = "consent_required"
	ErrRequestNotSupported     = "request_not_supported"
	ErrRequestURINotSupported  = "request_uri_not_supported"
	ErrRegistrationNotSupp     = "registration_not_supported"
	ErrUnmetAuthentication     = "unmet_authentication_requirements"
)

// Error is a refusal of the protocol: a code the standards define and a description for the
// client's developer (error_description, English, never personal data). The web layer sends
// it to the redirect URI or as the JSON body the standard says.
type Error struct {
	Code        string
	Description string
	// Basic is set on an invalid_client error when the client used HTTP Basic: the answer
	// then carries WWW-Authenticate (RFC 6749 5.2).
	Basic bool
	Err   error // the cause, for the log only
}

// Error returns the code and the description.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("oidc: %s: %s (%v)", e.Code, e.Description, e.Err)
	}
	return "oidc: " + e.Code + ": " + e.Description
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorf returns an Error with a code and a formatted description.
func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// AsError returns err as *Error if it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
