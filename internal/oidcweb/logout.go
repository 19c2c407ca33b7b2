package oidcweb

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0; IDP-7): the citizen's /id/
// session ends at once when the ID token hint is theirs; otherwise a page asks them. Then the
// browser goes back to the registered post-logout URI with the state, or sees that they are
// signed out.

// handleEndSession is the end-session endpoint, GET or POST (form-encoded).
func (h *Handler) handleEndSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			h.site.Error(w, r, problem.New(problem.Invalid, problem.MsgInvalid))
			return
		}
		q = r.PostForm
	}
	l, err := h.d.OIDC.CheckLogout(r.Context(), h.issuer(r), oidc.LogoutRequest{IDTokenHint: q.Get("id_token_hint"), ClientID: q.Get("client_id"),
		PostLogoutRedirectURI: q.Get("post_logout_redirect_uri"), State: q.Get("state")})
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	setUILocale(w, r, strings.Fields(q.Get("ui_locales")), h.site.Offered(r))
	in, a, err := h.signIn(r)
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	if in == nil {
		h.signedOut(w, r, l.RedirectURI, l.State)
		return
	}
	if l.Client != nil && l.Subject != "" {
		sub, err := h.d.OIDC.Subject(r.Context(), l.Client, a.ID)
		if err != nil {
			h.site.Error(w, r, err)
			return
		}
		if sub == l.Subject {
			h.site.EndSession(w, r)
			h.signedOut(w, r, l.RedirectURI, l.State)
			return
		}
	}
	f, err := h.d.Flows.Start(r.Context(), flow.Start{Kind: kindSignOut, State: "confirm", Client: flow.Browser, TTL: flowTTL})
	if err == nil {
		f.Data["redirect_uri"], f.Data["state"] = l.RedirectURI, l.State
		if l.Client != nil {
			f.Data["client"] = l.Client.Name
		}
		err = h.d.Flows.Save(r.Context(), f)
	}
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	http.Redirect(w, r, SignOutPath+"?flow="+url.QueryEscape(f.ID), http.StatusSeeOther)
}

// signedOut sends the browser back to the service, or shows that the citizen is signed out.
func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request, uri, state string) {
	if uri != "" {
		params := url.Values{}
		if state != "" {
			params.Set("state", state)
		}
		redirect(w, r, uri, params)
		return
	}
	http.Redirect(w, r, SignOutPath, http.StatusSeeOther)
}

// handleSignOutPage asks the citizen whether to sign out of kabinet, or (without a flow) says
// they are signed out.
func (h *Handler) handleSignOutPage(q *web.Request) error {
	id := q.R.URL.Query().Get("flow")
	if id == "" || q.Session == nil {
		q.Page.Title = q.Page.T("oidc.signed_out.title")
		q.Render(http.StatusOK, "oidc_signed_out.html")
		return nil
	}
	f, err := h.d.Flows.Get(q.Ctx(), id, kindSignOut)
	if _, isProblem := problem.As(err); isProblem {
		return problem.New(problem.NotFound, msgNoFlow)
	}
	if err != nil {
		return err
	}
	web.AllowFormTargets(q.W, origin(f.Data["redirect_uri"]))
	q.Page.Title = q.Page.T("oidc.sign_out.title")
	q.Page.Data = map[string]any{"Action": SignOutPath + "?flow=" + url.QueryEscape(f.ID), "Client": f.Data["client"]}
	q.Render(http.StatusOK, "oidc_sign_out.html")
	return nil
}

// handleSignOut takes the answer: sign out (action=logout) or stay; either way the service's
// own page follows.
func (h *Handler) handleSignOut(q *web.Request) error {
	f, err := h.d.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), kindSignOut)
	if _, isProblem := problem.As(err); isProblem {
		return problem.New(problem.NotFound, msgNoFlow)
	}
	if err != nil {
		return err
	}
	uri, state := f.Data["redirect_uri"], f.Data["state"]
	_ = h.d.Flows.Finish(q.Ctx(), f)
	if q.Form("action") == "logout" {
		h.site.EndSession(q.W, q.R)
		h.signedOut(q.W, q.R, uri, state)
		return nil
	}
	if uri == "" {
		http.Redirect(q.W, q.R, "/id/", http.StatusSeeOther)
		return nil
	}
	h.signedOut(q.W, q.R, uri, state)
	return nil
}
