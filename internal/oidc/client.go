package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Client authentication methods at the token, revocation and introspection endpoints
// (OpenID Connect Core 9, RFC 7523).
const (
	AuthBasic = "client_secret_basic"
	AuthPost  = "client_secret_post"
	AuthJWT   = "private_key_jwt"
	AuthNone  = "none" // a public client: no secret, PKCE required
)

// Subject types (OpenID Connect Core 8).
const (
	SubPublic   = "public"   // the account's id, the same for every client
	SubPairwise = "pairwise" // one per client's sector
)

// Signing algorithms of the provider's tokens.
const (
	ES256 = "ES256"
	RS256 = "RS256"
)

// Client is a service registered to log citizens in (IDP-7).
type Client struct {
	ID   string
	Name string // shown to the citizen on the consent page and in the settings
	// RedirectURIs are matched exactly, character for character.
	RedirectURIs []string
	// PostLogoutURIs are where RP-initiated logout may send the browser back to.
	PostLogoutURIs []string
	// Public: no secret (a browser or native app); PKCE is required.
	Public bool
	// Trusted: a first-party service (the personal account); the citizen's consent is not
	// asked, and it gets refresh tokens for offline_access at once.
	Trusted bool
	Scopes  []string // the scopes it may ask for
	// AuthMethod is how it authenticates: AuthBasic, AuthPost, AuthJWT, or AuthNone (public).
	AuthMethod string
	SecretHash []byte // see hashSecret; nil for public and private_key_jwt clients
	JWKSURL    string // private_key_jwt: where its keys are published …
	JWKS       []byte // … or its keys themselves (a JWK set, JSON)
	// SubjectType is SubPublic (the account's stable id) or SubPairwise (one per sector).
	SubjectType string
	Sector      string // the pairwise sector: by default the host of its redirect URIs
	Alg         string // ES256 or RS256 for its tokens; "" for the provider's default
	CreatedAt   time.Time
	SecretSetAt time.Time
}

// Scopes the provider knows, in the order the consent page lists them.
var Scopes = []string{"openid", "profile", "email", "phone", "snils", "inn", "id_document", "address", "offline_access"}

// NewClient is what AddClient takes (the operator's `kabinet idp client add`).
type NewClient struct {
	ID             string
	Name           string
	RedirectURIs   []string
	PostLogoutURIs []string
	Public         bool
	Trusted        bool
	Scopes         []string // none: every scope the provider knows
	AuthMethod     string   // "": client_secret_basic (confidential) or none (public)
	JWKSURL        string
	JWKS           []byte
	Pairwise       bool
	Sector         string
	Alg            string
}

var (
	clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
	msgClientField  = func(key string) problem.Message { return problem.Msg("oidc.client." + key) }
)

// AddClient registers a client and returns it with its secret, in clear this once ("" for a
// public client or one authenticating with private_key_jwt); only the secret's hash is kept.
func (p *Provider) AddClient(ctx context.Context, n NewClient) (*Client, string, error) {
	c := Client{ID: strings.TrimSpace(n.ID), Name: strings.TrimSpace(n.Name), RedirectURIs: n.RedirectURIs, PostLogoutURIs: n.PostLogoutURIs,
		Public: n.Public, Trusted: n.Trusted, Scopes: n.Scopes, AuthMethod: n.AuthMethod, JWKSURL: n.JWKSURL, JWKS: n.JWKS,
		SubjectType: SubPublic, Sector: strings.TrimSpace(n.Sector), Alg: n.Alg, CreatedAt: p.now().UTC()}
	if n.Pairwise {
		c.SubjectType = SubPairwise
	}
	if c.Name == "" {
		c.Name = c.ID
	}
	if len(c.Scopes) == 0 {
		c.Scopes = slices.Clone(Scopes)
	}
	if c.AuthMethod == "" {
		c.AuthMethod = AuthBasic
		if c.Public {
			c.AuthMethod = AuthNone
		}
	}
	if err := checkClient(&c); err != nil {
		return nil, "", err
	}
	secret := ""
	if c.AuthMethod == AuthBasic || c.AuthMethod == AuthPost {
		secret = newSecret()
		c.SecretHash, c.SecretSetAt = hashSecret(c.ID, secret), c.CreatedAt
	}
	p.forgetClient(c.ID)
	if err := p.o.Store.InsertClient(ctx, c); err != nil {
		if _, taken := storeerr.IsKeyTaken(err); taken {
			return nil, "", problem.InvalidField("id", msgClientField("taken"))
		}
		return nil, "", err
	}
	return &c, secret, nil
}

// checkClient validates a client's registration and fills in what follows from it.
func checkClient(c *Client) error {
	var fe problem.Fields
	if !clientIDPattern.MatchString(c.ID) {
		fe.Add("id", msgClientField("id"))
	}
	if len(c.Name) > 200 {
		fe.Add("name", msgClientField("name"))
	}
	if len(c.RedirectURIs) == 0 {
		fe.Add("redirect_uri", msgClientField("redirect_uri"))
	}
	seen := map[string]bool{}
	for _, u := range c.RedirectURIs {
		if !validRedirectURI(u, c.Public) || seen[u] {
			fe.Add("redirect_uri", msgClientField("redirect_uri"))
			break
		}
		seen[u] = true
	}
	for _, u := range c.PostLogoutURIs {
		if !validRedirectURI(u, c.Public) {
			fe.Add("post_logout_redirect_uri", msgClientField("redirect_uri"))
			break
		}
	}
	for _, s := range c.Scopes {
		if !slices.Contains(Scopes, s) {
			fe.Add("scope", msgClientField("scope"))
			break
		}
	}
	if !slices.Contains(c.Scopes, "openid") {
		c.Scopes = append([]string{"openid"}, c.Scopes...)
	}
	c.Scopes = sortScopes(c.Scopes)
	switch {
	case c.Public && c.AuthMethod != AuthNone, !c.Public && c.AuthMethod == AuthNone:
		fe.Add("auth_method", msgClientField("auth_method_public"))
	case c.AuthMethod != AuthBasic && c.AuthMethod != AuthPost && c.AuthMethod != AuthJWT && c.AuthMethod != AuthNone:
		fe.Add("auth_method", msgClientField("auth_method"))
	}
	if c.AuthMethod == AuthJWT {
		switch {
		case (c.JWKSURL == "") == (len(c.JWKS) == 0):
			fe.Add("jwks", msgClientField("jwks"))
		case c.JWKSURL != "":
			if u, err := url.Parse(c.JWKSURL); err != nil || u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) || u.Host == "" {
				fe.Add("jwks_url", msgClientField("jwks_url"))
			}
		default:
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(c.JWKS, &set); err != nil || len(set.Keys) == 0 || hasPrivate(set) {
				fe.Add("jwks", msgClientField("jwks_invalid"))
			}
		}
	} else if c.JWKSURL != "" || len(c.JWKS) > 0 {
		fe.Add("jwks", msgClientField("jwks_unused"))
	}
	if c.SubjectType == SubPairwise && c.Sector == "" {
		hosts := map[string]bool{}
		for _, u := range c.RedirectURIs {
			if pu, err := url.Parse(u); err == nil {
				hosts[pu.Hostname()] = true
			}
		}
		if len(hosts) != 1 {
			fe.Add("sector", msgClientField("sector"))
		}
		for h := range hosts {
			c.Sector = h
		}
	}
	if c.SubjectType != SubPairwise {
		c.Sector = ""
	}
	if c.Alg != "" && c.Alg != ES256 && c.Alg != RS256 {
		fe.Add("alg", msgClientField("alg"))
	}
	return fe.Err()
}

func hasPrivate(set jose.JSONWebKeySet) bool {
	for _, k := range set.Keys {
		if !k.IsPublic() {
			return true
		}
	}
	return false
}

// validRedirectURI accepts an absolute URI without a fragment: https, http only on the
// loopback interface (a developer's machine, a native app, RFC 8252 7.3), and for public
// clients a private-use scheme with a dot (com.example.app:/callback, RFC 8252 7.1).
func validRedirectURI(s string, public bool) bool {
	u, err := url.Parse(s)
	if err != nil || len(s) > 2000 || u.Fragment != "" || strings.Contains(s, "#") || u.User != nil {
		return false
	}
	switch {
	case u.Scheme == "https":
		return u.Host != ""
	case u.Scheme == "http":
		return loopback(u.Hostname())
	case public && strings.Contains(u.Scheme, "."):
		return true
	}
	return false
}

func loopback(host string) bool { return host == "127.0.0.1" || host == "::1" || host == "localhost" }

// newSecret returns a client secret: 256 random bits, URL-safe.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how a client secret is kept: SHA-256 over the client id and the secret. A
// secret is 256 random bits, so no dictionary or brute force can find it from its hash, and a
// slow hash (argon2id) would only cost every token request tens of milliseconds; a keyed hash
// would tie every client secret to the server's secret key (and the command line that adds
// clients to it) for no gain. Session tokens are kept the same way (package session).
func hashSecret(clientID, secret string) []byte {
	h := sha256.New()
	h.Write([]byte("kabinet.oidc.client_secret\x00"))
	h.Write([]byte(clientID))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return h.Sum(nil)
}

// checkSecret compares a presented secret with the client's, in constant time.
func (c *Client) checkSecret(secret string) bool {
	if len(c.SecretHash) == 0 || secret == "" || len(secret) > 512 {
		return false
	}
	return subtle.ConstantTimeCompare(hashSecret(c.ID, secret), c.SecretHash) == 1
}

// AllowsScope reports whether the client may ask for scope.
func (c *Client) AllowsScope(scope string) bool { return slices.Contains(c.Scopes, scope) }

// HasRedirectURI reports whether uri is one of the client's, exactly.
func (c *Client) HasRedirectURI(uri string) bool { return slices.Contains(c.RedirectURIs, uri) }

var msgNoClient = problem.Msg("oidc.client.unknown")

// Client returns a registered client.
func (p *Provider) Client(ctx context.Context, id string) (*Client, error) {
	if id == "" || len(id) > 64 {
		return nil, problem.New(problem.NotFound, msgNoClient)
	}
	c, err := p.o.Store.Client(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgNoClient)
	}
	return c, err
}

// Clients lists the registered clients.
func (p *Provider) Clients(ctx context.Context) ([]Client, error) { return p.o.Store.Clients(ctx) }

// RemoveClient removes a client and everything it was given: its codes, grants (so its tokens
// stop working), refresh tokens and the consents citizens gave it.
func (p *Provider) RemoveClient(ctx context.Context, id string) error {
	p.forgetClient(id)
	err := p.o.Store.DeleteClient(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return problem.New(problem.NotFound, msgNoClient)
	}
	return err
}

// RotateSecret gives a confidential client a new secret and returns it in clear, this once.
// The old one stops working at once in this process, and within ClientCacheTTL in the others
// (a running server keeps a client it read for that long, clientcache.go); the new one works at
// once everywhere.
func (p *Provider) RotateSecret(ctx context.Context, id string) (string, error) {
	c, err := p.Client(ctx, id)
	if err != nil {
		return "", err
	}
	if c.AuthMethod != AuthBasic && c.AuthMethod != AuthPost {
		return "", problem.InvalidField("id", msgClientField("no_secret"))
	}
	secret := newSecret()
	c.SecretHash, c.SecretSetAt = hashSecret(c.ID, secret), p.now().UTC()
	p.forgetClient(c.ID)
	if err := p.o.Store.UpdateClient(ctx, *c); err != nil {
		return "", err
	}
	return secret, nil
}
