package registry_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/registry"
)

// waits records the back-off of a Check instead of waiting.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) Sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) got() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// fakeRegistry is a registry server: it records the requests and answers with answer, given
// the number of the try (1, 2 …).
type fakeRegistry struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   []map[string]any
	answer   func(w http.ResponseWriter, r *http.Request, try int)
}

func (f *fakeRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.bodies = append(f.bodies, body)
	try := len(f.requests)
	f.mu.Unlock()
	f.answer(w, r, try)
}

func (f *fakeRegistry) tries() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.requests) }

func reply(body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func quiet(s *httptest.Server) *httptest.Server {
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	return s
}

func newHTTP(t *testing.T, o registry.HTTPOptions) (*registry.HTTP, *waits) {
	t.Helper()
	w := &waits{}
	o.Sleep = w.Sleep
	o.Now = func() time.Time { return t0 }
	h, err := registry.NewHTTP(o)
	if err != nil {
		t.Fatal(err)
	}
	return h, w
}

// noPersonalData fails when err shows what was asked about the person.
func noPersonalData(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{fyodorov.Surname, fyodorov.SNILS, fyodorov.Passport.Number, "1969-02-11"} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("the error shows personal data: %v", err)
		}
	}
}

func TestHTTPAnswers(t *testing.T) {
	tests := []struct {
		name string
		body string
		want identity.Answer
	}{
		{"passed", `{"status":"ready","ok":true}`, identity.Answer{Ready: true, OK: true}},
		{"passed, a reason ignored", `{"status":"ready","ok":true,"reason":"not_found"}`, identity.Answer{Ready: true, OK: true}},
		{"not found", `{"status":"ready","ok":false,"reason":"not_found"}`, identity.Answer{Ready: true, Reason: identity.ReasonNotFound}},
		{"snils mismatch", `{"status":"ready","ok":false,"reason":"snils_mismatch"}`, identity.Answer{Ready: true, Reason: identity.ReasonSNILSMismatch}},
		{"passport invalid", `{"status":"ready","ok":false,"reason":"passport_invalid"}`, identity.Answer{Ready: true, Reason: identity.ReasonPassportInvalid}},
		{"passport unknown", `{"status":"ready","ok":false,"reason":"PASSPORT_UNKNOWN"}`, identity.Answer{Ready: true, Reason: identity.ReasonPassportUnknown}},
		{"inn mismatch", `{"status":"ready","ok":false,"reason":"inn_mismatch"}`, identity.Answer{Ready: true, Reason: identity.ReasonINNMismatch}},
		{"a reason kabinet does not know", `{"status":"ready","ok":false,"reason":"deceased"}`, identity.Answer{Ready: true, Reason: registry.ReasonRefused}},
		{"no reason", `{"status":"ready","ok":false}`, identity.Answer{Ready: true, Reason: registry.ReasonRefused}},
		{"pending an hour", `{"status":"pending","retry_after_seconds":3600}`, identity.Answer{RetryAt: t0.Add(time.Hour)}},
		{"pending, a fraction of seconds", `{"status":"pending","retry_after_seconds":89.6}`, identity.Answer{RetryAt: t0.Add(90 * time.Second)}},
		{"pending, no time given", `{"status":"pending"}`, identity.Answer{RetryAt: t0.Add(time.Minute)}},
		{"pending a week: asked again in a day", `{"status":"pending","retry_after_seconds":604800}`, identity.Answer{RetryAt: t0.Add(24 * time.Hour)}},
		{"unknown fields", `{"status":"ready","ok":true,"checked_at":"2026-12-02"}`, identity.Answer{Ready: true, OK: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeRegistry{answer: reply(tc.body)})
			defer srv.Close()
			h, _ := newHTTP(t, registry.HTTPOptions{URL: srv.URL})
			a, err := h.Check(context.Background(), identity.PensionFund, fyodorov)
			if err != nil {
				t.Fatal(err)
			}
			if a != tc.want {
				t.Fatalf("got %+v, want %+v", a, tc.want)
			}
		})
	}
}

// TestHTTPBadAnswers: what is not the protocol is an error at once, not tried again.
func TestHTTPBadAnswers(t *testing.T) {
	tests := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request, int)
	}{
		{"not JSON", reply(`<html>Фёдоров 22648150361</html>`)},
		{"unknown status", reply(`{"status":"Фёдоров"}`)},
		{"bad request", func(w http.ResponseWriter, _ *http.Request, _ int) {
			http.Error(w, "Фёдоров", http.StatusBadRequest)
		}},
		{"not found", func(w http.ResponseWriter, r *http.Request, _ int) { http.NotFound(w, r) }},
		{"a redirect", func(w http.ResponseWriter, r *http.Request, _ int) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeRegistry{answer: tc.answer}
			srv := httptest.NewServer(f)
			defer srv.Close()
			h, w := newHTTP(t, registry.HTTPOptions{URL: srv.URL})
			_, err := h.Check(context.Background(), identity.PensionFund, fyodorov)
			if err == nil {
				t.Fatal("no error")
			}
			noPersonalData(t, err)
			if f.tries() != 1 || len(w.got()) != 0 {
				t.Fatalf("%d tries, waits %v: a wrong answer is not tried again", f.tries(), w.got())
			}
		})
	}
}

// TestHTTPRequest: the path, the headers, and each registry sent only what it checks.
func TestHTTPRequest(t *testing.T) {
	f := &fakeRegistry{answer: reply(`{"status":"ready","ok":true}`)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	h, _ := newHTTP(t, registry.HTTPOptions{URL: srv.URL + "/api/v1/"})
	q := fyodorov
	q.INN = "500100732259"
	for _, n := range []identity.RegistryName{identity.PensionFund, identity.Migration} {
		if _, err := h.Check(context.Background(), n, q); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []struct {
		path          string
		has, hasNot   []string
		passportShape map[string]any
	}{
		{"/api/v1/pension_fund/check", []string{"surname", "given_name", "patronymic", "birth_date", "snils"}, []string{"passport", "inn"}, nil},
		{"/api/v1/migration/check", []string{"surname", "given_name", "patronymic", "birth_date", "passport"}, []string{"snils", "inn"},
			map[string]any{"type": "passport_ru", "series": "4014", "number": "667215", "issued_on": "2014-03-01"}},
	} {
		r, body := f.requests[i], f.bodies[i]
		if r.Method != http.MethodPost || r.URL.Path != want.path {
			t.Errorf("request %d: %s %s", i, r.Method, r.URL.Path)
		}
		if r.Header.Get("Content-Type") != "application/json" || len(r.Header.Get("X-Request-Id")) != 32 {
			t.Errorf("request %d: headers %v", i, r.Header)
		}
		for _, k := range want.has {
			if _, ok := body[k]; !ok {
				t.Errorf("request %d lacks %s: %v", i, k, body)
			}
		}
		for _, k := range want.hasNot {
			if _, ok := body[k]; ok {
				t.Errorf("request %d sends %s, which that registry does not check: %v", i, k, body)
			}
		}
		if body["birth_date"] != "1969-02-11" || body["surname"] != "Фёдоров" {
			t.Errorf("request %d: %v", i, body)
		}
		if want.passportShape != nil {
			got, _ := body["passport"].(map[string]any)
			for k, v := range want.passportShape {
				if got[k] != v {
					t.Errorf("passport %s: %v, want %v", k, got[k], v)
				}
			}
		}
	}
	if body := f.bodies[0]; body["snils"] != "22648150361" {
		t.Errorf("snils: %v", body["snils"])
	}
}

// TestHTTPRetries: a registry that fails for the first tries is tried again within one Check,
// after a growing back-off; one that stays down makes Check fail, so the job asks again later.
func TestHTTPRetries(t *testing.T) {
	unavailable := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
	ok := reply(`{"status":"ready","ok":true}`)
	// hangUp drops the connection without an answer, as a registry whose process died would.
	hangUp := func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	tests := []struct {
		name   string
		o      registry.HTTPOptions
		answer func(http.ResponseWriter, *http.Request, int)
		tries  int
		waits  []time.Duration
		fails  bool
	}{
		{"503 twice, then an answer", registry.HTTPOptions{}, func(w http.ResponseWriter, r *http.Request, try int) {
			if try <= 2 {
				unavailable(w, r)
				return
			}
			ok(w, r, try)
		}, 3, []time.Duration{500 * time.Millisecond, time.Second}, false},
		{"connection dropped, then an answer", registry.HTTPOptions{Backoff: time.Second}, func(w http.ResponseWriter, r *http.Request, try int) {
			if try == 1 {
				hangUp(w, r)
				return
			}
			ok(w, r, try)
		}, 2, []time.Duration{time.Second}, false},
		{"502, 500, 429, 408 are transient", registry.HTTPOptions{Attempts: 5, Backoff: 3 * time.Second}, func(w http.ResponseWriter, r *http.Request, try int) {
			if s := []int{502, 500, 429, 408}; try <= len(s) {
				w.WriteHeader(s[try-1])
				return
			}
			ok(w, r, try)
		}, 5, []time.Duration{3 * time.Second, 6 * time.Second, registry.MaxBackoff, registry.MaxBackoff}, false},
		{"Retry-After is waited", registry.HTTPOptions{}, func(w http.ResponseWriter, r *http.Request, try int) {
			if try == 1 {
				w.Header().Set("Retry-After", "7")
				unavailable(w, r)
				return
			}
			ok(w, r, try)
		}, 2, []time.Duration{7 * time.Second}, false},
		{"a Retry-After longer than a Check waits ends it", registry.HTTPOptions{}, func(w http.ResponseWriter, r *http.Request, try int) {
			w.Header().Set("Retry-After", "3600")
			unavailable(w, r)
		}, 1, nil, true},
		{"down every time", registry.HTTPOptions{}, func(w http.ResponseWriter, r *http.Request, _ int) { unavailable(w, r) },
			3, []time.Duration{500 * time.Millisecond, time.Second}, true},
		{"no retry", registry.HTTPOptions{Attempts: 1}, func(w http.ResponseWriter, r *http.Request, _ int) { unavailable(w, r) }, 1, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeRegistry{answer: tc.answer}
			srv := quiet(httptest.NewServer(f))
			defer srv.Close()
			tc.o.URL = srv.URL
			h, w := newHTTP(t, tc.o)
			a, err := h.Check(context.Background(), identity.Migration, fyodorov)
			switch {
			case tc.fails && err == nil:
				t.Fatalf("no error: %+v", a)
			case tc.fails:
				noPersonalData(t, err)
			case err != nil:
				t.Fatal(err)
			case !a.Ready || !a.OK:
				t.Fatalf("answer %+v", a)
			}
			if f.tries() != tc.tries {
				t.Errorf("%d tries, want %d", f.tries(), tc.tries)
			}
			if got := w.got(); !equalDurations(got, tc.waits) {
				t.Errorf("waits %v, want %v", got, tc.waits)
			}
			ids := map[string]bool{}
			for _, r := range f.requests {
				ids[r.Header.Get("X-Request-Id")] = true
			}
			if len(ids) != 1 {
				t.Errorf("the tries of one question carry %d request ids", len(ids))
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHTTPDownAndTimeout: a registry nobody listens at, and one that does not answer in time on
// the first try.
func TestHTTPDownAndTimeout(t *testing.T) {
	t.Run("nobody listens", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		h, w := newHTTP(t, registry.HTTPOptions{URL: "http://" + addr})
		_, err = h.Check(context.Background(), identity.PensionFund, fyodorov)
		if err == nil {
			t.Fatal("no error")
		}
		noPersonalData(t, err)
		if len(w.got()) != 2 {
			t.Fatalf("waits %v: a refused connection is tried again", w.got())
		}
	})
	t.Run("the first try times out", func(t *testing.T) {
		release := make(chan struct{})
		f := &fakeRegistry{answer: func(w http.ResponseWriter, r *http.Request, try int) {
			if try == 1 {
				select { // answers only when the client has given up
				case <-r.Context().Done():
				case <-release:
				}
				return
			}
			reply(`{"status":"ready","ok":true}`)(w, r, try)
		}}
		srv := quiet(httptest.NewServer(f))
		defer srv.Close()
		defer close(release)
		h, w := newHTTP(t, registry.HTTPOptions{URL: srv.URL, Timeout: 100 * time.Millisecond})
		a, err := h.Check(context.Background(), identity.PensionFund, fyodorov)
		if err != nil || !a.OK {
			t.Fatalf("%+v, %v", a, err)
		}
		if f.tries() != 2 || len(w.got()) != 1 {
			t.Fatalf("%d tries, waits %v", f.tries(), w.got())
		}
	})
	t.Run("the job's context ends", func(t *testing.T) {
		srv := quiet(httptest.NewServer(&fakeRegistry{answer: func(w http.ResponseWriter, r *http.Request, _ int) {
			http.Error(w, "down", http.StatusBadGateway)
		}}))
		defer srv.Close()
		h, _ := newHTTP(t, registry.HTTPOptions{URL: srv.URL})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := h.Check(ctx, identity.PensionFund, fyodorov); err == nil {
			t.Fatal("no error")
		}
	})
}

// pki is a test CA with a server certificate for 127.0.0.1 and a client certificate, written as
// PEM files.
type pki struct {
	dir                                      string
	caFile, certFile, keyFile                string
	pool                                     *x509.CertPool
	server                                   tls.Certificate
	otherCAFile, otherCertFile, otherKeyFile string // a client certificate of another CA
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	ca, caKey, caPEM := makeCA(t, "Test registry CA")
	p.caFile = p.write(t, "ca.pem", caPEM)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(ca)
	srvPEM, srvKey := p.leaf(t, ca, caKey, "registry", true)
	var err error
	if p.server, err = tls.X509KeyPair(srvPEM, srvKey); err != nil {
		t.Fatal(err)
	}
	cliPEM, cliKey := p.leaf(t, ca, caKey, "kabinet", false)
	p.certFile, p.keyFile = p.write(t, "client.pem", cliPEM), p.write(t, "client.key", cliKey)
	other, otherKey, otherPEM := makeCA(t, "Another CA")
	p.otherCAFile = p.write(t, "other-ca.pem", otherPEM)
	oPEM, oKey := p.leaf(t, other, otherKey, "stranger", false)
	p.otherCertFile, p.otherKeyFile = p.write(t, "other.pem", oPEM), p.write(t, "other.key", oKey)
	return p
}

func (p *pki) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	f := filepath.Join(p.dir, name)
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

var serial int64 = 1

func makeCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func (p *pki) leaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: k})
}

// TestHTTPMutualTLS: a registry that requires a client certificate of its CA answers kabinet
// with its certificate, and refuses it without one or with another CA's; kabinet refuses a
// server its CA file does not vouch for.
func TestHTTPMutualTLS(t *testing.T) {
	p := newPKI(t)
	f := &fakeRegistry{answer: reply(`{"status":"ready","ok":true}`)}
	srv := quiet(httptest.NewUnstartedServer(f))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool}
	srv.StartTLS()
	defer srv.Close()
	tests := []struct {
		name string
		o    registry.HTTPOptions
		ok   bool
	}{
		{"the client certificate", registry.HTTPOptions{CertFile: p.certFile, KeyFile: p.keyFile, CAFile: p.caFile}, true},
		{"no client certificate", registry.HTTPOptions{CAFile: p.caFile}, false},
		{"another CA's client certificate", registry.HTTPOptions{CertFile: p.otherCertFile, KeyFile: p.otherKeyFile, CAFile: p.caFile}, false},
		{"the server not vouched for by the CA file", registry.HTTPOptions{CertFile: p.certFile, KeyFile: p.keyFile, CAFile: p.otherCAFile}, false},
		{"the system's roots do not know the server", registry.HTTPOptions{CertFile: p.certFile, KeyFile: p.keyFile}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.URL = srv.URL
			h, w := newHTTP(t, tc.o)
			a, err := h.Check(context.Background(), identity.PensionFund, fyodorov)
			if len(w.got()) != 0 {
				t.Errorf("waits %v: a refused handshake is not tried again", w.got())
			}
			if tc.ok && (err != nil || !a.OK) {
				t.Fatalf("%+v, %v", a, err)
			}
			if !tc.ok {
				if err == nil {
					t.Fatalf("no error: %+v", a)
				}
				noPersonalData(t, err)
			}
		})
	}
	if f.tries() != 1 {
		t.Fatalf("the registry answered %d questions, want the one with the certificate", f.tries())
	}
}

func TestNewHTTPRefusesWrongOptions(t *testing.T) {
	p := newPKI(t)
	notPEM := p.write(t, "not.pem", []byte("not a certificate"))
	for _, o := range []registry.HTTPOptions{
		{URL: ""},
		{URL: "registry.example/api"},
		{URL: "ftp://registry.example/"},
		{URL: "https://user:secret@registry.example/"},
		{URL: "https://registry.example/", CertFile: p.certFile},
		{URL: "https://registry.example/", KeyFile: p.keyFile},
		{URL: "https://registry.example/", CertFile: p.certFile, KeyFile: p.otherKeyFile},
		{URL: "https://registry.example/", CertFile: filepath.Join(p.dir, "missing.pem"), KeyFile: p.keyFile},
		{URL: "https://registry.example/", CAFile: notPEM},
		{URL: "https://registry.example/", CAFile: filepath.Join(p.dir, "missing.pem")},
	} {
		if _, err := registry.NewHTTP(o); err == nil {
			t.Errorf("%+v: no error", o)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestReasonCodes(t *testing.T) {
	for _, key := range []string{identity.ReasonNotFound, identity.ReasonSNILSMismatch, identity.ReasonPassportInvalid, identity.ReasonPassportUnknown, identity.ReasonINNMismatch} {
		if got := registry.ReasonKey(registry.ReasonCode(key)); got != key {
			t.Errorf("%s → %s → %s", key, registry.ReasonCode(key), got)
		}
	}
	if registry.ReasonCode(identity.ReasonSNILSTaken) != "refused" || registry.ReasonKey("refused") != registry.ReasonRefused {
		t.Error("a reason without a code")
	}
}
