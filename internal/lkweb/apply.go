package lkweb

import (
	"net/http"
	"net/url"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/web"
)

// LK-7: the online application to connect the personal account: a public form with the required
// fields marked; once sent, the applicant is shown its number and a printable application (at an
// address with its key), and told what to bring to any tax office.

func (h *Handler) applyData(q *web.Request) map[string]any {
	var docs []web.Option
	for _, d := range cabinet.DocTypes {
		docs = append(docs, web.Option{Value: d, Label: q.Page.Enum("document_type", d)})
	}
	return map[string]any{"DocTypes": docs}
}

func (h *Handler) handleApplyForm(q *web.Request) error {
	q.Page.Title = q.Page.T("lk.apply.title")
	q.Page.Data = h.applyData(q)
	q.Render(http.StatusOK, "apply.html")
	return nil
}

func (h *Handler) handleApply(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	q.Page.Title = q.Page.T("lk.apply.title")
	in := cabinet.ApplicationInput{Surname: q.Form("surname"), GivenName: q.Form("given_name"), Patronymic: q.Form("patronymic"),
		BirthDate: q.Form("birth_date"), TIN: q.Form("tin"), DocType: q.Form("document_type"), DocSeries: q.Form("document_series"),
		DocNumber: q.Form("document_number"), DocIssuedOn: q.Form("document_issued_on"), DocIssuedBy: q.Form("document_issued_by"),
		Phone: q.Form("phone"), Email: q.Form("email"), Office: q.Form("office"), Consent: q.Form("consent") != ""}
	a, key, err := h.d.Cabinet.SubmitApplication(q.Ctx(), in, q.Page.Lang)
	if err != nil {
		return q.FormError(err, "apply.html", h.applyData(q))
	}
	to := Base + "apply/" + a.Number() + "?key=" + url.QueryEscape(key)
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"done": true, "number": a.Number(), "next": to})
		return nil
	}
	q.Redirect(to, "lk.flash.applied")
	return nil
}

// handleApplication shows the printable application to whoever holds its key.
func (h *Handler) handleApplication(q *web.Request) error {
	a, err := h.d.Cabinet.OpenApplication(q.Ctx(), q.R.PathValue("number"), q.R.URL.Query().Get("key"))
	if err != nil {
		return err
	}
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"number": a.Number(), "state": a.State, "created_at": a.CreatedAt})
		return nil
	}
	q.Page.Title = q.Page.T("lk.application.title", a.Number())
	office := ""
	if a.Data.Office != "" {
		office = h.d.Cabinet.OfficeName(q.Ctx(), a.Data.Office, q.Page.Lang)
	}
	q.Page.Data = map[string]any{"A": a, "OfficeName": office}
	q.Render(http.StatusOK, "application.html")
	return nil
}
