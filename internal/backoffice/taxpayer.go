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
	"github.com/kabinet/kabinet/tin"
)

func pathTIN(q *req) (string, error) {
	s := q.r.PathValue("tin")
	if _, err := tin.ParseINN(s); err != nil {
		return "", problem.New(problem.NotFound, problem.MsgNotFound)
	}
	return s, nil
}

func (h *Handler) taxpayerPage(q *req, t string, status int) error {
	tp, err := h.d.Register.Taxpayer(q.ctx(), t)
	if err != nil {
		return err
	}
	offices, err := h.d.Register.Offices(q.ctx())
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("tp.title") + " " + tp.TIN
	q.p.Data = map[string]any{"T": tp, "Offices": offices, "Today": time.Now().Format(time.DateOnly)}
	h.rd.Render(q.w, status, "taxpayer.html", q.p)
	return nil
}

func (h *Handler) handleTaxpayer(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	return h.taxpayerPage(q, t, http.StatusOK)
}

// actionError shows the taxpayer page again with the problem of a failed action.
func (h *Handler) actionError(q *req, t string, err error) error {
	p, ok := problem.As(err)
	if !ok || p.Code == problem.Internal || p.Code == problem.Unavailable {
		return err
	}
	msg := p.Message.In(q.p.Lang)
	for _, f := range p.Fields {
		msg += " — " + f.In(q.p.Lang)
	}
	q.p.Problem = msg
	return h.taxpayerPage(q, t, http.StatusUnprocessableEntity)
}

func (h *Handler) handleEditForm(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	tp, err := h.d.Register.Taxpayer(q.ctx(), t)
	if err != nil {
		return err
	}
	if tp.Person == nil {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	p := tp.Person
	q.p.Form = map[string][]string{"surname": {p.Surname}, "given_name": {p.GivenName}, "patronymic": {p.Patronymic},
		"birth_place": {p.BirthPlace}, "region": {p.Address.Region}, "postal_code": {p.Address.PostalCode}, "city": {p.Address.City},
		"street": {p.Address.Street}, "house": {p.Address.House}, "flat": {p.Address.Flat}}
	q.p.Title = q.p.T("edit.title") + " " + t
	q.p.Data = map[string]any{"T": tp}
	h.rd.Render(q.w, http.StatusOK, "edit.html", q.p)
	return nil
}

func (h *Handler) handleEdit(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	tp, err := h.d.Register.Taxpayer(q.ctx(), t)
	if err != nil {
		return err
	}
	f := func(k string) *string { v := strings.TrimSpace(q.r.PostFormValue(k)); return &v }
	addr := addressFrom(func(k string) string { return *f(k) })
	u := register.PersonUpdate{Surname: f("surname"), GivenName: f("given_name"), Patronymic: f("patronymic"), BirthPlace: f("birth_place"),
		Address: &addr, Note: *f("note")}
	if _, err := h.d.Register.UpdatePerson(q.ctx(), q.actor(), t, u); err != nil {
		q.p.Title = q.p.T("edit.title") + " " + t
		return h.formError(q, err, "edit.html", map[string]any{"T": tp})
	}
	q.redirect("/office/taxpayers/"+t, "flash.updated")
	return nil
}

func (h *Handler) handleDeregister(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	var fe problem.Fields
	on := formDate(&fe, "on", q.r.PostFormValue("on"))
	if err := fe.Err(); err != nil {
		return h.actionError(q, t, err)
	}
	if on.IsZero() {
		y, m, d := time.Now().UTC().Date()
		on = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if _, err := h.d.Register.Deregister(q.ctx(), q.actor(), t, register.Ending{Reason: register.EndReason(q.r.PostFormValue("reason")), On: on, Note: q.r.PostFormValue("note")}); err != nil {
		return h.actionError(q, t, err)
	}
	q.redirect("/office/taxpayers/"+t, "flash.deregistered")
	return nil
}

func (h *Handler) handleDuplicate(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	if _, err := h.d.Register.MarkDuplicate(q.ctx(), q.actor(), t, strings.TrimSpace(q.r.PostFormValue("kept_tin")), q.r.PostFormValue("note")); err != nil {
		return h.actionError(q, t, err)
	}
	q.redirect("/office/taxpayers/"+t, "flash.duplicate")
	return nil
}

func (h *Handler) handleKPP(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	f := func(k string) string { return strings.TrimSpace(q.r.PostFormValue(k)) }
	if _, err := h.d.Register.AssignKPP(q.ctx(), q.actor(), t, register.KPPInput{Ground: register.KPPGround(f("ground")), TaxOffice: f("tax_office"),
		Subdivision: f("subdivision"), Address: addressFrom(f)}); err != nil {
		return h.actionError(q, t, err)
	}
	q.redirect("/office/taxpayers/"+t, "flash.kpp")
	return nil
}

func (h *Handler) handleExtract(q *req) error {
	t, err := pathTIN(q)
	if err != nil {
		return err
	}
	e, err := h.d.Register.Extract(q.ctx(), q.actor(), t)
	if err != nil {
		return err
	}
	if q.r.URL.Query().Get("format") == "pdf" {
		q.w.Header().Set("Content-Type", "application/pdf")
		q.w.Header().Set("Content-Disposition", `attachment; filename="extract-`+t+`.pdf"`)
		return extract.PDF(q.w, e, q.p.Lang)
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return extract.HTML(q.w, e, q.p.Lang)
}

func (h *Handler) handleReviews(q *req) error {
	list, err := h.d.Register.Reviews(q.ctx(), register.ReviewPending, 200)
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("reviews.title")
	q.p.Data = map[string]any{"Reviews": list}
	h.rd.Render(q.w, http.StatusOK, "reviews.html", q.p)
	return nil
}

func (h *Handler) handleReviewDecide(q *req) error {
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	res, err := h.d.Register.DecideReview(q.ctx(), q.actor(), id, q.r.PostFormValue("same_as"))
	if err != nil {
		return err
	}
	flash := "flash.existing"
	if res.Created {
		flash = "flash.created"
	}
	q.redirect("/office/taxpayers/"+res.Taxpayer.TIN, flash)
	return nil
}

func (h *Handler) handleAudit(q *req) error {
	if !q.m.Role.CanReadAudit() {
		return problem.New(problem.Forbidden, problem.MsgForbidden)
	}
	qs := q.r.URL.Query()
	list, err := h.d.Audit.ListAudit(q.ctx(), audit.Filter{Actor: qs.Get("actor"), Subject: qs.Get("subject"), Limit: 200})
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("audit.title")
	q.p.Form = qs
	q.p.Data = map[string]any{"Entries": list}
	h.rd.Render(q.w, http.StatusOK, "audit.html", q.p)
	return nil
}
