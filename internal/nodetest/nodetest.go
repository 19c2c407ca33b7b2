// Package nodetest runs the tests' oracles written by others for Node.js: npm openid-client, an
// independent relying party (e2e/oidc/rp.mjs), and npm oidc-provider, an independent OpenID
// provider (e2e/oidc/provider.mjs), with the packages of e2e/package.json installed in
// e2e/node_modules (`make deps`, or `npm ci --prefix e2e`). Without Node.js 20 or later, or
// without the package, a test is skipped — except under CI=true, where their absence fails it.
// Tests only.
package nodetest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// e2eDir is the module's e2e directory, found once from the test's working directory (its
// package's) upwards.
func e2eDir(t testing.TB) string {
	t.Helper()
	dir, err := findE2E()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var findE2E = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "e2e"), nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("nodetest: no go.mod above the test's directory")
		}
		dir = up
	}
})

// missing skips the test for want of what, or fails it under CI=true.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s required under CI=true", what)
	}
	t.Skipf("%s not installed", what)
}

// Node returns the path of Node.js (20 or later) once npm package pkg is installed in
// e2e/node_modules.
func Node(t testing.TB, pkg string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "Node.js")
	}
	v, err := exec.Command(node, "--version").Output()
	major, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(strings.TrimSpace(string(v)), ".", 2)[0], "v"))
	if err != nil || major < 20 {
		missing(t, "Node.js 20 or later (found "+strings.TrimSpace(string(v))+")")
	}
	if _, err := os.Stat(filepath.Join(Modules(t), pkg, "package.json")); err != nil {
		missing(t, "npm "+pkg+" (make deps, or npm ci --prefix e2e, installs it)")
	}
	return node
}

// Modules is e2e/node_modules.
func Modules(t testing.TB) string { return filepath.Join(e2eDir(t), "node_modules") }

// Script is the path of one of the scripts of e2e/oidc.
func Script(t testing.TB, name string) string { return filepath.Join(e2eDir(t), "oidc", name) }

// FreePort returns a port of the loopback interface nobody listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ProviderOptions sets up oidc-provider: the port it listens on, its one client, the accounts
// it knows (their claims by id) and the one that logs in first.
type ProviderOptions struct {
	Port                                int
	ClientID, ClientSecret, RedirectURI string
	Accounts                            map[string]map[string]any
	Account                             string
}

// Provider is a running oidc-provider.
type Provider struct {
	Issuer string
}

// StartProvider runs oidc-provider (e2e/oidc/provider.mjs) until the test ends. It logs an
// account in without a page of its own; its issuer is http://127.0.0.1:{port}.
func StartProvider(t testing.TB, o ProviderOptions) *Provider {
	t.Helper()
	node := Node(t, "oidc-provider")
	in, _ := json.Marshal(map[string]any{"port": o.Port, "client_id": o.ClientID, "client_secret": o.ClientSecret,
		"redirect_uri": o.RedirectURI, "accounts": o.Accounts, "account": o.Account})
	cmd := exec.Command(node, Script(t, "provider.mjs"), Modules(t))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("provider.mjs:\n%s", stderr.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		var hello struct{ Issuer string }
		if err := json.Unmarshal([]byte(line), &hello); err != nil || hello.Issuer == "" {
			t.Fatalf("provider.mjs did not start: %q\n%s", line, stderr.String())
		}
		return &Provider{Issuer: hello.Issuer}
	case <-time.After(30 * time.Second):
		t.Fatalf("provider.mjs did not start in 30 s:\n%s", stderr.String())
	}
	return nil
}

// Use makes account the one the provider's next login gets.
func (p *Provider) Use(t testing.TB, account string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"account": account})
	resp, err := http.Post(p.Issuer+"/test/account", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("switch the account: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("switch the account: %s", resp.Status)
	}
}
