// Package oidcweb serves the identity provider's OpenID Connect endpoints (IDP-7): discovery,
// the key set, authorization, token, userinfo, end-session (RP-initiated logout), revocation
// (RFC 7009) and introspection (RFC 7662), and the pages a citizen sees on the way — consent,
// the level a service needs (IDP-2), the confirmation of signing out — on the /id/ site of
// package idweb (its session, layout and login page). It holds no rule: package oidc does.
//
// Paths: the discovery document at {issuer}/.well-known/openid-configuration, the protocol's
// endpoints under /oidc/, the pages under /id/. The issuer is the --public-url value exactly
// (https://host, without a path); without one (tests, development) it is the request's scheme
// and host.
package oidcweb

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// The endpoints, and the pages on the /id/ site.
const (
	DiscoveryPath  = "/.well-known/openid-configuration"
	JWKSPath       = "/oidc/jwks"
	AuthorizePath  = "/oidc/authorize"
	TokenPath      = "/oidc/token"
	UserInfoPath   = "/oidc/userinfo"
	EndSessionPath = "/oidc/logout"
	RevokePath     = "/oidc/revoke"
	IntrospectPath = "/oidc/introspect"
	// ContinuePath is the page of an authorization that waits for the citizen (?flow=ID): the
	// consent, or the level the service needs.
	ContinuePath = "/id/authorize"
	// SignOutPath is the page that asks the citizen whether to sign out of kabinet (?flow=ID).
	SignOutPath = "/id/end-session"
)

// The stored flows of the pages.
const (
	kindAuthorize = "id.authorize"
	kindSignOut   = "id.end_session"
)

//go:embed templates/*.html
var templates embed.FS

// Pages returns the page templates this package serves on the /id/ site (idweb.Deps.Pages).
func Pages() fs.FS {
	sub, err := fs.Sub(templates, "templates")
	if err != nil {
		panic(err)
	}
	return sub
}

// Deps are the endpoints' dependencies.
type Deps struct {
	OIDC     *oidc.Provider
	Identity *identity.Provider
	Flows    *flow.Manager
	// Issuer is the --public-url value, exactly; "" takes the request's scheme and host (for
	// tests and development only: behind a proxy that does not say the scheme, the issuer would
	// be wrong, and every relying party refuses a token of another issuer).
	Issuer string
	Log    *slog.Logger
}

// Handler serves the endpoints and pages.
type Handler struct {
	d    Deps
	site *web.Site
}

// New returns the endpoints.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Handler{d: d}
}

// Routes registers the endpoints and pages on mux, the pages on site (the /id/ site, whose
// templates include Pages).
func (h *Handler) Routes(mux *http.ServeMux, site *web.Site) {
	h.site = site
	mux.HandleFunc("GET "+DiscoveryPath, h.handleDiscovery)
	mux.HandleFunc("GET "+JWKSPath, h.handleJWKS)
	mux.HandleFunc("GET "+AuthorizePath, h.handleAuthorize)
	mux.HandleFunc("POST "+AuthorizePath, h.handleAuthorize)
	mux.HandleFunc("POST "+TokenPath, h.handleToken)
	mux.HandleFunc("GET "+UserInfoPath, h.handleUserInfo)
	mux.HandleFunc("POST "+UserInfoPath, h.handleUserInfo)
	mux.HandleFunc("POST "+RevokePath, h.handleRevoke)
	mux.HandleFunc("POST "+IntrospectPath, h.handleIntrospect)
	mux.HandleFunc("GET "+EndSessionPath, h.handleEndSession)
	mux.HandleFunc("POST "+EndSessionPath, h.handleEndSession)
	for _, p := range []string{DiscoveryPath, JWKSPath, TokenPath, UserInfoPath, RevokePath} {
		mux.HandleFunc("OPTIONS "+p, preflight)
	}
	pub := web.Public
	mux.Handle("GET "+ContinuePath, site.Page(pub, h.handleContinue))
	mux.Handle("POST "+ContinuePath, site.Page(pub, h.handleDecision))
	mux.Handle("GET "+SignOutPath, site.Page(pub, h.handleSignOutPage))
	mux.Handle("POST "+SignOutPath, site.Page(pub, h.handleSignOut))
}

// issuer returns the issuer for a request.
func (h *Handler) issuer(r *http.Request) string {
	if h.d.Issuer != "" {
		return h.d.Issuer
	}
	scheme := "http"
	if web.ClientOf(r).Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// endpoint returns the absolute URL of an endpoint for a request.
func (h *Handler) endpoint(r *http.Request, path string) string {
	return strings.TrimSuffix(h.issuer(r), "/") + path
}

// FormTargets returns the origin of the redirect URI of the authorization a login returns to
// (idweb.Deps.FormTargets): the login form's answer leads there when no consent is needed.
func (h *Handler) FormTargets(ctx context.Context, returnTo string) []string {
	u, err := url.Parse(returnTo)
	if err != nil || u.Path != ContinuePath {
		return nil
	}
	f, err := h.d.Flows.Get(ctx, u.Query().Get("flow"), kindAuthorize)
	if err != nil {
		return nil
	}
	return []string{origin(f.Data["redirect_uri"])}
}

// origin returns the CSP source of a redirect URI: scheme://host[:port], or scheme: for a
// native app's private-use scheme.
func origin(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + ":"
}

// redirect sends the browser to uri with params added to its query (kept as registered), with
// 303 so that a form's POST is never repeated there.
func redirect(w http.ResponseWriter, r *http.Request, uri string, params url.Values) {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, uri+sep+params.Encode(), http.StatusSeeOther)
}

// description keeps the characters error_description may hold (RFC 6749 4.1.2.1).
func description(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\'')
		case c >= 0x20 && c <= 0x7e:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// errorBody is the JSON error of the token, revocation and introspection endpoints (RFC 6749
// 5.2).
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// protocolError answers err as the JSON error the standards define: 401 with
// WWW-Authenticate for invalid_client, 400 for the others; a missing secret key 503, anything
// else 500 (logged).
func (h *Handler) protocolError(w http.ResponseWriter, r *http.Request, err error) {
	pe, ok := oidc.AsError(err)
	switch {
	case ok && pe.Code == oidc.ErrInvalidClient:
		if pe.Basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="kabinet"`)
		}
		writeJSON(w, http.StatusUnauthorized, errorBody{pe.Code, description(pe.Description)}, "")
	case ok:
		writeJSON(w, http.StatusBadRequest, errorBody{pe.Code, description(pe.Description)}, "")
	case errors.Is(err, oidc.ErrNoSecretKey) || errors.Is(err, oidc.ErrSecretKeyMismatch):
		web.LogInternal(h.d.Log, r, err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{oidc.ErrTemporarilyUnavailable, "signing keys are unavailable"}, "")
	default:
		web.LogInternal(h.d.Log, r, err)
		writeJSON(w, http.StatusInternalServerError, errorBody{oidc.ErrServerError, ""}, "")
	}
}

// cors lets any origin read the answer: the endpoints that call it (discovery, keys, token,
// userinfo, revocation) authenticate by what the request carries — a secret, a PKCE verifier,
// a bearer token — never by a cookie, so a page of another site gains nothing it did not hold.
// Browser applications (public clients with PKCE) call them from their own origins.
func cors(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "WWW-Authenticate")
}

// preflight answers a CORS preflight of those endpoints.
func preflight(w http.ResponseWriter, r *http.Request) {
	cors(w)
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// readForm reads a form-encoded POST body (bounded), and refuses a parameter given twice.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, &oidc.Error{Code: oidc.ErrInvalidRequest, Description: "the body must be application/x-www-form-urlencoded"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, &oidc.Error{Code: oidc.ErrInvalidRequest, Description: "the body cannot be read"}
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			return nil, &oidc.Error{Code: oidc.ErrInvalidRequest, Description: k + " is given more than once"}
		}
	}
	return r.PostForm, nil
}

// setUILocale follows the client's ui_locales, the first of those the site offers, on the pages
// of this authorization, unless the citizen chose a language already (a cookie for this browser
// session only).
func setUILocale(w http.ResponseWriter, r *http.Request, locales, offered []string) {
	if _, err := r.Cookie(web.LangCookie); err == nil {
		return
	}
	for _, l := range locales {
		base, _, _ := strings.Cut(strings.ToLower(l), "-")
		if slices.Contains(offered, base) {
			http.SetCookie(w, &http.Cookie{Name: web.LangCookie, Value: base, Path: "/", SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: true})
			return
		}
	}
}

var msgNoFlow = problem.Msg("oidc.flow_gone")
