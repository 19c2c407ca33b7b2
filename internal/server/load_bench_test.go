package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/server"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type loadResult struct {
	rps float64
	p99 time.Duration
}

// load runs a closed loop of `clients` workers against url on loopback for d and returns the
// request rate and the 99th percentile latency. Every request must answer 200.
func load(b *testing.B, client *http.Client, urls []string, token string, clients int, d time.Duration) loadResult {
	var mu sync.Mutex
	var lat []time.Duration
	var failed error
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			for i := w; time.Now().Before(stop); i += clients {
				req, _ := http.NewRequest("GET", urls[i%len(urls)], nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return loadResult{rps: float64(len(lat)) / d.Seconds(), p99: lat[len(lat)*99/100]}
}

// BenchmarkTaxpayerLookupUnderLoad fills a SQLite register with KABINET_BENCH_PERSONS persons
// (default 20,000; `make bench` uses 1,000,000) through the bulk path, starts the real server on
// loopback and measures GET /api/v1/taxpayers/{tin} under 64 concurrent clients against GET
// /healthz on the same server in the same run. Reported: requests/s and p99 of both, and the
// ratios lookup/healthz.
func BenchmarkTaxpayerLookupUnderLoad(b *testing.B) {
	n := 20000
	if s := os.Getenv("KABINET_BENCH_PERSONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dur := 5 * time.Second
	if s := os.Getenv("KABINET_BENCH_SECONDS"); s != "" {
		sec, _ := strconv.Atoi(s)
		dur = time.Duration(sec) * time.Second
	}
	ctx := context.Background()
	db := storetest.SQLite(b)
	if os.Getenv("KABINET_BENCH_DB") == "postgres" {
		db = storetest.Postgres(b)
	}
	reg := register.New(store.NewRegister(db), register.Options{})
	sys := audit.Actor{Login: "bench", Role: "system"}
	var tins []string
	persons := demo.Persons(42, n)
	for start := 0; start < n; start += 2000 {
		res, err := reg.RegisterPersons(ctx, sys, persons[start:min(start+2000, n)])
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err == nil && r.Taxpayer != nil && len(tins) < 10000 {
				tins = append(tins, r.Taxpayer.TIN)
			}
		}
	}
	st := staff.New(store.NewStaff(db), password.NewHasher(0), nil)
	if _, err := st.Add(ctx, sys, "bench", staff.RoleOperator, "", "bench-password-1"); err != nil {
		b.Fatal(err)
	}
	tok, _, _ := st.IssueToken(ctx, sys, "bench", time.Hour)
	h := server.New(server.Deps{DB: db, Register: reg, Staff: st, Audit: db, Sessions: web.NewSessions(store.NewSessions(db), nil),
		Log: slog.New(slog.DiscardHandler)})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{Handler: h, ErrorLog: nil}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}
	var urls []string
	for _, t := range tins {
		urls = append(urls, base+"/api/v1/taxpayers/"+t)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hz := load(b, client, []string{base + "/healthz"}, "", 64, dur)
		tp := load(b, client, urls, tok, 64, dur)
		b.ReportMetric(hz.rps, "healthz_req/s")
		b.ReportMetric(float64(hz.p99.Microseconds())/1000, "healthz_p99_ms")
		b.ReportMetric(tp.rps, "lookup_req/s")
		b.ReportMetric(float64(tp.p99.Microseconds())/1000, "lookup_p99_ms")
		b.ReportMetric(tp.rps/hz.rps, "rps_ratio")
		b.ReportMetric(float64(hz.p99)/float64(tp.p99), "p99_ratio")
	}
}
