// Package mobileapi is the JSON API of the taxpayer cabinet's mobile application (KG-2: the
// Salyk.kg app of the Kyrgyz Republic, seed 004) under /api/mobile/v1/, described by the OpenAPI
// document of package api. It is mounted only where the jurisdiction has it
// (jurisdiction.CabinetRules.Mobile); elsewhere its paths are 404. It holds no rule: package
// cabinet checks the login and password under the same attempt limits and hashing as every
// login, the accepted documents and the tokens (mobile.go, terms.go).
//
//	POST /api/mobile/v1/login    {"login","password","accept_offer","accept_privacy"} → tokens;
//	                             401 a wrong login or password, 403 a document not accepted
//	POST /api/mobile/v1/token    {"refresh_token"} → a new pair; a used one revokes its chain
//	POST /api/mobile/v1/logout   Authorization: Bearer <access token> and/or {"refresh_token"} → 204
//	GET  /api/mobile/v1/profile  Authorization: Bearer <access token> → the taxpayer
//
// Errors are RFC 9457 problem+json in the request's language (Accept-Language: ky, ru, en).
package mobileapi

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// Base is the API's base path.
const Base = "/api/mobile/v1/"

// Handler serves the mobile API.
type Handler struct {
	cab *cabinet.Service
	log *slog.Logger
}

// New returns the API over the personal accounts.
func New(cab *cabinet.Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{cab: cab, log: log}
}

// Routes registers the API's endpoints on mux with full patterns.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/mobile/v1/login", h.wrap(h.handleLogin))
	mux.HandleFunc("POST /api/mobile/v1/token", h.wrap(h.handleToken))
	mux.HandleFunc("POST /api/mobile/v1/logout", h.wrap(h.handleLogout))
	mux.HandleFunc("GET /api/mobile/v1/profile", h.wrap(h.handleProfile))
	mux.HandleFunc("/api/mobile/v1/", h.wrap(func(w http.ResponseWriter, r *http.Request) error {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}))
}

// wrap answers an endpoint's error as problem+json; its answers are never cached.
func (h *Handler) wrap(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := fn(w, r); err != nil {
			if p, ok := problem.As(err); ok && p.Code == problem.Unauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="kabinet"`)
			}
			web.WriteProblem(w, r, h.log, err)
		}
	}
}

// Tokens is the answer of a login and of a refresh.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"` // seconds
}

func tokens(t *cabinet.MobileTokens) Tokens {
	return Tokens{AccessToken: t.Access, RefreshToken: t.Refresh, TokenType: "Bearer", ExpiresIn: int(t.ExpiresIn.Seconds())}
}

func origin(r *http.Request) cabinet.Origin {
	return cabinet.Origin{Address: web.ClientAddr(r), UserAgent: r.UserAgent(), Lang: web.Lang(r)}
}

// loginRequest is the body of a login (KG-2).
type loginRequest struct {
	Login         string `json:"login"`
	Password      string `json:"password"`
	AcceptOffer   bool   `json:"accept_offer"`
	AcceptPrivacy bool   `json:"accept_privacy"`
}

var msgBadLogin = problem.Msg("lk.bad_credentials")

func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := web.DecodeJSON(w, r, &in, 16<<10); err != nil {
		return err
	}
	if _, ok := web.CheckText(in.Login, false); !ok {
		// A control character in a login answers like wrong credentials.
		return problem.New(problem.Unauthorized, msgBadLogin)
	}
	t, err := h.cab.LoginMobile(r.Context(), cabinet.MobileLogin{Login: in.Login, Password: in.Password, AcceptOffer: in.AcceptOffer,
		AcceptPrivacy: in.AcceptPrivacy}, origin(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, tokens(t))
	return nil
}

// refreshRequest is the body of a refresh and of a logout.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (h *Handler) handleToken(w http.ResponseWriter, r *http.Request) error {
	var in refreshRequest
	if err := web.DecodeJSON(w, r, &in, 4<<10); err != nil {
		return err
	}
	if strings.TrimSpace(in.RefreshToken) == "" {
		return problem.InvalidField("refresh_token", problem.Msg("lk.required").With(i18n.Field("refresh_token")))
	}
	t, err := h.cab.RefreshMobile(r.Context(), in.RefreshToken, origin(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, tokens(t))
	return nil
}

func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) error {
	var in refreshRequest
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(w, r, &in, 4<<10); err != nil {
			return err
		}
	}
	access := bearer(r)
	if access == "" && in.RefreshToken == "" {
		return problem.New(problem.Unauthorized, problem.Msg("lk.mobile.token"))
	}
	if err := h.cab.LogoutMobile(r.Context(), access, in.RefreshToken, origin(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Profile is the taxpayer an access token is of.
type Profile struct {
	Login         string `json:"login"`
	Name          string `json:"name"`
	Kind          string `json:"kind"` // person, organization
	Office        string `json:"office"`
	OfficeName    string `json:"office_name"`
	SignatoryRole string `json:"signatory_role,omitempty"` // head, accountant: an organization's account
}

func (h *Handler) handleProfile(w http.ResponseWriter, r *http.Request) error {
	a, err := h.cab.MobileAccount(r.Context(), bearer(r))
	if err != nil {
		return err
	}
	p, office, err := h.cab.MobileSubject(r.Context(), a, web.Lang(r))
	if err != nil {
		return err
	}
	kind := "person"
	if p.OrgName != "" {
		kind = "organization"
	}
	web.WriteJSON(w, http.StatusOK, Profile{Login: a.TIN, Name: p.FullName(), Kind: kind, Office: p.Office, OfficeName: office, SignatoryRole: a.SignatoryRole})
	return nil
}

// bearer returns the token of the Authorization header ("Bearer …"), or "".
func bearer(r *http.Request) string {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}
