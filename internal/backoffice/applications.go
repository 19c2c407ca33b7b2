package backoffice

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// BO-3, LK-7: the queue of online applications to connect the personal account. The inspector
// finds the application (by its number or the applicant's surname), checks the identity document
// shown in person (and the TIN certificate when the office is not the person's), compares the
// application with the register, and issues the card — the account works from the next day — or
// refuses with a reason. Both are in the audit log.

func applicationURL(number string) string { return "/office/applications/" + number }

func (h *Handler) handleApplications(q *web.Request) error {
	query := q.R.URL.Query()
	if n := query.Get("number"); n != "" {
		if _, _, ok := cabinet.ParseNumber(n); ok {
			http.Redirect(q.W, q.R, applicationURL(n), http.StatusSeeOther)
			return nil
		}
	}
	state := cabinet.AppState(query.Get("state"))
	if query.Get("state") == "" && !query.Has("state") {
		state = cabinet.AppSubmitted
	}
	list, err := h.d.Cabinet.Applications(q.Ctx(), state, query.Get("q"))
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.apps.title")
	q.Page.Form = query
	q.Page.Data = map[string]any{"Apps": list, "State": string(state)}
	q.Render(http.StatusOK, "applications.html")
	return nil
}

func (h *Handler) handleApplication(q *web.Request) error {
	number := q.R.PathValue("number")
	a, err := h.d.Cabinet.Application(q.Ctx(), number)
	if err != nil {
		return err
	}
	var person *cabinet.Person
	tin := q.R.URL.Query().Get("tin")
	if tin == "" {
		tin = a.Data.TIN
	}
	if tin != "" {
		v, err := h.d.Cabinet.ParseTIN(tin)
		if err == nil {
			person, err = h.d.Cabinet.Person(q.Ctx(), v)
		}
		if pe, ok := problem.As(err); ok && (pe.Code == problem.Invalid || pe.Code == problem.NotFound) {
			// The inspector's look-up is told why it found nobody (a malformed TIN, one the
			// register does not hold); the application's own TIN is looked up quietly.
			if q.R.URL.Query().Get("tin") != "" {
				msg := pe.Message
				if len(pe.Fields) > 0 {
					msg = pe.Fields[0].Message
				}
				q.Page.FieldErrors(problem.InvalidField("lookup_tin", msg))
			}
		} else if err != nil {
			return err
		}
	}
	offices, err := h.officeOptions(q)
	if err != nil {
		return err
	}
	flowID, err := h.issueFlow(q, "application:"+a.Number())
	if err != nil {
		return err
	}
	if q.Page.Form == nil {
		q.Page.Form = map[string][]string{"tin": {tin}}
	}
	q.Page.Title = q.Page.T("office.apps.one", a.Number())
	// The office a card is issued in starts as the one the approval takes when none is chosen:
	// the person's, else the one the applicant said they would visit.
	office := a.Data.Office
	if person != nil {
		office = person.Office
	}
	q.Page.Data = map[string]any{"App": a, "P": person, "Offices": offices, "Office": office, "Flow": flowID, "DecidedBy": h.issuer(q, a.DecidedBy),
		"OfficeName": func(code string) string { return officeName(offices, code) }}
	q.Render(http.StatusOK, "application.html")
	return nil
}

func (h *Handler) handleApplicationApprove(q *web.Request) error {
	number := q.R.PathValue("number")
	if err := h.takeIssueFlow(q, "application:"+number); err != nil {
		return q.FailTo(applicationURL(number), err)
	}
	card, err := h.d.Cabinet.ApproveApplication(q.Ctx(), actor(q), number, cabinet.Approval{TIN: q.Form("tin"), Office: q.Form("office"), Checks: checklist(q)})
	if err != nil {
		return q.FailTo(applicationURL(number), err)
	}
	return h.showCard(q, card)
}

func (h *Handler) handleApplicationRefuse(q *web.Request) error {
	number := q.R.PathValue("number")
	if err := h.d.Cabinet.RefuseApplication(q.Ctx(), actor(q), number, q.Form("reason")); err != nil {
		return q.FailTo(applicationURL(number), err)
	}
	q.Redirect(applicationURL(number), "office.flash.application_refused")
	return nil
}
