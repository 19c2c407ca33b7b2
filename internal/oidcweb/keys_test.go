package oidcweb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// jwks fetches the published keys.
func jwks(t *testing.T, base string) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(base + "/oidc/jwks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != 200 {
		t.Fatalf("jwks: %d %v", resp.StatusCode, err)
	}
	return set
}

func kids(set jose.JSONWebKeySet) string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	return strings.Join(out, " ")
}

// Key rotation: after it, the key set lists the old key and the new one; an ID token signed by
// the old key still verifies with a relying party that never saw the new key set, until it
// expires; new tokens are signed by the new key (which the relying party fetches on meeting
// it); once the old key's tokens have all expired it leaves the key set.
func TestKeyRotation(t *testing.T) {
	db := storetest.SQLite(t)
	a := start(t, db)
	ctx := context.Background()
	secret := addClient(t, a, oidc.NewClient{ID: "rp", Trusted: true})
	_, phone := citizen(t, a, identity.Standard, "")
	r := newRP(t, a.URL, a.Clock, "rp", secret)
	b := newBrowser(t, a.URL)
	f := r.start()
	old, err := r.exchange(f, authorize(t, b, r, f, phone))
	if err != nil {
		t.Fatal(err)
	}
	oldID := r.idToken(f, old)
	before := jwks(t, a.URL)
	if len(before.Keys) != 1 {
		t.Fatalf("keys before: %s", kids(before))
	}
	made, err := a.OIDC.RotateKeys(ctx, true)
	if err != nil || len(made) != 1 {
		t.Fatalf("rotate: %v %v", made, err)
	}
	after := jwks(t, a.URL)
	if len(after.Keys) != 2 || !strings.Contains(kids(after), before.Keys[0].KeyID) || !strings.Contains(kids(after), made[0].ID) {
		t.Fatalf("keys after rotation: %s", kids(after))
	}
	// A relying party started after the rotation verifies the old token; the old one's
	// verifier meets the new key and fetches it.
	late := newRP(t, a.URL, a.Clock, "rp", secret)
	if _, err := late.verifier.Verify(ctx, old.Extra("id_token").(string)); err != nil {
		t.Fatalf("a token of the previous key: %v", err)
	}
	f = r.start()
	fresh, err := r.exchange(f, authorize(t, b, r, f, phone))
	if err != nil {
		t.Fatal(err)
	}
	if hdr := header(t, fresh.Extra("id_token").(string)); hdr.KeyID != made[0].ID {
		t.Fatalf("signed by %s after the rotation", hdr.KeyID)
	}
	r.idToken(f, fresh)
	// Until it expires.
	a.Clock.Advance(oidc.IDTokenTTL - time.Minute)
	if _, err := late.verifier.Verify(ctx, old.Extra("id_token").(string)); err != nil {
		t.Fatalf("before it expires: %v", err)
	}
	a.Clock.Advance(2 * time.Minute)
	if _, err := late.verifier.Verify(ctx, old.Extra("id_token").(string)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("after it expired: %v", err)
	}
	if oldID.Expiry.After(a.Clock.Now()) {
		t.Fatal("the clock did not pass the token's expiry")
	}
	a.Clock.Advance(oidc.KeyGrace)
	if last := jwks(t, a.URL); kids(last) != made[0].ID {
		t.Fatalf("keys once the old tokens expired: %s", kids(last))
	}
	// The periodic job replaces keys only when they are due.
	if made, err := a.OIDC.RotateKeys(ctx, false); err != nil || len(made) != 0 {
		t.Fatalf("rotated before due: %v %v", made, err)
	}
	a.Clock.Advance(oidc.KeyRotation)
	if made, err := a.OIDC.RotateKeys(ctx, false); err != nil || len(made) != 1 {
		t.Fatalf("not rotated when due: %v %v", made, err)
	}
}

func header(t *testing.T, raw string) jose.Header {
	t.Helper()
	sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	return sig.Signatures[0].Protected
}

// balancer sends requests to the instances in turn, keeping the Host (the public address):
// the one issuer of several processes.
func balancer(t *testing.T, instances ...*apptest.App) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	proxies := make([]*httputil.ReverseProxy, len(instances))
	for i, a := range instances {
		u, _ := url.Parse(a.URL)
		proxies[i] = httputil.NewSingleHostReverseProxy(u)
	}
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxies[n.Add(1)%int64(len(proxies))].ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	return lb, &n
}

// Two kabinet processes on one PostgreSQL database serve the same keys: each publishes the
// other's, verifies the other's tokens, and a login that alternates between them (a load
// balancer in front) works end to end, also after one of them rotates the keys.
func TestTwoInstances(t *testing.T) {
	dsn := storetest.URL(t)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	clock := apptest.NewClock(time.Now())
	a1 := apptest.Start(t, open(), apptest.Options{Clock: clock})
	a2 := apptest.Start(t, open(), apptest.Options{Clock: clock})
	lb, hits := balancer(t, a1, a2)
	secret := addClient(t, a1, oidc.NewClient{ID: "rp"})
	_, phone := citizen(t, a2, identity.Confirmed, identity.ServiceCenter)
	r := newRP(t, lb.URL, clock, "rp", secret)
	b := newBrowser(t, lb.URL)
	f := r.start()
	tok, err := r.exchange(f, authorize(t, b, r, f, phone))
	if err != nil {
		t.Fatal(err)
	}
	r.idToken(f, tok)
	for i := range 4 { // userinfo on both
		if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("userinfo %d: %v", i, err)
		}
	}
	if hits.Load() < 8 {
		t.Fatalf("the balancer saw %d requests", hits.Load())
	}
	if k1, k2 := kids(jwks(t, a1.URL)), kids(jwks(t, a2.URL)); k1 != k2 || k1 == "" {
		t.Fatalf("the instances publish %q and %q", k1, k2)
	}
	// One rotates: the other publishes the new key at once and verifies its tokens.
	made, err := a2.OIDC.RotateKeys(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if k1 := kids(jwks(t, a1.URL)); !strings.Contains(k1, made[0].ID) || len(strings.Fields(k1)) != 2 {
		t.Fatalf("the other instance publishes %q", k1)
	}
	late := newRP(t, lb.URL, clock, "rp", secret, gooidc.ScopeOpenID)
	for range 2 {
		f := late.start()
		tok, err := late.exchange(f, authorize(t, b, late, f, phone))
		if err != nil {
			t.Fatal(err)
		}
		late.idToken(f, tok)
		for range 2 {
			if _, err := late.provider.UserInfo(late.ctx, oauth2.StaticTokenSource(tok)); err != nil {
				t.Fatalf("userinfo after the rotation: %v", err)
			}
		}
	}
}
