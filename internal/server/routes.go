package server

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kabinet/kabinet/internal/api"
	"github.com/kabinet/kabinet/internal/backoffice"
	"github.com/kabinet/kabinet/internal/demosite"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/idweb"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/verifysite"
	"github.com/kabinet/kabinet/internal/web"
)

// New returns kabinet's HTTP handler. Every URL it serves is listed here or in the Routes of
// the packages it mounts, all on one mux with full patterns: /api/v1/ (register JSON API),
// /office/ (back office), /id/ (identity provider), /verify/ (public check of extracts), /demo/ (with --demo only),
// /static/, /healthz, /metrics.
func New(d Deps) (http.Handler, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	mux := http.NewServeMux()
	m := newMetrics(d.Collectors...)

	api.New(api.Deps{Register: d.Register, Extracts: d.Extracts, Staff: d.Staff, Audit: d.Audit, Log: d.Log}).Routes(mux)

	office, err := backoffice.New(backoffice.Deps{Register: d.Register, Extracts: d.Extracts, Staff: d.Staff, Audit: d.Audit, Sessions: d.Sessions, Flows: d.Flows,
		Identity: d.Identity, Log: d.Log})
	if err != nil {
		return nil, err
	}
	office.Routes(mux)
	if err := mountVerify(mux, d); err != nil { // /verify/extract/{number}: public, no login (REG-9)
		return nil, err
	}
	if d.Identity != nil {
		id, err := idweb.New(idweb.Deps{Identity: d.Identity, Sessions: d.Sessions, Flows: d.Flows, Log: d.Log})
		if err != nil {
			return nil, err
		}
		id.Routes(mux)
	}
	if d.Outbox != nil {
		if err := demosite.Mount(mux, d.Outbox, d.Log); err != nil {
			return nil, err
		}
	}
	mux.Handle("GET /static/", web.Static())

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := d.DB.SQL.PingContext(r.Context()); err != nil {
			web.WriteProblem(w, r, d.Log, problem.Wrap(problem.Unavailable, problem.MsgUnavailable, err))
			return
		}
		web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, backoffice.Base, http.StatusSeeOther)
	})
	mux.HandleFunc("/", web.NotFound)
	return middleware(mux, m, d.Proxies, d.Log), nil
}

// mountVerify mounts the public verification of extracts (REG-9).
func mountVerify(mux *http.ServeMux, d Deps) error {
	x := d.Extracts
	if x == nil {
		x = extract.NewService(d.Register, nil, "")
	}
	v, err := verifysite.New(x, d.Log)
	if err != nil {
		return err
	}
	v.Routes(mux)
	return nil
}
