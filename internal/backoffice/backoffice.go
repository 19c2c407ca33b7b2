// Package backoffice is the inspectors' web UI for the taxpayer register (SPEC section 6): staff
// login with lockout, registering persons and organizations, search, the taxpayer page with its
// history, changes, deregistration, duplicates, КПП, extracts, the review queue of possible
// duplicates and the audit log. Server-rendered, Russian by default with English switchable; one
// file per page action. Every write goes through register.Service with the logged-in member as
// the actor, so it lands in the audit log (BO-5).
package backoffice

import (
	"context"
	"embed"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Deps are the back office's dependencies.
type Deps struct {
	Register *register.Service
	Staff    *staff.Service
	Audit    audit.Log
	Sessions *web.Sessions
	Log      *slog.Logger
}

// Handler serves the back office.
type Handler struct {
	d  Deps
	rd *web.Renderer
}

// New returns the back office. It panics only if the embedded templates are broken, which the
// tests catch.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	rd, err := web.NewRenderer(mustSub(), catalog, d.Log)
	if err != nil {
		panic(err)
	}
	return &Handler{d: d, rd: rd}
}

// Routes registers the back office's pages under /office/ and the shared static files.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("/static/", web.Static())
	mux.HandleFunc("GET /office/lang", h.handleLang)
	mux.HandleFunc("GET /office/login", h.handleLoginForm)
	mux.HandleFunc("POST /office/login", h.handleLogin)
	mux.Handle("POST /office/logout", h.page(false, h.handleLogout))
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
	mux.HandleFunc("/office/", func(w http.ResponseWriter, r *http.Request) {
		h.rd.Error(w, r, problem.New(problem.NotFound, problem.MsgNotFound))
	})
}

// req is what a page action gets: the member, the session and a page in the request's language.
type req struct {
	w    http.ResponseWriter
	r    *http.Request
	m    staff.Member
	sess *web.SessionRecord
	p    *web.Page
}

func (q *req) ctx() context.Context { return q.r.Context() }

func (q *req) actor() audit.Actor {
	host, _, err := net.SplitHostPort(q.r.RemoteAddr)
	if err != nil {
		host = q.r.RemoteAddr
	}
	return q.m.Actor(host)
}

// redirect answers a successful POST with a redirect (POST-redirect-GET), with a flash message.
func (q *req) redirect(to, flashKey string) {
	if flashKey != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "flash=" + url.QueryEscape(flashKey)
	}
	http.Redirect(q.w, q.r, to, http.StatusSeeOther)
}

type pageFunc func(q *req) error

// page requires a staff session (and for write pages a role that may write), checks CSRF on
// POST, and renders errors.
func (h *Handler) page(write bool, fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := h.d.Sessions.Get(r, "staff")
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		if sess == nil {
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				back = "/office/"
			}
			http.Redirect(w, r, "/office/login?back="+url.QueryEscape(back), http.StatusSeeOther)
			return
		}
		m, err := h.d.Staff.Member(r.Context(), sess.Subject)
		if err != nil || m.Disabled {
			h.d.Sessions.End(w, r)
			http.Redirect(w, r, "/office/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := web.CheckCSRF(r, sess); err != nil {
				h.rd.Error(w, r, err)
				return
			}
		}
		if write && !m.Role.CanWriteRegister() {
			h.rd.Error(w, r, problem.New(problem.Forbidden, problem.MsgForbidden))
			return
		}
		p := h.rd.NewPage(r, "app.tagline")
		p.User = m.Name
		if p.User == "" {
			p.User = m.Login
		}
		p.Role = string(m.Role)
		p.CSRF = sess.CSRF
		if f := r.URL.Query().Get("flash"); f != "" && strings.HasPrefix(f, "flash.") {
			p.Flash = p.T(f)
		}
		if err := fn(&req{w: w, r: r, m: m, sess: sess, p: p}); err != nil {
			h.rd.Error(w, r, err)
		}
	})
}

// formError re-renders a form with each wrong field marked and the typed values kept; other
// errors go to the error page.
func (h *Handler) formError(q *req, err error, page string, data any) error {
	fields, msg, ok := web.FieldErrors(err, q.p.Lang)
	if !ok {
		if p, isProblem := problem.As(err); isProblem && p.Code != problem.Internal && p.Code != problem.Unavailable {
			q.p.Problem = p.Message.In(q.p.Lang)
			q.p.Form = q.r.PostForm
			q.p.Data = data
			h.rd.Render(q.w, web.Status(p.Code), page, q.p)
			return nil
		}
		return err
	}
	q.p.Errors = fields
	q.p.Problem = msg + ". " + q.p.T("form.errors")
	q.p.Form = q.r.PostForm
	q.p.Data = data
	h.rd.Render(q.w, http.StatusUnprocessableEntity, page, q.p)
	return nil
}

func (h *Handler) handleLang(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to != "en" {
		to = "ru"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: to, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: true})
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
		back = "/office/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
