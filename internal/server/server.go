// Package server assembles kabinet's HTTP server: one routes.go lists every URL; the middleware
// here adds request ids, client addresses behind trusted proxies, access logs without personal
// data, panic recovery, security headers, the refusal of bad text in URLs and Prometheus metrics.
// It holds no business rule.
package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demosite"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/lkweb"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/web"
)

// Deps are the server's dependencies.
type Deps struct {
	DB *store.DB
	// Profile is the jurisdiction served: every request carries its locale (web.Locale), so every
	// site offers its languages and shows times in its zone; the zero value is the default one.
	Profile  jurisdiction.Profile
	Register *register.Service
	Extracts *extract.Service // issues, signs and keeps extracts (REG-9); unsigned ones when nil
	Staff    *staff.Service
	Audit    audit.Log
	Sessions *session.Manager
	Flows    *flow.Manager
	// Identity is the identity provider (/id/, BO-4), served only where the jurisdiction has one
	// (Profile.IdentityProvider).
	Identity *identity.Provider
	Cabinet  *cabinet.Service
	Proxies  web.Proxies // whose X-Forwarded-For / X-Forwarded-Proto to believe
	Log      *slog.Logger
	// Collectors are extra Prometheus collectors (the job queue's depth …).
	Collectors []prometheus.Collector
	// Outbox, when set (kabinet serve --demo), is listed at /demo/outbox.
	Outbox Outbox
	// OIDC is the identity provider's OpenID Connect provider (IDP-7), served with the /id/ site.
	OIDC *oidc.Provider
	// Issuer is the OpenID Connect issuer, --public-url exactly ("": the request's).
	Issuer string
	// LKIdP is the identity provider of the personal account's login through it (LK-6); nil:
	// none.
	LKIdP *lkweb.IdP
}

// Outbox is the outbox the demo pages list.
type Outbox = demosite.Outbox

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(extra ...prometheus.Collector) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kabinet_http_requests_total", Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kabinet_http_request_duration_seconds", Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.registry.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registry.MustRegister(extra...)
	return m
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware wraps the mux: the client (behind trusted proxies), a request id, the
// jurisdiction's locale, recovery,
// security headers, the refusal of bad text in the path and query, metrics per route pattern
// and an access log (method, route pattern, status, duration — no query strings or bodies,
// which may carry personal data).
func middleware(mux *http.ServeMux, m *metrics, proxies web.Proxies, loc *web.Locale, log *slog.Logger, sites siteList) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := web.NewRequestID()
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(web.WithLocale(web.WithClient(web.WithRequestID(r.Context(), id), proxies.Resolve(r)), loc))
		web.SecurityHeaders(w, r)
		sw := &statusWriter{ResponseWriter: w}
		_, pattern := mux.Handler(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(r.Context(), "panic", "panic", p, "route", pattern, "request_id", id)
				if sw.status == 0 {
					web.WriteProblem(sw, r, nil, problem.New(problem.Internal, problem.MsgInternal))
				}
			}
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			m.requests.WithLabelValues(pattern, r.Method, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(pattern).Observe(d.Seconds())
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", pattern),
				slog.Int("status", status), slog.Duration("duration", d), slog.String("request_id", id))
		}()
		if err := web.CheckURL(r); err != nil { // refused before any page sees it
			sites.errorPage(sw, r, err)
			return
		}
		mux.ServeHTTP(sw, r)
	})
}
