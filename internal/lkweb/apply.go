package lkweb

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/web"
)

// LK-7: the online application to connect the personal account: a public form with the required
// fields marked; once sent, the applicant is shown its number and a printable application (at an
// address with its key), and told what to bring to any tax office.

// applyData is what the form shows besides its fields: the identity documents, and the choice
// of the office the applicant will visit — the regions that have offices, by name, and once one
// is chosen ("show the offices", or the region of an office already chosen) its offices. Nobody
// is asked to know an office's code.
func (h *Handler) applyData(q *web.Request) (map[string]any, error) {
	var docs []web.Option
	for _, d := range cabinet.DocTypes {
		docs = append(docs, web.Option{Value: d, Label: q.Page.Enum("document_type", d)})
	}
	offices, err := h.d.Cabinet.Offices(q.Ctx())
	if err != nil {
		return nil, err
	}
	region, office := q.Form("region"), q.Form("office")
	for _, o := range offices {
		if region == "" && o.Code == office {
			region = o.Region
		}
	}
	var regions, inRegion []web.Option
	seen := map[string]bool{}
	for _, o := range offices {
		if !seen[o.Region] {
			seen[o.Region] = true
			// A federal city is looked for by its name: «Москва» among the М, not «г. Москва».
			if name := strings.TrimPrefix(h.d.Cabinet.RegionName(o.Region), "г. "); name != "" {
				regions = append(regions, web.Option{Value: o.Region, Label: name})
			}
		}
		if o.Region == region {
			inRegion = append(inRegion, web.Option{Value: o.Code, Label: o.Code + " — " + o.In(q.Page.Lang)})
		}
	}
	web.SortOptions(regions, q.Page.Lang)
	return map[string]any{"DocTypes": docs, "Regions": regions, "Region": region, "Offices": inRegion}, nil
}

func (h *Handler) handleApplyForm(q *web.Request) error {
	q.Page.Title = q.Page.T("lk.apply.title")
	data, err := h.applyData(q)
	if err != nil {
		return err
	}
	q.Page.Data = data
	q.Render(http.StatusOK, "apply.html")
	return nil
}

func (h *Handler) handleApply(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	q.Page.Title = q.Page.T("lk.apply.title")
	if q.Form("action") == "offices" && !web.WantsJSON(q.R) {
		// The offices of the region chosen, the rest of the form kept as typed.
		data, err := h.applyData(q)
		if err != nil {
			return err
		}
		q.Page.Form, q.Page.Data = q.R.PostForm, data
		q.Render(http.StatusOK, "apply.html")
		return nil
	}
	in := cabinet.ApplicationInput{Surname: q.Form("surname"), GivenName: q.Form("given_name"), Patronymic: q.Form("patronymic"),
		BirthDate: q.Form("birth_date"), TIN: q.Form("tin"), DocType: q.Form("document_type"), DocSeries: q.Form("document_series"),
		DocNumber: q.Form("document_number"), DocIssuedOn: q.Form("document_issued_on"), DocIssuedBy: q.Form("document_issued_by"),
		Phone: q.Form("phone"), Email: q.Form("email"), Office: q.Form("office"), Consent: q.Form("consent") != ""}
	a, key, err := h.d.Cabinet.SubmitApplication(q.Ctx(), in, q.Page.Lang)
	if err != nil {
		// The directory is read only to show the form again.
		data, derr := h.applyData(q)
		if derr != nil {
			return derr
		}
		return q.FormError(err, "apply.html", data)
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
