package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/staff"
)

// BenchmarkStaffLoginCPU compares the server's CPU for one whole staff login over HTTP (a JSON
// client starts the flow and posts the password: attempt limits, the argon2id check, the audit
// entry, the session) with one raw argon2id hash of the same parameters (loginCPUInTurn).
func BenchmarkStaffLoginCPU(b *testing.B) {
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	if _, err := a.Staff.Add(context.Background(), sys, "bench", staff.RoleInspector, "", "bench-password-1"); err != nil {
		b.Fatal(err)
	}
	loginCPUInTurn(b, a.URL+"/office/login", map[string]string{"login": "bench", "password": "bench-password-1"})
}

// BenchmarkCitizenLoginCPU compares the server's CPU for one whole password login to the
// identity provider over HTTP (IDP-1: the login flow started and posted by a JSON client, the
// attempt limits, the argon2id check, the security event, the session) with one raw argon2id
// hash of the same parameters (loginCPUInTurn).
func BenchmarkCitizenLoginCPU(b *testing.B) {
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Анна",
		Phone: "+79161234567", Level: identity.Standard, SNILS: "112-233-445 95", Password: "bench-password-1"}); err != nil {
		b.Fatal(err)
	}
	loginCPUInTurn(b, a.URL+"/id/login", map[string]string{"login": "+7 916 123-45-67", "password": "bench-password-1"})
}

// loginCPUInTurn measures, as internal/cabinet's BenchmarkLoginCPU does, one whole login at
// loginURL and one raw argon2id hash of the default parameters one after the other, 40 of each,
// which goes first alternating (apptest.InTurn): whatever else the machine does weighs on both
// alike, and so does the garbage collection each hash's memory starts. The logins are made by a
// client in another process (TestLoginClient: GET starts the flow as a JSON client, POST sends
// the credentials), so that the CPU counted — this process's, by getrusage — is the server's
// alone, as the token endpoint's benchmarks count it. On PostgreSQL (KABINET_BENCH_DB=postgres)
// the database server's CPU over the run, which only the logins use, is added to theirs.
// Reported: login_cpu_ms, hash_cpu_ms and their ratio (aim ≤ 1.05).
func loginCPUInTurn(b *testing.B, loginURL string, credentials map[string]string) {
	p := password.Default
	salt := []byte("0123456789abcdef")
	login := loginClient(b, loginURL, credentials)
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

// loginClient starts the login client (TestLoginClient) in a child process and returns what
// makes it sign in once, waiting for the answer; the child ends with the benchmark.
func loginClient(b *testing.B, loginURL string, credentials map[string]string) func() {
	body, _ := json.Marshal(credentials)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoginClient$", "-test.count=1")
	cmd.Env = append(os.Environ(), "KABINET_LOGIN_URL="+loginURL, "KABINET_LOGIN_BODY="+string(body))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close()
		io.Copy(io.Discard, out)
		cmd.Wait()
	})
	answers := bufio.NewReader(out)
	return func() {
		if _, err := in.Write([]byte("\n")); err != nil {
			b.Fatal(err)
		}
		if line, err := answers.ReadString('\n'); err != nil || line != "ok\n" {
			b.Fatalf("login client: %q %v", line, err)
		}
	}
}

// TestLoginClient is no test: it is the child process from which the login benchmarks sign in
// (loginClient): one whole login at KABINET_LOGIN_URL with the JSON credentials
// KABINET_LOGIN_BODY for each line read on its standard input, answered by a line "ok" or the
// error on its standard output. Without KABINET_LOGIN_URL it does nothing.
func TestLoginClient(t *testing.T) {
	loginURL := os.Getenv("KABINET_LOGIN_URL")
	if loginURL == "" {
		return
	}
	body := []byte(os.Getenv("KABINET_LOGIN_BODY"))
	client := &http.Client{}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if err := loginOnce(client, loginURL, body); err != nil {
			fmt.Fprintln(os.Stdout, "error:", err)
			continue
		}
		fmt.Fprintln(os.Stdout, "ok")
	}
}

// loginOnce signs in at loginURL as a JSON client: GET starts the flow, POST sends body to its
// action.
func loginOnce(client *http.Client, loginURL string, body []byte) error {
	u, err := url.Parse(loginURL)
	if err != nil {
		return err
	}
	req, _ := http.NewRequest("GET", loginURL, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	var f struct{ Action string }
	err = json.NewDecoder(resp.Body).Decode(&f)
	resp.Body.Close()
	if err != nil || f.Action == "" {
		return fmt.Errorf("the login flow: %d %v", resp.StatusCode, err)
	}
	req, _ = http.NewRequest("POST", u.Scheme+"://"+u.Host+f.Action, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("login: %d", resp.StatusCode)
	}
	return nil
}
