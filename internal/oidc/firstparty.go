package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// A first-party client is one of kabinet's own sites that logs citizens in through the provider:
// the taxpayer's personal account (LK-6) is the first. The application registers it at every
// start with nothing for an operator to configure (EnsureClient): it is trusted (no consent is
// asked) and confidential, and its secret is not stored anywhere in clear — it is derived from
// the deployment's secret key (FirstPartySecret), which every process of the deployment has
// already, and only its hash is kept like any client's. So every process computes the same
// secret, a restart changes nothing, and a new secret key (which re-encrypts nothing: the
// provider refuses to start with another key) would give a new secret at the next start.

// FirstPartySecret derives the client secret of first-party client id from the deployment's
// secret key: HMAC-SHA-256 over the client id, URL-safe. Nil key: "" (no secret can be derived).
func FirstPartySecret(secretKey []byte, id string) string {
	if len(secretKey) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte("kabinet.oidc.first_party_client_secret\x00"))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// EnsureClient registers a confidential client with the given secret, or brings an existing
// registration of the same id up to n and secret: its redirect URIs (with keepRedirects, those
// registered before are kept and n's added: a site without a public address learns its
// addresses from requests), scopes, trust, name and secret. It writes only when something changed, so that several processes starting at once
// agree. It is for kabinet's own sites (see FirstPartySecret); operators register other
// services with AddClient.
func (p *Provider) EnsureClient(ctx context.Context, n NewClient, secret string, keepRedirects bool) (*Client, error) {
	if len(secret) < 32 {
		return nil, errors.New("oidc: a first-party client needs a secret of at least 32 characters")
	}
	want := Client{ID: strings.TrimSpace(n.ID), Name: strings.TrimSpace(n.Name), RedirectURIs: n.RedirectURIs, PostLogoutURIs: n.PostLogoutURIs,
		Trusted: n.Trusted, Scopes: n.Scopes, AuthMethod: n.AuthMethod, SubjectType: SubPublic, Alg: n.Alg, CreatedAt: p.now().UTC()}
	if want.Name == "" {
		want.Name = want.ID
	}
	if want.AuthMethod == "" {
		want.AuthMethod = AuthBasic
	}
	if want.AuthMethod != AuthBasic && want.AuthMethod != AuthPost {
		return nil, errors.New("oidc: a first-party client authenticates with its secret")
	}
	if len(want.Scopes) == 0 {
		want.Scopes = slices.Clone(Scopes)
	}
	cur, err := p.o.Store.Client(ctx, want.ID)
	if err != nil && !errors.Is(err, storeerr.ErrNotFound) {
		return nil, err
	}
	if cur != nil && keepRedirects {
		uris := slices.Clone(cur.RedirectURIs)
		for _, u := range want.RedirectURIs {
			if !slices.Contains(uris, u) {
				uris = append(uris, u)
			}
		}
		want.RedirectURIs = uris
	}
	if err := checkClient(&want); err != nil {
		return nil, err
	}
	hash := hashSecret(want.ID, secret)
	if cur == nil {
		want.SecretHash, want.SecretSetAt = hash, want.CreatedAt
		err := p.o.Store.InsertClient(ctx, want)
		if _, taken := storeerr.IsKeyTaken(err); taken {
			return p.EnsureClient(ctx, n, secret, keepRedirects) // another process registered it meanwhile
		}
		if err != nil {
			return nil, err
		}
		return &want, nil
	}
	next := *cur
	next.Name, next.RedirectURIs, next.PostLogoutURIs, next.Trusted, next.Scopes = want.Name, want.RedirectURIs, want.PostLogoutURIs, want.Trusted, want.Scopes
	next.Public, next.AuthMethod, next.JWKSURL, next.JWKS, next.SubjectType, next.Sector, next.Alg = false, want.AuthMethod, "", nil, SubPublic, "", want.Alg
	if subtle.ConstantTimeCompare(cur.SecretHash, hash) != 1 {
		next.SecretHash, next.SecretSetAt = hash, want.CreatedAt
	}
	if sameRegistration(cur, &next) {
		return cur, nil
	}
	p.forgetClient(next.ID)
	if err := p.o.Store.UpdateClient(ctx, next); err != nil {
		if errors.Is(err, storeerr.ErrNotFound) {
			return nil, problem.New(problem.Conflict, msgNoClient)
		}
		return nil, err
	}
	return &next, nil
}

// sameRegistration reports whether two registrations of a client are alike in what
// EnsureClient sets.
func sameRegistration(a, b *Client) bool {
	return a.Name == b.Name && slices.Equal(a.RedirectURIs, b.RedirectURIs) && slices.Equal(a.PostLogoutURIs, b.PostLogoutURIs) &&
		a.Trusted == b.Trusted && slices.Equal(a.Scopes, b.Scopes) && a.Public == b.Public && a.AuthMethod == b.AuthMethod &&
		a.JWKSURL == b.JWKSURL && len(a.JWKS) == 0 && len(b.JWKS) == 0 && a.SubjectType == b.SubjectType && a.Sector == b.Sector &&
		a.Alg == b.Alg && subtle.ConstantTimeCompare(a.SecretHash, b.SecretHash) == 1
}
