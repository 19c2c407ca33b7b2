package idweb

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/web"
)

// IDP-6: recovery of a lost password (package identity, recovery.go). After the new password
// every session of the account ends.

func (h *Handler) recovery() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, FormTargets: h.d.FormTargets, Kind: identity.RecoveryKind, Path: Base + "recovery",
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Identity.StartRecovery(q.Ctx(), client, q.Page.CSRF)
		},
		Steps: map[string]web.FlowStep{
			identity.StepIdentify: {Template: "recovery.html", Fields: []web.FlowField{{Name: "login", Type: "text", Required: true}}},
			identity.StepCode:     {Template: "recovery.html", Fields: []web.FlowField{{Name: "code", Type: "text", Required: true}}},
			identity.StepAnswer:   {Template: "recovery.html", Fields: []web.FlowField{{Name: "answer", Type: "text", Required: true}}},
			identity.StepNewPass: {Template: "recovery.html", Fields: []web.FlowField{{Name: "new_password", Type: "password", Required: true},
				{Name: "new_password_confirm", Type: "password", Required: true}}},
		}}
}

func (h *Handler) handleRecoveryForm(q *web.Request) error {
	fs := h.recovery()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	q.Page.Title = q.Page.T("id.recovery.title")
	return fs.Show(q, f, nil, nil)
}

func (h *Handler) handleRecovery(q *web.Request) error {
	fs := h.recovery()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("id.recovery.title")
	in := map[string]string{}
	if f.Client == flow.API {
		var j struct {
			Login              string `json:"login"`
			Code               string `json:"code"`
			Answer             string `json:"answer"`
			NewPassword        string `json:"new_password"`
			NewPasswordConfirm string `json:"new_password_confirm"`
		}
		if err := web.DecodeJSON(q.W, q.R, &j, 64<<10); err != nil {
			return fs.Show(q, f, err, nil)
		}
		in = map[string]string{"login": j.Login, "code": j.Code, "answer": j.Answer, "new_password": j.NewPassword, "new_password_confirm": j.NewPasswordConfirm}
	} else {
		for _, k := range []string{"login", "code", "answer", "new_password", "new_password_confirm"} {
			in[k] = q.R.PostFormValue(k)
		}
	}
	o := origin(q, h.site)
	switch f.State {
	case identity.StepIdentify:
		err = h.d.Identity.SubmitIdentifier(q.Ctx(), f, in["login"], o)
	case identity.StepCode:
		err = h.d.Identity.SubmitRecoveryCode(q.Ctx(), f, in["code"], o)
	case identity.StepAnswer:
		err = h.d.Identity.SubmitAnswer(q.Ctx(), f, in["answer"], o)
	case identity.StepNewPass:
		a, err := h.d.Identity.SubmitNewPassword(q.Ctx(), f, in["new_password"], in["new_password_confirm"], o)
		if err != nil {
			return fs.Show(q, f, err, nil)
		}
		// The old password's sessions end, everywhere.
		if _, err := h.d.Sessions.EndAll(q.Ctx(), h.site.Name, a.ID, ""); err != nil {
			return err
		}
		if f.Client == flow.API {
			web.WriteFlowDone(q.W, f, map[string]any{"recovered": true})
			return nil
		}
		q.Redirect(Base+"login", "id.flash.recovered")
		return nil
	}
	if err == nil && f.Client == flow.Browser {
		http.Redirect(q.W, q.R, fs.Action(f), http.StatusSeeOther)
		return nil
	}
	return fs.Show(q, f, err, nil)
}
