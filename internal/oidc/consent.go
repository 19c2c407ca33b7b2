package oidc

import (
	"context"
	"errors"
	"time"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// The services a citizen has allowed (IDP-7): consents are remembered per account, client and
// set of scopes (a request for a scope not allowed before asks again), listed in the account's
// settings and revocable there; revoking one revokes every grant of the client to the citizen,
// so its refresh and access tokens stop working at once.

// Access is a service the citizen has allowed, as the settings page lists it.
type Access struct {
	ClientID   string
	ClientName string
	Scopes     []string
	GrantedAt  time.Time
}

// Accesses lists the services account accountID has allowed, most recent first.
func (p *Provider) Accesses(ctx context.Context, accountID string) ([]Access, error) {
	cs, err := p.o.Store.Consents(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]Access, 0, len(cs))
	for _, c := range cs {
		cl, err := p.o.Store.Client(ctx, c.ClientID)
		if errors.Is(err, storeerr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Access{ClientID: c.ClientID, ClientName: cl.Name, Scopes: c.Scopes, GrantedAt: c.GrantedAt})
	}
	return out, nil
}

// RevokeAccess forgets what the citizen allowed a client and revokes the client's grants: it
// must ask again, and its tokens stop working.
func (p *Provider) RevokeAccess(ctx context.Context, accountID, clientID string) error {
	return p.o.Store.RevokeConsent(ctx, accountID, clientID, p.now().UTC())
}
