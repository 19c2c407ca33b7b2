package backoffice

import (
	"net/http"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

var msgDate = problem.Msg("office.date")

func formDate(fe *problem.Fields, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		fe.Add(field, msgDate)
	}
	return t
}

// formData is what the registration forms choose from: the tax offices and the document types,
// with their labels.
func (h *Handler) formData(q *web.Request) (map[string]any, error) {
	offices, err := h.officeOptions(q)
	if err != nil {
		return nil, err
	}
	var docs []web.Option
	for _, d := range h.d.Register.Reference().DocumentTypes() { // REG-3: the jurisdiction's
		docs = append(docs, web.Option{Value: d, Label: q.Page.Enum("document_type", d)})
	}
	foreign := append([]web.Option{{Value: "", Label: q.Page.T("office.foreign.office_default")}}, offices...)
	return map[string]any{"Offices": offices, "DocumentTypes": docs, "ForeignOffices": foreign}, nil
}

// officeOptions lists the tax offices as choices: "7736 — Инспекция …".
func (h *Handler) officeOptions(q *web.Request) ([]web.Option, error) {
	offices, err := h.d.Register.Offices(q.Ctx())
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, 0, len(offices))
	for _, o := range offices {
		out = append(out, web.Option{Value: o.Code, Label: o.Code + " — " + o.Name})
	}
	return out, nil
}

func (h *Handler) handlePersonForm(q *web.Request) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.person.new")
	q.Page.Data = data
	q.Render(http.StatusOK, "person_new.html")
	return nil
}

func addressFrom(f func(string) string) register.Address {
	return register.Address{Region: f("region"), PostalCode: f("postal_code"), City: f("city"), Street: f("street"), House: f("house"), Flat: f("flat")}
}

func (h *Handler) handlePersonCreate(q *web.Request) error {
	f := func(k string) string { return strings.TrimSpace(q.R.PostFormValue(k)) }
	var fe problem.Fields
	in := register.PersonInput{
		TIN: f("tin"), Surname: f("surname"), GivenName: f("given_name"), Patronymic: f("patronymic"),
		BirthDate: formDate(&fe, "birth_date", f("birth_date")), BirthPlace: f("birth_place"),
		Sex: register.Sex(f("sex")), Citizenship: strings.ToUpper(f("citizenship")), SNILS: f("snils"),
		Document: register.IdentityDocument{Type: f("document_type"), Series: f("document_series"), Number: f("document_number"),
			IssuedOn: formDate(&fe, "identity_document.issued_on", f("document_issued_on"))},
		Ground: register.PersonGround(f("ground")), TaxOffice: f("tax_office"), Address: addressFrom(f),
	}
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.person.new")
	if err := fe.Err(); err != nil {
		return q.FormError(err, "person_new.html", data)
	}
	res, err := h.d.Register.RegisterPerson(q.Ctx(), actor(q), in)
	if err != nil {
		return q.FormError(err, "person_new.html", data)
	}
	switch {
	case res.Taxpayer == nil && res.Review != nil:
		q.Redirect("/office/reviews", "office.flash.review")
	case res.Created:
		q.Redirect("/office/taxpayers/"+res.Taxpayer.TIN, "office.flash.created")
	default:
		q.Redirect("/office/taxpayers/"+res.Taxpayer.TIN, "office.flash.existing")
	}
	return nil
}

func (h *Handler) handleOrganizationForm(q *web.Request) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.org.new")
	q.Page.Data = data
	q.Render(http.StatusOK, "organization_new.html")
	return nil
}

func (h *Handler) handleOrganizationCreate(q *web.Request) error {
	f := func(k string) string { return strings.TrimSpace(q.R.PostFormValue(k)) }
	var fe problem.Fields
	in := register.OrganizationInput{TIN: f("tin"), FullName: f("full_name"), ShortName: f("short_name"), OGRN: f("ogrn"),
		Ground: register.OrganizationGround(f("ground")), TaxOffice: f("tax_office"), Address: addressFrom(f),
		RegisteredOn: formDate(&fe, "registered_on", f("registered_on")), Head: signatory(f("head_tin")), Accountant: signatory(f("accountant_tin"))}
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.org.new")
	if err := fe.Err(); err != nil {
		return q.FormError(err, "organization_new.html", data)
	}
	res, err := h.d.Register.RegisterOrganization(q.Ctx(), actor(q), in)
	if err != nil {
		return q.FormError(err, "organization_new.html", data)
	}
	flash := "office.flash.existing"
	if res.Created {
		flash = "office.flash.created"
	}
	q.Redirect("/office/taxpayers/"+res.Taxpayer.TIN, flash)
	return nil
}

// signatory is the head or the accountant a form names by TIN (KG-1), nil when it names none.
func signatory(tin string) *register.Signatory {
	if tin == "" {
		return nil
	}
	return &register.Signatory{TIN: tin}
}

func (h *Handler) handleForeignForm(q *web.Request) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.foreign.new")
	q.Page.Data = data
	q.Render(http.StatusOK, "foreign_new.html")
	return nil
}

// handleForeignCreate registers a foreign organization (TIN-3, REG-8): with the КИО it already has,
// or with its identification details, which find its КИО in the directory or add one.
func (h *Handler) handleForeignCreate(q *web.Request) error {
	f := func(k string) string { return strings.TrimSpace(q.R.PostFormValue(k)) }
	id := func(k string) string { return f("identification." + k) }
	in := register.ForeignOrganizationInput{KIO: f("kio"), TaxOffice: f("tax_office"), Reason: strings.ToUpper(f("reason")), Address: addressFrom(f)}
	if in.KIO == "" {
		in.Identification = register.KIOInput{NameRu: id("name_ru"), NameLatin: id("name_latin"), ShortNameRu: id("short_name_ru"),
			Address: id("address"), Country: id("country"), OKSM: id("oksm"), RegNumber: id("reg_number"), TaxCode: id("tax_code")}
	}
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.foreign.new")
	res, err := h.d.Register.RegisterForeignOrganization(q.Ctx(), actor(q), in)
	if err != nil {
		return q.FormError(err, "foreign_new.html", data)
	}
	flash := "office.flash.existing"
	if res.Created {
		flash = "office.flash.created"
	}
	q.Redirect("/office/taxpayers/"+res.Taxpayer.TIN, flash)
	return nil
}
