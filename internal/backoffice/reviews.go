package backoffice

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// The review queue (REG-3, BO-3): a registration held because the register holds a person with
// the same name and birth data but no matching document, or a document or СНИЛС on record for a
// person with another name or birth date. The inspector sees the applicant and every candidate
// side by side — documents, СНИЛС, birth place, addresses — and decides, after a confirmation
// page, whether it is the same person (the TIN applies), another (a new TIN), or refuses the
// application with a reason (no TIN: the applicant gave another person's СНИЛС or document).

// personView is one column of a review card.
type personView struct {
	Heading, TIN                               string
	Name, Birth, Sex, Citizenship, SNILS, Addr string
	Documents                                  []string
}

func (h *Handler) viewOf(p *web.Page, in register.PersonInput) personView {
	v := personView{Name: strings.TrimSpace(in.Surname + " " + in.GivenName + " " + in.Patronymic), Birth: in.BirthDate.Format("02.01.2006"),
		Sex: p.Enum("sex", in.Sex), Citizenship: p.T("office.tp.stateless"), SNILS: snilsText(in.SNILS), Addr: h.addressText(p, in.Address)}
	if in.Citizenship != "" {
		v.Citizenship = h.countryName(p, in.Citizenship)
	}
	if in.BirthPlace != "" {
		v.Birth += ", " + in.BirthPlace
	}
	v.Documents = []string{documentText(p, in.Document)}
	return v
}

func (h *Handler) viewOfTaxpayer(p *web.Page, tp *register.Taxpayer) personView {
	if tp.Person == nil {
		return personView{TIN: tp.TIN, Name: nameOf(tp)}
	}
	per := tp.Person
	in := register.PersonInput{Surname: per.Surname, GivenName: per.GivenName, Patronymic: per.Patronymic, BirthDate: per.BirthDate,
		BirthPlace: per.BirthPlace, Sex: per.Sex, Citizenship: per.Citizenship, SNILS: per.SNILS, Address: per.Address}
	v := h.viewOf(p, in)
	v.TIN = tp.TIN
	v.Documents = nil
	for _, d := range per.Documents {
		v.Documents = append(v.Documents, documentText(p, d))
	}
	return v
}

func documentText(p *web.Page, d register.IdentityDocument) string {
	s := strings.TrimSpace(p.Enum("document_type", d.Type) + " " + d.Series + " " + d.Number)
	if !d.IssuedOn.IsZero() {
		s += ", " + p.T("office.tp.issued") + " " + d.IssuedOn.Format("02.01.2006")
	}
	return s
}

type reviewCard struct {
	ID         int64
	Applicant  personView
	Candidates []personView
}

func (h *Handler) handleReviews(q *web.Request) error {
	list, err := h.d.Register.Reviews(q.Ctx(), register.ReviewPending, 200)
	if err != nil {
		return err
	}
	cards := make([]reviewCard, 0, len(list))
	for _, rv := range list {
		c := reviewCard{ID: rv.ID, Applicant: h.viewOf(q.Page, rv.Input)}
		for _, t := range rv.Candidates {
			tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
			if err != nil {
				return err
			}
			c.Candidates = append(c.Candidates, h.viewOfTaxpayer(q.Page, tp))
		}
		cards = append(cards, c)
	}
	q.Page.Title = q.Page.T("office.reviews.title")
	q.Page.Data = map[string]any{"Reviews": cards}
	q.Render(http.StatusOK, "reviews.html")
	return nil
}

// handleReviewDecide records the inspector's decision, after a confirmation page: the same
// person, a different one, or the application refused with a reason (decision=refused).
func (h *Handler) handleReviewDecide(q *web.Request) error {
	id, err := strconv.ParseInt(q.R.PathValue("id"), 10, 64)
	if err != nil {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	if q.Form("decision") == "refused" {
		return h.handleReviewRefuse(q, id)
	}
	sameAs := q.Form("same_as")
	if q.Form("confirmed") != "yes" {
		rv, err := h.d.Register.Review(q.Ctx(), id)
		if err != nil {
			return err
		}
		a := h.viewOf(q.Page, rv.Input)
		c := &confirmation{Title: q.Page.T("office.confirm.review_title"), Action: "/office/reviews/" + q.R.PathValue("id"), Back: "/office/reviews"}
		c.Rows = []confirmRow{{Label: q.Page.T("office.reviews.person"), Value: a.Name + ", " + a.Birth}}
		if sameAs != "" {
			c.Confirm = q.Page.T("office.confirm.review_same")
			c.Rows = append(c.Rows, confirmRow{Label: q.Page.T("office.tp.kept"), Value: sameAs})
			c.Warnings = []string{q.Page.T("office.confirm.review_same_effect", sameAs)}
		} else {
			c.Confirm = q.Page.T("office.confirm.review_different")
			c.Warnings = []string{q.Page.T("office.confirm.review_different_effect")}
		}
		c.hide(q, "same_as")
		return h.confirm(q, c)
	}
	res, err := h.d.Register.DecideReview(q.Ctx(), actor(q), id, sameAs)
	if err != nil {
		return q.FailTo("/office/reviews", withoutFields(err))
	}
	flash := "office.flash.existing"
	if res.Created {
		flash = "office.flash.created"
	}
	q.Redirect(taxpayerURL(res.Taxpayer.TIN), flash)
	return nil
}

// handleReviewRefuse refuses the application of review id with the reason typed on its card
// (BO-3): no TIN is assigned. The register checks the refusal before the confirmation is shown.
func (h *Handler) handleReviewRefuse(q *web.Request, id int64) error {
	field := refusalField(id)
	reason := q.Form(field)
	rename := web.Rename{"refusal_reason": field}
	if q.Form("confirmed") != "yes" {
		rv, err := h.d.Register.CheckRefusal(q.Ctx(), id, reason)
		if err != nil {
			return q.FailTo("/office/reviews", withoutFields(err), rename)
		}
		a := h.viewOf(q.Page, rv.Input)
		c := &confirmation{Title: q.Page.T("office.confirm.review_title"), Confirm: q.Page.T("office.confirm.review_refuse"),
			Action: "/office/reviews/" + strconv.FormatInt(id, 10), Back: "/office/reviews"}
		c.Rows = []confirmRow{{Label: q.Page.T("office.reviews.person"), Value: a.Name + ", " + a.Birth},
			{Label: q.Page.T("office.reviews.refusal_reason"), Value: reason}}
		c.Warnings = []string{q.Page.T("office.confirm.review_refuse_effect")}
		c.hide(q, "decision", field)
		return h.confirm(q, c)
	}
	if _, err := h.d.Register.RefuseReview(q.Ctx(), actor(q), id, reason); err != nil {
		return q.FailTo("/office/reviews", withoutFields(err), rename)
	}
	q.Redirect("/office/reviews", "office.flash.review_refused")
	return nil
}

// refusalField is the input of the reason of a refusal on the card of review id: one per card,
// so that an error marks that card's field alone.
func refusalField(id int64) string { return "refusal_" + strconv.FormatInt(id, 10) }

// withoutFields keeps the fields of an input problem only: a decision refused because a СНИЛС
// or a document is on record for another names a field the queue does not have, so the reason
// alone is shown above the cards.
func withoutFields(err error) error {
	if p, ok := problem.As(err); ok && p.Code != problem.Invalid {
		return &problem.Error{Code: p.Code, Message: p.Message, Err: err}
	}
	return err
}
