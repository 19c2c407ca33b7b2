package oidc

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// Revocation (RFC 7009) and introspection (RFC 7662) of the provider's tokens (IDP-7). A token
// is told apart by its shape: a JWT is an access token, anything else may be a refresh token.
// Revoking either revokes its grant: every token issued from the same code (RFC 7009 2.1
// allows it for access tokens and asks it for refresh tokens).

// Revoke revokes token if client c holds it; a token unknown, invalid or of another client is
// no error (RFC 7009 2.2). The token_type_hint is not needed: the shape tells.
func (p *Provider) Revoke(ctx context.Context, iss string, c *Client, token string) error {
	g, err := p.grantOf(ctx, iss, token)
	if err != nil || g == nil || g.ClientID != c.ID {
		return err
	}
	err = p.o.Store.RevokeGrant(ctx, g.ID, p.now().UTC())
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil
	}
	return err
}

// grantOf returns the grant of an access or refresh token, or nil when it is none of the
// provider's (expired ones included: they may still be revoked).
func (p *Provider) grantOf(ctx context.Context, iss, token string) (*Grant, error) {
	if token == "" || len(token) > 8192 {
		return nil, nil
	}
	if strings.Count(token, ".") == 2 {
		_, g, err := p.checkAccessToken(ctx, iss, token, true)
		if _, isProtocol := AsError(err); isProtocol {
			return nil, nil
		}
		return g, err
	}
	rt, err := p.o.Store.RefreshToken(ctx, hashToken(token))
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	g, err := p.o.Store.Grant(ctx, rt.GrantID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, nil
	}
	return g, err
}

// Introspect answers a resource server's question about token (RFC 7662 2.2): {"active":
// false} for anything not live, and for a live token its client, subject, scope, expiry, level
// and authentication time. The caller must be a confidential client; a refresh token is
// described only to the client it was issued to.
func (p *Provider) Introspect(ctx context.Context, iss string, caller *Client, token string) (map[string]any, error) {
	if caller.AuthMethod == AuthNone {
		return nil, errorf(ErrInvalidClient, "a public client may not introspect tokens")
	}
	inactive := map[string]any{"active": false}
	now := p.now()
	if strings.Count(token, ".") == 2 {
		c, g, err := p.checkAccessToken(ctx, iss, token, false)
		if _, isProtocol := AsError(err); isProtocol {
			return inactive, nil
		}
		if err != nil {
			return nil, err
		}
		return map[string]any{"active": true, "token_type": "access_token", "client_id": c.ClientID, "sub": c.Subject, "scope": c.Scope,
			"aud": []string(c.Audience), "iss": c.Issuer, "exp": c.Expiry.Time().Unix(), "iat": c.IssuedAt.Time().Unix(), "jti": c.ID,
			"acr": c.ACR, "auth_time": c.AuthTime, "amr": g.AMR}, nil
	}
	if token == "" || len(token) > 200 {
		return inactive, nil
	}
	rt, err := p.o.Store.RefreshToken(ctx, hashToken(token))
	if errors.Is(err, storeerr.ErrNotFound) {
		return inactive, nil
	}
	if err != nil {
		return nil, err
	}
	g, err := p.o.Store.Grant(ctx, rt.GrantID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return inactive, nil
	}
	if err != nil {
		return nil, err
	}
	if g.ClientID != caller.ID || !rt.UsedAt.IsZero() || !now.Before(rt.ExpiresAt) || !g.Live(now) {
		return inactive, nil
	}
	return map[string]any{"active": true, "token_type": "refresh_token", "client_id": g.ClientID, "sub": g.Subject,
		"scope": strings.Join(g.Scopes, " "), "iss": iss, "exp": rt.ExpiresAt.Unix(), "iat": rt.IssuedAt.Unix(),
		"acr": g.ACR, "auth_time": g.AuthTime.Unix()}, nil
}

// Cleanup removes what has expired: codes (kept usedCodeKept past their use or expiry, so a
// replay is still caught), grants with their refresh tokens, client assertions' jti, and keys
// no longer published. It is the periodic job CleanupJob.
func (p *Provider) Cleanup(ctx context.Context) (int, error) {
	now := p.now().UTC()
	n, err := p.o.Store.DeleteExpired(ctx, now, now.Add(-usedCodeKept))
	if err != nil {
		return n, err
	}
	k, err := p.deleteRetiredKeys(ctx)
	return n + k, err
}

// The provider's periodic jobs: CleanupJob every hour; RotateJob every hour, which replaces
// keys only once they are KeyRotation old.
const (
	CleanupJob = "oidc.cleanup"
	RotateJob  = "oidc.keys.rotate"
	JobPeriod  = time.Hour
)
