// Package lkweb is the taxpayer's personal account (SPEC section 4), mounted at /lk/: the login
// by TIN and password with the forced change of a card's temporary password, the login and the
// registration with a qualified e-signature, online recovery, the online application and its
// printable page — or, where the jurisdiction registers by application (the Kyrgyz Republic,
// KG-1), the self-registration an inspector approves (register.go) — the home page with what the register knows (and the sections the tax data will
// fill), the signed extract, the security settings, the switch to a principal's account for
// representatives and parents, and the read-only demonstration account. Every step is a page of
// the web kit or a stored flow, for a browser's form and a JSON client alike. It holds no rule:
// package cabinet does. The login through the identity provider (LK-6, idplogin.go) is a button of
// the login page: an OpenID Connect relying party that ends in cabinet.Service.SignIn.
package lkweb

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Base is the site's base path.
const Base = "/lk/"

// Deps are the site's dependencies.
type Deps struct {
	Cabinet  *cabinet.Service
	Extracts *extract.Service // issues the signed extract (REG-9)
	Sessions *session.Manager
	Flows    *flow.Manager
	// IdP is the identity provider of the login through it (LK-6); nil: no such login.
	IdP *IdP
	Log *slog.Logger
}

// Handler serves the personal account.
type Handler struct {
	d    Deps
	site *web.Site
	rp   *relyingParty // LK-6; nil without an identity provider
	// sections are the home page's sections of the tax data, rendered once per language.
	sections map[string]template.HTML
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
	h := &Handler{d: d}
	if h.sections, err = renderSections(d.Cabinet.Profile()); err != nil {
		return nil, err
	}
	if d.IdP != nil {
		h.rp = newRelyingParty(*d.IdP)
	}
	// Kyrgyz has every text of the pages the Kyrgyz profile mounts (KG-1, KG-2; i18n's test).
	h.site, err = web.NewSite(web.Site{Name: cabinet.Site, Base: Base, Tagline: "lk.tagline", Login: Base + "login", Home: Base,
		Sessions: d.Sessions, Flows: d.Flows, Authorize: h.authorize, Log: d.Log, Languages: []string{"ru", "ky", "en"}}, pages)
	return h, err
}

// Site returns the site of the web kit.
func (h *Handler) Site() *web.Site { return h.site }

// State is what a signed-in page knows of its viewer, kept in the viewer's Record: their own
// account (or the demonstration account), and the principal they act for, when they do (LK-8).
type State struct {
	Account *cabinet.Account
	Demo    bool
	Acting  *cabinet.Acting
}

// May reports whether the viewer may do what power gives in the account the page shows: always in
// their own, and in a principal's when the representation gives it (LK-8), so that no page
// offers what would be refused.
func (s *State) May(power string) bool {
	return s.Acting == nil || s.Acting.Representation.Can(power)
}

// Subject is the TIN whose data the page shows: the principal's when acting, else the viewer's.
func (s *State) Subject() string {
	if s.Acting != nil {
		return s.Acting.Principal.TIN
	}
	return s.Account.TIN
}

// authorize turns a session into the viewer: the demonstration account, or the account of the
// session's TIN if the session still counts (LK-10).
func (h *Handler) authorize(ctx context.Context, s *session.Session) (*web.Viewer, error) {
	if cabinet.IsDemo(s.Subject) {
		a := cabinet.DemoAccount(h.d.Cabinet.Now())
		return &web.Viewer{Subject: s.Subject, Name: a.Name, Role: "demo", Record: &State{Account: a, Demo: true}}, nil
	}
	held, _ := s.Holder.(*cabinet.Account) // read with the session
	a, err := h.d.Cabinet.SessionAccount(ctx, s.Subject, s.CreatedAt, held)
	if err != nil {
		return nil, err
	}
	return &web.Viewer{Subject: a.TIN, Name: a.Name, Role: "taxpayer", Record: &State{Account: a}}, nil
}

func origin(q *web.Request, site *web.Site) cabinet.Origin {
	return cabinet.Origin{Address: web.ClientAddr(q.R), UserAgent: q.R.UserAgent(), Device: site.DeviceToken(q.R), Lang: q.Page.Lang}
}

func notFound() error { return problem.New(problem.NotFound, problem.MsgNotFound) }

// Routes registers every page of the site on mux with full patterns.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.site.Mount(mux)
	mux.Handle("GET /lk/{$}", h.site.Page(web.Public, h.handleHome))
	mux.Handle("GET /lk/login", h.public(0, h.handleLoginForm))
	mux.Handle("POST /lk/login", h.public(web.OwnInput, h.handleLogin))
	mux.Handle("GET /lk/oidc/login", h.public(0, h.handleIdPLogin))
	mux.Handle("GET /lk/oidc/callback", h.public(0, h.handleIdPCallback))
	mux.Handle("GET /lk/oidc/refused/{reason}", h.public(0, h.handleIdPRefused))
	mux.Handle("GET /lk/oidc/password", h.write(h.handleIdPPasswordForm))
	mux.Handle("POST /lk/oidc/password", h.write(h.handleIdPPassword))
	rules := h.d.Cabinet.Rules() // the jurisdiction's ways into the account
	if rules.ESign {             // LK-5
		mux.Handle("GET /lk/esign", h.public(0, h.handleESignForm))
		mux.Handle("GET /lk/esign/challenge", h.public(0, h.handleChallenge))
		mux.Handle("POST /lk/esign", h.public(0, h.handleESign))
	}
	mux.Handle("GET /lk/recovery", h.public(0, h.handleRecoveryForm))
	mux.Handle("POST /lk/recovery", h.public(0, h.handleRecovery))
	mux.Handle("GET /lk/recovery/link", h.public(0, h.handleLinkForm))
	mux.Handle("POST /lk/recovery/link", h.public(0, h.handleLink))
	switch rules.Registration {
	case jurisdiction.ByApplication: // KG-1: register.go
		mux.Handle("GET /lk/register", h.public(0, h.handleRegisterWays))
		mux.Handle("GET /lk/register/password", h.public(0, h.handleRegisterForm))
		mux.Handle("POST /lk/register/password", h.public(0, h.handleRegister))
		mux.Handle("GET /lk/register/status", h.public(0, h.handleRegisterStatusForm)) // register_status.go
		mux.Handle("POST /lk/register/status", h.public(0, h.handleRegisterStatus))
	default: // LK-7: apply.go
		mux.Handle("GET /lk/apply", h.public(0, h.handleApplyForm))
		mux.Handle("POST /lk/apply", h.public(0, h.handleApply))
		mux.Handle("GET /lk/apply/{number}", h.public(0, h.handleApplication))
	}
	mux.Handle("GET /lk/extract", h.in(h.handleExtract))
	mux.Handle("GET /lk/settings", h.in(h.handleSettings))
	mux.Handle("POST /lk/settings/password", h.write(h.handlePassword))
	mux.Handle("POST /lk/settings/email", h.write(h.handleContact(cabinet.ForEmail)))
	mux.Handle("POST /lk/settings/email/confirm", h.write(h.handleConfirm(cabinet.ForEmail)))
	mux.Handle("POST /lk/settings/phone", h.write(h.handleContact(cabinet.ForPhone)))
	mux.Handle("POST /lk/settings/phone/confirm", h.write(h.handleConfirm(cabinet.ForPhone)))
	mux.Handle("POST /lk/settings/recovery", h.write(h.handleRecoverySettings))
	mux.Handle("POST /lk/settings/sessions", h.write(h.handleSessions))
	if rules.Representatives { // LK-8
		mux.Handle("GET /lk/representatives", h.in(h.handleRepresentatives))
		mux.Handle("POST /lk/acting", h.in(h.handleActing))
	}
	mux.Handle("/lk/", h.site.Page(web.Public, func(q *web.Request) error { return notFound() }))
}

// actingCookie keeps the principal a representative switched to (LK-8); it is checked against
// the representations on every page, so it grants nothing by itself.
const actingCookie = "__Host-kabinet_lk_acting"

// ActingHeader names the principal a JSON client acts for.
const ActingHeader = "X-Acting-For"

func (h *Handler) setActing(w http.ResponseWriter, tin string) {
	c := &http.Cookie{Name: actingCookie, Value: tin, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
	if tin == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// public wraps a page anyone may open (web.Public, with the flags of access): for a signed-in
// viewer it reads their state first, so that the page says for whom they act (LK-8), as every
// page of the site does.
func (h *Handler) public(access web.Access, fn func(q *web.Request) error) http.Handler {
	return h.site.Page(web.Public|access, func(q *web.Request) error {
		if q.Viewer != nil {
			if _, err := h.state(q); err != nil {
				return err
			}
		}
		return fn(q)
	})
}

// in wraps a page for a signed-in viewer: it reads the viewer's state and, when they switched to
// a principal's account, checks that they still may act there (a power of attorney expired, a
// child turned 14: back to their own account, told why).
func (h *Handler) in(fn func(q *web.Request, st *State) error) http.Handler {
	return h.site.Page(web.SignedIn, func(q *web.Request) error {
		st, err := h.state(q)
		if err != nil {
			return err
		}
		return fn(q, st)
	})
}

// state returns the signed-in viewer's state, with the principal they act for checked.
func (h *Handler) state(q *web.Request) (*State, error) {
	st := q.Viewer.Record.(*State)
	principal := q.R.Header.Get(ActingHeader)
	if c, err := q.R.Cookie(actingCookie); err == nil && principal == "" {
		principal = c.Value
	}
	if principal == "" || principal == st.Account.TIN || st.Demo {
		return st, nil
	}
	act, err := h.d.Cabinet.Act(q.Ctx(), st.Account.TIN, principal)
	if p, ok := problem.As(err); ok && p.Code == problem.Forbidden {
		h.setActing(q.W, "")
		q.Page.Problem = p.Message.In(q.Page.Lang)
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.Acting = act
	return st, nil
}

// write wraps an action that changes something: refused in the demonstration account (LK-9),
// and done on the viewer's own account.
func (h *Handler) write(fn func(q *web.Request, st *State) error) http.Handler {
	return h.in(func(q *web.Request, st *State) error {
		if st.Demo {
			return cabinet.ErrDemo
		}
		return fn(q, st)
	})
}

// signedIn starts the session of a's owner (or of the demonstration account when a is nil) after
// a login or a registration, and hands over its token to a JSON client.
func (h *Handler) signedIn(q *web.Request, f *flow.Flow, a *cabinet.Account, m session.Method, flash string) error {
	subject, assurance := cabinet.DemoLogin, "demo"
	if a != nil {
		subject, assurance = a.TIN, string(a.Source)
	}
	token, sess, err := h.site.StartSession(q.W, q.R, subject, m, assurance)
	if err != nil {
		return err
	}
	h.setActing(q.W, "")
	if f.Client == flow.API {
		web.WriteFlowDone(q.W, f, map[string]any{"session_token": token, "session_header": web.SessionHeader, "expires_at": sess.ExpiresAt,
			"tin": subject, "demo": a == nil})
		return nil
	}
	q.Redirect(web.SafeReturn(f.ReturnTo, Base, Base), flash)
	return nil
}
