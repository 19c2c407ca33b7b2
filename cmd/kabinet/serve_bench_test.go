package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkServeIdleMemory measures the memory of a real `kabinet serve` process (built here,
// on a SQLite file) idle after OpenID Connect load (IDP-7): a citizen logged in once, then
// KABINET_BENCH_LOGINS logins (2,000 by default) of a trusted client, each an authorization, a
// code exchange, a refresh and two userinfo calls, by 8 clients at once. Reported: the
// resident set (all of it, and its anonymous part) at start and after KABINET_BENCH_IDLE
// seconds of idleness (10 by default), and Go's heap in use then (its /metrics), in MB; and, the server's process measured alone, code
// exchanges and refreshes per CPU-second of it (Dex: 43 MB idle; Keycloak: 1,250 MB).
func BenchmarkServeIdleMemory(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "kabinet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	key := make([]byte, 32)
	rand.Read(key)
	env := append(os.Environ(), "KABINET_SECRET_KEY="+base64.StdEncoding.EncodeToString(key), "KABINET_DB="+filepath.Join(dir, "kabinet.db"))
	command := func(stdin string, args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("kabinet %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	const phone, pw, redirect = "+79161234567", "bench-password-1", "http://127.0.0.1:9/cb"
	command(pw+"\n", "idp", "account", "add", "--surname", "Соколова", "--given-name", "Анна", "--phone", phone, "--snils", "112-233-445 95",
		"--birth-date", "1985-04-12", "--level", "confirmed", "--confirmed-by", "service_center", "--password-stdin")
	secret := command("", "idp", "client", "add", "--id", "bench", "--name", "Бенч", "--redirect-uri", redirect, "--trusted")

	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--workers", "1")
	serve.Env = env
	stdout, _ := serve.StdoutPipe()
	var stderr bytes.Buffer
	serve.Stderr = &stderr
	if err := serve.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	base := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := regexp.MustCompile(`listening on (http://[^/]+)/`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		b.Fatalf("kabinet serve did not start: %s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	pid := serve.Process.Pid

	logins := 2000
	if s := os.Getenv("KABINET_BENCH_LOGINS"); s != "" {
		logins, _ = strconv.Atoi(s)
	}
	idle := 10 * time.Second
	if s := os.Getenv("KABINET_BENCH_IDLE"); s != "" {
		sec, _ := strconv.Atoi(s)
		idle = time.Duration(sec) * time.Second
	}
	c := &benchClient{b: b, base: base, secret: secret, redirect: redirect,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.login(phone, pw)
	time.Sleep(time.Second)
	rssStart, anonStart := procStatus(b, pid, "VmRSS"), procStatus(b, pid, "RssAnon")

	for b.Loop() {
		var exchangeCPU, refreshCPU float64
		const batch = 500 // codes live a minute: each batch is exchanged at once
		for done := 0; done < logins; done += batch {
			n := min(batch, logins-done)
			codes := make([]string, n)
			parallel(n, func(i int) { codes[i] = c.authorize() })
			tokens := make([]tokenAnswer, n)
			t0 := procTicks(b, pid)
			parallel(n, func(i int) {
				tokens[i] = c.token(url.Values{"grant_type": {"authorization_code"}, "code": {codes[i]}, "redirect_uri": {redirect}, "code_verifier": {benchVerifier}})
			})
			t1 := procTicks(b, pid)
			parallel(n, func(i int) {
				tokens[i] = c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokens[i].RefreshToken}})
			})
			t2 := procTicks(b, pid)
			parallel(n, func(i int) { c.userinfo(tokens[i].AccessToken); c.userinfo(tokens[i].AccessToken) })
			exchangeCPU += t1 - t0
			refreshCPU += t2 - t1
		}
		const ticksPerSecond = 100 // USER_HZ, the unit of /proc/PID/stat
		b.ReportMetric(float64(logins)/(exchangeCPU/ticksPerSecond), "exchanges/server_cpu_s")
		b.ReportMetric(float64(logins)/(refreshCPU/ticksPerSecond), "refreshes/server_cpu_s")
	}
	time.Sleep(idle)
	b.ReportMetric(rssStart/1024, "rss_start_MB")
	b.ReportMetric(procStatus(b, pid, "VmRSS")/1024, "rss_idle_MB")
	// The resident set counts the pages of the binary and of the database file SQLite maps;
	// the anonymous part is the process's own memory.
	b.ReportMetric(anonStart/1024, "rss_anon_start_MB")
	b.ReportMetric(procStatus(b, pid, "RssAnon")/1024, "rss_anon_idle_MB")
	b.ReportMetric(c.metric("go_memstats_heap_inuse_bytes")/(1<<20), "heap_inuse_MB")
}

// parallel runs f(0…n-1) by 8 goroutines.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// procStatus returns a field of /proc/PID/status in kB.
func procStatus(b *testing.B, pid int, field string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// procTicks returns the CPU a process has used (user and system, in clock ticks).
func procTicks(b *testing.B, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return u + st
}

const benchVerifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"

// benchClient is a citizen's app and a relying party at once, over HTTP.
type benchClient struct {
	b                      *testing.B
	base, secret, redirect string
	session                string
	http                   *http.Client
}

func (c *benchClient) do(req *http.Request, want int) (*http.Response, []byte) {
	resp, err := c.http.Do(req)
	if err != nil {
		c.b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.b.Fatalf("%s %s: %d %.300s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	return resp, body
}

// login logs the citizen in as a JSON client and keeps the session token.
func (c *benchClient) login(phone, pw string) {
	req, _ := http.NewRequest("GET", c.base+"/id/login", nil)
	req.Header.Set("Accept", "application/json")
	_, body := c.do(req, 200)
	var f struct{ Action string }
	json.Unmarshal(body, &f)
	creds, _ := json.Marshal(map[string]string{"login": phone, "password": pw})
	req, _ = http.NewRequest("POST", c.base+f.Action, bytes.NewReader(creds))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	_, body = c.do(req, 200)
	var s struct {
		Result struct {
			Token string `json:"session_token"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &s); s.Result.Token == "" {
		c.b.Fatalf("login: %s", body)
	}
	c.session = s.Result.Token
}

// authorize asks for a code with the citizen's session (a trusted client: no consent).
func (c *benchClient) authorize() string {
	h := sha256.Sum256([]byte(benchVerifier))
	q := url.Values{"client_id": {"bench"}, "redirect_uri": {c.redirect}, "response_type": {"code"}, "scope": {"openid profile snils offline_access"},
		"state": {"s"}, "nonce": {"n"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(h[:])}, "code_challenge_method": {"S256"}}
	req, _ := http.NewRequest("GET", c.base+"/oidc/authorize?"+q.Encode(), nil)
	req.Header.Set("X-Session-Token", c.session)
	resp, _ := c.do(req, http.StatusSeeOther)
	u, _ := url.Parse(resp.Header.Get("Location"))
	code := u.Query().Get("code")
	if code == "" {
		c.b.Fatalf("authorize: sent to %s", resp.Header.Get("Location"))
	}
	return code
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// token posts a grant with client_secret_basic.
func (c *benchClient) token(form url.Values) tokenAnswer {
	req, _ := http.NewRequest("POST", c.base+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("bench", url.QueryEscape(c.secret))
	_, body := c.do(req, 200)
	var t tokenAnswer
	json.Unmarshal(body, &t)
	return t
}

func (c *benchClient) userinfo(at string) {
	req, _ := http.NewRequest("GET", c.base+"/oidc/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	c.do(req, 200)
}

// metric reads a value of the server's /metrics.
func (c *benchClient) metric(name string) float64 {
	req, _ := http.NewRequest("GET", c.base+"/metrics", nil)
	_, body := c.do(req, 200)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	c.b.Fatalf("no %s in /metrics", name)
	return 0
}
