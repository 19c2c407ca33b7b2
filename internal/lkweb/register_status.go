package lkweb

import (
	"net/http"
	"net/url"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/web"
)

// KG-1: the state of an application for the cabinet (/lk/register/status), where the jurisdiction
// registers by application: the applicant types the application's number and their ИНН (their
// own, or for a legal entity the organization's) and is shown the state — waiting for the УГНС,
// access granted (log in with the ИНН and the password), refused (the reason, what to do) — and
// the УГНС. It is how an applicant who gave no phone or e-mail learns the decision. A browser
// posts the form (CSRF); a JSON client posts {"number", "tin"} and gets the state, or a problem
// naming each wrong field. A wrong pair is answered as an unknown number; the look-ups are
// counted by the attempt limits (package cabinet, registration_status.go). The saved application
// (register.go) and the login and registration pages link here.

const statusPath = Base + "register/status"

// statusFields are the form's fields as a JSON client is told them, labelled as the form labels
// them.
var statusFields = []web.FlowField{{Name: "number", Type: "text", Required: true, LabelKey: "lk.reg.number"},
	{Name: "tin", Type: "text", Required: true, LabelKey: "lk.reg.f.tin"}}

// handleRegisterStatusForm shows the form (the number filled when the address gives it: the
// saved application's link); a JSON client is told what to post where.
func (h *Handler) handleRegisterStatusForm(q *web.Request) error {
	number := q.R.URL.Query().Get("number")
	if web.WantsJSON(q.R) {
		fields := make([]map[string]any, len(statusFields))
		for i, f := range statusFields {
			fields[i] = map[string]any{"name": f.Name, "type": f.Type, "required": f.Required, "label": q.Page.T(f.LabelKey)}
			if f.Name == "number" && number != "" {
				fields[i]["value"] = number
			}
		}
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"action": statusPath, "method": http.MethodPost, "fields": fields})
		return nil
	}
	q.Page.Title = q.Page.T("lk.reg_status.title")
	if number != "" && q.Page.Form == nil {
		q.Page.Form = url.Values{"number": {number}}
	}
	q.Render(http.StatusOK, "register_status.html")
	return nil
}

// handleRegisterStatus answers the form: the application's state, or the form again with what is
// wrong (a problem+json for a JSON client).
func (h *Handler) handleRegisterStatus(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	q.Page.Title = q.Page.T("lk.reg_status.title")
	q.W.Header().Set("Cache-Control", "no-store")
	r, err := h.d.Cabinet.RegistrationStatus(q.Ctx(), q.Form("number"), q.Form("tin"), origin(q, h.site))
	if err != nil {
		return q.FormError(err, "register_status.html", nil)
	}
	officeName := h.d.Cabinet.OfficeName(q.Ctx(), r.Office, q.Page.Lang)
	next := h.statusNext(q, r, officeName)
	if web.WantsJSON(q.R) {
		out := map[string]any{"number": r.Number(), "state": r.State, "state_name": q.Page.Enum("lk_reg_state", string(r.State)),
			"office": r.Office, "office_name": officeName, "next": next}
		switch r.State {
		case cabinet.AppApproved:
			out["login"], out["decided_at"], out["login_url"] = r.Login(), r.DecidedAt, Base+"login"
		case cabinet.AppRefused:
			out["reason"], out["decided_at"], out["register_url"] = r.Reason, r.DecidedAt, Base+"register"
		}
		web.WriteJSON(q.W, http.StatusOK, out)
		return nil
	}
	q.Page.Data = map[string]any{"R": r, "OfficeName": officeName, "Next": next}
	q.Render(http.StatusOK, "register_status.html")
	return nil
}

// statusNext says what the applicant does next, by the application's state.
func (h *Handler) statusNext(q *web.Request, r *cabinet.Registration, officeName string) string {
	switch r.State {
	case cabinet.AppApproved:
		return q.Page.T("lk.reg_status.approved", r.Login())
	case cabinet.AppRefused:
		return q.Page.T("lk.reg_status.refused_next", r.Office, officeName)
	}
	return q.Page.T("lk.reg_status.submitted", r.Office, officeName)
}
