package idweb

import (
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// Login by phone, e-mail or СНИЛС with the password, a stored flow ("id.login"). Its form posts
// fields named login and password.

const loginKind = "id.login"

func (h *Handler) login() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, FormTargets: h.d.FormTargets, Kind: loginKind, Path: Base + "login",
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			f, err := h.d.Flows.Start(q.Ctx(), flow.Start{Kind: loginKind, State: "credentials", Client: client, CSRF: q.Page.CSRF,
				ReturnTo: web.SafeReturn(q.R.URL.Query().Get("back"), "/", Base), TTL: 30 * time.Minute})
			if hint := q.R.URL.Query().Get("login_hint"); err == nil && hint != "" && len(hint) <= 254 {
				// A service that knows who logs in says so (OpenID Connect login_hint).
				f.Data["login"] = hint
				err = h.d.Flows.Save(q.Ctx(), f)
			}
			return f, err
		},
		Steps: map[string]web.FlowStep{"credentials": {Template: "login.html", Fields: []web.FlowField{{Name: "login", Type: "text", Required: true},
			{Name: "password", Type: "password", Required: true}}}}}
}

func (h *Handler) handleLoginForm(q *web.Request) error {
	// Signed in already: back at once, unless asked to log in again (prompt=login, then the
	// login flow it started).
	if q.Session != nil && q.R.URL.Query().Get("prompt") != "login" && q.R.URL.Query().Get("flow") == "" {
		http.Redirect(q.W, q.R, web.SafeReturn(q.R.URL.Query().Get("back"), "/", Base), http.StatusSeeOther)
		return nil
	}
	fs := h.login()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	q.Page.Title = q.Page.T("id.login.title")
	return fs.Show(q, f, nil, nil)
}

func (h *Handler) handleLogin(q *web.Request) error {
	fs := h.login()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("id.login.title")
	login, pw := q.R.PostFormValue("login"), q.R.PostFormValue("password")
	if f.Client == flow.API {
		var in struct {
			Login    string `json:"login"`
			Password string `json:"password"`
		}
		if err := web.DecodeJSON(q.W, q.R, &in, 64<<10); err != nil {
			return fs.Show(q, f, problem.New(problem.Unauthorized, problem.Msg("idp.bad_credentials")), nil)
		}
		login, pw = in.Login, in.Password
	}
	if _, ok := web.CheckText(login, false); !ok {
		return fs.Show(q, f, problem.New(problem.Unauthorized, problem.Msg("idp.bad_credentials")), nil)
	}
	res, err := h.d.Identity.Login(q.Ctx(), login, pw, origin(q, h.site))
	if err != nil {
		f.Attempts++
		f.Data["login"] = login
		_ = h.d.Flows.Save(q.Ctx(), f)
		return fs.Show(q, f, err, nil)
	}
	if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
		return err
	}
	if res.Device != "" {
		h.site.SetDeviceToken(q.W, res.Device)
	}
	return h.signedIn(q, f, res.Account, "")
}
