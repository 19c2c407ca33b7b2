// Package idweb is the identity provider's site (SPEC section 3), mounted at /id/: registration
// with a one-time code, login by phone, e-mail or СНИЛС, recovery, the profile and its
// verification, confirmation by an operator's code, by registered mail or by e-signature, the
// catalogue of services, the finder of service centres, the security settings, and the texts a
// registration accepts (the terms of use, the consent to the processing of personal data). Every
// step is a stored flow of the web kit or a page of it, and serves a browser's HTML form and a
// JSON client (Accept: application/json) with the same rules. It holds no rule: package identity
// does.
package idweb

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Base is the site's base path.
const Base = "/id/"

// Deps are the site's dependencies.
type Deps struct {
	Identity *identity.Provider
	Sessions *session.Manager
	Flows    *flow.Manager
	Log      *slog.Logger
	// OIDC, when set, lists in the settings the services the citizen has allowed (IDP-7).
	OIDC *oidc.Provider
	// Pages are page templates another package serves on this site (package oidcweb's).
	Pages fs.FS
	// FormTargets returns the origins besides this one that the form of a flow returning to
	// returnTo may lead to (the client of an authorization the login is part of).
	FormTargets func(ctx context.Context, returnTo string) []string
	// Countries lists ОКСМ, of which a profile's citizenship is chosen (the register's
	// reference data); without it the citizenship is typed as a code.
	Countries func() []register.Country
}

// Handler serves the identity provider's site.
type Handler struct {
	d            Deps
	site         *web.Site
	citizenships *citizenships
}

// New returns the site.
func New(d Deps) (*Handler, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	pages, err := fs.Sub(templates, "templates")
	if err != nil {
		return nil, err
	}
	h := &Handler{d: d, citizenships: &citizenships{countries: d.Countries}}
	h.site, err = web.NewSite(web.Site{Name: identity.Site, Base: Base, Tagline: "id.tagline", Login: Base + "login", Home: Base,
		Sessions: d.Sessions, Flows: d.Flows, Authorize: h.authorize, Log: d.Log, Languages: []string{"ru", "en"}}, pages, d.Pages)
	return h, err
}

// Site returns the site of the web kit.
func (h *Handler) Site() *web.Site { return h.site }

func (h *Handler) authorize(ctx context.Context, s *session.Session) (*web.Viewer, error) {
	a, ok := s.Holder.(*identity.Account) // read with the session
	if !ok || a.ID != s.Subject {
		var err error
		if a, err = h.d.Identity.Account(ctx, s.Subject); err != nil {
			return nil, err
		}
	}
	return &web.Viewer{Subject: a.ID, Name: a.FullName(), Role: string(a.Level), Record: a}, nil
}

// account returns the signed-in citizen's account, as read for this request.
func (h *Handler) account(q *web.Request) (*identity.Account, error) {
	if a, ok := q.Viewer.Record.(*identity.Account); ok {
		return a, nil
	}
	return h.d.Identity.Account(q.Ctx(), q.Viewer.Subject)
}

func origin(q *web.Request, site *web.Site) identity.Origin {
	return identity.Origin{Address: web.ClientAddr(q.R), UserAgent: q.R.UserAgent(), Device: site.DeviceToken(q.R), Lang: q.Page.Lang}
}

// Routes registers every page of the site on mux with full patterns.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.site.Mount(mux)
	pub, in := web.Public, web.SignedIn
	mux.Handle("GET /id/{$}", h.site.Page(pub, h.handleHome))
	mux.Handle("GET /id/register", h.site.Page(pub, h.handleRegisterForm))
	mux.Handle("POST /id/register", h.site.Page(pub, h.handleRegister))
	mux.Handle("GET /id/login", h.site.Page(pub, h.handleLoginForm))
	mux.Handle("POST /id/login", h.site.Page(pub|web.OwnInput, h.handleLogin))
	mux.Handle("GET /id/recovery", h.site.Page(pub, h.handleRecoveryForm))
	mux.Handle("POST /id/recovery", h.site.Page(pub, h.handleRecovery))
	mux.Handle("GET /id/profile", h.site.Page(in, h.handleProfile))
	mux.Handle("POST /id/profile", h.site.Page(in, h.handleProfileSave))
	mux.Handle("GET /id/confirm", h.site.Page(in, h.handleConfirm))
	mux.Handle("POST /id/confirm/code", h.site.Page(in, h.handleConfirmCode))
	mux.Handle("POST /id/confirm/letter", h.site.Page(in, h.handleOrderLetter))
	mux.Handle("GET /id/confirm/esign", h.site.Page(in, h.handleESign))
	mux.Handle("GET /id/confirm/esign/challenge", h.site.Page(in, h.handleChallenge))
	mux.Handle("POST /id/confirm/esign", h.site.Page(in, h.handleESignSubmit))
	mux.Handle("GET /id/terms", h.site.Page(pub, h.handleDocument("terms")))
	mux.Handle("GET /id/personal-data", h.site.Page(pub, h.handleDocument("personal_data")))
	mux.Handle("GET /id/services", h.site.Page(pub, h.handleServices))
	mux.Handle("GET /id/centres", h.site.Page(pub, h.handleCentres))
	mux.Handle("GET /id/settings", h.site.Page(in, h.handleSettings))
	mux.Handle("POST /id/settings/password", h.site.Page(in, h.handlePassword))
	mux.Handle("POST /id/settings/sessions", h.site.Page(in, h.handleSignOutEverywhere))
	mux.Handle("POST /id/settings/services", h.site.Page(in, h.handleRevokeService))
	mux.Handle("/id/", h.site.Page(pub, func(q *web.Request) error { return notFound() }))
}
