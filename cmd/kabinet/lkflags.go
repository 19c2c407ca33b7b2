package main

import (
	"flag"

	"github.com/kabinet/kabinet/internal/app"
)

// lkOIDCFlags point the personal account's login through an identity provider (LK-6) at another
// provider than kabinet's own: --lk-oidc-issuer, --lk-oidc-client-id, --lk-oidc-client-secret,
// each with its KABINET_LK_OIDC_… variable (the secret better there than on a command line that
// every user of the machine can list). Without them the personal account is a trusted client of
// kabinet's own provider, registered by serve with nothing to configure.
type lkOIDCFlags struct {
	issuer, clientID, clientSecret *string
}

// newLKOIDCFlags adds the flags to fs.
func newLKOIDCFlags(fs *flag.FlagSet, e *env) lkOIDCFlags {
	get := func(name string) string {
		if e.getenv == nil {
			return ""
		}
		return e.getenv(name)
	}
	return lkOIDCFlags{
		issuer: fs.String("lk-oidc-issuer", get("KABINET_LK_OIDC_ISSUER"),
			"the personal account's login through another OpenID Connect provider than kabinet's own: its issuer URL (env KABINET_LK_OIDC_ISSUER)"),
		clientID: fs.String("lk-oidc-client-id", get("KABINET_LK_OIDC_CLIENT_ID"),
			"the personal account's client id at that provider (env KABINET_LK_OIDC_CLIENT_ID)"),
		clientSecret: fs.String("lk-oidc-client-secret", get("KABINET_LK_OIDC_CLIENT_SECRET"),
			"its client secret (env KABINET_LK_OIDC_CLIENT_SECRET)"),
	}
}

// config returns the configuration, or what is wrong with it.
func (f lkOIDCFlags) config() (app.LKOIDC, error) {
	c := app.LKOIDC{Issuer: *f.issuer, ClientID: *f.clientID, ClientSecret: *f.clientSecret}
	return c, app.CheckLKOIDC(c)
}
