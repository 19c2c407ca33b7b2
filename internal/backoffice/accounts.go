package backoffice

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// BO-4: a service-centre operator finds a citizen's account by СНИЛС or passport, checks the
// passport and the СНИЛС shown in person, records what was checked, and confirms the account
// (IDP-4a) — or hands over a code the citizen types in. Every action is in the audit log.

func (h *Handler) accountsPage(fn func(q *web.Request) error) http.Handler {
	return h.site.Page(web.SignedIn, func(q *web.Request) error {
		if !q.Viewer.Can("accounts.confirm") || h.d.Identity == nil {
			return problem.New(problem.Forbidden, problem.MsgForbidden)
		}
		return fn(q)
	})
}

func (h *Handler) handleAccounts(q *web.Request) error {
	q.Page.Title = q.Page.T("office.accounts.title")
	query := q.R.URL.Query().Get("q")
	q.Page.Form = q.R.URL.Query()
	var list []identity.Account
	if query != "" {
		var err error
		if list, err = h.d.Identity.FindForOperator(q.Ctx(), query); err != nil {
			p, ok := problem.As(err)
			if !ok || p.Code != problem.Invalid {
				return err
			}
			q.Page.Problem = p.Fields[0].In(q.Page.Lang)
		}
	}
	q.Page.Data = map[string]any{"Query": query, "Accounts": list}
	q.Render(http.StatusOK, "accounts.html")
	return nil
}

func (h *Handler) handleAccount(q *web.Request) error {
	a, err := h.d.Identity.Account(q.Ctx(), q.R.PathValue("id"))
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.accounts.card") + " " + a.FullName()
	q.Page.Data = map[string]any{"A": a, "Centres": h.centreOptions()}
	q.Render(http.StatusOK, "account.html")
	return nil
}

// handleAccountConfirm confirms the account, or makes the code to hand over.
func (h *Handler) handleAccountConfirm(q *web.Request) error {
	id := q.R.PathValue("id")
	c := identity.Checklist{PassportShown: q.Form("passport_shown") != "", SNILSShown: q.Form("snils_shown") != "", Centre: q.Form("centre"), Note: q.Form("note")}
	back := "/office/accounts/" + id
	if q.Form("action") == "code" {
		code, err := h.d.Identity.IssueOperatorCode(q.Ctx(), actor(q), id, c)
		if err != nil {
			return q.FailTo(back, err)
		}
		a, err := h.d.Identity.Account(q.Ctx(), id)
		if err != nil {
			return err
		}
		q.Page.Title = q.Page.T("office.accounts.code_title")
		q.Page.Data = map[string]any{"A": a, "Code": code}
		q.Render(http.StatusOK, "account_code.html")
		return nil
	}
	if err := h.d.Identity.ConfirmInPerson(q.Ctx(), actor(q), id, c); err != nil {
		return q.FailTo(back, err)
	}
	q.Redirect(back, "office.flash.account_confirmed")
	return nil
}

// centreOptions are the service centres an operator works at: those of the directory that
// confirm accounts (IDP-4a, IDP-5), by city.
func (h *Handler) centreOptions() []web.Option {
	var opts []web.Option
	for _, c := range h.d.Identity.Catalogue().Centres() {
		if c.Does(identity.DoConfirm) {
			opts = append(opts, web.Option{Value: c.ID, Label: c.City + " — " + c.Name})
		}
	}
	return opts
}
