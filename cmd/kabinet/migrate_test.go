package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// kabinetRun runs the command with args, stdin and the environment env, and returns its exit
// code, standard output and standard error.
func kabinetRun(vars map[string]string, stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, testEnv(strings.NewReader(stdin), &out, &errOut, vars))
	return code, out.String(), errOut.String()
}

// testEnv is the outside world of a command a test runs: its streams and environment variables.
func testEnv(stdin io.Reader, stdout, stderr io.Writer, vars map[string]string) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: func(k string) string { return vars[k] }}
}

// The jurisdiction is chosen when the database is created and kept in it, on either engine:
// `migrate --profile kg` makes a Kyrgyz database; every later command on it follows it without
// --profile, and one given another --profile (the flag or KABINET_PROFILE) fails saying which
// jurisdiction the database has; a database made without --profile is Russian and stays so.
func TestProfileChosenAtMigrate(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			fresh := func() string {
				if engine == "postgres" {
					return storetest.URL(t)
				}
				return filepath.Join(t.TempDir(), "kabinet.db")
			}
			keys := map[string]string{"KABINET_SECRET_KEY": testSecretKey}
			dsn := fresh()
			if code, out, errOut := kabinetRun(keys, "", "migrate", "--db", dsn, "--profile", "kg"); code != 0 || !strings.Contains(out, "jurisdiction kg") {
				t.Fatalf("migrate --profile kg: %d %s %s", code, out, errOut)
			}
			for _, args := range [][]string{
				{"migrate", "--db", dsn, "--profile", "ru"},
				{"serve", "--db", dsn, "--profile", "ru", "--addr", "127.0.0.1:0"},
				{"staff", "add", "--db", dsn, "--profile", "ru", "--login", "ivanova", "--role", "inspector", "--password-stdin"},
				{"jobs", "list", "--db", dsn, "--profile", "ru"},
			} {
				code, out, errOut := kabinetRun(keys, "a-long-password\n", args...)
				if code != exitFailure || !strings.Contains(errOut, `the database belongs to the jurisdiction "kg"`) || !strings.Contains(errOut, "--profile ru") {
					t.Errorf("%v: %d %s %s", args, code, out, errOut)
				}
			}
			withEnv := map[string]string{"KABINET_SECRET_KEY": testSecretKey, "KABINET_PROFILE": "ru"}
			if code, _, errOut := kabinetRun(withEnv, "", "migrate", "--db", dsn); code != exitFailure || !strings.Contains(errOut, `"kg"`) {
				t.Errorf("KABINET_PROFILE=ru: %d %s", code, errOut)
			}
			if code, out, errOut := kabinetRun(keys, "", "migrate", "--db", dsn); code != 0 || !strings.Contains(out, "jurisdiction kg") {
				t.Errorf("migrate without --profile: %d %s %s", code, out, errOut)
			}
			if code, out, errOut := kabinetRun(keys, "a-long-password\n", "staff", "add", "--db", dsn, "--login", "asanova", "--role", "inspector", "--password-stdin"); code != 0 {
				t.Errorf("staff add without --profile: %d %s %s", code, out, errOut)
			}
			if code, out, errOut := kabinetRun(keys, "", "staff", "list", "--db", dsn, "--profile", "kg"); code != 0 || !strings.Contains(out, "asanova") {
				t.Errorf("staff list --profile kg: %d %s %s", code, out, errOut)
			}
			if code, _, errOut := kabinetRun(keys, "", "migrate", "--db", dsn, "--profile", "kz"); code != exitFailure || !strings.Contains(errOut, `unknown jurisdiction "kz"`) {
				t.Errorf("--profile kz: %d %s", code, errOut)
			}
			// A database made without --profile is Russian.
			ru := fresh()
			if code, out, errOut := kabinetRun(keys, "", "migrate", "--db", ru); code != 0 || !strings.Contains(out, "jurisdiction ru") {
				t.Fatalf("migrate: %d %s %s", code, out, errOut)
			}
			if code, _, errOut := kabinetRun(keys, "", "migrate", "--db", ru, "--profile", "kg"); code != exitFailure || !strings.Contains(errOut, `the database belongs to the jurisdiction "ru"`) {
				t.Errorf("--profile kg on a Russian database: %d %s", code, errOut)
			}
		})
	}
}

// `kabinet serve --profile kg --demo` on a new database seeds the Kyrgyz demo and prints how to
// try it: the inspector's login, a taxpayer and an organization with their ИНН, which the API
// then answers, the УГНС listed by /api/v1/offices; the identity provider is neither served nor
// mentioned (the jurisdiction has none).
func TestServeKyrgyzDemo(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "kabinet.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut serveOutput
	exit := make(chan int, 1)
	keys := map[string]string{"KABINET_SECRET_KEY": testSecretKey}
	go func() {
		exit <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--profile", "kg", "--demo", "--workers", "0"},
			testEnv(strings.NewReader(""), &out, &errOut, keys))
	}()
	var base string
	waitUntil(t, "serve to listen", func() bool {
		select {
		case code := <-exit:
			t.Fatalf("serve stopped: %d\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		m := listening.FindStringSubmatch(out.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	org := demo.KyrgyzOrganizations[0]
	for _, want := range []string{"jurisdiction: kg", `login "inspector"`, "ИНН " + org.TIN, org.ShortName, base + "/lk/login — a demo account: login ",
		"waits in the queue of УГНС 002", base + "/office/registrations", base + "/api/mobile/v1/login"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve's output lacks %q:\n%s", want, out.String())
		}
	}
	code, token, errText := kabinetRun(keys, "", "staff", "token", "--login", "inspector", "--db", dsn)
	if code != 0 {
		t.Fatalf("staff token: %d %s", code, errText)
	}
	get := func(path string) string {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	if b := get("/api/v1/offices"); !strings.Contains(b, "УГНС по Ленинскому району г. Бишкек") || strings.Contains(b, "ФНС") {
		t.Errorf("offices: %s", b)
	}
	if b := get("/api/v1/taxpayers/" + org.TIN); !strings.Contains(b, `"head":{"tin":"`) || !strings.Contains(b, "Жаңы Таң") {
		t.Errorf("organization: %s", b)
	}
	// KG-1, KG-2: the printed curl logs the demo account in from the mobile API; the pending
	// application is in the demo inspector's queue.
	m := demoCurl.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no curl of the mobile API:\n%s", out.String())
	}
	resp, err := http.Post(base+"/api/mobile/v1/login", "application/json", strings.NewReader(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"token_type":"Bearer"`) {
		t.Errorf("the demo's mobile login: %d %s", resp.StatusCode, b)
	}
	if n := demoApplication.FindStringSubmatch(out.String()); n == nil || n[1] == "" {
		t.Errorf("no pending application printed:\n%s", out.String())
	}
	// The Kyrgyz Republic has no identity provider: the demo neither serves nor mentions it.
	for _, path := range []string{"/id/", "/id/login", "/.well-known/openid-configuration", "/oidc/authorize"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s on kg: %d", path, resp.StatusCode)
		}
	}
	if strings.Contains(out.String(), "/id/") || strings.Contains(out.String(), "operator") {
		t.Errorf("the kg demo points to the identity provider:\n%s", out.String())
	}
	cancel()
	if code := <-exit; code != 0 {
		t.Errorf("serve exit %d: %s", code, errOut.String())
	}
}

var (
	demoCurl        = regexp.MustCompile(`-d '(\{"login":[^']+\})' http`)
	demoApplication = regexp.MustCompile(`application No\. (\d{4}-\d{6}) \(`)
)
