package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/lkweb"
	"github.com/kabinet/kabinet/internal/oidc"
)

// The personal account's login through the identity provider (LK-6): by default the personal
// account is a trusted client of kabinet's own OpenID Connect provider, registered here at every
// start with nothing to configure; LKOIDC points it at another provider.
//
// The own provider's client: id kabinet-lk, redirect URI {public-url}/lk/oidc/callback, trusted
// (no consent asked), scopes openid profile snils inn. Its secret is derived from the
// deployment's secret key (oidc.FirstPartySecret) — the key every process already has — and the
// provider keeps only its hash, like any client's; so nothing is stored in clear, every process
// and every restart agree, and no operator copies a secret. Without a public URL (tests,
// development) the redirect URI follows the request's host and is registered at its first use.
// The relying party reaches the own provider in process (inProcess): no network, no DNS and no
// TLS to the public address from inside, and no chicken-and-egg at start (discovery is at the
// first login, when the handler exists).

// LKClientID is the id of the personal account's client at kabinet's own provider.
const LKClientID = "kabinet-lk"

// lkClientName is how the provider names the personal account (its settings list the services).
const lkClientName = "Личный кабинет налогоплательщика"

// LKOIDC points the personal account's login through an identity provider at a provider other
// than kabinet's own (--lk-oidc-issuer, --lk-oidc-client-id, --lk-oidc-client-secret). The
// provider must send the claims inn or snils, acr (urn:kabinet:level:…) and confirmation_method,
// and have the redirect URI {public-url}/lk/oidc/callback registered.
type LKOIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// HTTPClient asks the provider; a client with a 10-second timeout when nil.
	HTTPClient *http.Client
}

// CheckLKOIDC reports what is wrong with a configuration of another provider.
func CheckLKOIDC(c LKOIDC) error {
	if c.Issuer == "" && c.ClientID == "" && c.ClientSecret == "" {
		return nil
	}
	u, err := url.Parse(c.Issuer)
	switch {
	case c.Issuer == "":
		return errors.New("--lk-oidc-client-id and --lk-oidc-client-secret need --lk-oidc-issuer")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("--lk-oidc-issuer: want https://host[/path], got %q", c.Issuer)
	case c.ClientID == "":
		return errors.New("--lk-oidc-issuer needs --lk-oidc-client-id")
	case c.ClientSecret == "":
		return errors.New("--lk-oidc-issuer needs --lk-oidc-client-secret")
	}
	return nil
}

// newLKIdP returns the identity provider of the personal account's login (LK-6), registering
// the personal account with the own provider; nil (no such login) when the own provider cannot
// sign (no secret key).
func (a *App) newLKIdP(ctx context.Context, c Config) (*lkweb.IdP, error) {
	if !a.Profile.Cabinet.Provider {
		return nil, nil // the jurisdiction's taxpayers have no such accounts (the Kyrgyz Republic)
	}
	if c.LKOIDC.Issuer != "" {
		if err := CheckLKOIDC(c.LKOIDC); err != nil {
			return nil, err
		}
		hc := c.LKOIDC.HTTPClient
		if hc == nil {
			hc = &http.Client{Timeout: 10 * time.Second}
		}
		return &lkweb.IdP{Issuer: c.LKOIDC.Issuer, ClientID: c.LKOIDC.ClientID, ClientSecret: c.LKOIDC.ClientSecret, PublicURL: c.PublicURL,
			HTTPClient: hc, Now: c.Now}, nil
	}
	if a.OIDC == nil {
		return nil, nil // no own provider (Profile.IdentityProvider), and no other one configured
	}
	if len(c.OIDC.SecretKey) == 0 {
		c.Log.Warn("the personal account's login through the identity provider is off: the provider has no secret key")
		return nil, nil
	}
	secret := oidc.FirstPartySecret(c.OIDC.SecretKey, LKClientID)
	register := func(ctx context.Context, redirectURI string, keep bool) error {
		_, err := a.OIDC.EnsureClient(ctx, oidc.NewClient{ID: LKClientID, Name: lkClientName, RedirectURIs: []string{redirectURI}, Trusted: true,
			Scopes: lkweb.Scopes}, secret, keep)
		return err
	}
	idp := &lkweb.IdP{Issuer: c.PublicURL, ClientID: LKClientID, ClientSecret: secret, PublicURL: c.PublicURL, Own: true, Now: c.Now,
		HTTPClient: &http.Client{Timeout: 15 * time.Second, Transport: inProcess{a}}}
	if c.PublicURL != "" {
		if err := register(ctx, strings.TrimSuffix(c.PublicURL, "/")+lkweb.CallbackPath, false); err != nil {
			return nil, fmt.Errorf("register the personal account with the identity provider: %w", err)
		}
		return idp, nil
	}
	var mu sync.Mutex
	done := map[string]bool{}
	idp.Prepare = func(ctx context.Context, redirectURI string) error {
		mu.Lock()
		defer mu.Unlock()
		if done[redirectURI] {
			return nil
		}
		if err := register(ctx, redirectURI, true); err != nil {
			return err
		}
		done[redirectURI] = true
		return nil
	}
	return idp, nil
}

// inProcess is an HTTP transport that serves requests with the application's own handler (its
// OpenID Connect provider), as if they came from the loopback interface: over https when the
// URL says so.
type inProcess struct{ a *App }

// maxInProcessBody bounds an answer of the provider read in process.
const maxInProcessBody = 1 << 20

// RoundTrip serves one request.
func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	h := t.a.Handler
	if h == nil {
		return nil, errors.New("the application's handler is not built yet")
	}
	in := req.Clone(req.Context())
	in.RequestURI, in.Host, in.RemoteAddr = req.URL.RequestURI(), req.URL.Host, "127.0.0.1:1"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	if req.URL.Scheme == "https" {
		in.TLS = &tls.ConnectionState{HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	w := &recorder{header: http.Header{}}
	h.ServeHTTP(w, in)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{Status: fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)), StatusCode: w.status, Proto: "HTTP/1.1", ProtoMajor: 1,
		ProtoMinor: 1, Header: w.header, Body: io.NopCloser(bytes.NewReader(w.body.Bytes())), ContentLength: int64(w.body.Len()), Request: req}, nil
}

// recorder keeps the answer of a handler.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if r.body.Len()+len(b) > maxInProcessBody {
		return 0, errors.New("answer too large")
	}
	return r.body.Write(b)
}
