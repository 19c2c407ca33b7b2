package oidcweb_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// post sends a form to an endpoint, with Basic credentials when id is given, and decodes the
// JSON answer.
func post(t *testing.T, u string, form url.Values, id, secret string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %d not JSON: %s", u, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, out, resp.Header
}

// Discovery, the key set, the token and userinfo endpoints answer any origin (no cookie is
// ever used there); preflights are answered.
func TestCORS(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	for _, path := range []string{"/.well-known/openid-configuration", "/oidc/jwks"} {
		req, _ := http.NewRequest("GET", a.URL+path, nil)
		req.Header.Set("Origin", "https://spa.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Cache-Control"), "public") {
			t.Errorf("%s: %d %v", path, resp.StatusCode, resp.Header)
		}
	}
	for _, path := range []string{"/oidc/token", "/oidc/userinfo", "/oidc/revoke"} {
		req, _ := http.NewRequest("OPTIONS", a.URL+path, nil)
		req.Header.Set("Origin", "https://spa.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Errorf("preflight %s: %d %v", path, resp.StatusCode, resp.Header)
		}
	}
	// userinfo without a token: 401 with the challenge; a form body is read too.
	code, body, h := post(t, a.URL+"/oidc/userinfo", url.Values{}, "", "")
	if code != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") || body["error"] == nil {
		t.Fatalf("userinfo without a token: %d %v %v", code, body, h)
	}
	code, body, h = post(t, a.URL+"/oidc/userinfo", url.Values{"access_token": {"a.b.c"}}, "", "")
	if code != 401 || !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("userinfo with junk: %d %v %v", code, body, h)
	}
	// The token endpoint refuses what is not a form, and a parameter twice.
	req, _ := http.NewRequest("POST", a.URL+"/oidc/token", strings.NewReader(`{"grant_type":"authorization_code"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("JSON to the token endpoint: %d", resp.StatusCode)
	}
	if code, body, _ := post(t, a.URL+"/oidc/token", url.Values{"grant_type": {"a", "b"}}, "", ""); code != 400 || body["error"] != oidc.ErrInvalidRequest {
		t.Fatalf("a parameter twice: %d %v", code, body)
	}
}

// private_key_jwt over HTTP: a code is exchanged with an assertion signed by the client's key;
// one signed by another key is refused with 401 invalid_client. x/oauth2 cannot sign a client
// assertion, so the token request is made by hand; the authorization and the ID token's checks
// are go-oidc's. (openid-client signs its own: TestOpenIDClientRefusals.)
func TestPrivateKeyJWTEndpoint(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	addClient(t, a, oidc.NewClient{ID: "jwt", Trusted: true, AuthMethod: oidc.AuthJWT, JWKS: set})
	_, phone := citizen(t, a, identity.Simplified, "")
	r := newRP(t, a.URL, a.Clock, "jwt", "")
	b := newBrowser(t, a.URL)
	assertion := func(k *ecdsa.PrivateKey) string {
		s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: "k1"}}, nil)
		out, _ := jwt.Signed(s).Claims(jwt.Claims{Issuer: "jwt", Subject: "jwt", Audience: jwt.Audience{a.URL + "/oidc/token"}, ID: random(),
			Expiry: jwt.NewNumericDate(a.Clock.Now().Add(time.Minute)), IssuedAt: jwt.NewNumericDate(a.Clock.Now())}).Serialize()
		return out
	}
	for _, tc := range []struct {
		key  *ecdsa.PrivateKey
		want int
	}{{other, 401}, {key, 200}} {
		f := r.start()
		code := authorize(t, b, r, f, phone)
		status, body, _ := post(t, a.URL+"/oidc/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
			"code_verifier": {f.verifier}, "client_assertion_type": {oidc.AssertionType}, "client_assertion": {assertion(tc.key)}}, "", "")
		if status != tc.want {
			t.Fatalf("assertion: %d %v", status, body)
		}
		if tc.want == 401 && (body["error"] != oidc.ErrInvalidClient || !strings.Contains(body["error_description"].(string), "not signed by a key of the client")) {
			t.Fatalf("another key: %v", body)
		}
		if status == 200 {
			tok := (&oauth2.Token{AccessToken: body["access_token"].(string)}).WithExtra(body)
			r.idToken(f, tok)
		} else if body["error"] != oidc.ErrInvalidClient {
			t.Fatalf("another key: %v", body)
		}
	}
}

// Revocation (RFC 7009) by the client; introspection (RFC 7662) by a resource server that
// authenticates as a confidential client.
func TestRevokeAndIntrospectEndpoints(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	secret := addClient(t, a, oidc.NewClient{ID: "rp", Trusted: true})
	rsSecret := addClient(t, a, oidc.NewClient{ID: "rs"})
	addClient(t, a, oidc.NewClient{ID: "spa", Public: true})
	acc, phone := citizen(t, a, identity.Standard, "")
	r := newRP(t, a.URL, a.Clock, "rp", secret, "openid", "offline_access")
	b := newBrowser(t, a.URL)
	f := r.start()
	tok, err := r.exchange(f, authorize(t, b, r, f, phone))
	if err != nil {
		t.Fatal(err)
	}
	introspect := func(token string) map[string]any {
		t.Helper()
		code, body, _ := post(t, a.URL+"/oidc/introspect", url.Values{"token": {token}}, "rs", rsSecret)
		if code != 200 {
			t.Fatalf("introspect: %d %v", code, body)
		}
		return body
	}
	if got := introspect(tok.AccessToken); got["active"] != true || got["sub"] != acc.ID || got["client_id"] != "rp" || got["acr"] != "urn:kabinet:level:standard" {
		t.Fatalf("an active token: %v", got)
	}
	if code, body, _ := post(t, a.URL+"/oidc/introspect", url.Values{"token": {tok.AccessToken}, "client_id": {"spa"}}, "", ""); code != 401 {
		t.Fatalf("a public client introspects: %d %v", code, body)
	}
	if code, _, _ := post(t, a.URL+"/oidc/introspect", url.Values{"token": {tok.AccessToken}}, "rs", "wrong"); code != 401 {
		t.Fatal("a wrong secret introspects")
	}
	if code, body, _ := post(t, a.URL+"/oidc/revoke", url.Values{"token": {tok.RefreshToken}, "token_type_hint": {"refresh_token"}}, "rp", secret); code != 200 {
		t.Fatalf("revoke: %d %v", code, body)
	}
	if got := introspect(tok.AccessToken); got["active"] != false {
		t.Fatalf("after revocation: %v", got)
	}
	if code, _, _ := post(t, a.URL+"/oidc/revoke", url.Values{"token": {"unknown"}}, "rp", secret); code != 200 {
		t.Fatal("an unknown token is no error")
	}
	if code, body, _ := post(t, a.URL+"/oidc/revoke", url.Values{}, "rp", secret); code != 400 || body["error"] != oidc.ErrInvalidRequest {
		t.Fatalf("no token: %d %v", code, body)
	}
}

// RP-initiated logout: with the citizen's ID token the session ends at once and the browser
// goes back with the state; without it a page asks; an unregistered address is an error page.
func TestEndSession(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	secret := addClient(t, a, oidc.NewClient{ID: "rp", Name: "Портал", Trusted: true, PostLogoutURIs: []string{"http://127.0.0.1:9/bye"}})
	_, phone := citizen(t, a, identity.Simplified, "")
	r := newRP(t, a.URL, a.Clock, "rp", secret)
	signedIn := func(b *browser) bool { return b.Do("GET", "/id/session", nil).Status == 200 }
	login := func() (*browser, string) {
		b := newBrowser(t, a.URL)
		f := r.start()
		tok, err := r.exchange(f, authorize(t, b, r, f, phone))
		if err != nil {
			t.Fatal(err)
		}
		if !signedIn(b) {
			t.Fatal("not signed in")
		}
		return b, tok.Extra("id_token").(string)
	}
	b, hint := login()
	q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"http://127.0.0.1:9/bye"}, "state": {"st-1"}}
	p := b.Do("GET", "/oidc/logout?"+q.Encode(), nil)
	if p.Status != http.StatusSeeOther || p.Location != "http://127.0.0.1:9/bye?state=st-1" || signedIn(b) {
		t.Fatalf("logout with the hint: %d %q", p.Status, p.Location)
	}
	// Without a hint: asked, with the service's address allowed as the form's target.
	b, _ = login()
	p, out := b.walk(b.Do("GET", "/oidc/logout?"+url.Values{"client_id": {"rp"}, "post_logout_redirect_uri": {"http://127.0.0.1:9/bye"}}.Encode(), nil))
	if out != nil || !strings.Contains(p.Body, `id="sign-out-form"`) || !strings.Contains(p.Header.Get("Content-Security-Policy"), "http://127.0.0.1:9") {
		t.Fatalf("confirmation: %v %.500s", out, p.Body)
	}
	action, csrf := webtest.Form(t, p, "sign-out-form")
	_, out = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"logout"}}))
	if out == nil || out.Path != "/bye" || signedIn(b) {
		t.Fatalf("after confirming: %v", out)
	}
	// An address not registered: an error page, nothing followed, the session kept.
	b, hint = login()
	p = b.Do("GET", "/oidc/logout?"+url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode(), nil)
	if p.Location != "" || p.Status < 400 || !signedIn(b) {
		t.Fatalf("an unregistered address: %d %q", p.Status, p.Location)
	}
	// Signed out already: back at once; with no address, a page saying so.
	fresh := newBrowser(t, a.URL)
	if p := fresh.Do("GET", "/oidc/logout?"+q.Encode(), nil); p.Location != "http://127.0.0.1:9/bye?state=st-1" {
		t.Fatalf("signed out: %q", p.Location)
	}
	if p, _ := fresh.walk(fresh.Do("GET", "/oidc/logout", nil)); !strings.Contains(p.Body, `id="signed-out"`) {
		t.Fatalf("the signed-out page: %.500s", p.Body)
	}
}

// The settings list the services allowed; revoking one stops its tokens, and it must ask
// again. ui_locales and login_hint reach the pages.
func TestServicesInSettings(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	secret := addClient(t, a, oidc.NewClient{ID: "rp", Name: "Запись к врачу"})
	_, phone := citizen(t, a, identity.Standard, "")
	r := newRP(t, a.URL, a.Clock, "rp", secret)
	b := newBrowser(t, a.URL)
	f := r.start(oauth2.SetAuthURLParam("ui_locales", "en-US ru"), oauth2.SetAuthURLParam("login_hint", phone))
	p, _ := b.walk(b.Do("GET", f.authURL, nil))
	if !strings.Contains(p.Body, `lang="en"`) || !strings.Contains(html.UnescapeString(p.Body), `value="`+phone+`"`) {
		t.Fatalf("login page: ui_locales or login_hint lost: %.2000s", p.Body)
	}
	p, _ = b.walk(b.login(p, phone))
	if !strings.Contains(p.Body, "asks for access to your data") {
		t.Fatalf("consent page not in English: %.2000s", p.Body)
	}
	action, csrf := webtest.Form(t, p, "consent-form")
	_, out := b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"allow"}}))
	code, _ := r.callback(f, out)
	tok, err := r.exchange(f, code)
	if err != nil {
		t.Fatal(err)
	}
	p = b.Do("GET", "/id/settings", nil)
	if !strings.Contains(p.Body, `id="service-rp"`) || !strings.Contains(p.Body, "Запись к врачу") {
		t.Fatalf("settings: %.3000s", p.Body)
	}
	action, csrf = webtest.Form(t, p, "revoke-rp")
	if p := b.Do("POST", action, url.Values{"csrf": {csrf}, "client": {"rp"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("a revoked service's token still works")
	}
	if p := b.Do("GET", "/id/settings", nil); strings.Contains(p.Body, `id="service-rp"`) || !strings.Contains(p.Body, `id="no-services"`) {
		t.Fatal("a revoked service is still listed")
	}
	f = r.start()
	if p, out := b.walk(b.Do("GET", f.authURL, nil)); out != nil || !strings.Contains(p.Body, `id="consent-form"`) {
		t.Fatalf("no consent asked after revoking: %v", out)
	}
}

// Every scope has its words on the consent page and its label in the settings, in every
// language.
func TestScopeWords(t *testing.T) {
	for _, s := range oidc.Scopes {
		for _, l := range i18n.Languages() {
			for _, k := range []string{"oidc.scope." + s, "enum.scope." + s} {
				if !i18n.Has(l, k) {
					t.Errorf("no %s text of %s", l, k)
				}
			}
		}
	}
}
