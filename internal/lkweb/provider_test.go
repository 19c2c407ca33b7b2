package lkweb_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-6 against an independent provider: npm oidc-provider (v9, OpenID-certified), run by Node
// (testdata/provider.mjs, oidc-provider from e2e/node_modules: `npm ci --prefix e2e`), is the
// provider of a kabinet started with --lk-oidc-issuer. Its fixed account logs in without a
// page. Skipped without Node or the package, except under CI=true, where their absence fails.

// nodeProvider is a running oidc-provider.
type nodeProvider struct {
	issuer string
}

// startNodeProvider runs testdata/provider.mjs on port with one client and the accounts given,
// account being the one that logs in, until the test ends.
func startNodeProvider(t *testing.T, port int, redirectURI string, accounts map[string]map[string]any, account string) *nodeProvider {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s required under CI=true", what)
		}
		t.Skipf("%s not installed", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("Node.js")
	}
	v, err := exec.Command(node, "--version").Output()
	major, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(strings.TrimSpace(string(v)), ".", 2)[0], "v"))
	if err != nil || major < 20 {
		missing("Node.js 20 or later (found " + strings.TrimSpace(string(v)) + ")")
	}
	modules, err := filepath.Abs(filepath.Join("..", "..", "e2e", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "oidc-provider", "package.json")); err != nil {
		missing("npm oidc-provider (npm ci --prefix e2e installs it)")
	}
	in, _ := json.Marshal(map[string]any{"port": port, "client_id": "kabinet-lk", "client_secret": "test-provider-secret-of-the-personal-account",
		"redirect_uri": redirectURI, "accounts": accounts, "account": account})
	cmd := exec.Command(node, filepath.Join("testdata", "provider.mjs"), modules)
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
		return &nodeProvider{issuer: hello.Issuer}
	case <-time.After(30 * time.Second):
		t.Fatalf("provider.mjs did not start in 30 s:\n%s", stderr.String())
	}
	return nil
}

// use makes account the one the next login gets.
func (n *nodeProvider) use(t *testing.T, account string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"account": account})
	resp, err := http.Post(n.issuer+"/test/account", "application/json", bytes.NewReader(b))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("switch the account: %v %v", resp, err)
	}
	resp.Body.Close()
}

// freePort returns a port of the loopback interface nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// The personal account's relying party against oidc-provider: a confirmed account of a taxpayer
// gets in (the claims from userinfo, the acr from the ID token), a mail-confirmed one is refused
// with the reason — and the refusal does not link kabinet's own pages, which are not the
// provider's.
func TestIdPLoginWithAnotherProvider(t *testing.T) {
	port := freePort(t)
	issuer := "http://127.0.0.1:" + strconv.Itoa(port)
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{LKOIDC: app.LKOIDC{Issuer: issuer, ClientID: "kabinet-lk",
		ClientSecret: "test-provider-secret-of-the-personal-account"}})
	tin, snils := taxpayer(t, a, "Кузнецова")
	tin2, snils2 := taxpayer(t, a, "Лебедева")
	np := startNodeProvider(t, port, a.URL+"/lk/oidc/callback", map[string]map[string]any{
		"alice": {"acr": "urn:kabinet:level:confirmed", "confirmation_method": "esign", "inn": tin, "snils": snils, "family_name": "Кузнецова"},
		"bob":   {"acr": "urn:kabinet:level:confirmed", "confirmation_method": "mail", "inn": tin2, "snils": snils2, "family_name": "Лебедева"},
	}, "alice")
	if np.issuer != issuer {
		t.Fatalf("issuer %q, want %q", np.issuer, issuer)
	}
	b := newBrowser(t, a.URL)
	p := b.idpLogin("")
	if !strings.Contains(p.url, "/lk/oidc/password") || p.status != 200 {
		t.Fatalf("login through oidc-provider: %s %d\n%.3000s", p.url, p.status, p.body)
	}
	if s, m := b.session(); s != tin || m != "identity_provider" {
		t.Fatalf("session %q %q", s, m)
	}

	np.use(t, "bob")
	b = newBrowser(t, a.URL)
	text := refusal(t, b.idpLogin(""), "mail")
	if strings.Contains(text, `href="/id/confirm"`) || !strings.Contains(text, "подскажет ваш поставщик удостоверений") {
		t.Errorf("another provider's refusal:\n%.3000s", text)
	}
	if s, _ := b.session(); s != "" {
		t.Fatal("a mail-confirmed account got in")
	}
}
