// Package backoffice is the inspectors' web UI for the taxpayer register (SPEC section 6): staff
// login as a stored flow under the attempt limits, registering persons and organizations, search,
// the taxpayer page with its history, changes, deregistration, duplicates, КПП, extracts, the
// review queue of possible duplicates and the audit log. It is a site of the web kit (package
// web) mounted at /office/; one file per page action. Every write goes through the domain
// services with the signed-in member as the actor, so it lands in the audit log (BO-5).
package backoffice

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Base is the back office's base path.
const Base = "/office/"

// Deps are the back office's dependencies.
type Deps struct {
	Register *register.Service
	Extracts *extract.Service // issues, signs and keeps extracts (REG-9); unsigned ones when nil
	Staff    *staff.Service
	Audit    audit.Log
	Sessions *session.Manager
	Flows    *flow.Manager
	Identity *identity.Provider // the identity provider's accounts, for the operators (BO-4); nil: none, no such pages
	Cabinet  *cabinet.Service   // the personal accounts: cards, representatives, applications (BO-2, BO-3)
	Log      *slog.Logger
}

// Handler serves the back office.
type Handler struct {
	d    Deps
	site *web.Site
}

// New returns the back office. It fails only if the embedded templates are broken, which the
// tests catch.
func New(d Deps) (*Handler, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	pages, err := fs.Sub(templates, "templates")
	if err != nil {
		return nil, err
	}
	h := &Handler{d: d}
	// Its texts are in Russian, the language the inspectors work in, and English; never Kyrgyz
	// (i18n.Fallbacks), so a Kyrgyz choice made in the cabinet gives it in Russian.
	h.site, err = web.NewSite(web.Site{Name: "office", Base: Base, Tagline: "office.tagline", Login: Base + "login", Home: Base,
		Sessions: d.Sessions, Flows: d.Flows, Authorize: h.authorize, Log: d.Log, Languages: []string{"ru", "en"}}, pages)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Site returns the back office's site of the web kit.
func (h *Handler) Site() *web.Site { return h.site }

// authorize turns a staff session into the viewer: the member's name and what the role allows.
// A member disabled meanwhile loses the session.
func (h *Handler) authorize(ctx context.Context, s *session.Session) (*web.Viewer, error) {
	m, err := h.d.Staff.Member(ctx, s.Subject)
	if err != nil {
		return nil, err
	}
	if m.Disabled {
		return nil, problem.New(problem.Unauthorized, problem.MsgUnauthorized)
	}
	name := m.Name
	if name == "" {
		name = m.Login
	}
	// BO-4: only where there is an identity provider whose accounts to confirm.
	confirms := (m.Role == staff.RoleOperator || m.Role == staff.RoleAdmin) && h.d.Identity != nil
	return &web.Viewer{Subject: m.Login, Name: name, Role: string(m.Role), Perms: map[string]bool{
		"register.write":   m.Role.CanWriteRegister(),
		"audit.read":       m.Role.CanReadAudit(),
		"accounts.confirm": confirms,
	}}, nil
}

// Routes registers every page of the back office on mux, with full patterns (so that metrics
// name each route).
func (h *Handler) Routes(mux *http.ServeMux) {
	h.site.Mount(mux)
	mux.Handle("GET /office/login", h.site.Page(web.Public, h.handleLoginForm))
	mux.Handle("POST /office/login", h.site.Page(web.Public|web.OwnInput, h.handleLogin))
	mux.Handle("GET /office/{$}", h.page(false, h.handleDashboard))
	mux.Handle("GET /office/search", h.page(false, h.handleSearch))
	mux.Handle("GET /office/persons/new", h.page(true, h.handlePersonForm))
	mux.Handle("POST /office/persons", h.page(true, h.handlePersonCreate))
	mux.Handle("GET /office/organizations/new", h.page(true, h.handleOrganizationForm))
	mux.Handle("POST /office/organizations", h.page(true, h.handleOrganizationCreate))
	mux.Handle("GET /office/foreign/new", h.page(true, h.handleForeignForm))
	mux.Handle("POST /office/foreign", h.page(true, h.handleForeignCreate))
	mux.Handle("GET /office/taxpayers/{tin}", h.page(false, h.handleTaxpayer))
	mux.Handle("GET /office/taxpayers/{tin}/edit", h.page(true, h.handleEditForm))
	mux.Handle("POST /office/taxpayers/{tin}/edit", h.page(true, h.handleEdit))
	mux.Handle("POST /office/taxpayers/{tin}/deregister", h.page(true, h.handleDeregister))
	mux.Handle("POST /office/taxpayers/{tin}/duplicate", h.page(true, h.handleDuplicate))
	mux.Handle("POST /office/taxpayers/{tin}/kpp", h.page(true, h.handleKPP))
	mux.Handle("GET /office/taxpayers/{tin}/extract", h.page(false, h.handleExtract))
	mux.Handle("GET /office/reviews", h.page(false, h.handleReviews))
	mux.Handle("POST /office/reviews/{id}", h.page(true, h.handleReviewDecide))
	mux.Handle("GET /office/audit", h.page(false, h.handleAudit))
	if h.d.Identity != nil { // BO-4: accounts.go, where the jurisdiction has the identity provider
		mux.Handle("GET /office/accounts", h.accountsPage(h.handleAccounts))
		mux.Handle("GET /office/accounts/{id}", h.accountsPage(h.handleAccount))
		mux.Handle("POST /office/accounts/{id}/confirm", h.accountsPage(h.handleAccountConfirm))
	}
	mux.Handle("GET /office/cards", h.cardsPage(h.handleCardsFind)) // BO-2: cards.go
	mux.Handle("GET /office/cards/{tin}", h.cardsPage(h.handleCard))
	mux.Handle("POST /office/cards/{tin}/issue", h.cardsPage(h.handleCardIssue))
	mux.Handle("POST /office/cards/{tin}/pdf", h.cardsPage(h.handleCardPDF))
	mux.Handle("POST /office/cards/{tin}/recovery", h.cardsPage(h.handleRecoveryRestore))
	mux.Handle("POST /office/cards/{tin}/representatives", h.cardsPage(h.handleRepresentativeAdd))
	mux.Handle("POST /office/cards/{tin}/representatives/{id}/revoke", h.cardsPage(h.handleRepresentativeRevoke))
	if h.d.Cabinet != nil && h.d.Cabinet.Rules().Registration == jurisdiction.ByApplication {
		// KG-1, BO-3: the self-registrations of the inspector's УГНС (registrations.go).
		mux.Handle("GET /office/registrations", h.cardsPage(h.handleRegistrations))
		mux.Handle("GET /office/registrations/{number}", h.cardsPage(h.handleRegistration))
		mux.Handle("POST /office/registrations/{number}/approve", h.cardsPage(h.handleRegistrationApprove))
		mux.Handle("POST /office/registrations/{number}/refuse", h.cardsPage(h.handleRegistrationRefuse))
		mux.Handle("GET /office/registrations/{number}/handover", h.cardsPage(h.handleRegistrationHandover))
		mux.Handle("GET /office/registrations/{number}/handover.pdf", h.cardsPage(h.handleRegistrationPDF))
		// KG-1, LK-10: restoring access to a cabinet at the УГНС (access.go).
		mux.Handle("GET /office/access", h.cardsPage(h.handleAccessFind))
		mux.Handle("GET /office/access/{tin}", h.cardsPage(h.handleAccess))
		mux.Handle("POST /office/access/{tin}", h.cardsPage(h.handleAccessRestore))
		mux.Handle("POST /office/access/{tin}/pdf", h.cardsPage(h.handleAccessPDF))
	} else {
		mux.Handle("GET /office/applications", h.cardsPage(h.handleApplications)) // BO-3: applications.go
		mux.Handle("GET /office/applications/{number}", h.cardsPage(h.handleApplication))
		mux.Handle("POST /office/applications/{number}/approve", h.cardsPage(h.handleApplicationApprove))
		mux.Handle("POST /office/applications/{number}/refuse", h.cardsPage(h.handleApplicationRefuse))
	}
	mux.Handle("/office/", h.site.Page(web.Public, func(q *web.Request) error {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}))
}

// page is a page for a signed-in member; write pages need a role that may change the register.
func (h *Handler) page(write bool, fn func(q *web.Request) error) http.Handler {
	return h.site.Page(web.SignedIn, func(q *web.Request) error {
		if write && !q.Viewer.Can("register.write") {
			return problem.New(problem.Forbidden, problem.MsgForbidden)
		}
		return fn(q)
	})
}

// actor is the audit trail's actor of a page action: the signed-in member at the client's address.
func actor(q *web.Request) audit.Actor {
	return audit.Actor{Login: q.Viewer.Subject, Role: q.Viewer.Role, RemoteAddr: web.ClientAddr(q.R)}
}
