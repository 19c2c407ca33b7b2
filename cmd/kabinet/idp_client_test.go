package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
)

// testSecretKey is a secret key for the command's tests (base64 of 32 bytes).
var testSecretKey = base64.StdEncoding.EncodeToString([]byte("kabinet-cmd-test-secret-key-32b!"))

// runEnv runs the command with an environment.
func runEnv(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }})
	return code, out.String(), errb.String()
}

var secretLine = regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`)

// `kabinet idp client …` (IDP-7), the contract the checks use: add prints the secret once and
// only it (nothing for a public client); list shows no secret; rotate-secret prints a new one;
// remove removes.
func TestIdpClientCommand(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, _ *store.DB) {
		code, out, errOut := runCmd(t, "", "idp", "client", "add", "--db", dsn, "--id", "clinic", "--redirect-uri", "https://clinic.example/cb",
			"--redirect-uri", "http://127.0.0.1:8081/cb", "--trusted", "--scope", "openid profile", "--scope", "snils", "--name", "Запись к врачу",
			"--post-logout-redirect-uri", "https://clinic.example/bye", "--pairwise", "--sector", "clinic.example")
		if code != exitOK || !secretLine.MatchString(out) || !strings.Contains(errOut, "clinic") {
			t.Fatalf("add: %d %q %s", code, out, errOut)
		}
		secret := strings.TrimSpace(out)
		code, out, errOut = runCmd(t, "", "idp", "client", "add", "--db", dsn, "--id", "spa", "--redirect-uri", "http://localhost:5173/cb", "--public")
		if code != exitOK || out != "" {
			t.Fatalf("add --public: %d %q %s", code, out, errOut)
		}
		jwks := filepath.Join(t.TempDir(), "jwks.json")
		os.WriteFile(jwks, []byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","alg":"ES256"}]}`), 0o600)
		code, out, errOut = runCmd(t, "", "idp", "client", "add", "--db", dsn, "--id", "bank", "--redirect-uri", "https://bank.example/cb", "--jwks-file", jwks)
		if code != exitOK || out != "" {
			t.Fatalf("add --jwks-file: %d %q %s", code, out, errOut)
		}
		for _, args := range [][]string{
			{"--id", "clinic", "--redirect-uri", "https://x.example/"}, // taken
			{"--id", "x", "--redirect-uri", "http://x.example/cb"},     // http elsewhere than loopback
			{"--id", "x", "--redirect-uri", "https://x.example/", "--scope", "all"},
			{"--id", "x"},
		} {
			code, out, errOut := runCmd(t, "", append([]string{"idp", "client", "add", "--db", dsn}, args...)...)
			if code != exitFailure || out != "" || errOut == "" {
				t.Errorf("add %v: %d %q %s", args, code, out, errOut)
			}
		}
		code, out, _ = runCmd(t, "", "idp", "client", "list", "--db", dsn, "--json")
		var list []clientJSON
		if err := json.Unmarshal([]byte(out), &list); err != nil || code != exitOK || len(list) != 3 {
			t.Fatalf("list: %d %s", code, out)
		}
		c := list[1]
		if c.ID != "clinic" || c.Name != "Запись к врачу" || !c.Trusted || c.Public || c.AuthMethod != "client_secret_basic" ||
			strings.Join(c.Scopes, " ") != "openid profile snils" || c.SubjectType != "pairwise" || c.Sector != "clinic.example" ||
			len(c.RedirectURIs) != 2 || c.PostLogoutURIs[0] != "https://clinic.example/bye" || list[0].AuthMethod != "private_key_jwt" || !list[2].Public {
			t.Fatalf("listed: %+v", list)
		}
		if strings.Contains(out, secret) {
			t.Fatal("list prints a secret")
		}
		if code, out, _ := runCmd(t, "", "idp", "client", "list", "--db", dsn); code != exitOK || !strings.Contains(out, "clinic") || strings.Contains(out, secret) {
			t.Fatalf("list: %s", out)
		}
		code, out, _ = runCmd(t, "", "idp", "client", "rotate-secret", "--db", dsn, "clinic")
		if code != exitOK || !secretLine.MatchString(out) || strings.TrimSpace(out) == secret {
			t.Fatalf("rotate-secret: %d %q", code, out)
		}
		if code, _, _ := runCmd(t, "", "idp", "client", "rotate-secret", "--db", dsn, "spa"); code != exitFailure {
			t.Fatal("a public client got a secret")
		}
		if code, _, errOut := runCmd(t, "", "idp", "client", "remove", "--db", dsn, "clinic"); code != exitOK {
			t.Fatalf("remove: %s", errOut)
		}
		if code, _, _ := runCmd(t, "", "idp", "client", "remove", "--db", dsn, "clinic"); code != exitFailure {
			t.Fatal("removed twice")
		}
		for _, args := range [][]string{{"idp", "client"}, {"idp", "client", "drop"}, {"idp", "client", "remove"}, {"idp", "keys"}, {"idp", "keys", "rotate", "extra"}} {
			if code, _, _ := runCmd(t, "", args...); code != exitUsage {
				t.Errorf("%v: %d", args, code)
			}
		}
	})
}

// The secret key: from --secret-key-file, KABINET_SECRET_KEY, or the default file beside the
// SQLite database, which serve makes (with a warning) and the others only read; a process
// with another key than the one that encrypted the signing keys is refused.
func TestSecretKey(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "kabinet.db")
	if code, _, errOut := runCmd(t, "", "idp", "keys", "rotate", "--db", dsn); code != exitUsage || !strings.Contains(errOut, "KABINET_SECRET_KEY") {
		t.Fatalf("no key: %d %s", code, errOut)
	}
	var errb bytes.Buffer
	e := &env{stderr: &errb, getenv: func(string) string { return "" }}
	k1, where, err := secretKey(e, dsn, "", true)
	if err != nil || len(k1) != 32 || where != filepath.Join(dir, SecretKeyFile) || !strings.Contains(errb.String(), "WARNING") {
		t.Fatalf("made: %v %q %s", err, where, errb.String())
	}
	if fi, err := os.Stat(where); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v", fi, err)
	}
	errb.Reset()
	k2, _, err := secretKey(e, dsn, "", true)
	if err != nil || !bytes.Equal(k1, k2) || errb.Len() != 0 {
		t.Fatalf("read again: %v %s", err, errb.String())
	}
	// The default file is used by the tools; the environment takes precedence over it.
	if code, out, errOut := runCmd(t, "", "idp", "keys", "rotate", "--db", dsn); code != exitOK || !strings.Contains(out, "ES256") {
		t.Fatalf("rotate with the default file: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runEnv(t, map[string]string{"KABINET_SECRET_KEY": testSecretKey}, "idp", "keys", "rotate", "--db", dsn); code != exitFailure ||
		!strings.Contains(errOut, "another secret key") {
		t.Fatalf("another key: %d %s", code, errOut)
	}
	other := filepath.Join(dir, "other.key")
	os.WriteFile(other, []byte(testSecretKey+"\n"), 0o600)
	if code, _, _ := runCmd(t, "", "idp", "keys", "rotate", "--db", dsn, "--secret-key-file", other); code != exitFailure {
		t.Fatal("another key from a file accepted")
	}
	for _, bad := range []string{"short", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if code, _, _ := runEnv(t, map[string]string{"KABINET_SECRET_KEY": bad}, "idp", "keys", "rotate", "--db", dsn); code != exitUsage {
			t.Errorf("a bad key %q accepted", bad)
		}
	}
	if k, err := parseSecretKey([]byte("kabinet-cmd-test-secret-key-32b!")); err != nil || len(k) != 32 {
		t.Fatalf("raw bytes: %v", err)
	}
}

// `idp client add --jwks-url` (IDP-7, private_key_jwt by URL): the client is registered without
// a secret, its URL listed; http is refused elsewhere than the loopback interface, a URL with a
// key file or with a secret's method too; the registered client then authenticates with an
// assertion its key signed, its key set fetched from the URL.
func TestIdpClientJWKSURL(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "kabinet.db")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	var fetched atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		w.Write(set)
	}))
	defer srv.Close()
	code, out, errOut := runCmd(t, "", "idp", "client", "add", "--db", dsn, "--id", "bank", "--redirect-uri", "https://bank.example/cb",
		"--jwks-url", srv.URL+"/jwks")
	if code != exitOK || out != "" || !strings.Contains(errOut, "private_key_jwt") {
		t.Fatalf("add --jwks-url: %d %q %s", code, out, errOut)
	}
	jwksFile := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(jwksFile, set, 0o600)
	for _, args := range [][]string{
		{"--id", "x1", "--jwks-url", "http://bank.example/jwks"},
		{"--id", "x2", "--jwks-url", "ftp://bank.example/jwks"},
		{"--id", "x3", "--jwks-url", "https://bank.example/jwks", "--jwks-file", jwksFile},
		{"--id", "x4", "--jwks-url", "https://bank.example/jwks", "--auth-method", "client_secret_basic"},
	} {
		args = append([]string{"idp", "client", "add", "--db", dsn, "--redirect-uri", "https://bank.example/cb"}, args...)
		if code, out, errOut := runCmd(t, "", args...); code != exitFailure || out != "" || errOut == "" {
			t.Errorf("%v: %d %q %s", args, code, out, errOut)
		}
	}
	code, out, _ = runCmd(t, "", "idp", "client", "list", "--db", dsn, "--json")
	var list []clientJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != exitOK || len(list) != 1 || list[0].AuthMethod != "private_key_jwt" ||
		list[0].JWKSURL != srv.URL+"/jwks" {
		t.Fatalf("list: %d %s", code, out)
	}

	ctx := context.Background()
	db, err := openDB(ctx, &dbFlags{dsn: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	const aud = "https://kabinet.example"
	assertion := func(k *ecdsa.PrivateKey) string {
		s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: "k1"}}, nil)
		out, _ := jwt.Signed(s).Claims(jwt.Claims{Issuer: "bank", Subject: "bank", Audience: jwt.Audience{aud}, ID: fmt.Sprint(time.Now().UnixNano()),
			Expiry: jwt.NewNumericDate(time.Now().Add(time.Minute))}).Serialize()
		return out
	}
	c, err := a.OIDC.AuthenticateClient(ctx, []string{aud}, oidc.Credentials{AssertionType: oidc.AssertionType, Assertion: assertion(key)})
	if err != nil || c.ID != "bank" || fetched.Load() != 1 {
		t.Fatalf("authenticated by the key at the URL: %v %v, %d fetches", c, err, fetched.Load())
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := a.OIDC.AuthenticateClient(ctx, []string{aud}, oidc.Credentials{AssertionType: oidc.AssertionType, Assertion: assertion(other)}); err == nil {
		t.Fatal("an assertion signed by another key accepted")
	} else if e, ok := oidc.AsError(err); !ok || e.Code != oidc.ErrInvalidClient {
		t.Fatalf("another key: %v", err)
	}
}

// `idp client rotate-secret` says what happens (IDP-7): the new secret works at once; a running
// server, which keeps a client it read for ten seconds, accepts the old one until then and
// refuses it after.
func TestIdpClientRotateSecret(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "kabinet.db")
	code, out, _ := runCmd(t, "", "idp", "client", "add", "--db", dsn, "--id", "clinic", "--redirect-uri", "https://clinic.example/cb")
	if code != exitOK {
		t.Fatal(out)
	}
	old := strings.TrimSpace(out)
	ctx := context.Background()
	db, err := openDB(ctx, &dbFlags{dsn: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := apptest.NewClock(time.Time{})
	server, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	auth := func(secret string) error {
		_, err := server.OIDC.AuthenticateClient(ctx, nil, oidc.Credentials{Basic: true, BasicID: "clinic", BasicSecret: secret})
		return err
	}
	if err := auth(old); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", "idp", "client", "rotate-secret", "--db", dsn, "clinic")
	if code != exitOK || !secretLine.MatchString(out) || !strings.Contains(errOut, "within ten seconds on running servers") ||
		strings.Contains(errOut, "no longer works") {
		t.Fatalf("rotate-secret: %d %q %s", code, out, errOut)
	}
	if oidc.ClientCacheTTL != 10*time.Second {
		t.Fatalf("the message says ten seconds; the cache keeps a client %s", oidc.ClientCacheTTL)
	}
	// The running server still has the client as it read it: the old secret works there for
	// up to ten seconds, then no more; the new one works at once.
	if err := auth(old); err != nil {
		t.Fatalf("the old secret at once on a running server: %v", err)
	}
	clock.Advance(oidc.ClientCacheTTL)
	if err := auth(old); err == nil {
		t.Fatal("the old secret accepted ten seconds after the rotation")
	}
	if err := auth(strings.TrimSpace(out)); err != nil {
		t.Fatalf("the new secret on a running server: %v", err)
	}
}
