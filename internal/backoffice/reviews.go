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
// the same name and birth data but no matching document. The inspector sees the applicant and
// every candidate side by side — documents, СНИЛС, birth place, addresses — and decides, after a
// confirmation page, whether it is the same person (the TIN applies) or another (a new TIN).

// personView is one column of a review card.
type personView struct {
	Heading, TIN                               string
	Name, Birth, Sex, Citizenship, SNILS, Addr string
	Documents                                  []string
}

func viewOf(p *web.Page, in register.PersonInput) personView {
	v := personView{Name: strings.TrimSpace(in.Surname + " " + in.GivenName + " " + in.Patronymic), Birth: in.BirthDate.Format("02.01.2006"),
		Sex: p.Enum("sex", in.Sex), Citizenship: in.Citizenship, SNILS: snilsText(in.SNILS), Addr: addressText(&register.Taxpayer{Person: &register.Person{Address: in.Address}})}
	if in.BirthPlace != "" {
		v.Birth += ", " + in.BirthPlace
	}
	v.Documents = []string{documentText(p, in.Document)}
	return v
}

func viewOfTaxpayer(p *web.Page, tp *register.Taxpayer) personView {
	if tp.Person == nil {
		return personView{TIN: tp.TIN, Name: nameOf(tp)}
	}
	per := tp.Person
	in := register.PersonInput{Surname: per.Surname, GivenName: per.GivenName, Patronymic: per.Patronymic, BirthDate: per.BirthDate,
		BirthPlace: per.BirthPlace, Sex: per.Sex, Citizenship: per.Citizenship, SNILS: per.SNILS, Address: per.Address}
	v := viewOf(p, in)
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
		c := reviewCard{ID: rv.ID, Applicant: viewOf(q.Page, rv.Input)}
		for _, t := range rv.Candidates {
			tp, err := h.d.Register.Taxpayer(q.Ctx(), t)
			if err != nil {
				return err
			}
			c.Candidates = append(c.Candidates, viewOfTaxpayer(q.Page, tp))
		}
		cards = append(cards, c)
	}
	q.Page.Title = q.Page.T("office.reviews.title")
	q.Page.Data = map[string]any{"Reviews": cards}
	q.Render(http.StatusOK, "reviews.html")
	return nil
}

// handleReviewDecide records the inspector's decision, after a confirmation page.
func (h *Handler) handleReviewDecide(q *web.Request) error {
	id, err := strconv.ParseInt(q.R.PathValue("id"), 10, 64)
	if err != nil {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	sameAs := q.Form("same_as")
	if q.Form("confirmed") != "yes" {
		rv, err := h.d.Register.Review(q.Ctx(), id)
		if err != nil {
			return err
		}
		a := viewOf(q.Page, rv.Input)
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
		if p, ok := problem.As(err); ok && p.Code != problem.Invalid {
			// The queue has no field to mark (a СНИЛС or a document on record for another):
			// the reason alone is shown above the cards.
			err = &problem.Error{Code: p.Code, Message: p.Message, Err: err}
		}
		return q.FailTo("/office/reviews", err)
	}
	flash := "office.flash.existing"
	if res.Created {
		flash = "office.flash.created"
	}
	q.Redirect(taxpayerURL(res.Taxpayer.TIN), flash)
	return nil
}
