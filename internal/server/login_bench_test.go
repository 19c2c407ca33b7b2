package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/staff"
)

// BenchmarkStaffLoginCPU compares the CPU time of one whole staff login over HTTP (a JSON client
// starts the flow and posts the password: attempt limits, the argon2id check, the audit entry,
// the session) with one raw argon2id hash of the same parameters (loginCPU).
func BenchmarkStaffLoginCPU(b *testing.B) {
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	if _, err := a.Staff.Add(context.Background(), sys, "bench", staff.RoleInspector, "", "bench-password-1"); err != nil {
		b.Fatal(err)
	}
	loginCPU(b, a.URL+"/office/login", map[string]string{"login": "bench", "password": "bench-password-1"})
}

// BenchmarkCitizenLoginCPU compares the CPU time of one whole password login to the identity
// provider over HTTP (IDP-1: the login flow started and posted by a JSON client, the attempt
// limits, the argon2id check, the security event, the session) with one raw argon2id hash of the
// same parameters, the two in turn, one by one (loginCPUInTurn).
func BenchmarkCitizenLoginCPU(b *testing.B) {
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Анна",
		Phone: "+79161234567", Level: identity.Standard, SNILS: "112-233-445 95", Password: "bench-password-1"}); err != nil {
		b.Fatal(err)
	}
	loginCPUInTurn(b, a.URL+"/id/login", map[string]string{"login": "+7 916 123-45-67", "password": "bench-password-1"})
}

// loginCPUInTurn measures, as internal/cabinet's BenchmarkLoginCPU does, one whole login at
// loginURL (GET starts the flow as a JSON client, POST sends credentials; server and client are
// this process) and one raw argon2id hash of the default parameters one after the other, 40 of
// each, which goes first alternating: whatever else the machine does weighs on both alike (the
// hash's 19 MiB contend for the memory bus with every other process), and so does the garbage
// collection each hash's memory starts, which falls on whatever runs next. Each is timed by the
// process's CPU clock (getrusage, to the microsecond). On PostgreSQL (KABINET_BENCH_DB=postgres)
// the database server's CPU over the run, which only the logins use, is added to theirs.
// Reported: login_cpu_ms, hash_cpu_ms and their ratio (aim ≤ 1.05).
func loginCPUInTurn(b *testing.B, loginURL string, credentials map[string]string) {
	p := password.Default
	salt := []byte("0123456789abcdef")
	client := &http.Client{}
	body, _ := json.Marshal(credentials)
	u, _ := url.Parse(loginURL)
	login := func() {
		req, _ := http.NewRequest("GET", loginURL, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var f struct{ Action string }
		json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		req, _ = http.NewRequest("POST", u.Scheme+"://"+u.Host+f.Action, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err = client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("login: %d", resp.StatusCode)
		}
	}
	const n = 40
	login() // warm up: statements prepared, connections open
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pg0, _ := cpuTicks()
		loginT, hashT := apptest.InTurn(b, n, login, func() {
			argon2.IDKey([]byte("bench-password-1"), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
		})
		if pg1, _ := cpuTicks(); os.Getenv("KABINET_BENCH_DB") == "postgres" {
			loginT += time.Duration((pg1 - pg0) / clockTicks * float64(time.Second))
		}
		b.ReportMetric(float64(hashT.Microseconds())/1000/n, "hash_cpu_ms")
		b.ReportMetric(float64(loginT.Microseconds())/1000/n, "login_cpu_ms")
		b.ReportMetric(float64(loginT)/float64(hashT), "cpu_ratio")
	}
}

// loginCPU compares the CPU time of one whole login at loginURL (GET starts the flow as a JSON
// client, POST sends body) with one raw argon2id hash of the default parameters, alternating in
// rounds in the same run; the CPU of this process (server and client) and, on PostgreSQL
// (KABINET_BENCH_DB=postgres), of the database server. Reported: login_cpu_ms, hash_cpu_ms and
// their ratio (aim ≤ 1.05).
func loginCPU(b *testing.B, loginURL string, credentials map[string]string) {
	p := password.Default
	salt := []byte("0123456789abcdef")
	client := &http.Client{}
	login := func() {
		req, _ := http.NewRequest("GET", loginURL, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var f struct{ Action string }
		json.NewDecoder(resp.Body).Decode(&f)
		resp.Body.Close()
		body, _ := json.Marshal(credentials)
		u, _ := url.Parse(loginURL)
		req, _ = http.NewRequest("POST", u.Scheme+"://"+u.Host+f.Action, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err = client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("login: %d", resp.StatusCode)
		}
	}
	const n = 150
	login() // warm up: statements prepared, connections open
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var hashCPU, loginCPU float64
		// Alternate in rounds, so that whatever else the machine does weighs on both.
		for round := 0; round < 3; round++ {
			p0, g0 := cpuTicks()
			for j := 0; j < n/3; j++ {
				argon2.IDKey([]byte("bench-password-1"), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
			}
			p1, g1 := cpuTicks()
			for j := 0; j < n/3; j++ {
				login()
			}
			p2, g2 := cpuTicks()
			hashCPU += (g1 - g0) + (p1 - p0)
			loginCPU += (g2 - g1) + (p2 - p1)
		}
		ms := func(ticks float64) float64 { return ticks / clockTicks * 1000 / n }
		b.ReportMetric(ms(hashCPU), "hash_cpu_ms")
		b.ReportMetric(ms(loginCPU), "login_cpu_ms")
		b.ReportMetric(loginCPU/hashCPU, "cpu_ratio")
	}
}
