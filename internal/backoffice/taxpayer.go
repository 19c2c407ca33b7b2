package backoffice

import (
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// pathTIN validates the {tin} of a page's address as a TIN of the jurisdiction: a malformed TIN
// is answered with what is wrong with it (its length, a non-digit, a check digit, a number of
// another jurisdiction), not with "page not found".
func (h *Handler) pathTIN(q *web.Request) (string, error) {
	s := q.R.PathValue("tin")
	if _, err := h.d.Register.ParseTIN("tin", s); err != nil {
		return "", err
	}
	return s, nil
}

func taxpayerURL(t string) string { return "/office/taxpayers/" + t }

// handleTaxpayer shows a taxpayer's record, history and the actions an inspector may take.
func (h *Handler) handleTaxpayer(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
	if err != nil {
		return err
	}
	offices, err := h.officeOptions(q)
	if err != nil {
		return err
	}
	// REG-5: the address of each further ground, kept with its КПП (the one at the location is the
	// organization's own, shown above); the column only when some КПП has one.
	var kppAddresses []string
	kppAddressed := false
	for _, k := range tp.KPPs {
		a := ""
		if k.Ground != register.KPPLocation {
			a = h.addressText(q.Page, k.Address)
		}
		kppAddresses = append(kppAddresses, a)
		kppAddressed = kppAddressed || a != ""
	}
	data := map[string]any{"T": tp, "Offices": offices, "OfficeName": officeName(offices, tp.TaxOffice), "Address": h.addressText(q.Page, ownAddress(tp)),
		"KPPAddresses": kppAddresses, "KPPAddressed": kppAddressed, "Reasons": reasonOptions(q.Page, tp), "History": h.historyRows(q.Page, tp.History)}
	if p := tp.Person; p != nil && p.Citizenship != "" {
		data["Citizenship"] = h.countryName(q.Page, p.Citizenship)
	}
	if k := tp.Foreign; k != nil {
		data["Country"] = k.Country
		if c, ok := h.d.Register.Reference().Country(k.OKSM); ok { // REG-8: the country by its ОКСМ code
			data["Country"] = c.In(q.Page.Lang)
		}
	}
	q.Page.Title = q.Page.T("office.tp.title") + " " + tp.TIN
	q.Page.Data = data
	q.Render(http.StatusOK, "taxpayer.html")
	return nil
}

func officeName(offices []web.Option, code string) string {
	for _, o := range offices {
		if o.Value == code {
			return strings.TrimPrefix(o.Label, code+" — ")
		}
	}
	return ""
}

// ownAddress is the address of a person or a Russian organization.
func ownAddress(tp *register.Taxpayer) register.Address {
	switch {
	case tp.Person != nil:
		return tp.Person.Address
	case tp.Organization != nil:
		return tp.Organization.Address
	}
	return register.Address{}
}

// addressText writes an address on one line; the country of a foreign address by its name in
// the page's language (ОКСМ), never by its code.
func (h *Handler) addressText(p *web.Page, a register.Address) string {
	var parts []string
	if a.Country != "" && a.Country != register.HolderRussian {
		parts = append(parts, h.countryName(p, a.Country))
	}
	for _, s := range []string{a.PostalCode, a.City, a.Street, a.House, a.Flat, a.Text} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// countryName names a country by its alpha-3 code (a citizenship, the country of an address) as
// ОКСМ does in the page's language; a code the directory lacks is shown as it is.
func (h *Handler) countryName(p *web.Page, alpha3 string) string {
	if c, ok := h.d.Register.Reference().CountryByAlpha3(alpha3); ok {
		return c.In(p.Lang)
	}
	return alpha3
}

// reasonOptions are the reasons of deregistration the register allows for the taxpayer as it
// stands (REG-6, REG-7: a deregistered record may only stop being applied), none of them chosen
// in advance.
func reasonOptions(p *web.Page, tp *register.Taxpayer) []web.Option {
	codes := register.EndReasons(tp.Kind, tp.Status)
	out := make([]web.Option, 0, len(codes))
	for _, c := range codes {
		out = append(out, web.Option{Value: string(c), Label: p.Enum("end_reason", c)})
	}
	return out
}

// confirmation is what the confirmation page of an irreversible action shows.
type confirmation struct {
	Title, Confirm, Action, Back string
	Rows                         []confirmRow
	Warnings                     []string
	Hidden                       []confirmRow // Name, Value
}

type confirmRow struct{ Label, Value, Name string }

func (c *confirmation) hide(q *web.Request, names ...string) {
	for _, n := range names {
		c.Hidden = append(c.Hidden, confirmRow{Name: n, Value: q.Form(n)})
	}
}

func (h *Handler) confirm(q *web.Request, c *confirmation) error {
	q.Page.Title = c.Title
	q.Page.Data = c
	q.Render(http.StatusOK, "confirm.html")
	return nil
}

func nameOf(tp *register.Taxpayer) string {
	switch {
	case tp.Person != nil:
		return strings.TrimSpace(tp.Person.Surname + " " + tp.Person.GivenName + " " + tp.Person.Patronymic)
	case tp.Organization != nil:
		return tp.Organization.FullName
	case tp.Foreign != nil:
		return tp.Foreign.NameRu
	}
	return ""
}

// handleDeregister deregisters a taxpayer (REG-6, REG-7), after a confirmation page that says
// what follows: a death or a liquidation stops the TIN being applied for ever. The request is
// checked by the register (date, reason, the record's state) before the confirmation is shown,
// so that nothing irreversible is confirmed that would then be refused.
func (h *Handler) handleDeregister(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	back := taxpayerURL(t)
	var fe problem.Fields
	e := register.Ending{Reason: register.EndReason(q.Form("reason")), On: formDate(&fe, "on", q.Form("on")), Note: q.Form("note")}
	if err := fe.Err(); err != nil {
		return q.FailTo(back, err)
	}
	if q.Form("confirmed") != "yes" {
		d, err := h.d.Register.CheckDeregistration(q.Ctx(), t, e)
		if err != nil {
			return q.FailTo(back, err)
		}
		c := &confirmation{Title: q.Page.T("office.confirm.deregister_title"), Confirm: q.Page.T("office.confirm.deregister"),
			Action: back + "/deregister", Back: back}
		c.Rows = []confirmRow{{Label: q.Page.T("office.tp.title"), Value: d.Taxpayer.TIN}, {Label: q.Page.T("office.col.name"), Value: nameOf(d.Taxpayer)},
			{Label: q.Page.T("office.tp.reason"), Value: q.Page.Enum("end_reason", d.Ending.Reason)}, {Label: q.Page.T("office.tp.on"), Value: d.Ending.On.Format("02.01.2006")}}
		if n := d.Ending.Note; n != "" {
			c.Rows = append(c.Rows, confirmRow{Label: q.Page.T("office.tp.basis"), Value: n})
		}
		if d.Stops {
			c.Warnings = append(c.Warnings, q.Page.T("office.confirm.not_applied"))
		} else {
			c.Warnings = append(c.Warnings, q.Page.T("office.confirm.deregistered"))
		}
		c.hide(q, "reason", "on", "note")
		return h.confirm(q, c)
	}
	if _, err := h.d.Register.Deregister(q.Ctx(), actor(q), t, e); err != nil {
		return q.FailTo(back, err)
	}
	q.Redirect(back, "office.flash.deregistered")
	return nil
}

// handleDuplicate marks a TIN as a duplicate of the one kept (REG-7), after a confirmation page
// showing both records; the register checks the request before the confirmation is shown.
func (h *Handler) handleDuplicate(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	back := taxpayerURL(t)
	rename := web.Rename{"note": "duplicate_note"}
	kept, note := q.Form("kept_tin"), q.Form("duplicate_note")
	if kept == "" {
		return q.FailTo(back, problem.InvalidField("kept_tin", problem.Msg("register.required", i18n.Key("field.kept_tin"))))
	}
	if _, err := h.d.Register.ParseTIN("kept_tin", kept); err != nil {
		return q.FailTo(back, err)
	}
	if q.Form("confirmed") != "yes" {
		d, err := h.d.Register.CheckDuplicate(q.Ctx(), t, kept, note)
		if err != nil {
			return q.FailTo(back, err, rename)
		}
		dup, keptTP := d.Taxpayer, d.Kept
		c := &confirmation{Title: q.Page.T("office.confirm.duplicate_title"), Confirm: q.Page.T("office.confirm.duplicate"),
			Action: back + "/duplicate", Back: back}
		c.Rows = []confirmRow{{Label: q.Page.T("office.confirm.duplicate_tin"), Value: dup.TIN + " — " + nameOf(dup)},
			{Label: q.Page.T("office.confirm.kept_tin"), Value: keptTP.TIN + " — " + nameOf(keptTP)}}
		c.Warnings = []string{q.Page.T("office.confirm.duplicate_effect", dup.TIN, keptTP.TIN)}
		c.hide(q, "kept_tin", "duplicate_note")
		return h.confirm(q, c)
	}
	if _, err := h.d.Register.MarkDuplicate(q.Ctx(), actor(q), t, kept, note); err != nil {
		return q.FailTo(back, err, rename)
	}
	q.Redirect(back, "office.flash.duplicate")
	return nil
}

// asField puts a not-found of another record on the field that named it.
func asField(err error, field string) error {
	if p, ok := problem.As(err); ok && p.Code == problem.NotFound {
		return problem.InvalidField(field, p.Message)
	}
	return err
}

// kppAddressFields are the inputs of the КПП form's address (the location of that ground,
// kept with the КПП), by the problem's field each answers.
var kppAddressFields = web.Rename{"address.region": "kpp_region", "address.postal_code": "kpp_postal_code", "address.city": "kpp_city",
	"address.street": "kpp_street", "address.house": "kpp_house", "address.flat": "kpp_flat"}

// handleKPP registers an organization on a further ground (REG-5), with the address of that
// ground, which is the КПП's and not the organization's.
func (h *Handler) handleKPP(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	in := register.KPPInput{Ground: register.KPPGround(q.Form("kpp_ground")), TaxOffice: q.Form("kpp_office"), Subdivision: q.Form("subdivision"),
		Address: addressFrom(func(k string) string { return q.Form("kpp_" + k) })}
	if _, err := h.d.Register.AssignKPP(q.Ctx(), actor(q), t, in); err != nil {
		return q.FailTo(taxpayerURL(t), err, web.Rename{"ground": "kpp_ground", "tax_office": "kpp_office"}, kppAddressFields)
	}
	q.Redirect(taxpayerURL(t), "office.flash.kpp")
	return nil
}
