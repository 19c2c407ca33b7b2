package lkweb

import (
	"net/http"
	"net/url"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

// The login by TIN and password (LK-1), a stored flow ("lk.login"): step "credentials" posts the
// fields login and password; when the password was a card's temporary one, step "change" posts
// new_password and new_password_confirm, and the owner's own password replaces it before any
// session begins (LK-2, LK-3). The login 00000000000 opens the demonstration account (LK-9).

const (
	loginKind   = "lk.login"
	stepCreds   = "credentials"
	stepChange  = "change"
	loginTTL    = 30 * time.Minute
	flashChange = "lk.flash.password_set"
)

func (h *Handler) loginFlow() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, Kind: loginKind, Path: Base + "login", Title: "lk.login.title",
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Flows.Start(q.Ctx(), flow.Start{Kind: loginKind, State: stepCreds, Client: client, CSRF: q.Page.CSRF,
				ReturnTo: web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base), TTL: loginTTL})
		},
		Steps: map[string]web.FlowStep{
			stepCreds: {Template: "login.html", Fields: []web.FlowField{{Name: "login", Type: "text", Required: true}, {Name: "password", Type: "password", Required: true}}},
			stepChange: {Template: "login.html", Fields: []web.FlowField{{Name: "new_password", Type: "password", Required: true},
				{Name: "new_password_confirm", Type: "password", Required: true}}},
		}}
}

func (h *Handler) handleLoginForm(q *web.Request) error {
	if q.Session != nil && q.R.URL.Query().Get("prompt") != "login" {
		http.Redirect(q.W, q.R, web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base), http.StatusSeeOther)
		return nil
	}
	fs := h.loginFlow()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	return fs.Show(q, f, nil, h.loginData(q, f))
}

// loginData is what the login page shows besides the form: the rules of the own password, and
// the login through the identity provider when there is one (LK-6), which keeps the return
// address.
func (h *Handler) loginData(q *web.Request, f *flow.Flow) map[string]any {
	d := map[string]any{"Rules": h.rules(q)}
	if h.rp != nil {
		u := idpLoginPath
		if back := web.SafeReturn(f.ReturnTo, Base, Base); back != Base {
			u += "?back=" + url.QueryEscape(back)
		}
		d["IdP"] = u
	}
	return d
}

// rules are the texts of the rules of the own password (LK-3), shown beside its field.
func (h *Handler) rules(q *web.Request) []string { return h.d.Cabinet.PasswordRules(q.Page.Lang) }

var msgBadLogin = problem.Msg("lk.bad_credentials")

func (h *Handler) handleLogin(q *web.Request) error {
	fs := h.loginFlow()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	in, err := input(q, "login", "password", "new_password", "new_password_confirm")
	if err != nil {
		return fs.Show(q, f, problem.New(problem.Unauthorized, msgBadLogin), h.loginData(q, f))
	}
	o := origin(q, h.site)
	if f.State == stepChange {
		a, err := h.d.Cabinet.SetOwnPassword(q.Ctx(), f.Data["tin"], f.Data["card"], in["new_password"], in["new_password_confirm"], o)
		if err != nil {
			if p, ok := problem.As(err); ok && p.Code == problem.Conflict {
				_ = h.d.Flows.Finish(q.Ctx(), f) // another card meanwhile: log in again
				return err
			}
			f.Attempts++
			_ = h.d.Flows.Save(q.Ctx(), f)
			return fs.Show(q, f, err, h.loginData(q, f))
		}
		if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
			return err
		}
		return h.signedIn(q, f, a, session.Password, flashChange)
	}
	if _, ok := web.CheckText(in["login"], false); !ok {
		return fs.Show(q, f, problem.New(problem.Unauthorized, msgBadLogin), h.loginData(q, f))
	}
	res, err := h.d.Cabinet.Login(q.Ctx(), in["login"], in["password"], o)
	if err != nil {
		f.Attempts++
		f.Data["login"] = in["login"]
		_ = h.d.Flows.Save(q.Ctx(), f)
		return fs.Show(q, f, err, h.loginData(q, f))
	}
	if res.Device != "" {
		h.site.SetDeviceToken(q.W, res.Device)
	}
	if res.Demo {
		if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
			return err
		}
		return h.signedIn(q, f, nil, session.Password, "lk.flash.demo")
	}
	if res.MustChange {
		// LK-2: the owner's own password first; the flow holds the proof of the temporary one.
		f.State, f.Data["tin"], f.Data["card"], f.Data["login"] = stepChange, res.Account.TIN, res.Account.CardID, res.Account.TIN
		if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
			return err
		}
		return fs.Next(q, f)
	}
	if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
		return err
	}
	return h.signedIn(q, f, res.Account, session.Password, "")
}
