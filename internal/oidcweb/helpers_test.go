package oidcweb_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
	"github.com/kabinet/kabinet/tin"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const (
	password    = "Volga-river-2026"
	redirectURI = "http://127.0.0.1:9/callback" // never fetched: the browser stops at it
)

var accounts atomic.Int32

// citizen adds an account at a level and returns it with the phone it logs in with.
func citizen(t *testing.T, a *apptest.App, level identity.Level, method identity.Method) (*identity.Account, string) {
	t.Helper()
	n := accounts.Add(1)
	phone := fmt.Sprintf("+7926%07d", n)
	snils := ""
	if level != identity.Simplified {
		snils = snilsOf(200000000 + int(n)*7919)
	}
	acc, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Patronymic: "Викторовна",
		Phone: phone, Email: fmt.Sprintf("elena%d@example.ru", n), SNILS: snils, INN: "500100732259",
		BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Level: level, Method: method, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return acc, phone
}

// snilsOf returns the СНИЛС of the nine digits of n, with its check digits.
func snilsOf(n int) string {
	s, err := tin.NewSNILS(fmt.Sprintf("%09d", n))
	if err != nil {
		panic(err)
	}
	return s
}

// browser is a citizen's browser (webtest): cookies, and redirects followed by hand so that the
// test sees where each one leads (and stops at the relying party's redirect URI).
type browser struct {
	*webtest.Browser
	t *testing.T
}

func newBrowser(t *testing.T, base string) *browser { return &browser{webtest.NewBrowser(t, base), t} }

// page is an answer: status, Location, body, headers.
type page = webtest.Page

// walk follows redirects on kabinet and returns the last page, or where it left kabinet.
func (b *browser) walk(p page) (page, *url.URL) {
	b.t.Helper()
	for i := 0; i < 10 && p.Location != ""; i++ {
		u, err := url.Parse(p.Location)
		if err != nil {
			b.t.Fatal(err)
		}
		if u.Host != "" && u.Scheme+"://"+u.Host != b.Base {
			return p, u
		}
		p = b.Do("GET", p.Location, nil)
	}
	return p, nil
}

// login fills in the login page p with phone and the password and returns what follows.
func (b *browser) login(p page, phone string) page {
	b.t.Helper()
	action, csrf := webtest.Form(b.t, p, "login-form")
	return b.Do("POST", action, url.Values{"csrf": {csrf}, "login": {phone}, "password": {password}})
}

// rp is a relying party written by others: go-oidc and x/oauth2 against the provider.
type rp struct {
	t        *testing.T
	ctx      context.Context
	provider *gooidc.Provider
	conf     oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

// newRP discovers the provider at base and registers nothing: c is the client it acts as.
func newRP(t *testing.T, base string, clock *apptest.Clock, clientID, secret string, scopes ...string) *rp {
	t.Helper()
	return newRPWith(t, context.Background(), base, clock, clientID, secret, scopes...)
}

// newRPWith is newRP with ctx, which may carry the HTTP client the relying party uses
// (gooidc.ClientContext).
func newRPWith(t *testing.T, ctx context.Context, base string, clock *apptest.Clock, clientID, secret string, scopes ...string) *rp {
	t.Helper()
	p, err := gooidc.NewProvider(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	style := oauth2.AuthStyleInHeader
	if secret == "" {
		style = oauth2.AuthStyleInParams
	}
	ep := p.Endpoint()
	ep.AuthStyle = style
	if len(scopes) == 0 {
		scopes = []string{gooidc.ScopeOpenID, "profile", "email"}
	}
	return &rp{t: t, ctx: ctx, provider: p, conf: oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: ep, RedirectURL: redirectURI, Scopes: scopes},
		verifier: p.Verifier(&gooidc.Config{ClientID: clientID, Now: clock.Now})}
}

func random() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// flow is one login at the relying party: what it sent and what came back.
type flow struct {
	state, nonce, verifier string
	authURL                string
}

// start makes an authorization URL with state, nonce and PKCE, and extra parameters.
func (r *rp) start(extra ...oauth2.AuthCodeOption) *flow {
	f := &flow{state: random(), nonce: random(), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)}, extra...)
	f.authURL = r.conf.AuthCodeURL(f.state, opts...)
	return f
}

// callback checks where the browser was sent back: the state, the issuer (RFC 9207), and
// returns the code (or the error's code).
func (r *rp) callback(f *flow, u *url.URL) (code, errCode string) {
	r.t.Helper()
	if u == nil || u.Scheme+"://"+u.Host+u.Path != redirectURI {
		r.t.Fatalf("not sent back to the redirect URI: %v", u)
	}
	q := u.Query()
	if q.Get("state") != f.state {
		r.t.Fatalf("state %q, want %q", q.Get("state"), f.state)
	}
	if q.Get("iss") == "" {
		r.t.Fatal("no iss in the authorization response")
	}
	return q.Get("code"), q.Get("error")
}

// exchange trades a code for tokens, with the flow's PKCE verifier.
func (r *rp) exchange(f *flow, code string) (*oauth2.Token, error) {
	return r.conf.Exchange(r.ctx, code, oauth2.VerifierOption(f.verifier))
}

// idToken verifies the ID token of a token response and checks its nonce.
func (r *rp) idToken(f *flow, tok *oauth2.Token) *gooidc.IDToken {
	r.t.Helper()
	id, err := r.checkIDToken(f, tok)
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

// checkIDToken is what the relying party does with the ID token of a token response: it
// verifies it (signature, issuer, audience, expiry) and, for a login (f not nil), compares its
// nonce with the one this login sent — go-oidc leaves that comparison to the relying party.
func (r *rp) checkIDToken(f *flow, tok *oauth2.Token) (*gooidc.IDToken, error) {
	raw, _ := tok.Extra("id_token").(string)
	id, err := r.verifier.Verify(r.ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("ID token: %w", err)
	}
	if f != nil && id.Nonce != f.nonce {
		return nil, fmt.Errorf("ID token: nonce %q, want %q", id.Nonce, f.nonce)
	}
	return id, nil
}

// oauthError returns the error code of a failed token request.
func oauthError(err error) string {
	if re, ok := err.(*oauth2.RetrieveError); ok {
		return re.ErrorCode
	}
	return fmt.Sprint(err)
}

// addClient registers a client.
func addClient(t *testing.T, a *apptest.App, n oidc.NewClient) string {
	t.Helper()
	if len(n.RedirectURIs) == 0 {
		n.RedirectURIs = []string{redirectURI}
	}
	_, secret, err := a.OIDC.AddClient(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// start starts the application on db with a clock at the real time.
func start(t *testing.T, db *store.DB) *apptest.App {
	return apptest.Start(t, db, apptest.Options{Clock: apptest.NewClock(time.Now())})
}
