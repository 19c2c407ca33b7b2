package oidcweb_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/oidcweb"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// proxied sends every request to kabinet at addr over plain HTTP, with the URL's host as the Host
// header, as a reverse proxy in front of kabinet does — but saying nothing of the scheme (no proxy
// is trusted): from the request alone the issuer would be http://kabinet.example. Only the public
// URL the application was given makes it https.
type proxied struct{ addr string }

// RoundTrip sends r to addr.
func (p proxied) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Scheme, r.URL.Host = "http", p.addr
	return http.DefaultTransport.RoundTrip(r)
}

// claimsOf returns the claims of a JWT without checking it, and its header.
func claimsOf(t *testing.T, raw string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %.40s", raw)
	}
	for i, out := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, out) != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
	}
	return header, claims
}

// The issuer is exactly the public URL the application was given (`kabinet serve --public-url`,
// IDP-7), whatever the request says: discovery's issuer and every endpoint, the iss of the
// authorization response, of the ID token (verified by go-oidc) and of the access token (which
// userinfo accepts); a relying party that discovers the provider at the address it was reached
// by is refused. A trailing slash given is kept, exactly.
func TestIssuerIsPublicURL(t *testing.T) {
	db := storetest.SQLite(t)
	for i, public := range []string{"https://kabinet.example", "https://id.kabinet.example:8443/"} {
		t.Run(public, func(t *testing.T) {
			a := apptest.Start(t, db, apptest.Options{Clock: apptest.NewClock(time.Now()), PublicURL: public})
			proxy := proxied{addr: strings.TrimPrefix(a.URL, "http://")}
			ctx := gooidc.ClientContext(context.Background(), &http.Client{Transport: proxy})
			id := fmt.Sprintf("clinic%d", i)
			secret := addClient(t, a, oidc.NewClient{ID: id, Name: "Запись к врачу"})
			acc, phone := citizen(t, a, identity.Standard, "")
			base := strings.TrimSuffix(public, "/")

			r := newRPWith(t, ctx, public, a.Clock, id, secret)
			var meta oidcweb.Metadata
			if err := r.provider.Claims(&meta); err != nil {
				t.Fatal(err)
			}
			if meta.Issuer != public {
				t.Fatalf("discovery's issuer %q, want %q", meta.Issuer, public)
			}
			for path, got := range map[string]string{"/oidc/authorize": meta.AuthorizationEndpoint, "/oidc/token": meta.TokenEndpoint,
				"/oidc/userinfo": meta.UserInfoEndpoint, "/oidc/jwks": meta.JWKSURI, "/oidc/logout": meta.EndSessionEndpoint,
				"/oidc/revoke": meta.RevocationEndpoint, "/oidc/introspect": meta.IntrospectionEndpoint} {
				if got != base+path {
					t.Errorf("endpoint %s, want %s", got, base+path)
				}
			}

			b := newBrowser(t, base)
			b.Client.Transport = proxy
			f := r.start()
			back, p := sendBack(t, b, f.authURL, phone)
			code, _ := r.callback(f, back)
			if code == "" || back.Query().Get("iss") != public {
				t.Fatalf("authorization response %v (page %d %.300s)", back, p.Status, p.Body)
			}
			tok, err := r.exchange(f, code)
			if err != nil {
				t.Fatal(err)
			}
			if idt := r.idToken(f, tok); idt.Issuer != public || idt.Subject != acc.ID {
				t.Fatalf("ID token: iss %q sub %q", idt.Issuer, idt.Subject)
			}
			if _, c := claimsOf(t, tok.AccessToken); c["iss"] != public {
				t.Fatalf("access token's iss %v", c["iss"])
			}
			if info, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil || info.Subject != acc.ID {
				t.Fatalf("userinfo: %v", err)
			}

			// The address kabinet was reached by is not the issuer.
			if _, err := gooidc.NewProvider(context.Background(), a.URL); err == nil || !strings.Contains(err.Error(), "issuer") {
				t.Fatalf("discovered at %s: %v", a.URL, err)
			}
		})
	}
}

// RS256 end to end (IDP-7): on a provider whose default algorithm is RS256 (what `kabinet serve
// --oidc-alg RS256` sets) a client naming none gets ID and access tokens signed with RS256, which
// go-oidc verifies allowing RS256 alone, by the RSA key the JWKS publishes; a client registered
// with ES256 gets ES256 there; on a provider of ES256 a client registered with RS256 gets RS256.
func TestRS256(t *testing.T) {
	db := storetest.SQLite(t)
	rsaApp := apptest.Start(t, db, apptest.Options{Clock: apptest.NewClock(time.Now()), OIDC: app.OIDC{Alg: oidc.RS256}})
	es := start(t, db)
	_, phone := citizen(t, rsaApp, identity.Confirmed, identity.ServiceCenter)
	for _, tc := range []struct {
		a        *apptest.App
		id, alg  string
		register string // the client's own algorithm, "" for the provider's
	}{
		{rsaApp, "rs-default", oidc.RS256, ""},
		{rsaApp, "es-client", oidc.ES256, oidc.ES256},
		{es, "rs-client", oidc.RS256, oidc.RS256},
	} {
		t.Run(tc.id, func(t *testing.T) {
			secret := addClient(t, tc.a, oidc.NewClient{ID: tc.id, Trusted: true, Alg: tc.register})
			r := newRP(t, tc.a.URL, tc.a.Clock, tc.id, secret)
			other := oidc.ES256
			if tc.alg == oidc.ES256 {
				other = oidc.RS256
			}
			r.verifier = r.provider.Verifier(&gooidc.Config{ClientID: tc.id, Now: tc.a.Clock.Now, SupportedSigningAlgs: []string{tc.alg}})
			wrong := r.provider.Verifier(&gooidc.Config{ClientID: tc.id, Now: tc.a.Clock.Now, SupportedSigningAlgs: []string{other}})
			f := r.start()
			tok, err := r.exchange(f, authorize(t, newBrowser(t, tc.a.URL), r, f, phone))
			if err != nil {
				t.Fatal(err)
			}
			r.idToken(f, tok)
			raw := tok.Extra("id_token").(string)
			if _, err := wrong.Verify(r.ctx, raw); err == nil {
				t.Fatalf("an ID token verified with %s", other)
			}
			header, _ := claimsOf(t, raw)
			atHeader, _ := claimsOf(t, tok.AccessToken)
			if header["alg"] != tc.alg || atHeader["alg"] != tc.alg || atHeader["kid"] != header["kid"] {
				t.Fatalf("headers: ID token %v, access token %v", header, atHeader)
			}
			resp, err := http.Get(tc.a.URL + "/oidc/jwks")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(body, &set); err != nil {
				t.Fatal(err)
			}
			keys := set.Key(header["kid"].(string))
			if len(keys) != 1 || keys[0].Algorithm != tc.alg || keys[0].Use != "sig" || !keys[0].IsPublic() ||
				tc.alg == oidc.RS256 && !strings.Contains(string(body), `"kty":"RSA"`) {
				t.Fatalf("the JWKS has no %s key %v: %s", tc.alg, header["kid"], body)
			}
		})
	}
}
