package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/oidc"
)

// `kabinet idp client …` registers the services that log citizens in through the OpenID
// Connect provider (IDP-7), and `kabinet idp keys rotate` replaces its signing keys.

const idpClientUsage = `usage:
  kabinet idp client add --id ID --redirect-uri URI [--redirect-uri URI…] [--public] [--trusted]
      [--scope S…] [--name "…"] [--post-logout-redirect-uri URI…]
      [--auth-method client_secret_basic|client_secret_post|private_key_jwt]
      [--jwks-url URL | --jwks-file FILE] [--pairwise [--sector HOST]] [--alg ES256|RS256] [--db …]
      registers a client; prints its secret on standard output, once (only its hash is kept),
      and nothing for a public client (--public: no secret, PKCE required) or one with
      private_key_jwt. --trusted: a first-party service, the citizen's consent is not asked.
      --scope (repeated, or several in one): the scopes it may ask for, every one by default:
      openid profile email phone snils inn id_document address offline_access
  kabinet idp client list [--json] [--db …]
  kabinet idp client remove ID [--db …]
      removes a client with its grants: its tokens stop working
  kabinet idp client rotate-secret ID [--db …]
      prints a new secret; the old one stops working within ten seconds on running servers
      (each keeps a client it read for ten seconds), and the new one works at once
  kabinet idp keys rotate [--secret-key-file F] [--db …]
      replaces the signing keys now; the old ones stay published until their tokens expire
`

// listFlag is a flag that may be repeated; each value may hold several, space-separated.
type listFlag []string

// String returns the values, space-separated.
func (l *listFlag) String() string { return strings.Join(*l, " ") }

// Set adds the values of one occurrence.
func (l *listFlag) Set(v string) error {
	*l = append(*l, strings.Fields(v)...)
	return nil
}

// runIdpClient implements `kabinet idp client`.
func runIdpClient(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, idpClientUsage)
		return exitUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("idp client "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, idpClientUsage) }
	dbf := dbFlag(fs, e)
	var n oidc.NewClient
	var redirects, scopes, logouts listFlag
	var jwksFile string
	asJSON := false
	switch sub {
	case "add":
		fs.StringVar(&n.ID, "id", "", "client id")
		fs.StringVar(&n.Name, "name", "", "the service's name, shown to citizens")
		fs.Var(&redirects, "redirect-uri", "a redirect URI (repeat for more), matched exactly")
		fs.Var(&logouts, "post-logout-redirect-uri", "where RP-initiated logout may return (repeat for more)")
		fs.BoolVar(&n.Public, "public", false, "a public client: no secret, PKCE required")
		fs.BoolVar(&n.Trusted, "trusted", false, "a first-party client: no consent asked")
		fs.Var(&scopes, "scope", "a scope it may ask for (repeat, or several in one); all by default")
		fs.StringVar(&n.AuthMethod, "auth-method", "", "client_secret_basic (default), client_secret_post or private_key_jwt")
		fs.StringVar(&n.JWKSURL, "jwks-url", "", "private_key_jwt: where the client publishes its keys (https)")
		fs.StringVar(&jwksFile, "jwks-file", "", "private_key_jwt: a file with the client's public keys (a JWK set), stored")
		fs.BoolVar(&n.Pairwise, "pairwise", false, "pairwise subjects: a sub of its own per sector")
		fs.StringVar(&n.Sector, "sector", "", "the pairwise sector (default: the redirect URIs' host)")
		fs.StringVar(&n.Alg, "alg", "", "ES256 or RS256 for its tokens (default: the provider's)")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	case "remove", "rotate-secret":
	default:
		fmt.Fprint(e.stderr, idpClientUsage)
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	id := ""
	switch sub {
	case "add", "list":
		if fs.NArg() > 0 {
			fmt.Fprint(e.stderr, idpClientUsage)
			return exitUsage
		}
	default:
		if fs.NArg() != 1 {
			fmt.Fprint(e.stderr, idpClientUsage)
			return exitUsage
		}
		id = fs.Arg(0)
	}
	if jwksFile != "" {
		b, err := os.ReadFile(jwksFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "kabinet idp client add: --jwks-file: %v\n", err)
			return exitUsage
		}
		n.JWKS = b
		if n.AuthMethod == "" {
			n.AuthMethod = oidc.AuthJWT
		}
	}
	if n.JWKSURL != "" && n.AuthMethod == "" {
		n.AuthMethod = oidc.AuthJWT
	}
	a, code := openIdpApp(ctx, e, dbf, nil)
	if a == nil {
		return code
	}
	defer a.DB.Close()
	cmd := "idp client " + sub
	switch sub {
	case "add":
		n.RedirectURIs, n.Scopes, n.PostLogoutURIs = redirects, scopes, logouts
		c, secret, err := a.OIDC.AddClient(ctx, n)
		if err != nil {
			return failed(e, cmd, err)
		}
		kind := "confidential, " + c.AuthMethod
		if c.Public {
			kind = "public, PKCE required"
		}
		if c.Trusted {
			kind += ", trusted"
		}
		if secret != "" {
			fmt.Fprintln(e.stdout, secret)
			fmt.Fprintf(e.stderr, "client %s registered (%s); its secret, printed above, is shown only this once\n", c.ID, kind)
		} else {
			fmt.Fprintf(e.stderr, "client %s registered (%s)\n", c.ID, kind)
		}
	case "list":
		cs, err := a.OIDC.Clients(ctx)
		if err != nil {
			return failed(e, cmd, err)
		}
		printClients(e, cs, asJSON)
	case "remove":
		if err := a.OIDC.RemoveClient(ctx, id); err != nil {
			return failed(e, cmd, err)
		}
		fmt.Fprintf(e.stderr, "client %s removed; its tokens no longer work\n", id)
	case "rotate-secret":
		secret, err := a.OIDC.RotateSecret(ctx, id)
		if err != nil {
			return failed(e, cmd, err)
		}
		fmt.Fprintln(e.stdout, secret)
		// A running server keeps a client it read for oidc.ClientCacheTTL (clientcache.go): the
		// old secret is accepted there until then; the new one is checked against the stored
		// client before a refusal, so it works at once.
		fmt.Fprintf(e.stderr, "client %s has a new secret, printed above; the old one stops working within ten seconds on running servers\n", id)
	}
	return exitOK
}

// clientJSON is a client as `client list --json` prints it (never its secret's hash).
type clientJSON struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Public         bool     `json:"public"`
	Trusted        bool     `json:"trusted"`
	AuthMethod     string   `json:"auth_method"`
	RedirectURIs   []string `json:"redirect_uris"`
	PostLogoutURIs []string `json:"post_logout_redirect_uris"`
	Scopes         []string `json:"scopes"`
	SubjectType    string   `json:"subject_type"`
	Sector         string   `json:"sector,omitempty"`
	JWKSURL        string   `json:"jwks_url,omitempty"`
	Alg            string   `json:"alg,omitempty"`
	CreatedAt      string   `json:"created_at"`
}

func printClients(e *env, cs []oidc.Client, asJSON bool) {
	if asJSON {
		out := make([]clientJSON, 0, len(cs))
		for _, c := range cs {
			out = append(out, clientJSON{ID: c.ID, Name: c.Name, Public: c.Public, Trusted: c.Trusted, AuthMethod: c.AuthMethod,
				RedirectURIs: c.RedirectURIs, PostLogoutURIs: c.PostLogoutURIs, Scopes: c.Scopes, SubjectType: c.SubjectType, Sector: c.Sector,
				JWKSURL: c.JWKSURL, Alg: c.Alg, CreatedAt: c.CreatedAt.Format("2006-01-02T15:04:05Z")})
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
		return
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tTYPE\tAUTH\tSUBJECT\tREDIRECT URIS")
	for _, c := range cs {
		kind := "confidential"
		if c.Public {
			kind = "public"
		}
		if c.Trusted {
			kind += ",trusted"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, kind, c.AuthMethod, c.SubjectType, strings.Join(c.RedirectURIs, " "))
	}
	tw.Flush()
}

// runIdpKeys implements `kabinet idp keys rotate`.
func runIdpKeys(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprint(e.stderr, idpClientUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("idp keys rotate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, idpClientUsage) }
	dbf := dbFlag(fs, e)
	keyFile := secretKeyFlag(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprint(e.stderr, idpClientUsage)
		return exitUsage
	}
	key, _, err := secretKey(e, dbf.dsn, *keyFile, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet idp keys rotate: %v\n", err)
		return exitUsage
	}
	if key == nil {
		fmt.Fprintf(e.stderr, "kabinet idp keys rotate: %v\n", oidc.ErrNoSecretKey)
		return exitUsage
	}
	a, code := openIdpApp(ctx, e, dbf, key)
	if a == nil {
		return code
	}
	defer a.DB.Close()
	made, err := a.OIDC.RotateKeys(ctx, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet idp keys rotate: %v\n", err)
		return exitFailure
	}
	for _, k := range made {
		fmt.Fprintf(e.stdout, "%s %s generation %d\n", k.Alg, k.ID, k.Generation)
	}
	fmt.Fprintf(e.stderr, "signing keys replaced; the old ones stay published for %s, until their tokens expire\n", oidc.KeyGrace)
	return exitOK
}

// openIdpApp opens the database and the application for a tool of `kabinet idp`; nil and the
// exit code when it cannot.
func openIdpApp(ctx context.Context, e *env, dbf *dbFlags, key []byte) (*app.App, int) {
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet idp: %v\n", err)
		return nil, exitFailure
	}
	if !hasIdentityProvider(e, dbf.found) {
		db.Close()
		return nil, exitFailure
	}
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler), OIDC: app.OIDC{SecretKey: key}})
	if err != nil {
		db.Close()
		fmt.Fprintf(e.stderr, "kabinet idp: %v\n", err)
		return nil, exitFailure
	}
	return a, exitOK
}
