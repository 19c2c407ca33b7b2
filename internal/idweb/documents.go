package idweb

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/web"
)

// IDP-1: the texts a registration accepts, public pages linked from its checkboxes: the terms of
// use (/id/terms) and the consent to the processing of personal data (/id/personal-data), in
// the version a registration accepts now, or in the one ?version= names (the one an account
// accepted, linked from the settings).

func (h *Handler) handleDocument(doc string) func(q *web.Request) error {
	return func(q *web.Request) error {
		d, ok := h.d.Identity.Document(doc)
		if !ok {
			return notFound()
		}
		version := d.Version
		if v := q.R.URL.Query().Get("version"); v != "" {
			version = v
		}
		text, ok := identity.DocumentText(doc, version, q.Page.Lang)
		if !ok {
			return notFound()
		}
		title := q.Page.T("id.doc_title." + doc)
		if web.WantsJSON(q.R) {
			web.WriteJSON(q.W, http.StatusOK, map[string]any{"doc": doc, "version": version, "current": version == d.Version, "title": title,
				"paragraphs": text})
			return nil
		}
		q.Page.Title = title
		q.Page.Data = map[string]any{"Doc": doc, "Version": version, "Current": version == d.Version, "Paragraphs": text[1:], "Heading": text[0]}
		q.Render(http.StatusOK, "document.html")
		return nil
	}
}
