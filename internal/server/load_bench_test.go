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
	"strings"
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

// load runs a closed loop of `clients` workers against urls on loopback for d and returns every
// latency. Every request must answer 200.
func load(b *testing.B, client *http.Client, urls []string, token string, clients int, d time.Duration) []time.Duration {
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
	return lat
}

// summary is the request rate over d and the 99th percentile of lat.
func summary(lat []time.Duration, d time.Duration) loadResult {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return loadResult{rps: float64(len(lat)) / d.Seconds(), p99: lat[len(lat)*99/100]}
}

// BenchmarkTaxpayerLookupUnderLoad fills a register (SQLite, or PostgreSQL with
// KABINET_BENCH_DB=postgres) with KABINET_BENCH_PERSONS persons (default 20,000; `make bench` uses
// 1,000,000) through the bulk path, starts the real server on loopback and measures GET
// /api/v1/taxpayers/{tin} under 64 concurrent clients against GET /healthz (which pings the
// database) on the same server in the same run, the two alternating in rounds. Reported: requests/s
// and p99 of both, their ratios lookup/healthz, and the CPU time each request costs this process
// (server and clients) and the PostgreSQL server.
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
		// The two loads alternate in rounds of at most a second, so that whatever else the machine
		// does in the meantime weighs on both alike.
		rounds := max(4, int(dur/time.Second))
		var hzLat, tpLat []time.Duration
		var pgH, pgT, goH, goT float64
		for range rounds {
			p0, g0 := cpuTicks()
			hzLat = append(hzLat, load(b, client, []string{base + "/healthz"}, "", 64, dur/time.Duration(rounds))...)
			p1, g1 := cpuTicks()
			tpLat = append(tpLat, load(b, client, urls, tok, 64, dur/time.Duration(rounds))...)
			p2, g2 := cpuTicks()
			pgH += p1 - p0
			goH += g1 - g0
			pgT += p2 - p1
			goT += g2 - g1
		}
		// CPU per request, of this process (server and clients) and of the PostgreSQL server.
		perReq := func(ticks float64, n int) float64 { return ticks / clockTicks * 1e6 / float64(n) }
		b.ReportMetric(perReq(goH, len(hzLat)), "healthz_go_cpu_us/req")
		b.ReportMetric(perReq(pgH, len(hzLat)), "healthz_pg_cpu_us/req")
		b.ReportMetric(perReq(goT, len(tpLat)), "lookup_go_cpu_us/req")
		b.ReportMetric(perReq(pgT, len(tpLat)), "lookup_pg_cpu_us/req")
		hz, tp := summary(hzLat, dur), summary(tpLat, dur)
		b.ReportMetric(hz.rps, "healthz_req/s")
		b.ReportMetric(float64(hz.p99.Microseconds())/1000, "healthz_p99_ms")
		b.ReportMetric(tp.rps, "lookup_req/s")
		b.ReportMetric(float64(tp.p99.Microseconds())/1000, "lookup_p99_ms")
		b.ReportMetric(tp.rps/hz.rps, "rps_ratio")
		b.ReportMetric(float64(hz.p99)/float64(tp.p99), "p99_ratio")
	}
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat (100 on Linux).
const clockTicks = 100

// cpuTicks returns the CPU time (user and system, in clock ticks) used so far by the PostgreSQL
// server processes on this machine and by this process.
func cpuTicks() (pg, self float64) {
	ents, _ := os.ReadDir("/proc")
	me := strconv.Itoa(os.Getpid())
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+2:])
		u, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		if e.Name() == me {
			self += u + st
		} else if strings.Contains(s[:i], "postgres") {
			pg += u + st
		}
	}
	return
}
