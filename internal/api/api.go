// Package api is the taxpayer register's JSON API under /api/v1/, described by the OpenAPI 3.1
// document it serves at /api/v1/openapi.json. Every call needs a staff bearer token; every write
// goes through the register's service, which records it in the audit log. Errors are RFC 9457
// problem+json through package web.
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the API description.
func OpenAPI() []byte { return openapiDoc }

// Deps are the API's dependencies.
type Deps struct {
	Register *register.Service
	Extracts *extract.Service // issues, signs and keeps extracts (REG-9); unsigned ones when nil
	Staff    *staff.Service
	Audit    audit.Log
	Log      *slog.Logger
}

// Handler serves the API.
type Handler struct {
	d Deps
}

// New returns the API handler.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Handler{d: d}
}

// Routes registers every API route on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapiDoc)
	})
	mux.HandleFunc("GET /api/v1/numbers/{kind}/{value}", h.handleNumberValidate)
	mux.Handle("POST /api/v1/persons", h.auth(true, h.handlePersonCreate))
	mux.Handle("POST /api/v1/organizations", h.auth(true, h.handleOrganizationCreate))
	mux.Handle("POST /api/v1/foreign-organizations", h.auth(true, h.handleForeignCreate))
	mux.Handle("GET /api/v1/taxpayers", h.auth(false, h.handleTaxpayerSearch))
	mux.Handle("GET /api/v1/taxpayers/{tin}", h.auth(false, h.handleTaxpayerGet))
	mux.Handle("PATCH /api/v1/taxpayers/{tin}", h.auth(true, h.handleTaxpayerUpdate))
	mux.Handle("POST /api/v1/taxpayers/{tin}/kpp", h.auth(true, h.handleKPPCreate))
	mux.Handle("POST /api/v1/taxpayers/{tin}/deregistration", h.auth(true, h.handleDeregister))
	mux.Handle("POST /api/v1/taxpayers/{tin}/duplicate-of", h.auth(true, h.handleDuplicate))
	mux.Handle("GET /api/v1/taxpayers/{tin}/extract", h.auth(false, h.handleExtract))
	mux.Handle("GET /api/v1/reviews", h.auth(false, h.handleReviewList))
	mux.Handle("GET /api/v1/reviews/{id}", h.auth(false, h.handleReviewGet))
	mux.Handle("POST /api/v1/reviews/{id}/decision", h.auth(true, h.handleReviewDecide))
	mux.Handle("GET /api/v1/kio", h.auth(false, h.handleKIOList))
	mux.Handle("GET /api/v1/kio/{code}", h.auth(false, h.handleKIOGet))
	mux.Handle("PATCH /api/v1/kio/{code}", h.auth(true, h.handleKIOUpdate))
	mux.Handle("GET /api/v1/offices", h.auth(false, h.handleOffices))
	mux.Handle("GET /api/v1/audit", h.auth(false, h.handleAudit))
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		web.WriteProblem(w, r, h.d.Log, problem.New(problem.NotFound, problem.MsgNotFound))
	})
}

type ctxKey struct{}

// member returns the authenticated staff member of the request.
func member(r *http.Request) staff.Member {
	m, _ := r.Context().Value(ctxKey{}).(staff.Member)
	return m
}

func actor(r *http.Request) audit.Actor {
	return member(r).Actor(web.ClientAddr(r))
}

type apiFunc func(w http.ResponseWriter, r *http.Request) error

// auth checks the bearer token (and, for writes, the role) before running fn; fn's error is
// written as a problem.
func (h *Handler) auth(write bool, fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kabinet"`)
			web.WriteProblem(w, r, h.d.Log, problem.New(problem.Unauthorized, problem.MsgUnauthorized))
			return
		}
		m, err := h.d.Staff.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if problem.Is(err, problem.Unauthorized) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="kabinet", error="invalid_token"`)
			}
			web.WriteProblem(w, r, h.d.Log, err)
			return
		}
		if write && !m.Role.CanWriteRegister() {
			web.WriteProblem(w, r, h.d.Log, problem.New(problem.Forbidden, problem.MsgForbidden))
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, m))
		if err := fn(w, r); err != nil {
			web.WriteProblem(w, r, h.d.Log, err)
		}
	})
}

// pathTIN validates the {tin} path parameter as a TIN of the register's jurisdiction.
func (h *Handler) pathTIN(r *http.Request) (string, error) {
	s := r.PathValue("tin")
	if _, err := h.d.Register.ParseTIN("tin", s); err != nil {
		return "", err
	}
	return s, nil
}

var msgInt = problem.Msg("api.integer")

func queryInt(r *http.Request, name string, def, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, problem.InvalidField(name, msgInt)
	}
	if n > max {
		n = max
	}
	return n, nil
}
