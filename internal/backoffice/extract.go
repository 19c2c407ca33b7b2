package backoffice

import (
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/web"
)

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
