package lkweb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

// LK-6: login through the identity provider ("Войти через единую учётную запись"). The personal
// account is an OpenID Connect relying party (github.com/coreos/go-oidc with golang.org/x/oauth2):
// the authorization code flow with PKCE (S256), state and nonce, the ID token verified (signature
// against the provider's published keys, issuer, audience, expiry, nonce, at_hash) and the claims
// read from it and from userinfo. By default the provider is kabinet's own, in this process (the
// application registers the personal account as its trusted client at start); IdP.Issuer points
// it at any other provider that sends the claims (inn, snils, acr, confirmation_method). The
// rules — which accounts may enter, how the taxpayer is found — are package cabinet's
// (cabinet.Service.SignIn).
//
// State, nonce and the PKCE verifier live in a stored flow ("lk.idp", single use, ten minutes)
// and in a cookie of the browser that started it, and nowhere else: the state is the flow's id;
// the cookie (SameSite=Lax, so that it comes back with the provider's redirect even from another
// site) holds a random binding whose hash is the flow's CSRF, and the verifier and the nonce are
// derived from that binding and the flow's id. So the flow stores no secret (a flow's data may be
// shown), a callback from another browser (a login CSRF) or a replayed one finds nothing, and any
// process of the deployment can take the callback. Discovery is lazy, at the first login: the
// own provider is served by the same process, which is not listening yet when the site is built.

// The paths of the login through the identity provider.
const (
	idpLoginPath    = Base + "oidc/login"
	idpCallbackPath = Base + "oidc/callback"
	idpPasswordPath = Base + "oidc/password"
	idpRefusedPath  = Base + "oidc/refused/"
	idpKind         = "lk.idp"
	idpState        = "redirect"
	idpTTL          = 10 * time.Minute
	idpCookie       = "__Host-kabinet_lk_idp"
	// idpMaxProviders bounds the providers discovered for request addresses (the own provider
	// without a public address follows each request's host).
	idpMaxProviders = 16
)

// CallbackPath is the path of the redirect URI of the personal account at a provider:
// {public-url}/lk/oidc/callback.
const CallbackPath = idpCallbackPath

// Scopes are what the personal account asks of a provider: the name, СНИЛС and ИНН, with the
// account's level and confirmation method (which come with openid).
var Scopes = []string{gooidc.ScopeOpenID, "profile", "snils", "inn"}

// IdP configures the login through an identity provider (LK-6).
type IdP struct {
	// Issuer is the provider's issuer, exactly. For kabinet's own provider it is the public
	// address, or "" when there is none: the request's scheme and host then (tests, development).
	Issuer       string
	ClientID     string
	ClientSecret string
	// PublicURL is the personal account's public base address, the base of its redirect URI
	// (CallbackPath); "" takes the request's scheme and host.
	PublicURL string
	// Own says the provider is kabinet's own: its refusals link to its pages (/id/confirm …).
	Own bool
	// HTTPClient asks the provider for its discovery document, keys, tokens and userinfo (for the
	// own provider: the application's handler, in process).
	HTTPClient *http.Client
	// Prepare, when set, is called once for each redirect URI before its first login: the own
	// provider without a public address registers the addresses requests come to.
	Prepare func(ctx context.Context, redirectURI string) error
	// Now is the clock the ID token's expiry is checked against.
	Now func() time.Time
}

// relyingParty is the personal account at one provider, discovered lazily.
type relyingParty struct {
	cfg IdP
	mu  sync.Mutex
	rps map[string]*discovered // by issuer and redirect URI
}

// discovered is a provider as its discovery document describes it, with the client set up.
type discovered struct {
	issuer   string
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	conf     oauth2.Config
}

func newRelyingParty(cfg IdP) *relyingParty {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &relyingParty{cfg: cfg, rps: map[string]*discovered{}}
}

// base returns a request's scheme and host.
func base(r *http.Request) string {
	scheme := "http"
	if web.ClientOf(r).Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

var msgIdPUnavailable = problem.Msg("lk.idp.unavailable")

// at returns the provider for a request, discovered at the first use.
func (rp *relyingParty) at(ctx context.Context, r *http.Request) (*discovered, error) {
	issuer, home := rp.cfg.Issuer, strings.TrimSuffix(rp.cfg.PublicURL, "/")
	if home == "" {
		home = base(r)
	}
	if issuer == "" {
		issuer = home
	}
	redirect := home + idpCallbackPath
	key := issuer + " " + redirect
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if d := rp.rps[key]; d != nil {
		return d, nil
	}
	if len(rp.rps) >= idpMaxProviders {
		return nil, problem.New(problem.Unavailable, msgIdPUnavailable)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if rp.cfg.Prepare != nil {
		if err := rp.cfg.Prepare(ctx, redirect); err != nil {
			return nil, problem.Wrap(problem.Unavailable, msgIdPUnavailable, err)
		}
	}
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, rp.cfg.HTTPClient), issuer)
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, msgIdPUnavailable, fmt.Errorf("discovery of %s: %w", issuer, err))
	}
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	d := &discovered{issuer: issuer, provider: p,
		verifier: p.Verifier(&gooidc.Config{ClientID: rp.cfg.ClientID, Now: rp.cfg.Now}),
		conf:     oauth2.Config{ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret, Endpoint: ep, RedirectURL: redirect, Scopes: Scopes}}
	rp.rps[key] = d
	return d, nil
}

// derive makes a value of a login from the browser's binding and the flow's id: the PKCE
// verifier (43 characters of base64url, RFC 7636) and the nonce.
func derive(what, binding, flowID string) string {
	h := sha256.Sum256([]byte("kabinet.lk.idp." + what + "\x00" + binding + "\x00" + flowID))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// bindingHash is what the flow keeps of the browser's binding.
func bindingHash(binding string) string {
	h := sha256.Sum256([]byte("kabinet.lk.idp.binding\x00" + binding))
	return hex.EncodeToString(h[:])
}

func setBinding(w http.ResponseWriter, v string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: idpCookie, Value: v, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// handleIdPLogin starts a login through the provider: a flow, the browser's binding, and the
// browser sent to the provider's authorization endpoint.
func (h *Handler) handleIdPLogin(q *web.Request) error {
	if h.rp == nil {
		return notFound()
	}
	d, err := h.rp.at(q.Ctx(), q.R)
	if err != nil {
		return err
	}
	b := make([]byte, 32)
	rand.Read(b)
	binding := base64.RawURLEncoding.EncodeToString(b)
	f, err := h.d.Flows.Start(q.Ctx(), flow.Start{Kind: idpKind, State: idpState, Client: flow.Browser, CSRF: bindingHash(binding),
		ReturnTo: web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base), TTL: idpTTL})
	if err != nil {
		return err
	}
	setBinding(q.W, binding, int(idpTTL.Seconds()))
	u := d.conf.AuthCodeURL(f.ID, oauth2.S256ChallengeOption(derive("pkce", binding, f.ID)), gooidc.Nonce(derive("nonce", binding, f.ID)),
		oauth2.SetAuthURLParam("ui_locales", q.Page.Lang))
	http.Redirect(q.W, q.R, u, http.StatusSeeOther)
	return nil
}

var (
	msgIdPStale     = problem.Msg("lk.idp.stale")
	msgIdPCancelled = problem.Msg("lk.idp.cancelled")
	msgIdPFailed    = problem.Msg("lk.idp.failed")
)

// handleIdPCallback takes the provider's answer: the flow of the state, used once, taken only
// from the browser that started it; the code exchanged (with the PKCE verifier), the ID token
// verified (with the nonce), the claims read, and the rules of LK-6 applied.
func (h *Handler) handleIdPCallback(q *web.Request) error {
	if h.rp == nil {
		return notFound()
	}
	qs := q.R.URL.Query()
	f, err := h.d.Flows.Get(q.Ctx(), qs.Get("state"), idpKind)
	if err != nil {
		return problem.New(problem.Conflict, msgIdPStale)
	}
	c, cerr := q.R.Cookie(idpCookie)
	if cerr != nil || subtle.ConstantTimeCompare([]byte(bindingHash(c.Value)), []byte(f.CSRF)) != 1 {
		// Another browser's callback (a login CSRF), or this browser started a newer login.
		return problem.New(problem.Conflict, msgIdPStale)
	}
	binding := c.Value
	if err := h.d.Flows.Finish(q.Ctx(), f); err != nil { // single use: a replay finds nothing
		return problem.New(problem.Conflict, msgIdPStale)
	}
	setBinding(q.W, "", -1)
	if e := qs.Get("error"); e != "" {
		if e == "access_denied" {
			return problem.New(problem.Forbidden, msgIdPCancelled)
		}
		return problem.New(problem.Unavailable, msgIdPFailed.With(cleanCode(e)))
	}
	d, err := h.rp.at(q.Ctx(), q.R)
	if err != nil {
		return err
	}
	if iss := qs.Get("iss"); iss != "" && iss != d.issuer {
		// RFC 9207: the answer of another provider than the one asked (a mix-up).
		return problem.New(problem.Unavailable, msgIdPFailed.With("invalid_issuer"))
	}
	x, err := h.rp.claims(q.Ctx(), d, qs.Get("code"), derive("pkce", binding, f.ID), derive("nonce", binding, f.ID))
	if err != nil {
		h.d.Log.WarnContext(q.Ctx(), "login through the identity provider failed", "issuer", d.issuer, "err", err, "request_id", web.RequestID(q.Ctx()))
		return problem.Wrap(problem.Unavailable, msgIdPFailed.With("invalid_response"), err)
	}
	a, first, err := h.d.Cabinet.SignIn(q.Ctx(), x, origin(q, h.site))
	if r, level, ok := cabinet.RefusalOf(err); ok {
		if web.WantsJSON(q.R) {
			return err
		}
		to := idpRefusedPath + string(r)
		if level != "" {
			to += "?level=" + url.QueryEscape(level)
		}
		http.Redirect(q.W, q.R, to, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	flash := ""
	if first && !a.HasPassword() {
		// LK-6: at the first such login the owner may set a password of the personal account;
		// LK-2: so may the owner whose card's temporary password this login retired.
		f.ReturnTo, flash = passwordStep(f.ReturnTo), "lk.flash.idp_first"
		if a.CardID != "" {
			flash = "lk.flash.temporary_retired"
		}
	}
	return h.signedIn(q, f, a, session.IdentityProvider, flash)
}

// passwordStep is the optional step that offers a password of the personal account, then goes
// back to back.
func passwordStep(back string) string {
	return idpPasswordPath + "?back=" + url.QueryEscape(web.SafeReturn(back, Base, Base))
}

// cleanCode keeps an error code a provider sent as the standard spells them (letters and _).
func cleanCode(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '_' {
			return r
		}
		return -1
	}, s)
}

// Claims the personal account reads.
type idpClaims struct {
	Subject      string `json:"sub"`
	Nonce        string `json:"nonce"`
	ACR          string `json:"acr"`
	Confirmation string `json:"confirmation_method"`
	INN          string `json:"inn"`
	SNILS        string `json:"snils"`
}

// claims exchanges the code, verifies the ID token and reads what the provider vouches for:
// from the ID token, and what it lacks from userinfo (of the same subject).
func (rp *relyingParty) claims(ctx context.Context, d *discovered, code, verifier, nonce string) (cabinet.External, error) {
	if code == "" {
		return cabinet.External{}, errors.New("no code in the callback")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ctx = context.WithValue(gooidc.ClientContext(ctx, rp.cfg.HTTPClient), oauth2.HTTPClient, rp.cfg.HTTPClient)
	tok, err := d.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return cabinet.External{}, fmt.Errorf("token: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return cabinet.External{}, errors.New("no ID token")
	}
	idt, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		return cabinet.External{}, fmt.Errorf("ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return cabinet.External{}, errors.New("ID token: wrong nonce")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return cabinet.External{}, fmt.Errorf("ID token: %w", err)
		}
	}
	var c idpClaims
	if err := idt.Claims(&c); err != nil {
		return cabinet.External{}, fmt.Errorf("ID token claims: %w", err)
	}
	if (c.INN == "" && c.SNILS == "" || c.ACR == "" || c.Confirmation == "") && d.provider.UserInfoEndpoint() != "" {
		ui, err := d.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return cabinet.External{}, fmt.Errorf("userinfo: %w", err)
		}
		var u idpClaims
		if err := ui.Claims(&u); err != nil {
			return cabinet.External{}, fmt.Errorf("userinfo claims: %w", err)
		}
		if u.Subject != idt.Subject {
			return cabinet.External{}, errors.New("userinfo of another subject")
		}
		for _, f := range []struct{ have, got *string }{{&c.INN, &u.INN}, {&c.SNILS, &u.SNILS}, {&c.ACR, &u.ACR}, {&c.Confirmation, &u.Confirmation}} {
			if *f.have == "" {
				*f.have = *f.got
			}
		}
	}
	return cabinet.External{Provider: d.issuer, TIN: c.INN, SNILS: c.SNILS, ACR: c.ACR, Confirmation: c.Confirmation}, nil
}

// handleIdPRefused is the page of a refusal (LK-6): why, and what to do — confirm the account
// at a service centre or with an e-signature (linking the own provider's pages), or apply for
// the personal account (LK-7).
func (h *Handler) handleIdPRefused(q *web.Request) error {
	r := cabinet.Refusal(q.R.PathValue("reason"))
	if !r.Valid() || h.rp == nil {
		return notFound()
	}
	level := q.R.URL.Query().Get("level")
	if level != "simplified" && level != "standard" {
		level = ""
	}
	q.Page.Title = q.Page.T("lk.idp.refused." + string(r) + ".title")
	q.Page.Data = map[string]any{"Reason": string(r), "Level": level, "Own": h.rp.cfg.Own}
	q.Render(http.StatusOK, "idp_refused.html")
	return nil
}

// handleIdPPasswordForm offers the owner who first entered through the provider, or whose card's
// temporary password a login by e-signature or through the provider retired (LK-2), a password
// of the personal account (optional; LK-3's rules); an account that has one goes on.
func (h *Handler) handleIdPPasswordForm(q *web.Request, st *State) error {
	back := web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base)
	if st.Account.HasPassword() {
		http.Redirect(q.W, q.R, back, http.StatusSeeOther)
		return nil
	}
	q.Page.Title = q.Page.T("lk.idp.password.title")
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"has_password": false, "action": idpPasswordPath, "skip": back,
			"fields": []string{"new_password", "new_password_confirm"}})
		return nil
	}
	q.Page.Data = h.idpPasswordData(q, back)
	q.Render(http.StatusOK, "idp_password.html")
	return nil
}

func (h *Handler) idpPasswordData(q *web.Request, back string) map[string]any {
	st := q.Viewer.Record.(*State)
	// A card's account without a password: its temporary password was retired (LK-2).
	return map[string]any{"Back": back, "Action": idpPasswordPath + "?back=" + url.QueryEscape(back), "Rules": h.rules(q),
		"Retired": st.Account.CardID != "" && !st.Account.HasPassword()}
}

// handleIdPPassword sets the password of the optional step.
func (h *Handler) handleIdPPassword(q *web.Request, st *State) error {
	back := web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base)
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	_, err := h.d.Cabinet.SetFirstPassword(q.Ctx(), st.Account.TIN, q.R.PostFormValue("new_password"), q.R.PostFormValue("new_password_confirm"), origin(q, h.site))
	if err != nil {
		q.Page.Title = q.Page.T("lk.idp.password.title")
		web.DropSecrets(q.R.PostForm)
		return q.FormError(err, "idp_password.html", h.idpPasswordData(q, back))
	}
	q.Redirect(back, "lk.flash.password_set")
	return nil
}
