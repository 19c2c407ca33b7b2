package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/store"
)

// The OpenID Connect provider's benchmarks (IDP-7): the token endpoint's two grants per
// CPU-second, and userinfo under load against /healthz.

const (
	oidcBenchRedirect = "http://127.0.0.1:9/callback"
	oidcBenchVerifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
)

// oidcBench is an application with a client (client_secret_basic) and a confirmed citizen
// signed in, issuing codes without a browser.
type oidcBench struct {
	a      *apptest.App
	client *oidc.Client
	secret string
	acc    *identity.Account
	in     *oidc.SignIn
	http   *http.Client
	// postmaster is the PID of the PostgreSQL server of the database (0 on SQLite): its CPU
	// and its backends' is counted, and no other cluster's on the machine.
	postmaster int
}

func newOIDCBench(b *testing.B) *oidcBench {
	ctx := context.Background()
	db := benchDB(b)
	a := apptest.Start(b, db, apptest.Options{Hash: &password.Default})
	postmaster := 0
	if db.Dialect == store.Postgres {
		var backend int
		if err := db.SQL.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
			b.Fatal(err)
		}
		postmaster, _ = procStat(backend)
	}
	c, secret, err := a.OIDC.AddClient(ctx, oidc.NewClient{ID: "bench", Name: "Бенч", RedirectURIs: []string{oidcBenchRedirect}, Trusted: true})
	if err != nil {
		b.Fatal(err)
	}
	acc, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: "Соколова", GivenName: "Анна", Patronymic: "Сергеевна", Phone: "+79161234567",
		Email: "anna@example.ru", SNILS: "112-233-445 95", INN: "500100732259", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC),
		Level: identity.Confirmed, Method: identity.ServiceCenter, Password: "bench-password-1"})
	if err != nil {
		b.Fatal(err)
	}
	return &oidcBench{a: a, client: c, secret: secret, acc: acc, postmaster: postmaster,
		in:   &oidc.SignIn{AccountID: acc.ID, SessionID: "bench-session", AuthTime: a.Clock.Now(), Method: session.Password},
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// codes issues n authorization codes for scope, with an S256 challenge of oidcBenchVerifier.
func (o *oidcBench) codes(b *testing.B, n int, scope string) []string {
	h := sha256.Sum256([]byte(oidcBenchVerifier))
	req, err := oidc.ParseAuthRequest(o.client, url.Values{"response_type": {"code"}, "client_id": {"bench"}, "redirect_uri": {oidcBenchRedirect},
		"scope": {scope}, "nonce": {"n-0S6_WzA2Mj"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(h[:])}, "code_challenge_method": {"S256"}})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = o.a.OIDC.IssueCode(context.Background(), o.client, req, o.in, o.acc); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// token posts a grant to the token endpoint with client_secret_basic and returns the answer.
func (o *oidcBench) token(b *testing.B, form url.Values) oidc.TokenResponse {
	req, _ := http.NewRequest("POST", o.a.URL+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("bench", url.QueryEscape(o.secret))
	resp, err := o.http.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var res oidc.TokenResponse
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(raw, &res) != nil {
		b.Fatalf("token endpoint: %d %s", resp.StatusCode, raw)
	}
	return res
}

// tokenReq is a grant for the load generator.
func (o *oidcBench) tokenReq(form url.Values) loadReq {
	return loadReq{URL: o.a.URL + "/oidc/token", Form: form.Encode(),
		Header: http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("bench:"+url.QueryEscape(o.secret)))}}}
}

func exchangeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oidcBenchRedirect}, "code_verifier": {oidcBenchVerifier}}
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

// oidcOps is how many grants each benchmark measures (KABINET_BENCH_SECONDS × 400: 2,000 by
// default).
func oidcOps() int { return max(400, int(benchDuration().Seconds())*400) }

// loadReq is one request the load generator sends: a GET, or a POST of a form.
type loadReq struct {
	URL    string      `json:"url"`
	Header http.Header `json:"header,omitempty"`
	Form   string      `json:"form,omitempty"`
}

// loadClients is how many requests the load generator has in flight.
const loadClients = 8

// TestLoadGenerator is no test: it is the child process from which the CPU benchmarks of the
// OpenID Connect provider send their requests (offload), so that the benchmark's own process —
// the server — is measured alone. Without KABINET_LOAD_REQUESTS (a file of loadReq) it does
// nothing.
func TestLoadGenerator(t *testing.T) {
	file := os.Getenv("KABINET_LOAD_REQUESTS")
	if file == "" {
		return
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []loadReq
	if err := json.Unmarshal(raw, &reqs); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}}
	var wg sync.WaitGroup
	var failed sync.Once
	for w := range loadClients {
		wg.Go(func() {
			for i := w; i < len(reqs); i += loadClients {
				r := reqs[i]
				method, body := "GET", io.Reader(nil)
				if r.Form != "" {
					method, body = "POST", strings.NewReader(r.Form)
				}
				req, _ := http.NewRequest(method, r.URL, body)
				for k, v := range r.Header {
					req.Header[k] = v
				}
				if r.Form != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := client.Do(req)
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("%s: %d %.300s", r.URL, resp.StatusCode, b)
					}
				}
				if err != nil {
					failed.Do(func() { t.Error(err) })
					return
				}
			}
		})
	}
	wg.Wait()
}

// selfTicks is the CPU this process has used, in clock ticks but to the microsecond (getrusage;
// /proc counts whole ticks).
func selfTicks() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9 * clockTicks
}

// procStat returns the parent and the CPU ticks (user and system) of process pid.
func procStat(pid int) (ppid int, ticks float64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ppid, _ = strconv.Atoi(f[1])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return ppid, u + st
}

// clusterTicks is the CPU used so far by the PostgreSQL server postmaster and its processes
// (0 for none).
func clusterTicks(postmaster int) float64 {
	if postmaster == 0 {
		return 0
	}
	_, total := procStat(postmaster)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, t := procStat(pid); ppid == postmaster {
			total += t
		}
	}
	return total
}

// offload sends reqs from a child process (TestLoadGenerator) and returns the CPU ticks this
// process (the server) and its PostgreSQL server used meanwhile.
func offload(b *testing.B, o *oidcBench, reqs []loadReq) (self, pg float64) {
	raw, _ := json.Marshal(reqs)
	file := filepath.Join(b.TempDir(), "requests.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadGenerator$", "-test.count=1")
	cmd.Env = append(os.Environ(), "KABINET_LOAD_REQUESTS="+file)
	p0, g0 := clusterTicks(o.postmaster), selfTicks()
	out, err := cmd.CombinedOutput()
	g1, p1 := selfTicks(), clusterTicks(o.postmaster)
	if err != nil {
		b.Fatalf("load generator: %v\n%s", err, out)
	}
	return g1 - g0, p1 - p0
}

// grantCPU measures the server's CPU for reqs (grants, sent by loadClients clients of another
// process) against as many GET /healthz, alternating in rounds: the CPU of this process (the
// server alone) and of PostgreSQL (KABINET_BENCH_DB=postgres). Reported: name per CPU-second,
// the CPU of one (go and pg, µs), healthz per CPU-second, and the ratio of their CPU costs.
func grantCPU(b *testing.B, o *oidcBench, name string, reqs []loadReq) {
	const rounds = 4
	n := len(reqs)
	healthz := make([]loadReq, n/rounds)
	for i := range healthz {
		healthz[i] = loadReq{URL: o.a.URL + "/healthz"}
	}
	var gGo, gPG, hGo, hPG float64
	for r := range rounds {
		g, p := offload(b, o, healthz)
		hGo, hPG = hGo+g, hPG+p
		g, p = offload(b, o, reqs[r*n/rounds:(r+1)*n/rounds])
		gGo, gPG = gGo+g, gPG+p
	}
	sec := func(ticks float64) float64 { return ticks / clockTicks }
	us := func(ticks float64) float64 { return sec(ticks) * 1e6 / float64(n) }
	b.ReportMetric(float64(n)/sec(gGo+gPG), name+"/cpu_s")
	b.ReportMetric(us(gGo), name+"_go_cpu_us")
	b.ReportMetric(us(gPG), name+"_pg_cpu_us")
	b.ReportMetric(float64(len(healthz)*rounds)/sec(hGo+hPG), "healthz/cpu_s")
	b.ReportMetric(((gGo+gPG)/float64(n))/((hGo+hPG)/float64(len(healthz)*rounds)), "cpu_ratio")
}

// BenchmarkTokenExchangeCPU measures authorization-code exchanges at the token endpoint
// (client_secret_basic, the code claimed and read by one UPDATE … RETURNING, the PKCE check and
// the grant stored in the same transaction, an ID token and a JWT access token signed with
// ES256) per CPU-second of the server (grantCPU; aim ≥ 2,000).
func BenchmarkTokenExchangeCPU(b *testing.B) {
	o := newOIDCBench(b)
	o.token(b, exchangeForm(o.codes(b, 1, "openid profile")[0])) // warm up: the key made, statements prepared
	for b.Loop() {
		n := oidcOps()
		var reqs []loadReq
		for _, c := range o.codes(b, n, "openid profile snils") {
			reqs = append(reqs, o.tokenReq(exchangeForm(c)))
		}
		grantCPU(b, o, "exchanges", reqs)
	}
}

// BenchmarkRefreshCPU measures refresh grants (the refresh token claimed by one UPDATE …
// RETURNING, its grant read and its successor stored in the same transaction, the account read
// for its level, a new ID token and access token signed) per CPU-second of the server
// (grantCPU; aim ≥ 2,000).
func BenchmarkRefreshCPU(b *testing.B) {
	o := newOIDCBench(b)
	for b.Loop() {
		n := oidcOps()
		var reqs []loadReq
		for _, c := range o.codes(b, n, "openid profile offline_access") {
			reqs = append(reqs, o.tokenReq(refreshForm(o.token(b, exchangeForm(c)).RefreshToken)))
		}
		grantCPU(b, o, "refreshes", reqs)
	}
}

// BenchmarkUserInfoUnderLoad compares userinfo with a JWT access token (its signature checked,
// its grant and the account read) with /healthz under 64 clients (compareLoad; aim ≥ 0.5).
func BenchmarkUserInfoUnderLoad(b *testing.B) {
	o := newOIDCBench(b)
	res := o.token(b, exchangeForm(o.codes(b, 1, "openid profile email snils")[0]))
	compareLoad(b, o.a.URL, "userinfo", []string{o.a.URL + "/oidc/userinfo"}, http.Header{"Authorization": {"Bearer " + res.AccessToken}})
}
