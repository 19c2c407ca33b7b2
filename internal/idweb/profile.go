package idweb

import (
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// IDP-3: the profile, kept as a draft while it is typed, and its verification's status.

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// profileForm shows a profile in the form's fields; the name is the account's until the citizen
// types another.
func profileForm(a *identity.Account, p identity.Profile) map[string][]string {
	if p.Surname == "" && p.GivenName == "" && p.Patronymic == "" {
		p.Surname, p.GivenName, p.Patronymic = a.Surname, a.GivenName, a.Patronymic
	}
	f := map[string][]string{"surname": {p.Surname}, "given_name": {p.GivenName}, "patronymic": {p.Patronymic}, "sex": {p.Sex}, "birth_date": {dateText(p.BirthDate)}, "birth_place": {p.BirthPlace}, "citizenship": {p.Citizenship},
		"passport_series": {p.Passport.Series}, "passport_number": {p.Passport.Number}, "passport_issued_on": {dateText(p.Passport.IssuedOn)},
		"passport_issued_by": {p.Passport.IssuedBy}, "snils": {p.SNILS}, "inn": {p.INN}, "residence": {p.Residence}, "postal": {p.Postal}}
	for _, d := range p.Others {
		f["doc_"+d.Type] = []string{d.Number}
	}
	if len(p.Vehicles) > 0 {
		f["vehicle"] = []string{p.Vehicles[0].Plate}
	}
	return f
}

var otherDocs = []string{"medical_insurance", "driving_licence", "birth_certificate", "military_id"}

// readProfile reads the profile form (the dates as typed: a bad one is named, the rest kept).
func readProfile(q *web.Request, kind identity.Kind) (identity.Profile, error) {
	var fe problem.Fields
	date := func(field string) time.Time {
		s := q.Form(field)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fe.Add(field, problem.Msg("idp.date", web.Label(q.Page.Lang, field)))
		}
		return t
	}
	docType := "passport_ru"
	if kind == identity.ForeignCitizen {
		docType = "passport_foreign"
	}
	p := identity.Profile{Surname: q.Form("surname"), GivenName: q.Form("given_name"), Patronymic: q.Form("patronymic"), Sex: q.Form("sex"), BirthDate: date("birth_date"), BirthPlace: q.Form("birth_place"), Citizenship: q.Form("citizenship"),
		Passport: identity.Document{Type: docType, Series: q.Form("passport_series"), Number: q.Form("passport_number"),
			IssuedOn: date("passport_issued_on"), IssuedBy: q.Form("passport_issued_by")},
		SNILS: q.Form("snils"), INN: q.Form("inn"), Residence: q.Form("residence"), Postal: q.Form("postal")}
	if kind == identity.RussianCitizen && p.Citizenship == "" {
		p.Citizenship = "RUS"
	}
	for _, t := range otherDocs {
		if n := q.Form("doc_" + t); n != "" {
			p.Others = append(p.Others, identity.Document{Type: t, Number: n})
		}
	}
	if v := q.Form("vehicle"); v != "" {
		p.Vehicles = []identity.Vehicle{{Plate: v}}
	}
	return p, fe.Err()
}

func (h *Handler) profilePage(q *web.Request, a *identity.Account, v *identity.Verification, status int) error {
	q.Page.Title = q.Page.T("id.profile.title")
	if q.Page.Form == nil {
		p := v.Draft
		if v.State == identity.InProgress {
			p = v.Submitted
		}
		q.Page.Form = profileForm(a, p)
	}
	q.Page.Data = map[string]any{"A": a, "V": v, "Locked": v.State == identity.InProgress, "Docs": otherDocs}
	q.Render(status, "profile.html")
	return nil
}

func (h *Handler) handleProfile(q *web.Request) error {
	a, err := h.account(q)
	if err != nil {
		return err
	}
	v, err := h.d.Identity.VerificationOf(q.Ctx(), a)
	if err != nil {
		return err
	}
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"level": a.Level, "state": v.State, "reason": v.Reason, "checks": v.Checks, "draft": v.Draft})
		return nil
	}
	return h.profilePage(q, a, v, http.StatusOK)
}

// handleProfileSave keeps the draft ("save") or sends the profile to verification ("submit").
func (h *Handler) handleProfileSave(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	a, err := h.account(q)
	if err != nil {
		return err
	}
	p, perr := readProfile(q, a.Kind)
	if q.Form("action") == "submit" && perr == nil {
		err = h.d.Identity.SubmitProfile(q.Ctx(), a.ID, p, origin(q, h.site))
	} else if err = h.d.Identity.SaveDraft(q.Ctx(), a.ID, p); err == nil {
		err = perr
	}
	if err != nil {
		v, verr := h.d.Identity.VerificationOf(q.Ctx(), a)
		if verr != nil {
			return verr
		}
		q.Page.Title = q.Page.T("id.profile.title")
		return q.FormError(err, "profile.html", map[string]any{"A": a, "V": v, "Locked": v.State == identity.InProgress, "Docs": otherDocs})
	}
	flash := "id.flash.draft"
	if q.Form("action") == "submit" {
		flash = "id.flash.submitted"
	}
	q.Redirect(Base+"profile", flash)
	return nil
}
