package backoffice

import (
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
	"github.com/kabinet/kabinet/tin"
)

// pathTIN validates the {tin} of a page's address: a malformed TIN is answered with what is
// wrong with it (its length, a non-digit, a check digit), not with "page not found".
func pathTIN(q *web.Request) (string, error) {
	s := q.R.PathValue("tin")
	if _, err := tin.ParseINN(s); err != nil {
		return "", problem.InvalidField("tin", problem.Number(err))
	}
	return s, nil
}

func taxpayerURL(t string) string { return "/office/taxpayers/" + t }

// handleTaxpayer shows a taxpayer's record, history and the actions an inspector may take.
func (h *Handler) handleTaxpayer(q *web.Request) error {
	t, err := pathTIN(q)
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
	q.Page.Title = q.Page.T("office.tp.title") + " " + tp.TIN
	q.Page.Data = map[string]any{"T": tp, "Offices": offices, "OfficeName": officeName(offices, tp.TaxOffice), "Address": addressText(tp),
		"Reasons": reasonOptions(q.Page, tp), "History": historyRows(q.Page, tp.History)}
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

func addressText(tp *register.Taxpayer) string {
	var a register.Address
	switch {
	case tp.Person != nil:
		a = tp.Person.Address
	case tp.Organization != nil:
		a = tp.Organization.Address
	default:
		return ""
	}
	var parts []string
	for _, p := range []string{a.PostalCode, a.City, a.Street, a.House, a.Flat, a.Text} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// reasonOptions are the reasons of deregistration that apply to the taxpayer's kind (REG-6,
// REG-7), none of them chosen in advance.
func reasonOptions(p *web.Page, tp *register.Taxpayer) []web.Option {
	codes := []register.EndReason{register.EndMoved, register.EndDeath, register.EndOther}
	switch tp.Kind {
	case register.KindOrganization:
		codes = []register.EndReason{register.EndLiquidation, register.EndReorganization, register.EndOther}
	case register.KindForeign:
		codes = []register.EndReason{register.EndLiquidation, register.EndReorganization, register.EndRedomiciled, register.EndOther}
	}
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
// what follows: a death or a liquidation stops the TIN being applied for ever.
func (h *Handler) handleDeregister(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	back := taxpayerURL(t)
	var fe problem.Fields
	reason := register.EndReason(q.Form("reason"))
	if reason == "" {
		fe.Add("reason", problem.Msg("register.required", i18n.Key("field.reason_end")))
	}
	on := formDate(&fe, "on", q.Form("on"))
	if q.Form("on") == "" {
		fe.Add("on", problem.Msg("register.required", i18n.Key("field.on")))
	}
	if err := fe.Err(); err != nil {
		return q.FailTo(back, err)
	}
	if q.Form("confirmed") != "yes" {
		tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
		if err != nil {
			return err
		}
		c := &confirmation{Title: q.Page.T("office.confirm.deregister_title"), Confirm: q.Page.T("office.confirm.deregister"),
			Action: back + "/deregister", Back: back}
		c.Rows = []confirmRow{{Label: q.Page.T("office.tp.title"), Value: tp.TIN}, {Label: q.Page.T("office.col.name"), Value: nameOf(tp)},
			{Label: q.Page.T("office.tp.reason"), Value: q.Page.Enum("end_reason", reason)}, {Label: q.Page.T("office.tp.on"), Value: on.Format("02.01.2006")}}
		if n := q.Form("note"); n != "" {
			c.Rows = append(c.Rows, confirmRow{Label: q.Page.T("office.tp.basis"), Value: n})
		}
		if stops := reason == register.EndDeath || reason == register.EndLiquidation || reason == register.EndReorganization || reason == register.EndRedomiciled; stops {
			c.Warnings = append(c.Warnings, q.Page.T("office.confirm.not_applied"))
		} else {
			c.Warnings = append(c.Warnings, q.Page.T("office.confirm.deregistered"))
		}
		c.hide(q, "reason", "on", "note")
		return h.confirm(q, c)
	}
	if _, err := h.d.Register.Deregister(q.Ctx(), actor(q), t, register.Ending{Reason: reason, On: on, Note: q.Form("note")}); err != nil {
		return q.FailTo(back, err, web.Rename{"note": "note"})
	}
	q.Redirect(back, "office.flash.deregistered")
	return nil
}

// handleDuplicate marks a TIN as a duplicate of the one kept (REG-7), after a confirmation page
// showing both records.
func (h *Handler) handleDuplicate(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	back := taxpayerURL(t)
	kept := q.Form("kept_tin")
	if kept == "" {
		return q.FailTo(back, problem.InvalidField("kept_tin", problem.Msg("register.required", i18n.Key("field.kept_tin"))))
	}
	if _, err := tin.ParseINN(kept); err != nil {
		return q.FailTo(back, problem.InvalidField("kept_tin", problem.Number(err)))
	}
	if q.Form("confirmed") != "yes" {
		dup, err := h.d.Register.Taxpayer(q.Ctx(), t)
		if err != nil {
			return err
		}
		keptTP, err := h.d.Register.Taxpayer(q.Ctx(), kept)
		if err != nil {
			return q.FailTo(back, asField(err, "kept_tin"))
		}
		c := &confirmation{Title: q.Page.T("office.confirm.duplicate_title"), Confirm: q.Page.T("office.confirm.duplicate"),
			Action: back + "/duplicate", Back: back}
		c.Rows = []confirmRow{{Label: q.Page.T("office.confirm.duplicate_tin"), Value: dup.TIN + " — " + nameOf(dup)},
			{Label: q.Page.T("office.confirm.kept_tin"), Value: keptTP.TIN + " — " + nameOf(keptTP)}}
		c.Warnings = []string{q.Page.T("office.confirm.duplicate_effect", dup.TIN, keptTP.TIN)}
		c.hide(q, "kept_tin", "duplicate_note")
		return h.confirm(q, c)
	}
	if _, err := h.d.Register.MarkDuplicate(q.Ctx(), actor(q), t, kept, q.Form("duplicate_note")); err != nil {
		return q.FailTo(back, err, web.Rename{"note": "duplicate_note"})
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

// handleKPP registers an organization on a further ground (REG-5).
func (h *Handler) handleKPP(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	in := register.KPPInput{Ground: register.KPPGround(q.Form("kpp_ground")), TaxOffice: q.Form("kpp_office"), Subdivision: q.Form("subdivision")}
	if _, err := h.d.Register.AssignKPP(q.Ctx(), actor(q), t, in); err != nil {
		return q.FailTo(taxpayerURL(t), err, web.Rename{"ground": "kpp_ground", "tax_office": "kpp_office"})
	}
	q.Redirect(taxpayerURL(t), "office.flash.kpp")
	return nil
}
