package backoffice

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

func (h *Handler) handleDashboard(q *web.Request) error {
	pending, err := h.d.Register.Reviews(q.Ctx(), register.ReviewPending, 200)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.dash.title")
	q.Page.Data = map[string]any{"Pending": len(pending)}
	q.Render(http.StatusOK, "dashboard.html")
	return nil
}

func (h *Handler) handleSearch(q *web.Request) error {
	query := q.R.URL.Query().Get("q")
	q.Page.Title = q.Page.T("office.search.title")
	q.Page.Form = q.R.URL.Query()
	var list []register.Summary
	if query != "" {
		var err error
		list, err = h.d.Register.Search(q.Ctx(), register.SearchFilter{Query: query, Limit: 100})
		if err != nil {
			return err
		}
	}
	q.Page.Data = map[string]any{"Query": query, "Results": list}
	q.Render(http.StatusOK, "search.html")
	return nil
}
