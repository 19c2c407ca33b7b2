// Package server assembles kabinet's HTTP server: one routes.go lists every URL; the middleware
// here adds request ids, access logs without personal data, panic recovery, security headers,
// Prometheus metrics and rate limits. It holds no business rule.
package server

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/time/rate"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/web"
)

// Deps are the server's dependencies.
type Deps struct {
	DB       *store.DB
	Register *register.Service
	Staff    *staff.Service
	Audit    audit.Log
	Sessions *web.Sessions
	Log      *slog.Logger
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kabinet_http_requests_total", Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kabinet_http_request_duration_seconds", Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"})
	m.registry.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
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

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// middleware wraps the mux: request id, recovery, security headers, metrics and an access log
// (method, route pattern, status, duration — no query strings or bodies, which may carry
// personal data).
func middleware(mux *http.ServeMux, m *metrics, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(web.WithRequestID(r.Context(), id))
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
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
		mux.ServeHTTP(sw, r)
	})
}

// limiter is a per-client-address token bucket for endpoints that guess secrets (logins).
type limiter struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	m     map[string]*rate.Limiter
	seen  map[string]time.Time
}

func newLimiter(r rate.Limit, burst int) *limiter {
	return &limiter{rate: r, burst: burst, m: map[string]*rate.Limiter{}, seen: map[string]time.Time{}}
}

func (l *limiter) allow(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.m) > 10000 {
		for k, t := range l.seen {
			if now.Sub(t) > 10*time.Minute {
				delete(l.m, k)
				delete(l.seen, k)
			}
		}
	}
	lim, ok := l.m[host]
	if !ok {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.m[host] = lim
	}
	l.seen[host] = now
	return lim.Allow()
}

// limit refuses unsafe requests past the client's rate with 429.
func (l *limiter) limit(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !l.allow(r.RemoteAddr) {
			w.Header().Set("Retry-After", "60")
			web.WriteProblem(w, r, log, problem.New(problem.TooMany, problem.MsgTooMany))
			return
		}
		next.ServeHTTP(w, r)
	})
}
