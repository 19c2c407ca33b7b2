package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type loadResult struct {
	rps float64
	p99 time.Duration
}

// load runs a closed loop of `clients` workers against urls on loopback for d and returns every
// latency. Every request must answer 200.
func load(b *testing.B, client *http.Client, urls []string, header http.Header, clients int, d time.Duration) []time.Duration {
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
				for k, v := range header {
					req.Header[k] = v
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

// benchDuration is how long each side of a comparison runs (KABINET_BENCH_SECONDS, default 5).
func benchDuration() time.Duration {
	dur := 5 * time.Second
	if s := os.Getenv("KABINET_BENCH_SECONDS"); s != "" {
		sec, _ := strconv.Atoi(s)
		dur = time.Duration(sec) * time.Second
	}
	return dur
}

// benchDB is a fresh SQLite database, or PostgreSQL with KABINET_BENCH_DB=postgres.
func benchDB(b *testing.B) *store.DB {
	if os.Getenv("KABINET_BENCH_DB") == "postgres" {
		return storetest.Postgres(b)
	}
	return storetest.SQLite(b)
}

// compareLoad measures urls (with header) under 64 concurrent clients against GET /healthz
// (which pings the database) on the same server in the same run, the two alternating in rounds
// of at most a second, so that whatever else the machine does meanwhile weighs on both alike.
// It reports requests/s and p99 of both, their ratios (name_rps_ratio: name/healthz), and the
// CPU time each request costs this process (server and clients) and the PostgreSQL server.
func compareLoad(b *testing.B, base, name string, urls []string, header http.Header) {
	dur := benchDuration()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rounds := max(4, int(dur/time.Second))
		var hzLat, tpLat []time.Duration
		var pgH, pgT, goH, goT float64
		for range rounds {
			p0, g0 := cpuTicks()
			hzLat = append(hzLat, load(b, client, []string{base + "/healthz"}, nil, 64, dur/time.Duration(rounds))...)
			p1, g1 := cpuTicks()
			tpLat = append(tpLat, load(b, client, urls, header, 64, dur/time.Duration(rounds))...)
			p2, g2 := cpuTicks()
			pgH += p1 - p0
			goH += g1 - g0
			pgT += p2 - p1
			goT += g2 - g1
		}
		perReq := func(ticks float64, n int) float64 { return ticks / clockTicks * 1e6 / float64(n) }
		b.ReportMetric(perReq(goH, len(hzLat)), "healthz_go_cpu_us/req")
		b.ReportMetric(perReq(pgH, len(hzLat)), "healthz_pg_cpu_us/req")
		b.ReportMetric(perReq(goT, len(tpLat)), name+"_go_cpu_us/req")
		b.ReportMetric(perReq(pgT, len(tpLat)), name+"_pg_cpu_us/req")
		hz, tp := summary(hzLat, dur), summary(tpLat, dur)
		b.ReportMetric(hz.rps, "healthz_req/s")
		b.ReportMetric(float64(hz.p99.Microseconds())/1000, "healthz_p99_ms")
		b.ReportMetric(tp.rps, name+"_req/s")
		b.ReportMetric(float64(tp.p99.Microseconds())/1000, name+"_p99_ms")
		b.ReportMetric(tp.rps/hz.rps, "rps_ratio")
		b.ReportMetric(float64(hz.p99)/float64(tp.p99), "p99_ratio")
	}
}

// BenchmarkTaxpayerLookupUnderLoad fills a register with KABINET_BENCH_PERSONS persons (default
// 20,000; `make bench` uses 1,000,000) through the bulk path and compares GET
// /api/v1/taxpayers/{tin} with /healthz (compareLoad).
func BenchmarkTaxpayerLookupUnderLoad(b *testing.B) {
	n := 20000
	if s := os.Getenv("KABINET_BENCH_PERSONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	sys := audit.Actor{Login: "bench", Role: "system"}
	var tins []string
	persons := demo.Persons(42, n)
	for start := 0; start < n; start += 2000 {
		res, err := a.Register.RegisterPersons(ctx, sys, persons[start:min(start+2000, n)])
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err == nil && r.Taxpayer != nil && len(tins) < 10000 {
				tins = append(tins, r.Taxpayer.TIN)
			}
		}
	}
	if _, err := a.Staff.Add(ctx, sys, "bench", staff.RoleOperator, "", "bench-password-1"); err != nil {
		b.Fatal(err)
	}
	tok, _, _ := a.Staff.IssueToken(ctx, sys, "bench", time.Hour)
	var urls []string
	for _, t := range tins {
		urls = append(urls, a.URL+"/api/v1/taxpayers/"+t)
	}
	compareLoad(b, a.URL, "lookup", urls, http.Header{"Authorization": {"Bearer " + tok}})
}

// BenchmarkSessionPageUnderLoad compares a whole back-office page that needs a staff session (the
// search form: the session's and the member's look-ups and the page's template, no register
// query) with /healthz (compareLoad).
func BenchmarkSessionPageUnderLoad(b *testing.B) { benchWithSession(b, "page", "/office/search") }

// BenchmarkAccountPageUnderLoad compares the identity provider's account page (GET /id/ with a
// citizen's session: the session's and the account's look-ups, the page's template) with
// /healthz (compareLoad), for a standard account and for a simplified one, whose page also reads
// its profile's verification (here one in progress, as after a submission).
func BenchmarkAccountPageUnderLoad(b *testing.B) {
	for _, level := range []identity.Level{identity.Standard, identity.Simplified} {
		b.Run(string(level), func(b *testing.B) {
			ctx := context.Background()
			a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
			n := identity.NewAccount{Surname: "Соколова", GivenName: "Анна", Phone: "+79161234567", Level: level, Password: "bench-password-1"}
			if level == identity.Standard {
				n.SNILS = "112-233-445 95"
			}
			acc, err := a.Identity.AddAccount(ctx, n)
			if err != nil {
				b.Fatal(err)
			}
			if level == identity.Simplified {
				p := identity.Profile{Sex: "female", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Москва", Citizenship: "RUS",
					SNILS: "112-233-445 95", Passport: identity.Document{Type: "passport_ru", Series: "4510", Number: "123456",
						IssuedOn: time.Date(2005, 5, 20, 0, 0, 0, 0, time.UTC)}}
				if err := a.Identity.SubmitProfile(ctx, acc.ID, p, identity.Origin{Lang: "ru"}); err != nil {
					b.Fatal(err)
				}
			}
			token, _, err := a.Sessions.Start(ctx, session.Start{Site: "id", Subject: acc.ID, Method: session.Password, Assurance: string(level)})
			if err != nil {
				b.Fatal(err)
			}
			compareLoad(b, a.URL, "account", []string{a.URL + "/id/"}, http.Header{"Cookie": {"__Host-kabinet_id=" + token}})
		})
	}
}

// BenchmarkSessionCheckUnderLoad compares the session check of the kit (GET /office/session with
// a staff session: the session's look-up, the viewer, a small JSON answer) with /healthz.
func BenchmarkSessionCheckUnderLoad(b *testing.B) { benchWithSession(b, "session", "/office/session") }

// benchWithSession compares path, asked with a staff session, with /healthz (compareLoad).
func benchWithSession(b *testing.B, name, path string) {
	ctx := context.Background()
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	if _, err := a.Staff.Add(ctx, audit.Actor{Login: "bench", Role: "system"}, "bench", staff.RoleInspector, "Бенч", "bench-password-1"); err != nil {
		b.Fatal(err)
	}
	token, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "bench", Method: session.Password, Assurance: "inspector"})
	if err != nil {
		b.Fatal(err)
	}
	compareLoad(b, a.URL, name, []string{a.URL + path}, http.Header{"Cookie": {"__Host-kabinet_office=" + token}})
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
