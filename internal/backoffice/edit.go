package backoffice

import (
	"net/http"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// Changing a taxpayer's data (REG-6, BO-1): the TIN stays, the history records every old and new
// value. A person's name, birth date and place, sex, citizenship, СНИЛС and address can change,
// and a new identity document replaces the current one, which stays on record; an
// organization's names, ОГРН and address, and where the jurisdiction keeps them its head and
// accountant (KG-1). The form has the fields of the jurisdiction (.Profile).

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func addressForm(a register.Address) map[string][]string {
	return map[string][]string{"region": {a.Region}, "postal_code": {a.PostalCode}, "city": {a.City}, "street": {a.Street}, "house": {a.House}, "flat": {a.Flat}}
}

func (h *Handler) editable(q *web.Request) (*register.Taxpayer, error) {
	t, err := h.pathTIN(q)
	if err != nil {
		return nil, err
	}
	tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
	if err != nil {
		return nil, err
	}
	if tp.Foreign != nil || tp.Status == register.StatusNotApplied {
		return nil, problem.New(problem.Conflict, problem.Msg("register.not_applied", tp.TIN))
	}
	return tp, nil
}

func (h *Handler) renderEdit(q *web.Request, tp *register.Taxpayer, status int) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	data["T"] = tp
	q.Page.Title = q.Page.T("office.edit.title") + " " + tp.TIN
	q.Page.Data = data
	q.Render(status, "edit.html")
	return nil
}

// handleEditForm shows the record's data in a form.
func (h *Handler) handleEditForm(q *web.Request) error {
	tp, err := h.editable(q)
	if err != nil {
		return err
	}
	var form map[string][]string
	switch {
	case tp.Person != nil:
		p := tp.Person
		form = addressForm(p.Address)
		for k, v := range map[string]string{"surname": p.Surname, "given_name": p.GivenName, "patronymic": p.Patronymic, "birth_date": dateText(p.BirthDate),
			"birth_place": p.BirthPlace, "sex": string(p.Sex), "citizenship": p.Citizenship, "snils": snilsText(p.SNILS)} {
			form[k] = []string{v}
		}
	case tp.Organization != nil:
		o := tp.Organization
		form = addressForm(o.Address)
		for k, v := range map[string]string{"full_name": o.FullName, "short_name": o.ShortName, "ogrn": o.OGRN} {
			form[k] = []string{v}
		}
		for k, s := range map[string]*register.Signatory{"head_tin": o.Head, "accountant_tin": o.Accountant} { // KG-1
			if s != nil {
				form[k] = []string{s.TIN}
			}
		}
	}
	if q.Page.Form == nil { // not a form shown again after an error
		q.Page.Form = form
	}
	return h.renderEdit(q, tp, http.StatusOK)
}

// handleEdit stores the changes.
func (h *Handler) handleEdit(q *web.Request) error {
	tp, err := h.editable(q)
	if err != nil {
		return err
	}
	f := func(k string) *string { v := q.Form(k); return &v }
	citizenship := strings.ToUpper(q.Form("citizenship")) // as the new person's form takes it: "rus" is RUS
	addr := addressFrom(q.Form)
	var fe problem.Fields
	if tp.Person != nil {
		birth := formDate(&fe, "birth_date", q.Form("birth_date"))
		sex := register.Sex(q.Form("sex"))
		u := register.PersonUpdate{Surname: f("surname"), GivenName: f("given_name"), Patronymic: f("patronymic"), BirthPlace: f("birth_place"),
			Citizenship: &citizenship, SNILS: f("snils"), Sex: &sex, Address: &addr, Note: q.Form("note")}
		if !birth.IsZero() {
			u.BirthDate = &birth
		}
		// A new document is checked whenever any of its fields is typed: a series or a date
		// alone is not dropped in silence.
		if q.Form("document_number") != "" || q.Form("document_type") != "" || q.Form("document_series") != "" || q.Form("document_issued_on") != "" {
			u.Document = &register.IdentityDocument{Type: q.Form("document_type"), Series: q.Form("document_series"), Number: q.Form("document_number"),
				IssuedOn: formDate(&fe, "identity_document.issued_on", q.Form("document_issued_on"))}
		}
		if err := fe.Err(); err != nil {
			return q.FormError(err, "edit.html", h.editData(q, tp))
		}
		_, err = h.d.Register.UpdatePerson(q.Ctx(), actor(q), tp.TIN, u)
	} else {
		u := register.OrganizationUpdate{FullName: f("full_name"), ShortName: f("short_name"), OGRN: f("ogrn"), Address: &addr, Note: q.Form("note")}
		if h.d.Register.Profile().Register.Signatories { // KG-1: an empty accountant's TIN removes the accountant
			u.Head, u.Accountant = &register.Signatory{TIN: q.Form("head_tin")}, &register.Signatory{TIN: q.Form("accountant_tin")}
		}
		_, err = h.d.Register.UpdateOrganization(q.Ctx(), actor(q), tp.TIN, u)
	}
	if err != nil {
		return q.FormError(err, "edit.html", h.editData(q, tp))
	}
	q.Redirect(taxpayerURL(tp.TIN), "office.flash.updated")
	return nil
}

func (h *Handler) editData(q *web.Request, tp *register.Taxpayer) map[string]any {
	data, err := h.formData(q)
	if err != nil {
		data = map[string]any{}
	}
	data["T"] = tp
	q.Page.Title = q.Page.T("office.edit.title") + " " + tp.TIN
	return data
}
