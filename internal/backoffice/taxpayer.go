package backoffice

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
	"github.com/kabinet/kabinet/tin"
)

func pathTIN(q *web.Request) (string, error) {
	s := q.R.PathValue("tin")
	if _, err := tin.ParseINN(s); err != nil {
		return "", problem.New(problem.NotFound, problem.MsgNotFound)
	}
	return s, nil
}

func (h *Handler) taxpayerPage(q *web.Request, t string, status int) error {
	tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
	if err != nil {
		return err
	}
	offices, err := h.d.Register.Offices(q.Ctx())
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.tp.title") + " " + tp.TIN
	q.Page.Data = map[string]any{"T": tp, "Offices": offices, "Today": time.Now().Format(time.DateOnly), "History": historyRows(q.Page, tp.History)}
	q.Render(status, "taxpayer.html")
	return nil
}

func (h *Handler) handleTaxpayer(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	return h.taxpayerPage(q, t, http.StatusOK)
}

// actionError shows the taxpayer page again with the problem of a failed action.
func (h *Handler) actionError(q *web.Request, t string, err error) error {
	p, ok := problem.As(err)
	if !ok || p.Code == problem.Internal || p.Code == problem.Unavailable {
		return err
	}
	msg := p.Message.In(q.Page.Lang)
	for _, f := range p.Fields {
		msg += " — " + f.In(q.Page.Lang)
	}
	q.Page.Problem = msg
	return h.taxpayerPage(q, t, http.StatusUnprocessableEntity)
}

func (h *Handler) handleEditForm(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
	if err != nil {
		return err
	}
	if tp.Person == nil {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	p := tp.Person
	q.Page.Form = map[string][]string{"surname": {p.Surname}, "given_name": {p.GivenName}, "patronymic": {p.Patronymic},
		"birth_place": {p.BirthPlace}, "region": {p.Address.Region}, "postal_code": {p.Address.PostalCode}, "city": {p.Address.City},
		"street": {p.Address.Street}, "house": {p.Address.House}, "flat": {p.Address.Flat}}
	q.Page.Title = q.Page.T("office.edit.title") + " " + t
	q.Page.Data = map[string]any{"T": tp}
	q.Render(http.StatusOK, "edit.html")
	return nil
}

func (h *Handler) handleEdit(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
	if err != nil {
		return err
	}
	f := func(k string) *string { v := strings.TrimSpace(q.R.PostFormValue(k)); return &v }
	addr := addressFrom(func(k string) string { return *f(k) })
	u := register.PersonUpdate{Surname: f("surname"), GivenName: f("given_name"), Patronymic: f("patronymic"), BirthPlace: f("birth_place"),
		Address: &addr, Note: *f("note")}
	if _, err := h.d.Register.UpdatePerson(q.Ctx(), actor(q), t, u); err != nil {
		q.Page.Title = q.Page.T("office.edit.title") + " " + t
		return q.FormError(err, "edit.html", map[string]any{"T": tp})
	}
	q.Redirect("/office/taxpayers/"+t, "office.flash.updated")
	return nil
}

func (h *Handler) handleDeregister(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	var fe problem.Fields
	on := formDate(&fe, "on", q.R.PostFormValue("on"))
	if err := fe.Err(); err != nil {
		return h.actionError(q, t, err)
	}
	if on.IsZero() {
		y, m, d := time.Now().UTC().Date()
		on = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if _, err := h.d.Register.Deregister(q.Ctx(), actor(q), t, register.Ending{Reason: register.EndReason(q.R.PostFormValue("reason")), On: on, Note: q.R.PostFormValue("note")}); err != nil {
		return h.actionError(q, t, err)
	}
	q.Redirect("/office/taxpayers/"+t, "office.flash.deregistered")
	return nil
}

func (h *Handler) handleDuplicate(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	if _, err := h.d.Register.MarkDuplicate(q.Ctx(), actor(q), t, strings.TrimSpace(q.R.PostFormValue("kept_tin")), q.R.PostFormValue("note")); err != nil {
		return h.actionError(q, t, err)
	}
	q.Redirect("/office/taxpayers/"+t, "office.flash.duplicate")
	return nil
}

func (h *Handler) handleKPP(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	f := func(k string) string { return strings.TrimSpace(q.R.PostFormValue(k)) }
	if _, err := h.d.Register.AssignKPP(q.Ctx(), actor(q), t, register.KPPInput{Ground: register.KPPGround(f("ground")), TaxOffice: f("tax_office"),
		Subdivision: f("subdivision"), Address: addressFrom(f)}); err != nil {
		return h.actionError(q, t, err)
	}
	q.Redirect("/office/taxpayers/"+t, "office.flash.kpp")
	return nil
}

func (h *Handler) handleExtract(q *web.Request) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	e, err := h.d.Register.Extract(q.Ctx(), actor(q), t)
	if err != nil {
		return err
	}
	if q.R.URL.Query().Get("format") == "pdf" {
		q.W.Header().Set("Content-Type", "application/pdf")
		q.W.Header().Set("Content-Disposition", `attachment; filename="extract-`+t+`.pdf"`)
		return extract.PDF(q.W, e, q.Page.Lang)
	}
	q.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	return extract.HTML(q.W, e, q.Page.Lang)
}

func (h *Handler) handleReviews(q *web.Request) error {
	list, err := h.d.Register.Reviews(q.Ctx(), register.ReviewPending, 200)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.reviews.title")
	q.Page.Data = map[string]any{"Reviews": list}
	q.Render(http.StatusOK, "reviews.html")
	return nil
}

func (h *Handler) handleReviewDecide(q *web.Request) error {
	id, err := strconv.ParseInt(q.R.PathValue("id"), 10, 64)
	if err != nil {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	res, err := h.d.Register.DecideReview(q.Ctx(), actor(q), id, q.R.PostFormValue("same_as"))
	if err != nil {
		return err
	}
	flash := "office.flash.existing"
	if res.Created {
		flash = "office.flash.created"
	}
	q.Redirect("/office/taxpayers/"+res.Taxpayer.TIN, flash)
	return nil
}

func (h *Handler) handleAudit(q *web.Request) error {
	if !q.Viewer.Can("audit.read") {
		return problem.New(problem.Forbidden, problem.MsgForbidden)
	}
	qs := q.R.URL.Query()
	list, err := h.d.Audit.ListAudit(q.Ctx(), audit.Filter{Actor: qs.Get("actor"), Subject: qs.Get("subject"), Limit: 200})
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.audit.title")
	q.Page.Form = qs
	q.Page.Data = map[string]any{"Entries": auditRows(q.Page, list)}
	q.Render(http.StatusOK, "audit.html")
	return nil
}
