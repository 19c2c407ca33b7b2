package idweb

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
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
	f := map[string][]string{"surname": {p.Surname}, "given_name": {p.GivenName}, "patronymic": {p.Patronymic}, "sex": {p.Sex}, "birth_date": {dateText(p.BirthDate)}, "birth_place": {p.BirthPlace}, "citizenship": {strings.ToUpper(p.Citizenship)},
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

var otherDocs = identity.OtherDocuments

// formFields names the errors of a profile's documents and vehicle after the form's inputs:
// the rules name "others.1.number" by its place among the documents given (only those filled
// in), the form has an input per kind (doc_driving_licence).
func formFields(err error, p identity.Profile) error {
	pe, ok := problem.As(err)
	if !ok || len(pe.Fields) == 0 {
		return err
	}
	for i, f := range pe.Fields {
		var n int
		switch {
		case f.Field == "vehicles.0.plate":
			pe.Fields[i].Field = "vehicle"
		case strings.HasPrefix(f.Field, "others."):
			if _, err := fmt.Sscanf(f.Field, "others.%d.number", &n); err == nil && n >= 0 && n < len(p.Others) {
				pe.Fields[i].Field = "doc_" + p.Others[n].Type
			}
		}
	}
	return pe
}

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
	// A foreign citizen has a foreign passport; a representative of a legal entity the passport
	// of their citizenship.
	docType := "passport_ru"
	if c := strings.ToUpper(q.Form("citizenship")); kind == identity.ForeignCitizen || kind == identity.LegalEntity && c != "" && c != russia {
		docType = "passport_foreign"
	}
	p := identity.Profile{Surname: q.Form("surname"), GivenName: q.Form("given_name"), Patronymic: q.Form("patronymic"), Sex: q.Form("sex"), BirthDate: date("birth_date"), BirthPlace: q.Form("birth_place"), Citizenship: q.Form("citizenship"),
		Passport: identity.Document{Type: docType, Series: q.Form("passport_series"), Number: q.Form("passport_number"),
			IssuedOn: date("passport_issued_on"), IssuedBy: q.Form("passport_issued_by")},
		SNILS: q.Form("snils"), INN: q.Form("inn"), Residence: q.Form("residence"), Postal: q.Form("postal")}
	if kind == identity.RussianCitizen && p.Citizenship == "" {
		p.Citizenship = russia
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
	q.Page.Data = h.profileData(q, a, v)
	q.Render(status, "profile.html")
	return nil
}

// profileData is what the profile's page shows besides the form: the account, its
// verification, whether the form is locked while one is in progress, the other documents, and
// the choices of a citizenship — the one a Russian citizen's account starts with, and no
// Russia for a foreign citizen's account.
func (h *Handler) profileData(q *web.Request, a *identity.Account, v *identity.Verification) map[string]any {
	citizenship, countries := "", h.citizenships.options(q.Page.Lang)
	switch a.Kind {
	case identity.RussianCitizen:
		citizenship = russia
	case identity.ForeignCitizen:
		countries = slices.DeleteFunc(slices.Clone(countries), func(o web.Option) bool { return o.Value == russia })
	}
	return map[string]any{"A": a, "V": v, "Locked": v.State == identity.InProgress, "Docs": otherDocs,
		"Countries": countries, "Citizenship": citizenship}
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
		out := verificationJSON(v, q.Page.Lang)
		out["level"], out["draft"], out["account"] = a.Level, v.Draft, accountJSON(a, q.Page.Lang)
		if v.State == identity.InProgress {
			out["withdraw"] = map[string]string{"action": Base + "profile", "post": `{"action":"withdraw"}`}
		}
		web.WriteJSON(q.W, http.StatusOK, out)
		return nil
	}
	return h.profilePage(q, a, v, http.StatusOK)
}

// handleProfileSave keeps the draft ("save"), sends the profile to verification ("submit"), or
// withdraws a verification in progress to correct the data ("withdraw").
func (h *Handler) handleProfileSave(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	a, err := h.account(q)
	if err != nil {
		return err
	}
	if q.Form("action") == "withdraw" {
		if err := h.d.Identity.WithdrawVerification(q.Ctx(), a.ID, origin(q, h.site)); err != nil {
			return q.FailTo(Base+"profile", err)
		}
		q.Redirect(Base+"profile", "id.flash.withdrawn")
		return nil
	}
	p, perr := readProfile(q, a.Kind)
	if q.Form("action") == "submit" && perr == nil {
		err = h.d.Identity.SubmitProfile(q.Ctx(), a.ID, p, origin(q, h.site))
	} else if err = h.d.Identity.SaveDraft(q.Ctx(), a.ID, p); err == nil {
		err = perr
	}
	if err != nil {
		err = formFields(err, p)
		v, verr := h.d.Identity.VerificationOf(q.Ctx(), a)
		if verr != nil {
			return verr
		}
		q.Page.Title = q.Page.T("id.profile.title")
		return q.FormError(err, "profile.html", h.profileData(q, a, v))
	}
	flash := "id.flash.draft"
	if q.Form("action") == "submit" {
		flash = "id.flash.submitted"
	}
	q.Redirect(Base+"profile", flash)
	return nil
}
