package oidcweb

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// The authorization endpoint (IDP-7; OpenID Connect Core 3.1.2) and its pages. A request whose
// client or redirect URI is not known good gets the site's error page — nothing is ever sent
// to an address the client did not register. A good one is decided at once when it can be
// (a code, or with prompt=none an error, at the redirect URI); when the citizen must log in,
// allow the service their data or learn which level it needs, the request is kept as a
// stored flow and the browser goes to the login page or to ContinuePath.

// flowTTL is how long an authorization may wait for the citizen.
const flowTTL = 30 * time.Minute

// handleAuthorize is the authorization endpoint, GET or POST (form-encoded).
func (h *Handler) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			h.site.Error(w, r, problem.New(problem.Invalid, problem.MsgInvalid))
			return
		}
		q = r.PostForm
	}
	c, err := h.d.OIDC.AuthorizationClient(r.Context(), q)
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	req, err := oidc.ParseAuthRequest(c, q)
	if err != nil {
		h.redirectError(w, r, req, err)
		return
	}
	setUILocale(w, r, req.UILocales, h.site.Offered(r))
	h.proceed(w, r, c, req, nil, time.Time{}, nil)
}

// proceed takes the next step of an authorization: f is its flow once it has one, requested
// when it came (now when it has none), q the page when the browser is on one (the consent or
// level page is rendered in place then).
func (h *Handler) proceed(w http.ResponseWriter, r *http.Request, c *oidc.Client, req *oidc.AuthRequest, f *flow.Flow, requested time.Time, q *web.Request) {
	ctx := r.Context()
	in, a, err := h.signIn(r)
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	if f == nil {
		requested = h.d.OIDC.Now()
	}
	d, err := h.d.OIDC.Decide(ctx, c, req, in, a, requested)
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	switch d.Step {
	case oidc.StepError:
		h.finish(r, f)
		h.redirectError(w, r, req, d.Err)
	case oidc.StepIssue:
		h.issue(w, r, c, req, f, in, a)
	case oidc.StepLogin:
		if f, err = h.keep(r, req, f); err != nil {
			h.site.Error(w, r, err)
			return
		}
		login := url.Values{"back": {ContinuePath + "?flow=" + f.ID}}
		if in != nil {
			login.Set("prompt", "login") // signed in, but not recently enough
		}
		if req.LoginHint != "" {
			login.Set("login_hint", req.LoginHint)
		}
		http.Redirect(w, r, h.site.Login+"?"+login.Encode(), http.StatusSeeOther)
	default: // StepConsent, StepLevel: a page
		if q == nil {
			if f, err = h.keep(r, req, f); err != nil {
				h.site.Error(w, r, err)
				return
			}
			http.Redirect(w, r, ContinuePath+"?flow="+url.QueryEscape(f.ID), http.StatusSeeOther)
			return
		}
		h.page(q, c, req, f, d, a)
	}
}

// signIn returns the citizen signed in on the /id/ site, if any.
func (h *Handler) signIn(r *http.Request) (*oidc.SignIn, *identity.Account, error) {
	sess, err := h.site.Session(r)
	if err != nil || sess == nil {
		return nil, nil, err
	}
	a, err := h.d.Identity.Account(r.Context(), sess.Subject)
	if problem.Is(err, problem.NotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return &oidc.SignIn{AccountID: a.ID, SessionID: sess.ID, AuthTime: sess.AuthTime, Method: sess.Method}, a, nil
}

// keep stores the request as a flow (once).
func (h *Handler) keep(r *http.Request, req *oidc.AuthRequest, f *flow.Flow) (*flow.Flow, error) {
	if f != nil {
		return f, nil
	}
	f, err := h.d.Flows.Start(r.Context(), flow.Start{Kind: kindAuthorize, State: "waiting", Client: flow.Browser, TTL: flowTTL})
	if err != nil {
		return nil, err
	}
	for k, v := range req.Values() {
		f.Data[k] = v[0]
	}
	return f, h.d.Flows.Save(r.Context(), f)
}

// finish ends a flow whose authorization was answered (a replay of its page finds nothing).
func (h *Handler) finish(r *http.Request, f *flow.Flow) {
	if f != nil {
		_ = h.d.Flows.Finish(r.Context(), f)
	}
}

// issue issues a code and sends the browser back with it (RFC 9207: with the issuer).
func (h *Handler) issue(w http.ResponseWriter, r *http.Request, c *oidc.Client, req *oidc.AuthRequest, f *flow.Flow, in *oidc.SignIn, a *identity.Account) {
	code, err := h.d.OIDC.IssueCode(r.Context(), c, req, in, a)
	if err != nil {
		h.site.Error(w, r, err)
		return
	}
	h.finish(r, f)
	params := url.Values{"code": {code}, "iss": {h.issuer(r)}}
	if req.State != "" {
		params.Set("state", req.State)
	}
	redirect(w, r, req.RedirectURI, params)
}

// redirectError sends a refusal to the client's redirect URI, which is known good.
func (h *Handler) redirectError(w http.ResponseWriter, r *http.Request, req *oidc.AuthRequest, err error) {
	pe, ok := oidc.AsError(err)
	if !ok {
		h.site.Error(w, r, err)
		return
	}
	params := url.Values{"error": {pe.Code}, "iss": {h.issuer(r)}}
	if pe.Description != "" {
		params.Set("error_description", description(pe.Description))
	}
	if req.State != "" {
		params.Set("state", req.State)
	}
	redirect(w, r, req.RedirectURI, params)
}

// resume reads back the authorization kept in a page's flow, checking its client again (it
// may have been removed meanwhile).
func (h *Handler) resume(q *web.Request) (*flow.Flow, *oidc.Client, *oidc.AuthRequest, error) {
	f, err := h.d.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), kindAuthorize)
	if _, isProblem := problem.As(err); isProblem {
		return nil, nil, nil, problem.New(problem.NotFound, msgNoFlow) // unknown, finished or expired
	}
	if err != nil {
		return nil, nil, nil, err
	}
	v := url.Values{}
	for k, val := range f.Data {
		v.Set(k, val)
	}
	c, err := h.d.OIDC.AuthorizationClient(q.Ctx(), v)
	if err != nil {
		return nil, nil, nil, err
	}
	req, err := oidc.ParseAuthRequest(c, v)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, c, req, nil
}

// handleContinue shows an authorization's page (consent or level), or goes on when the citizen
// has logged in meanwhile and nothing more is needed.
func (h *Handler) handleContinue(q *web.Request) error {
	f, c, req, err := h.resume(q)
	if err != nil {
		return err
	}
	h.proceed(q.W, q.R, c, req, f, f.CreatedAt, q)
	return nil
}

// page renders the consent or the level page. Their forms lead to the client's redirect URI:
// the CSP names its origin.
func (h *Handler) page(q *web.Request, c *oidc.Client, req *oidc.AuthRequest, f *flow.Flow, d oidc.Decision, a *identity.Account) {
	web.AllowFormTargets(q.W, origin(req.RedirectURI))
	data := map[string]any{"Action": ContinuePath + "?flow=" + url.QueryEscape(f.ID), "Client": c.Name, "Account": a}
	// Where the answer leads: the site's host, or for an application's own scheme
	// (com.example.app:/cb) the service's name.
	data["Host"] = c.Name
	if u, err := url.Parse(req.RedirectURI); err == nil && u.Host != "" {
		data["Host"] = u.Host
	}
	if d.Step == oidc.StepLevel {
		q.Page.Title = q.Page.T("oidc.level.title")
		data["Need"], data["Have"] = req.MinLevel, a.Level
		data["NeedsProfile"] = a.Level == identity.Simplified
		data["NeedsConfirm"] = req.MinLevel == identity.Confirmed
		q.Page.Data = data
		q.Render(http.StatusForbidden, "oidc_level.html")
		return
	}
	// Asked again for more, the citizen sees which of the data are new.
	again := len(d.New) < len(d.Ask) && len(d.New) > 0
	type item struct {
		Scope, Text string
		New         bool
	}
	var items []item
	for _, s := range d.Ask {
		items = append(items, item{s, q.Page.T("oidc.scope." + s), again && slices.Contains(d.New, s)})
	}
	data["Scopes"] = items
	data["Again"] = again
	q.Page.Title = q.Page.T("oidc.consent.title")
	q.Page.Data = data
	q.Render(http.StatusOK, "oidc_consent.html")
}

// handleDecision takes the citizen's answer on a page: allow or deny (consent), or back to the
// service (the level page).
func (h *Handler) handleDecision(q *web.Request) error {
	f, c, req, err := h.resume(q)
	if err != nil {
		return err
	}
	in, a, err := h.signIn(q.R)
	if err != nil {
		return err
	}
	d, err := h.d.OIDC.Decide(q.Ctx(), c, req, in, a, f.CreatedAt)
	if err != nil {
		return err
	}
	action := q.Form("action")
	switch {
	case d.Step == oidc.StepConsent && action == "allow":
		if err := h.d.OIDC.Allow(q.Ctx(), a.ID, c.ID, d.Ask); err != nil {
			return err
		}
		h.issue(q.W, q.R, c, req, f, in, a)
	case d.Step == oidc.StepConsent && action == "deny":
		h.finish(q.R, f)
		h.redirectError(q.W, q.R, req, &oidc.Error{Code: oidc.ErrAccessDenied, Description: "the citizen did not allow the request"})
	case d.Step == oidc.StepLevel && action == "back":
		h.finish(q.R, f)
		h.redirectError(q.W, q.R, req, &oidc.Error{Code: oidc.ErrUnmetAuthentication, Description: "the account is below the level asked for"})
	default:
		// The situation changed (another tab, a login meanwhile): take the step it needs now.
		h.proceed(q.W, q.R, c, req, f, f.CreatedAt, nil)
	}
	return nil
}
