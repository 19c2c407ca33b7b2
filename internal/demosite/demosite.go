// Package demosite is the site only `kabinet serve --demo` has: the outbox of the e-mails and
// SMS the demo would send (with no gateway configured nothing leaves the machine), so that a
// newcomer can read the codes sent to them. A real deployment never mounts it.
package demosite

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Outbox is what the site lists.
type Outbox interface {
	Outbox(ctx context.Context, limit int) ([]notify.Message, error)
}

// Mount registers the demo pages on mux.
func Mount(mux *http.ServeMux, o Outbox, log *slog.Logger) error {
	pages, err := fs.Sub(templates, "templates")
	if err != nil {
		return err
	}
	site, err := web.NewSite(web.Site{Name: "demo", Base: "/demo/", Tagline: "demo.tagline", Login: "/demo/outbox", Home: "/demo/outbox", Log: log}, pages)
	if err != nil {
		return err
	}
	site.Mount(mux)
	mux.Handle("GET /demo/outbox", site.Page(web.Public, func(q *web.Request) error {
		list, err := o.Outbox(q.Ctx(), 50)
		if err != nil {
			return err
		}
		q.Page.Title = q.Page.T("demo.outbox.title")
		q.Page.Data = list
		q.Render(http.StatusOK, "outbox.html")
		return nil
	}))
	return nil
}
