package backoffice

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/register"
)

func (h *Handler) handleDashboard(q *req) error {
	pending, err := h.d.Register.Reviews(q.ctx(), register.ReviewPending, 200)
	if err != nil {
		return err
	}
	q.p.Title = q.p.T("dash.title")
	q.p.Data = map[string]any{"Pending": len(pending)}
	h.rd.Render(q.w, http.StatusOK, "dashboard.html", q.p)
	return nil
}

func (h *Handler) handleSearch(q *req) error {
	query := q.r.URL.Query().Get("q")
	q.p.Title = q.p.T("search.title")
	q.p.Form = q.r.URL.Query()
	var list []register.Summary
	if query != "" {
		var err error
		list, err = h.d.Register.Search(q.ctx(), register.SearchFilter{Query: query, Limit: 100})
		if err != nil {
			return err
		}
	}
	q.p.Data = map[string]any{"Query": query, "Results": list}
	h.rd.Render(q.w, http.StatusOK, "search.html", q.p)
	return nil
}
