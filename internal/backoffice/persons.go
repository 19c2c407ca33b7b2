package backoffice

import (
	"net/http"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
)

var msgDate = problem.Msg("office.date", "Введите существующую дату в формате ГГГГ-ММ-ДД", "Enter an existing date as YYYY-MM-DD")

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

func (h *Handler) formData(q *req) (map[string]any, error) {
	offices, err := h.d.Register.Offices(q.ctx())
	if err != nil {
		return nil, err
	}
	return map[string]any{"Offices": offices, "DocumentTypes": register.DocumentTypes}, nil
}

func (h *Handler) handlePersonForm(q *req) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("person.new")
	q.p.Data = data
	h.rd.Render(q.w, http.StatusOK, "person_new.html", q.p)
	return nil
}

func addressFrom(f func(string) string) register.Address {
	return register.Address{Region: f("region"), PostalCode: f("postal_code"), City: f("city"), Street: f("street"), House: f("house"), Flat: f("flat")}
}

func (h *Handler) handlePersonCreate(q *req) error {
	f := func(k string) string { return strings.TrimSpace(q.r.PostFormValue(k)) }
	var fe problem.Fields
	in := register.PersonInput{
		Surname: f("surname"), GivenName: f("given_name"), Patronymic: f("patronymic"),
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
	q.p.Title = q.p.T("person.new")
	if err := fe.Err(); err != nil {
		return h.formError(q, err, "person_new.html", data)
	}
	res, err := h.d.Register.RegisterPerson(q.ctx(), q.actor(), in)
	if err != nil {
		return h.formError(q, err, "person_new.html", data)
	}
	switch {
	case res.Taxpayer == nil && res.Review != nil:
		q.redirect("/office/reviews", "flash.review")
	case res.Created:
		q.redirect("/office/taxpayers/"+res.Taxpayer.TIN, "flash.created")
	default:
		q.redirect("/office/taxpayers/"+res.Taxpayer.TIN, "flash.existing")
	}
	return nil
}

func (h *Handler) handleOrganizationForm(q *req) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("org.new")
	q.p.Data = data
	h.rd.Render(q.w, http.StatusOK, "organization_new.html", q.p)
	return nil
}

func (h *Handler) handleOrganizationCreate(q *req) error {
	f := func(k string) string { return strings.TrimSpace(q.r.PostFormValue(k)) }
	var fe problem.Fields
	in := register.OrganizationInput{FullName: f("full_name"), ShortName: f("short_name"), OGRN: f("ogrn"),
		Ground: register.OrganizationGround(f("ground")), TaxOffice: f("tax_office"), Address: addressFrom(f),
		RegisteredOn: formDate(&fe, "registered_on", f("registered_on"))}
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("org.new")
	if err := fe.Err(); err != nil {
		return h.formError(q, err, "organization_new.html", data)
	}
	res, err := h.d.Register.RegisterOrganization(q.ctx(), q.actor(), in)
	if err != nil {
		return h.formError(q, err, "organization_new.html", data)
	}
	flash := "flash.existing"
	if res.Created {
		flash = "flash.created"
	}
	q.redirect("/office/taxpayers/"+res.Taxpayer.TIN, flash)
	return nil
}

func (h *Handler) handleForeignForm(q *req) error {
	data, err := h.formData(q)
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("foreign.new")
	q.p.Data = data
	h.rd.Render(q.w, http.StatusOK, "foreign_new.html", q.p)
	return nil
}

// handleForeignCreate registers a foreign organization (TIN-3, REG-8): with the КИО it already has,
// or with its identification details, which find its КИО in the directory or add one.
func (h *Handler) handleForeignCreate(q *req) error {
	f := func(k string) string { return strings.TrimSpace(q.r.PostFormValue(k)) }
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
	q.p.Title = q.p.T("foreign.new")
	res, err := h.d.Register.RegisterForeignOrganization(q.ctx(), q.actor(), in)
	if err != nil {
		return h.formError(q, err, "foreign_new.html", data)
	}
	flash := "flash.existing"
	if res.Created {
		flash = "flash.created"
	}
	q.redirect("/office/taxpayers/"+res.Taxpayer.TIN, flash)
	return nil
}
