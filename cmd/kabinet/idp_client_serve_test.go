package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/session"
)

// `kabinet serve --public-url https://kabinet.example --oidc-alg RS256` (IDP-7), reached at its
// own address: discovery's issuer is the public URL exactly and every endpoint is under it; a
// code of a client registered with `idp client add` is exchanged at the token endpoint for an ID
// token that go-oidc verifies against that issuer allowing RS256 alone, by the RSA key the JWKS
// publishes; userinfo accepts the access token, whose iss is the public URL too.
func TestServePublicURLAndRS256(t *testing.T) {
	const public = "https://kabinet.example"
	dsn := filepath.Join(t.TempDir(), "kabinet.db")
	code, out, errOut := runCmd(t, "", "idp", "client", "add", "--db", dsn, "--id", "svc", "--redirect-uri", "https://svc.example/cb", "--trusted")
	if code != exitOK {
		t.Fatalf("client add: %d %s", code, errOut)
	}
	secret := strings.TrimSpace(out)
	code, out, errOut = runCmd(t, "Volga-river-2026\n", "idp", "account", "add", "--db", dsn, "--surname", "Соколова", "--given-name", "Елена",
		"--phone", "+79161234567", "--level", "simplified", "--password-stdin")
	if code != exitOK {
		t.Fatalf("account add: %d %s", code, errOut)
	}
	accountID := strings.TrimSpace(out)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr serveOutput
	exit := make(chan int, 1)
	vars := map[string]string{"KABINET_SECRET_KEY": testSecretKey}
	go func() {
		exit <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--public-url", public, "--oidc-alg", "RS256"},
			&env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }})
	}()
	var base string
	waitUntil(t, "serve to listen", func() bool {
		select {
		case c := <-exit:
			t.Fatalf("serve stopped: exit %d\n%s\n%s", c, stdout.String(), stderr.String())
		default:
		}
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		return base != ""
	})
	getJSON := func(u string, out any) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || json.Unmarshal(b, out) != nil {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
		}
	}
	var meta map[string]any
	getJSON(base+"/.well-known/openid-configuration", &meta)
	if meta["issuer"] != public || meta["token_endpoint"] != public+"/oidc/token" || meta["jwks_uri"] != public+"/oidc/jwks" ||
		meta["authorization_endpoint"] != public+"/oidc/authorize" || meta["userinfo_endpoint"] != public+"/oidc/userinfo" {
		t.Fatalf("discovery: %v", meta)
	}
	// A code, issued as the authorization endpoint would after the citizen's login.
	key, err := parseSecretKey([]byte(testSecretKey))
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(ctx, &dbFlags{dsn: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler), OIDC: app.OIDC{SecretKey: key}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := a.OIDC.Client(ctx, "svc")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := a.Identity.Account(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	const verifier = "serve-test-verifier-0123456789-abcdefghijklmnopq"
	challenge := sha256.Sum256([]byte(verifier))
	req, err := oidc.ParseAuthRequest(client, url.Values{"response_type": {"code"}, "client_id": {"svc"}, "redirect_uri": {"https://svc.example/cb"},
		"scope": {"openid profile"}, "nonce": {"n-0S6_WzA2Mj"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.OIDC.IssueCode(ctx, client, req, &oidc.SignIn{AccountID: acc.ID, SessionID: "s1", AuthTime: time.Now(), Method: session.Password}, acc)
	if err != nil {
		t.Fatal(err)
	}

	form := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {"https://svc.example/cb"}, "code_verifier": {verifier}}
	hr, _ := http.NewRequest("POST", base+"/oidc/token", strings.NewReader(form.Encode()))
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hr.SetBasicAuth("svc", url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var tok oidc.TokenResponse
	if resp.StatusCode != 200 || json.Unmarshal(raw, &tok) != nil {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, raw)
	}
	keys := gooidc.NewRemoteKeySet(ctx, base+"/oidc/jwks")
	v := gooidc.NewVerifier(public, keys, &gooidc.Config{ClientID: "svc", SupportedSigningAlgs: []string{"RS256"}})
	idt, err := v.Verify(ctx, tok.IDToken)
	if err != nil || idt.Subject != acc.ID || idt.Nonce != "n-0S6_WzA2Mj" {
		t.Fatalf("ID token: %v %+v", err, idt)
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.IDToken, ".")[0])
	json.Unmarshal(h, &hdr)
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	getJSON(base+"/oidc/jwks", &jwks)
	published := false
	for _, k := range jwks.Keys {
		published = published || k["kid"] == hdr.Kid && k["kty"] == "RSA" && k["alg"] == "RS256"
	}
	if hdr.Alg != "RS256" || !published {
		t.Fatalf("ID token header %+v; JWKS %v", hdr, jwks.Keys)
	}
	at, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[1])
	var atClaims map[string]any
	if json.Unmarshal(at, &atClaims) != nil || atClaims["iss"] != public {
		t.Fatalf("access token claims: %s", at)
	}
	ur, _ := http.NewRequest("GET", base+"/oidc/userinfo", nil)
	ur.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(ur)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(raw), acc.ID) {
		t.Fatalf("userinfo: %d %s", resp.StatusCode, raw)
	}

	cancel()
	select {
	case c := <-exit:
		if c != exitOK {
			t.Fatalf("serve: exit %d\n%s", c, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop")
	}
}
