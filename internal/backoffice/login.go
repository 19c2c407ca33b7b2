package backoffice

import (
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

// The staff login is a stored flow (package flow): GET /office/login starts one and sends the
// browser to /office/login?flow=ID, where the form posts; a JSON client gets the flow as JSON
// and posts {"login","password"} to the same address, with the same rules and limits.

const (
	loginKind  = "office.login"
	loginState = "credentials"
	flowTTL    = 30 * time.Minute
)

var msgBadLogin = problem.Msg("staff.bad_credentials")

// loginPages drive the login flow (web.FlowPages): one step, the credentials.
func (h *Handler) loginPages() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, Kind: loginKind, Path: Base + "login", Title: "office.login.title",
		Steps: map[string]web.FlowStep{loginState: {Template: "login.html",
			Fields: []web.FlowField{{Name: "login", Type: "text", Required: true}, {Name: "password", Type: "password", Required: true}}}},
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Flows.Start(q.Ctx(), flow.Start{Kind: loginKind, State: loginState, Client: client, CSRF: q.Page.CSRF,
				ReturnTo: web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base), TTL: flowTTL})
		}}
}

// handleLoginForm shows the login step of a flow, starting one when the request names none (or
// one that expired).
func (h *Handler) handleLoginForm(q *web.Request) error {
	if q.Session != nil {
		http.Redirect(q.W, q.R, Base, http.StatusSeeOther)
		return nil
	}
	fp := h.loginPages()
	f, done, err := fp.Get(q)
	if done || err != nil {
		return err
	}
	return fp.Show(q, f, nil, nil)
}

// handleLogin checks the credentials of a login flow under the attempt limits of package limits
// (in staff.Service). Every failure, whatever its cause (unknown login, wrong password, bad
// characters, a body that is not the flow's JSON), answers the same way; a field left empty is
// named on the form.
func (h *Handler) handleLogin(q *web.Request) error {
	fp := h.loginPages()
	f, err := fp.Post(q)
	if err != nil {
		// A flow that ended (or never was) shows a new form saying so; a JSON client, or a
		// browser whose CSRF token is not the flow's, gets the error.
		if p, ok := problem.As(err); web.WantsJSON(q.R) || ok && p.Code == problem.Forbidden {
			return err
		}
		q.Page.Problem = problem.Msg("flow.expired").In(q.Page.Lang)
		return h.handleLoginForm(q)
	}
	if err := web.JSONForm(q.W, q.R); err != nil {
		return fp.Show(q, f, problem.New(problem.Unauthorized, msgBadLogin), nil)
	}
	login, password := q.R.PostFormValue("login"), q.R.PostFormValue("password")
	res, err := h.d.Staff.Login(q.Ctx(), login, password, limits.Origin{Address: web.ClientAddr(q.R), Device: h.site.DeviceToken(q.R)})
	if err != nil {
		pe, ok := problem.As(err)
		if !ok || (pe.Code != problem.Unauthorized && pe.Code != problem.TooMany && pe.Code != problem.Invalid) {
			return err
		}
		if pe.Code != problem.Invalid { // a field left empty is no attempt
			f.Attempts++
		}
		if _, ok := web.CheckText(login, false); ok && len(login) <= 64 {
			f.Data["login"] = login
		}
		if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
			return err
		}
		return fp.Show(q, f, pe, nil)
	}
	if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
		return err
	}
	token, sess, err := h.site.StartSession(q.W, q.R, res.Member.Login, session.Password, string(res.Member.Role))
	if err != nil {
		return err
	}
	if res.Device != "" {
		h.site.SetDeviceToken(q.W, res.Device)
	}
	if f.Client == flow.API {
		web.WriteFlowDone(q.W, f, map[string]any{"session_token": token, "session_header": web.SessionHeader, "expires_at": sess.ExpiresAt})
		return nil
	}
	http.Redirect(q.W, q.R, web.SafeReturn(f.ReturnTo, Base, Base), http.StatusSeeOther)
	return nil
}
