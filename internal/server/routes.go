package server

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kabinet/kabinet/internal/api"
	"github.com/kabinet/kabinet/internal/backoffice"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// New returns kabinet's HTTP handler. Every URL it serves is listed here or in the Routes of
// the packages it mounts: /api/v1/ (register JSON API), /office/ (back office), /healthz, /metrics.
func New(d Deps) http.Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	mux := http.NewServeMux()
	m := newMetrics()

	api.New(api.Deps{Register: d.Register, Staff: d.Staff, Audit: d.Audit, Log: d.Log}).Routes(mux)

	office := http.NewServeMux()
	backoffice.New(backoffice.Deps{Register: d.Register, Staff: d.Staff, Audit: d.Audit, Sessions: d.Sessions, Log: d.Log}).Routes(office)
	// Logins are rate limited per client address on top of the per-account lockout.
	mux.Handle("POST /office/login", newLimiter(0.2, 10).limit(office, d.Log))
	mux.Handle("/office/", office)
	mux.Handle("/static/", office)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := d.DB.SQL.PingContext(r.Context()); err != nil {
			web.WriteProblem(w, r, d.Log, problem.Wrap(problem.Unavailable, problem.MsgUnavailable, err))
			return
		}
		web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/office/", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		web.NotFound(w, r)
	})
	return middleware(mux, m, d.Log)
}
