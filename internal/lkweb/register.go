package lkweb

import (
	"net/http"
	"net/url"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// KG-1: self-registration, where the jurisdiction registers by application (the profile's
// Cabinet.Registration; Routes mounts these pages instead of the online application of LK-7).
// «Регистрация» (/lk/register) offers the ways to register: «Логин и пароль» starts a stored
// flow ("lk.registration", /lk/register/password) for a browser's form and a JSON client alike.
// Step "type" posts person_type (individual, legal); step "form" posts action with the fields:
// "search" («Поиск») fills the full name and the code of the УГНС from the ИНН typed into tin,
// "search_org" also the organization's name from org_tin, "change_type" goes back to the person
// type, and "register" («Зарегистрироваться») saves the application with password and
// password_repeat (and a phone or an e-mail to be told the decision, optional). A search is a
// form submit that shows the form again filled, so it needs no JavaScript. The last step, "saved",
// shows the application's number and what happens next (the УГНС, the passport), with the way to
// the application's status page (register_status.go); the rules are package cabinet's
// (registration.go). A JSON client's fields are labelled as the form labels them («ФИО», «Код
// УГНС»: LabelKey), not by the catalogue's general labels of those names.

const (
	registrationKind = "lk.registration"
	stepType         = "type"
	stepForm         = "form"
	stepSaved        = "saved"
	registrationTTL  = time.Hour
	registerPath     = Base + "register/password"
)

func (h *Handler) registrationFlow() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, Kind: registrationKind, Path: registerPath, Title: "lk.reg.title",
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Flows.Start(q.Ctx(), flow.Start{Kind: registrationKind, State: stepType, Client: client, CSRF: q.Page.CSRF, TTL: registrationTTL})
		},
		Steps: map[string]web.FlowStep{
			stepType: {Template: "register.html", Fields: []web.FlowField{{Name: "person_type", Type: "radio", Required: true, LabelKey: "lk.reg.f.person_type"}}},
			stepForm: {Template: "register.html", Fields: []web.FlowField{{Name: "action", Type: "submit", Required: true},
				{Name: "tin", Type: "text", Required: true, LabelKey: "lk.reg.f.tin"}, {Name: "name", Type: "readonly", LabelKey: "lk.reg.f.name"},
				{Name: "office", Type: "readonly", LabelKey: "lk.reg.f.office"}, {Name: "org_tin", Type: "text", Required: true, LabelKey: "lk.reg.f.org_tin"},
				{Name: "org_name", Type: "readonly", LabelKey: "lk.reg.f.org_name"},
				{Name: "password", Type: "password", Required: true, LabelKey: "lk.reg.f.password"},
				{Name: "password_repeat", Type: "password", Required: true, LabelKey: "lk.reg.f.password_repeat"},
				{Name: "phone", Type: "tel", LabelKey: "lk.reg.f.phone"}, {Name: "email", Type: "email", LabelKey: "lk.reg.f.email"}}},
			stepSaved: {Template: "register.html", Fields: nil},
		}}
}

// fieldsOf returns the fields of the form step for the person type the flow is at: the
// organization's only for a legal entity.
func fieldsOf(fs *web.FlowPages, f *flow.Flow) *web.FlowPages {
	if f.State != stepForm || f.Data["person_type"] == string(cabinet.LegalEntity) {
		return fs
	}
	c := *fs
	c.Steps = map[string]web.FlowStep{}
	for k, v := range fs.Steps {
		c.Steps[k] = v
	}
	st := c.Steps[stepForm]
	var fields []web.FlowField
	for _, x := range st.Fields {
		if x.Name != "org_tin" && x.Name != "org_name" {
			fields = append(fields, x)
		}
	}
	st.Fields = fields
	c.Steps[stepForm] = st
	return &c
}

// registerData is what the registration's pages show besides the form: the person types and the
// password's rule.
func (h *Handler) registerData(q *web.Request, f *flow.Flow) map[string]any {
	var types []web.Option
	for _, t := range cabinet.PersonTypes {
		types = append(types, web.Option{Value: string(t), Label: q.Page.Enum("person_type", string(t)), Selected: f.Data["person_type"] == string(t)})
	}
	return map[string]any{"Types": types, "Legal": f.Data["person_type"] == string(cabinet.LegalEntity), "Rules": h.rules(q),
		"TypeLabel": q.Page.Enum("person_type", f.Data["person_type"])}
}

// handleRegisterWays shows «Регистрация»: the ways to register (KG-1: «Логин и пароль»).
func (h *Handler) handleRegisterWays(q *web.Request) error {
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"ways": []map[string]string{{"way": "password", "href": registerPath}}})
		return nil
	}
	q.Page.Title = q.Page.T("lk.reg.title")
	q.Render(http.StatusOK, "register_ways.html")
	return nil
}

func (h *Handler) handleRegisterForm(q *web.Request) error {
	fs := h.registrationFlow()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	return h.showRegistration(q, fs, f, nil)
}

// showRegistration shows the flow's step, the saved application's number and what happens next
// to a JSON client as the flow's result.
func (h *Handler) showRegistration(q *web.Request, fs *web.FlowPages, f *flow.Flow, err error) error {
	if f.State == stepSaved && err == nil && (f.Client == flow.API || web.WantsJSON(q.R)) {
		web.WriteFlowDone(q.W, f, map[string]any{"number": f.Data["number"], "state": cabinet.AppSubmitted, "office": f.Data["office"],
			"office_name": f.Data["office_name"], "login": f.Data["login"], "next": q.Page.T("lk.reg.next_json", f.Data["office"], f.Data["office_name"]),
			"status": statusPath + "?number=" + url.QueryEscape(f.Data["number"])})
		return nil
	}
	return fieldsOf(fs, f).Show(q, f, err, h.registerData(q, f))
}

func (h *Handler) handleRegister(q *web.Request) error {
	fs := h.registrationFlow()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	in, err := input(q, "person_type", "action", "tin", "org_tin", "password", "password_repeat", "phone", "email")
	if err != nil {
		return h.showRegistration(q, fs, f, err)
	}
	switch f.State {
	case stepType:
		return h.registerType(q, fs, f, in)
	case stepForm:
		return h.registerForm(q, fs, f, in)
	}
	return h.showRegistration(q, fs, f, problem.New(problem.Conflict, problem.Msg("lk.reg.saved_already")))
}

// registerType takes the person type (step "type").
func (h *Handler) registerType(q *web.Request, fs *web.FlowPages, f *flow.Flow, in map[string]string) error {
	t := cabinet.PersonType(in["person_type"])
	if t != cabinet.Individual && t != cabinet.LegalEntity {
		return h.showRegistration(q, fs, f, problem.InvalidField("person_type", problem.Msg("lk.reg.type")))
	}
	if f.Data["person_type"] != string(t) {
		// Another type: the organization found for the other one no longer applies.
		delete(f.Data, "org_tin")
		delete(f.Data, "org_name")
		delete(f.Data, "role")
	}
	f.State, f.Data["person_type"] = stepForm, string(t)
	if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
		return err
	}
	return h.nextRegistration(q, fs, f)
}

// registerForm takes a search, a change of the person type or the registration (step "form").
func (h *Handler) registerForm(q *web.Request, fs *web.FlowPages, f *flow.Flow, in map[string]string) error {
	reg := cabinet.RegistrationInput{Type: f.Data["person_type"], TIN: in["tin"], OrgTIN: in["org_tin"], Password: in["password"],
		Again: in["password_repeat"], Phone: in["phone"], Email: in["email"], Lang: q.Page.Lang, Address: web.ClientAddr(q.R)}
	legal := reg.Type == string(cabinet.LegalEntity)
	keep := func(found cabinet.Found) {
		for k, v := range map[string]string{"tin": in["tin"], "phone": in["phone"], "email": in["email"], "name": found.Name,
			"office": found.Office, "office_name": found.OfficeName} {
			f.Data[k] = v
		}
		if legal {
			f.Data["org_tin"], f.Data["org_name"], f.Data["role"] = in["org_tin"], found.OrgName, found.Role
		}
	}
	switch in["action"] {
	case "change_type":
		f.State = stepType
		if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
			return err
		}
		return h.nextRegistration(q, fs, f)
	case "search", "search_org":
		// «Поиск»: the form again, filled from the register (or with the reason it cannot be).
		found, err := h.d.Cabinet.Search(q.Ctx(), reg, in["action"] == "search_org" || legal && in["org_tin"] != "")
		keep(found)
		if err != nil {
			f.Attempts++
			_ = h.d.Flows.Save(q.Ctx(), f)
			h.formValues(q, f)
			return h.showRegistration(q, fs, f, err)
		}
		if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
			return err
		}
		return h.nextRegistration(q, fs, f)
	case "register", "":
		r, found, err := h.d.Cabinet.SubmitRegistration(q.Ctx(), reg, q.Page.Lang)
		keep(found)
		if err != nil {
			f.Attempts++
			_ = h.d.Flows.Save(q.Ctx(), f)
			h.formValues(q, f)
			return h.showRegistration(q, fs, f, err)
		}
		f.State = stepSaved
		f.Data = map[string]string{"number": r.Number(), "office": r.Office, "office_name": h.d.Cabinet.OfficeName(q.Ctx(), r.Office, q.Page.Lang),
			"login": r.Login(), "person_type": string(r.Type)}
		if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
			return err
		}
		return h.nextRegistration(q, fs, f)
	}
	return h.showRegistration(q, fs, f, problem.InvalidField("action", problem.Msg("lk.reg.action")))
}

// nextRegistration answers a step taken: a browser is sent to the flow's page, a JSON client
// gets the flow at its next step (the saved application's number at the last).
func (h *Handler) nextRegistration(q *web.Request, fs *web.FlowPages, f *flow.Flow) error {
	if f.Client == flow.Browser {
		return fs.Next(q, f)
	}
	return h.showRegistration(q, fs, f, nil)
}

// formValues shows the fields the register filled as the flow now has them, not as posted (they
// are read-only: only the register fills them).
func (h *Handler) formValues(q *web.Request, f *flow.Flow) {
	if q.R.PostForm == nil {
		return
	}
	for _, k := range []string{"name", "office", "office_name", "org_name"} {
		q.R.PostForm.Set(k, f.Data[k])
	}
}
