package idweb

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

// IDP-1: registration, step by step (package identity, registration.go).

func (h *Handler) registration() *web.FlowPages {
	terms, _ := h.d.Identity.Document("terms")
	data, _ := h.d.Identity.Document("personal_data")
	return &web.FlowPages{Flows: h.d.Flows, FormTargets: h.d.FormTargets, Kind: identity.RegistrationKind, Path: Base + "register", Data: map[string]any{"Terms": terms.Version, "PersonalData": data.Version},
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Identity.StartRegistration(q.Ctx(), client, q.Page.CSRF)
		},
		Steps: map[string]web.FlowStep{
			identity.StepContact: {Template: "register.html", Fields: []web.FlowField{{Name: "kind", Type: "select", Required: true}, {Name: "surname", Type: "text", Required: true},
				{Name: "given_name", Type: "text", Required: true}, {Name: "patronymic", Type: "text"}, {Name: "phone", Type: "tel"}, {Name: "email", Type: "email"},
				{Name: "organization_name", Type: "text"}, {Name: "organization_ogrn", Type: "text"}}},
			identity.StepCode: {Template: "register.html", Fields: []web.FlowField{{Name: "code_phone", Type: "text"}, {Name: "code_email", Type: "text"}}},
			identity.StepPassword: {Template: "register.html", Fields: []web.FlowField{{Name: "password", Type: "password", Required: true},
				{Name: "password_confirm", Type: "password", Required: true}, {Name: "question", Type: "text", Required: true},
				{Name: "answer", Type: "text", Required: true}, {Name: "accept_terms", Type: "checkbox", Required: true},
				{Name: "accept_personal_data", Type: "checkbox", Required: true}}},
		}}
}

func (h *Handler) handleRegisterForm(q *web.Request) error {
	if q.Session != nil {
		http.Redirect(q.W, q.R, Base, http.StatusSeeOther)
		return nil
	}
	fs := h.registration()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	q.Page.Title = q.Page.T("id.register.title")
	return fs.Show(q, f, nil, nil)
}

// registrationInput reads a step's input from a form or a JSON body.
type registrationInput struct {
	Kind                           string `json:"kind"`
	Surname, GivenName, Patronymic string
	Phone, Email                   string
	OrgName, OrgOGRN               string
	CodePhone                      string `json:"code_phone"`
	CodeEmail                      string `json:"code_email"`
	Password                       string `json:"password"`
	PasswordConfirm                string `json:"password_confirm"`
	Question, Answer               string
	AcceptTerms                    bool   `json:"accept_terms"`
	AcceptPersonalData             bool   `json:"accept_personal_data"`
	Action                         string `json:"action"`
}

func readRegistration(q *web.Request, f *flow.Flow) (registrationInput, error) {
	var in registrationInput
	if f.Client == flow.API {
		var j struct {
			Kind               string `json:"kind"`
			Surname            string `json:"surname"`
			GivenName          string `json:"given_name"`
			Patronymic         string `json:"patronymic"`
			Phone              string `json:"phone"`
			Email              string `json:"email"`
			OrgName            string `json:"organization_name"`
			OrgOGRN            string `json:"organization_ogrn"`
			CodePhone          string `json:"code_phone"`
			CodeEmail          string `json:"code_email"`
			Password           string `json:"password"`
			PasswordConfirm    string `json:"password_confirm"`
			Question           string `json:"question"`
			Answer             string `json:"answer"`
			AcceptTerms        bool   `json:"accept_terms"`
			AcceptPersonalData bool   `json:"accept_personal_data"`
			Action             string `json:"action"`
		}
		if err := web.DecodeJSON(q.W, q.R, &j, 64<<10); err != nil {
			return in, err
		}
		return registrationInput{j.Kind, j.Surname, j.GivenName, j.Patronymic, j.Phone, j.Email, j.OrgName, j.OrgOGRN, j.CodePhone, j.CodeEmail, j.Password,
			j.PasswordConfirm, j.Question, j.Answer, j.AcceptTerms, j.AcceptPersonalData, j.Action}, nil
	}
	return registrationInput{Kind: q.Form("kind"), Surname: q.Form("surname"), GivenName: q.Form("given_name"), Patronymic: q.Form("patronymic"),
		Phone: q.Form("phone"), Email: q.Form("email"), OrgName: q.Form("organization_name"), OrgOGRN: q.Form("organization_ogrn"), CodePhone: q.Form("code_phone"), CodeEmail: q.Form("code_email"),
		Password: q.R.PostFormValue("password"), PasswordConfirm: q.R.PostFormValue("password_confirm"), Question: q.Form("question"),
		Answer: q.Form("answer"), AcceptTerms: q.Form("accept_terms") != "", AcceptPersonalData: q.Form("accept_personal_data") != "",
		Action: q.Form("action")}, nil
}

func (h *Handler) handleRegister(q *web.Request) error {
	fs := h.registration()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("id.register.title")
	in, err := readRegistration(q, f)
	if err != nil {
		return fs.Show(q, f, err, nil)
	}
	o := origin(q, h.site)
	switch {
	case f.State == identity.StepCode && in.Action == "back":
		f.State = identity.StepContact
		err = h.d.Flows.Save(q.Ctx(), f)
	case f.State == identity.StepContact:
		err = h.d.Identity.SubmitContact(q.Ctx(), f, identity.Contact{Kind: identity.Kind(in.Kind), Surname: in.Surname, GivenName: in.GivenName,
			Patronymic: in.Patronymic, Phone: in.Phone, Email: in.Email, OrgOGRN: in.OrgOGRN, OrgName: in.OrgName}, o)
	case f.State == identity.StepCode && in.Action == "resend":
		if err = h.d.Identity.ResendCode(q.Ctx(), f, o); err == nil {
			q.Page.Flash = q.Page.T("id.flash.resent")
		}
	case f.State == identity.StepCode:
		err = h.d.Identity.SubmitCodes(q.Ctx(), f, map[string]string{"code_phone": in.CodePhone, "code_email": in.CodeEmail}, o)
	case f.State == identity.StepPassword:
		var accepted []string
		if in.AcceptTerms {
			accepted = append(accepted, "terms")
		}
		if in.AcceptPersonalData {
			accepted = append(accepted, "personal_data")
		}
		a, err := h.d.Identity.SubmitPassword(q.Ctx(), f, identity.Secret{Password: in.Password, Again: in.PasswordConfirm, Question: in.Question,
			Answer: in.Answer, Accepted: accepted}, o)
		if err != nil {
			return fs.Show(q, f, err, nil)
		}
		return h.signedIn(q, f, a, "id.flash.registered")
	}
	if err == nil {
		if g, gerr := h.d.Flows.Get(q.Ctx(), f.ID, fs.Kind); gerr == nil {
			f = g
		}
		if f.Client == flow.Browser {
			if q.Page.Flash != "" {
				return fs.Show(q, f, nil, nil)
			}
			http.Redirect(q.W, q.R, fs.Action(f), http.StatusSeeOther)
			return nil
		}
	}
	return fs.Show(q, f, err, nil)
}

// signedIn starts the citizen's session after a registration or a login.
func (h *Handler) signedIn(q *web.Request, f *flow.Flow, a *identity.Account, flash string) error {
	token, sess, err := h.site.StartSession(q.W, q.R, a.ID, session.Password, string(a.Level))
	if err != nil {
		return err
	}
	if f.Client == flow.API {
		web.WriteFlowDone(q.W, f, map[string]any{"session_token": token, "session_header": web.SessionHeader, "expires_at": sess.ExpiresAt,
			"account": a.ID, "level": a.Level})
		return nil
	}
	back := web.SafeReturn(f.ReturnTo, Base, Base)
	q.Redirect(back, flash)
	return nil
}
