package lkweb

import (
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/web"
)

// LK-4: online recovery, a stored flow ("lk.recovery"): step "identify" takes the TIN and the
// code word; step "sent" says the same whatever happened (a link was sent if recovery is on and
// the code word right). The link of the e-mail opens the page of the new password
// (/lk/recovery/link?l=…), used once; every session of the account ends with it.

const (
	recoveryKind = "lk.recovery"
	stepIdentify = "identify"
	stepSent     = "sent"
	linkPath     = Base + "recovery/link"
)

func (h *Handler) recoveryFlow() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, Kind: recoveryKind, Path: Base + "recovery", Title: "lk.recovery.title",
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Flows.Start(q.Ctx(), flow.Start{Kind: recoveryKind, State: stepIdentify, Client: client, CSRF: q.Page.CSRF, TTL: 30 * time.Minute})
		},
		Steps: map[string]web.FlowStep{
			stepIdentify: {Template: "recovery.html", Fields: []web.FlowField{{Name: "login", Type: "text", Required: true}, {Name: "code_word", Type: "password", Required: true}}},
			stepSent:     {Template: "recovery.html", Fields: nil},
		}}
}

func (h *Handler) handleRecoveryForm(q *web.Request) error {
	fs := h.recoveryFlow()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	return fs.Show(q, f, nil, nil)
}

func (h *Handler) handleRecovery(q *web.Request) error {
	fs := h.recoveryFlow()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	in, err := input(q, "login", "code_word", "action")
	if err != nil {
		return fs.Show(q, f, err, nil)
	}
	if f.State == stepSent && in["action"] == "again" {
		f.State = stepIdentify
	} else {
		base := h.d.Extracts.BaseURL(web.ClientOf(q.R).Secure, q.R.Host) + linkPath
		if err := h.d.Cabinet.RequestRecovery(q.Ctx(), in["login"], in["code_word"], base, origin(q, h.site)); err != nil {
			f.Data["login"] = in["login"]
			_ = h.d.Flows.Save(q.Ctx(), f)
			return fs.Show(q, f, err, nil)
		}
		f.State, f.Data["login"] = stepSent, in["login"]
	}
	if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
		return err
	}
	return fs.Next(q, f)
}

func (h *Handler) handleLinkForm(q *web.Request) error {
	q.Page.Title = q.Page.T("lk.recovery.new_title")
	l := q.R.URL.Query().Get("l")
	err := h.d.Cabinet.CheckLink(q.Ctx(), l)
	if web.WantsJSON(q.R) {
		if err != nil {
			return err
		}
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"action": linkPath, "method": http.MethodPost, "fields": []string{"l", "new_password", "new_password_confirm"}})
		return nil
	}
	q.Page.Data = map[string]any{"Link": l, "Valid": err == nil, "Rules": h.rules(q)}
	if err != nil {
		q.Render(http.StatusNotFound, "recovery_link.html")
		return nil
	}
	q.Render(http.StatusOK, "recovery_link.html")
	return nil
}

func (h *Handler) handleLink(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	q.Page.Title = q.Page.T("lk.recovery.new_title")
	l := q.R.PostFormValue("l")
	_, err := h.d.Cabinet.ResetPassword(q.Ctx(), l, q.R.PostFormValue("new_password"), q.R.PostFormValue("new_password_confirm"), origin(q, h.site))
	if err != nil {
		web.DropSecrets(q.R.PostForm)
		return q.FormError(err, "recovery_link.html", map[string]any{"Link": l, "Valid": true, "Rules": h.rules(q)})
	}
	// The old password's sessions ended, everywhere, with it (LK-10).
	q.Redirect(h.site.Login, "lk.flash.recovered")
	return nil
}
