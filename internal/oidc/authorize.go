package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The decision of an authorization request (IDP-7): whether the citizen must log in (again),
// reach a higher level (IDP-2), or allow the client their data (consent, remembered per
// client and set of scopes) before a code is issued; with prompt=none, the error instead.

// SignIn is the citizen's sign-in at the identity provider as an authorization sees it (from
// the session of the /id/ site).
type SignIn struct {
	AccountID string
	SessionID string // the session's public id: the sid claim
	AuthTime  time.Time
	Method    session.Method
}

// Step is what an authorization request needs next.
type Step int

// The steps.
const (
	StepLogin   Step = iota + 1 // the citizen logs in (again)
	StepLevel                   // the account's level is below the one asked for: a page says how to reach it
	StepConsent                 // the citizen allows the client the scopes of Ask
	StepIssue                   // a code can be issued
	StepError                   // prompt=none and an interaction was needed: Err goes to the redirect URI
)

// Decision is the next step of an authorization request.
type Decision struct {
	Step Step
	Ask  []string // StepConsent: the scopes to allow (the whole request's)
	New  []string // StepConsent: those of Ask not allowed before
	Err  *Error   // StepError
}

// Decide returns the next step of request r for the citizen signed in as in (nil: nobody)
// with account a; requestedAt is when the request came, for prompt=login.
func (p *Provider) Decide(ctx context.Context, c *Client, r *AuthRequest, in *SignIn, a *identity.Account, requestedAt time.Time) (Decision, error) {
	needLogin := in == nil || a == nil
	if !needLogin && r.Prompt.Login && in.AuthTime.Before(requestedAt.Truncate(time.Second)) {
		needLogin = true
	}
	if !needLogin && r.MaxAge >= 0 && p.now().Sub(in.AuthTime) > time.Duration(r.MaxAge)*time.Second {
		needLogin = true
	}
	if needLogin {
		if r.Prompt.None {
			return Decision{Step: StepError, Err: errorf(ErrLoginRequired, "the citizen must log in")}, nil
		}
		return Decision{Step: StepLogin}, nil
	}
	if r.MinLevel != "" && !a.Level.AtLeast(r.MinLevel) {
		if r.Prompt.None {
			return Decision{Step: StepError, Err: errorf(ErrInteractionRequired, "the account is below the level asked for (%s)", ACR(r.MinLevel))}, nil
		}
		return Decision{Step: StepLevel}, nil
	}
	if c.Trusted && !r.Prompt.Consent {
		return Decision{Step: StepIssue}, nil
	}
	var allowed []string
	cs, err := p.o.Store.Consent(ctx, a.ID, c.ID)
	switch {
	case err == nil:
		allowed = cs.Scopes
	case !errors.Is(err, storeerr.ErrNotFound):
		return Decision{}, err
	}
	var fresh []string
	for _, s := range r.Scopes {
		if !slices.Contains(allowed, s) {
			fresh = append(fresh, s)
		}
	}
	if len(fresh) == 0 && !r.Prompt.Consent {
		return Decision{Step: StepIssue}, nil
	}
	if r.Prompt.None {
		return Decision{Step: StepError, Err: errorf(ErrConsentRequired, "the citizen must allow the client the scopes asked for")}, nil
	}
	return Decision{Step: StepConsent, Ask: r.Scopes, New: fresh}, nil
}

// Allow remembers that the citizen allowed the client the scopes (with those allowed before).
func (p *Provider) Allow(ctx context.Context, accountID, clientID string, scopes []string) error {
	var all []string
	cs, err := p.o.Store.Consent(ctx, accountID, clientID)
	switch {
	case err == nil:
		all = cs.Scopes
	case !errors.Is(err, storeerr.ErrNotFound):
		return err
	}
	return p.o.Store.PutConsent(ctx, Consent{AccountID: accountID, ClientID: clientID, Scopes: sortScopes(append(all, scopes...)),
		GrantedAt: p.now().UTC()})
}

// AMR returns the authentication methods (RFC 8176) of a session's method.
func AMR(m session.Method) []string {
	switch m {
	case session.Password, session.TemporaryPassword:
		return []string{"pwd"}
	case session.OneTimeCode:
		return []string{"otp"}
	case session.ESignature:
		return []string{"hwk"} // a qualified signature's key lives on a token
	case session.IdentityProvider:
		return []string{"fed"}
	}
	return nil
}

// IssueCode issues an authorization code for a request the Decision allowed (StepIssue, or
// StepConsent once the citizen allowed it). A trusted client's access is remembered as a
// consent too, so that the citizen sees it among the services allowed and can revoke it.
func (p *Provider) IssueCode(ctx context.Context, c *Client, r *AuthRequest, in *SignIn, a *identity.Account) (string, error) {
	if c.Trusted {
		if err := p.Allow(ctx, a.ID, c.ID, r.Scopes); err != nil {
			return "", err
		}
	}
	sub, err := p.subject(ctx, c, a.ID)
	if err != nil {
		return "", err
	}
	code := newSecret()
	now := p.now().UTC()
	err = p.o.Store.InsertCode(ctx, Code{Hash: hashToken(code), ClientID: c.ID, RedirectURI: r.RedirectURI, AccountID: a.ID, Subject: sub,
		Scopes: r.Scopes, Nonce: r.Nonce, CodeChallenge: r.CodeChallenge, AuthTime: in.AuthTime.UTC(), ACR: ACR(a.Level),
		Confirmation: tokenLevel(a).confirmation, AMR: AMR(in.Method), SessionID: in.SessionID, CreatedAt: now, ExpiresAt: now.Add(CodeTTL)})
	if err != nil {
		return "", err
	}
	return code, nil
}

// hashToken is how codes and refresh tokens are kept: their SHA-256 (they are 256 random
// bits, like session tokens).
func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// checkVerifier reports whether a PKCE verifier matches an S256 challenge (RFC 7636 4.6).
func checkVerifier(verifier, challenge string) bool {
	if !pkcePattern.MatchString(verifier) {
		return false
	}
	h := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(h[:])), []byte(challenge)) == 1
}
