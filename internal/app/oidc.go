package app

import (
	"context"
	"fmt"
	"net/http"

	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/oidcweb"
	"github.com/kabinet/kabinet/internal/store"
)

// The OpenID Connect provider's wiring (IDP-7): its secret key, its default algorithm, the
// HTTP client that fetches clients' key sets.

// OIDC configures the OpenID Connect provider.
type OIDC struct {
	// SecretKey (32 bytes) encrypts the signing keys in the database; every process of one
	// deployment needs the same. Without it the provider cannot sign: its token endpoint answers
	// that it is unavailable (the command's tools that do not sign need none).
	SecretKey []byte
	// Alg signs the tokens of clients that name no algorithm: ES256 (default) or RS256.
	Alg string
	// JWKSClient fetches the key sets clients register by URL (private_key_jwt); a client with
	// a 5-second timeout when nil.
	JWKSClient *http.Client
}

func (a *App) newOIDC(ctx context.Context, c Config) error {
	p, err := oidc.New(oidc.Options{Store: store.NewOIDC(c.DB), Accounts: a.Identity, SecretKey: c.OIDC.SecretKey, DefaultAlg: c.OIDC.Alg,
		Fetcher: oidcweb.NewFetcher(c.OIDC.JWKSClient, c.Now), Now: c.Now})
	if err != nil {
		return err
	}
	if c.OIDC.SecretKey != nil {
		// A process with another secret key than the one that encrypted the keys is refused at
		// start rather than at its first login.
		if err := p.CheckSecretKey(ctx); err != nil {
			return fmt.Errorf("openid connect: %w", err)
		}
	}
	a.OIDC = p
	return nil
}
