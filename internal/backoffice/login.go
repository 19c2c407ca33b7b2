package backoffice

import (
	"crypto/subtle"
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

func loginFields() []web.FlowField {
	return []web.FlowField{{Name: "login", Type: "text", Required: true}, {Name: "password", Type: "password", Required: true}}
}

func loginAction(f *flow.Flow) string { return Base + "login?flow=" + f.ID }

// handleLoginForm shows the login step of a flow, starting one when the request names none (or
// one that expired).
func (h *Handler) handleLoginForm(q *web.Request) error {
	if q.Session != nil {
		http.Redirect(q.W, q.R, Base, http.StatusSeeOther)
		return nil
	}
	f, err := h.d.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), loginKind)
	if err != nil {
		if q.R.URL.Query().Get("flow") != "" && flow.Expired(err) {
			q.Page.Problem = problem.Msg("flow.expired").In(q.Page.Lang)
		}
		client := flow.Browser
		if web.WantsJSON(q.R) {
			client = flow.API
		}
		f, err = h.d.Flows.Start(q.Ctx(), flow.Start{Kind: loginKind, State: loginState, Client: client, CSRF: q.Page.CSRF,
			ReturnTo: web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base), TTL: flowTTL})
		if err != nil {
			return err
		}
		if client == flow.API {
			web.WriteFlow(q.W, q.R, f, loginAction(f), loginFields(), nil)
			return nil
		}
		if q.Page.Problem == "" {
			http.Redirect(q.W, q.R, loginAction(f), http.StatusSeeOther)
			return nil
		}
	}
	if f.Client == flow.API {
		web.WriteFlow(q.W, q.R, f, loginAction(f), loginFields(), nil)
		return nil
	}
	return h.renderLogin(q, f, http.StatusOK)
}

func (h *Handler) renderLogin(q *web.Request, f *flow.Flow, status int) error {
	q.Page.Title = q.Page.T("office.login.title")
	q.Page.Data = map[string]any{"Action": loginAction(f)}
	q.Page.Form = map[string][]string{"login": {f.Data["login"]}}
	q.Render(status, "login.html")
	return nil
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// handleLogin checks the credentials of a login flow under the attempt limits of package limits
// (in staff.Service). Every failure, whatever its cause (unknown login, wrong password, bad
// characters), answers the same way.
func (h *Handler) handleLogin(q *web.Request) error {
	f, err := h.d.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), loginKind)
	if err != nil {
		if web.WantsJSON(q.R) {
			return err
		}
		q.Page.Problem = problem.Msg("flow.expired").In(q.Page.Lang)
		return h.handleLoginForm(q)
	}
	var in loginRequest
	if f.Client == flow.API {
		if err := web.DecodeJSON(q.W, q.R, &in, 64<<10); err != nil {
			web.WriteFlow(q.W, q.R, f, loginAction(f), loginFields(), problem.New(problem.Unauthorized, msgBadLogin))
			return nil
		}
	} else {
		// The flow belongs to the browser that started it: its CSRF token is that browser's.
		if subtle.ConstantTimeCompare([]byte(f.CSRF), []byte(q.R.PostFormValue("csrf"))) != 1 {
			return problem.New(problem.Forbidden, problem.Msg("csrf"))
		}
		in = loginRequest{Login: q.R.PostFormValue("login"), Password: q.R.PostFormValue("password")}
	}
	res, err := h.d.Staff.Login(q.Ctx(), in.Login, in.Password, limits.Origin{Address: web.ClientAddr(q.R), Device: h.site.DeviceToken(q.R)})
	if err != nil {
		pe, ok := problem.As(err)
		if !ok || (pe.Code != problem.Unauthorized && pe.Code != problem.TooMany) {
			return err
		}
		f.Attempts++
		if _, ok := web.CheckText(in.Login, false); ok && len(in.Login) <= 64 {
			f.Data["login"] = in.Login
		}
		if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
			return err
		}
		if f.Client == flow.API {
			web.WriteFlow(q.W, q.R, f, loginAction(f), loginFields(), pe)
			return nil
		}
		q.Page.Problem = pe.Message.In(q.Page.Lang)
		return h.renderLogin(q, f, web.Status(pe.Code))
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
