package oidcweb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/oidcweb"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// jwksServer is a client's server publishing its key set at /jwks, whose answer the test
// changes, counting the requests.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   []byte
	hits   atomic.Int32
}

func newJWKSServer(t *testing.T, tls bool) *jwksServer {
	s := &jwksServer{status: http.StatusOK}
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		status, body := s.status, s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(status)
		w.Write(body)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/jwks", http.StatusFound)
	})
	if tls {
		s.Server = httptest.NewTLSServer(mux)
	} else {
		s.Server = httptest.NewServer(mux)
	}
	t.Cleanup(s.Close)
	return s
}

// serve makes the server answer status and body from now on.
func (s *jwksServer) serve(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

// clientKey is a key of a client, with the key set that publishes its public half.
type clientKey struct {
	priv *ecdsa.PrivateKey
	kid  string
}

func newClientKey(kid string) clientKey {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return clientKey{priv: k, kid: kid}
}

// set is a JWK set of the keys' public halves.
func set(keys ...clientKey) []byte {
	var s jose.JSONWebKeySet
	for _, k := range keys {
		s.Keys = append(s.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: "ES256", Use: "sig"})
	}
	b, _ := json.Marshal(s)
	return b
}

// assertion is a private_key_jwt assertion of client id signed by k, for audience aud.
func (k clientKey) assertion(id, aud string, now time.Time) string {
	s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}}, nil)
	out, _ := jwt.Signed(s).Claims(jwt.Claims{Issuer: id, Subject: id, Audience: jwt.Audience{aud}, ID: random(),
		Expiry: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now)}).Serialize()
	return out
}

// The fetcher keeps a set for five minutes; asked to refresh (a key the set lacks) it fetches
// again at most once every ten seconds; a client that rotated its key is seen after that.
func TestFetcherCache(t *testing.T) {
	srv := newJWKSServer(t, false)
	k1, k2 := newClientKey("k1"), newClientKey("k2")
	srv.serve(200, set(k1))
	clock := apptest.NewClock(time.Time{})
	f := oidcweb.NewFetcher(nil, clock.Now)
	ctx := context.Background()
	fetch := func(refresh bool, want []byte, hits int32) {
		t.Helper()
		got, err := f.FetchJWKS(ctx, srv.URL+"/jwks", refresh)
		if err != nil || string(got) != string(want) || srv.hits.Load() != hits {
			t.Fatalf("refresh %v: %v, %d requests, got %.60s", refresh, err, srv.hits.Load(), got)
		}
	}
	fetch(false, set(k1), 1)
	fetch(false, set(k1), 1) // kept
	fetch(true, set(k1), 1)  // a refresh right after a fetch: not again
	srv.serve(200, set(k2))  // the client rotates its key
	clock.Advance(5 * time.Second)
	fetch(false, set(k1), 1)
	fetch(true, set(k1), 1)
	clock.Advance(6 * time.Second)
	fetch(true, set(k2), 2) // ten seconds on: the new key
	fetch(true, set(k2), 2)
	clock.Advance(5*time.Minute + time.Second)
	fetch(false, set(k2), 3) // five minutes on: fetched again unasked
}

// Refusals: an unreachable URL, an error status, an answer too large, not JSON or without keys,
// a redirect (not followed), http elsewhere than the loopback interface (never dialled). A
// failed fetch is not tried again for ten seconds; a failed refresh keeps the copy it had
// while that is under five minutes old; https works.
func TestFetcherRefusals(t *testing.T) {
	ctx := context.Background()
	k1 := newClientKey("k1")
	clock := apptest.NewClock(time.Time{})
	srv := newJWKSServer(t, false)
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL + "/jwks"
	gone.Close()

	for name, tc := range map[string]struct {
		status int
		body   []byte
		path   string
	}{
		"error status": {status: 404, body: set(k1)},
		"too large":    {status: 200, body: append(append([]byte(`{"keys":[],"pad":"`), strings.Repeat("x", 300<<10)...), `"}`...)},
		"not JSON":     {status: 200, body: []byte("<html>keys</html>")},
		"no keys":      {status: 200, body: []byte(`{"keys":[]}`)},
		"redirect":     {status: 200, body: set(k1), path: "/moved"},
	} {
		t.Run(name, func(t *testing.T) {
			srv.serve(tc.status, tc.body)
			srv.hits.Store(0)
			path := tc.path
			if path == "" {
				path = "/jwks"
			}
			f := oidcweb.NewFetcher(nil, clock.Now)
			if got, err := f.FetchJWKS(ctx, srv.URL+path, false); err == nil {
				t.Fatalf("accepted: %.100s", got)
			}
			if path == "/moved" && srv.hits.Load() != 0 {
				t.Fatal("the redirect was followed")
			}
		})
	}

	t.Run("unreachable, and not tried again for ten seconds", func(t *testing.T) {
		var dials atomic.Int32
		client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
		f := oidcweb.NewFetcher(client, clock.Now)
		for range 3 {
			if _, err := f.FetchJWKS(ctx, goneURL, true); err == nil {
				t.Fatal("an unreachable key set")
			}
		}
		if dials.Load() != 1 {
			t.Fatalf("%d attempts within ten seconds", dials.Load())
		}
		clock.Advance(11 * time.Second)
		f.FetchJWKS(ctx, goneURL, true)
		if dials.Load() != 2 {
			t.Fatalf("%d attempts after ten seconds", dials.Load())
		}
	})

	t.Run("http elsewhere than the loopback interface", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
			t.Error("dialled")
			return nil, errors.New("no")
		}}}
		f := oidcweb.NewFetcher(client, clock.Now)
		for _, u := range []string{"http://client.example/jwks", "http://10.0.0.1/jwks", "ftp://client.example/jwks", "/jwks"} {
			if _, err := f.FetchJWKS(ctx, u, false); err == nil {
				t.Errorf("%s accepted", u)
			}
		}
	})

	t.Run("a failed refresh keeps the copy for five minutes", func(t *testing.T) {
		srv.serve(200, set(k1))
		f := oidcweb.NewFetcher(nil, clock.Now)
		if _, err := f.FetchJWKS(ctx, srv.URL+"/jwks", false); err != nil {
			t.Fatal(err)
		}
		srv.serve(500, nil)
		clock.Advance(11 * time.Second)
		if got, err := f.FetchJWKS(ctx, srv.URL+"/jwks", true); err != nil || string(got) != string(set(k1)) {
			t.Fatalf("a failed refresh: %v", err)
		}
		clock.Advance(5 * time.Minute)
		if _, err := f.FetchJWKS(ctx, srv.URL+"/jwks", false); err == nil {
			t.Fatal("a copy older than five minutes used while the client's server fails")
		}
	})

	t.Run("https", func(t *testing.T) {
		tls := newJWKSServer(t, true)
		tls.serve(200, set(k1))
		f := oidcweb.NewFetcher(tls.Client(), clock.Now)
		if got, err := f.FetchJWKS(ctx, tls.URL+"/jwks", false); err != nil || string(got) != string(set(k1)) {
			t.Fatalf("https: %v", err)
		}
	})
}

// private_key_jwt with the client's key set registered by URL, through the application's own
// fetcher (IDP-7): an assertion signed by its key is accepted; one signed by another key is
// refused with invalid_client; a key the client rotated in is accepted once ten seconds have
// passed since the last fetch, and the key it withdrew is refused from then on; a client whose
// key set cannot be fetched cannot authenticate.
func TestPrivateKeyJWTByURL(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	srv := newJWKSServer(t, false)
	k1, k2, other := newClientKey("k1"), newClientKey("k2"), newClientKey("k1")
	srv.serve(200, set(k1))
	addClient(t, a, oidc.NewClient{ID: "bank", Trusted: true, AuthMethod: oidc.AuthJWT, JWKSURL: srv.URL + "/jwks"})
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	addClient(t, a, oidc.NewClient{ID: "gone", Trusted: true, AuthMethod: oidc.AuthJWT, JWKSURL: gone.URL + "/jwks"})
	_, phone := citizen(t, a, identity.Simplified, "")
	b := newBrowser(t, a.URL)
	exchange := func(t *testing.T, id string, k clientKey) (int, map[string]any) {
		t.Helper()
		r := newRP(t, a.URL, a.Clock, id, "")
		f := r.start()
		code := authorize(t, b, r, f, phone)
		status, body, _ := post(t, a.URL+"/oidc/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
			"code_verifier": {f.verifier}, "client_assertion_type": {oidc.AssertionType}, "client_assertion": {k.assertion(id, a.URL, a.Clock.Now())}}, "", "")
		return status, body
	}
	refused := func(status int, body map[string]any) {
		t.Helper()
		if status != http.StatusUnauthorized || body["error"] != oidc.ErrInvalidClient {
			t.Fatalf("want 401 invalid_client, got %d %v", status, body)
		}
	}
	if status, body := exchange(t, "bank", k1); status != 200 || body["id_token"] == nil {
		t.Fatalf("the client's key: %d %v", status, body)
	}
	refused(exchange(t, "bank", other)) // another key under the same kid
	srv.serve(200, set(k2))             // the client rotates its key
	refused(exchange(t, "bank", k2))    // within ten seconds of the last fetch
	a.Clock.Advance(11 * time.Second)
	if status, body := exchange(t, "bank", k2); status != 200 {
		t.Fatalf("the rotated key: %d %v", status, body)
	}
	refused(exchange(t, "bank", k1)) // withdrawn
	refused(exchange(t, "gone", k1))
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches of the key set, want 2", n)
	}
}
