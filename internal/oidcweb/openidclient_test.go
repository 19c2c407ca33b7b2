package oidcweb_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/nodetest"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// IDP-7 with a second independent relying party: npm openid-client (v6, OpenID-certified), run
// by Node (e2e/oidc/rp.mjs; installed by `make test` from e2e/package.json). The test plays the
// browser between the script's two steps.

// nodeRP runs e2e/oidc/rp.mjs as one client of the provider at issuer.
type nodeRP struct {
	t                                    *testing.T
	node, script                         string
	issuer, clientID, secret, redirectTo string
	// privateKey, when set, is the private JWK the client authenticates with (private_key_jwt)
	// instead of the secret.
	privateKey map[string]any
	// clock is the provider's: the script is told how far it is ahead of the real time.
	clock *apptest.Clock
}

// newNodeRP finds Node (20 or later) and openid-client, and skips the test without them, except
// under CI=true, where their absence fails it.
func newNodeRP(t *testing.T, issuer, clientID, secret string) *nodeRP {
	t.Helper()
	return &nodeRP{t: t, node: nodetest.Node(t, "openid-client"), script: nodetest.Script(t, "rp.mjs"), issuer: issuer, clientID: clientID, secret: secret, redirectTo: redirectURI}
}

// nodeError is what the script reports of a refusal, by openid-client or by the server.
type nodeError struct {
	Name, Code, Message, Error string
	Description                string // the server's error_description
	Status                     int
	Challenges                 []string
	Cause                      *struct{ Code, Message string }
}

// nodeStart is the answer of op start: the authorization URL and what the client keeps.
type nodeStart struct {
	URL          string         `json:"url"`
	State        string         `json:"state"`
	Nonce        string         `json:"nonce"`
	CodeVerifier string         `json:"code_verifier"`
	Metadata     map[string]any `json:"metadata"`
}

// nodeFinish is the answer of op finish.
type nodeFinish struct {
	Error  *nodeError `json:"error"`
	Tokens struct {
		TokenType       string `json:"token_type"`
		ExpiresIn       int    `json:"expires_in"`
		Scope           string `json:"scope"`
		HasRefreshToken bool   `json:"has_refresh_token"`
	} `json:"tokens"`
	Claims        map[string]any `json:"claims"`
	UserInfo      map[string]any `json:"userinfo"`
	UserInfoError *nodeError     `json:"userinfo_error"`
	Refreshed     struct {
		NewRefreshToken bool `json:"new_refresh_token"`
		NewAccessToken  bool `json:"new_access_token"`
	} `json:"refreshed"`
	RefreshedClaims   map[string]any `json:"refreshed_claims"`
	RefreshedUserInfo map[string]any `json:"refreshed_userinfo"`
	RefreshError      *nodeError     `json:"refresh_error"`
	Reuse             *nodeError     `json:"reuse"`
	AfterReuse        *nodeError     `json:"after_reuse"`
	// With replay_code: the code exchanged again, then the first tokens tried.
	Replay              *nodeError `json:"replay"`
	AfterReplayUserInfo *nodeError `json:"after_replay_userinfo"`
	AfterReplayRefresh  *nodeError `json:"after_replay_refresh"`
}

// call runs one step of the script with req (the client's settings added) and decodes its
// answer into out.
func (n *nodeRP) call(req map[string]any, out any) {
	n.t.Helper()
	full := map[string]any{"issuer": n.issuer, "client_id": n.clientID, "client_secret": n.secret, "redirect_uri": n.redirectTo}
	if n.privateKey != nil {
		full["private_key_jwk"], full["client_secret"] = n.privateKey, ""
	}
	if n.clock != nil {
		if skew := int(n.clock.Now().Sub(time.Now()).Seconds()); skew != 0 {
			full["clock_skew"] = skew
		}
	}
	for k, v := range req {
		full[k] = v
	}
	in, _ := json.Marshal(full)
	cmd := exec.Command(n.node, n.script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		n.t.Fatalf("rp.mjs %s: %v\n%s", req["op"], err, stderr.String())
	}
	if err := json.Unmarshal(raw, out); err != nil {
		n.t.Fatalf("rp.mjs %s: %v\n%s", req["op"], err, raw)
	}
}

// start asks openid-client for an authorization URL, with extra parameters.
func (n *nodeRP) start(scope string, params map[string]string) nodeStart {
	n.t.Helper()
	var s nodeStart
	n.call(map[string]any{"op": "start", "scope": scope, "params": params}, &s)
	if s.URL == "" || s.State == "" || s.Nonce == "" || s.CodeVerifier == "" {
		n.t.Fatalf("start: %+v", s)
	}
	return s
}

// finish gives openid-client the URL the browser was sent back to; extra changes the request
// (another nonce, a tampered ID token …).
func (n *nodeRP) finish(s nodeStart, callback *url.URL, extra map[string]any) nodeFinish {
	n.t.Helper()
	if callback == nil {
		n.t.Fatal("the browser was not sent back to the service")
	}
	req := map[string]any{"op": "finish", "callback": callback.String(), "state": s.State, "nonce": s.Nonce, "code_verifier": s.CodeVerifier}
	for k, v := range extra {
		req[k] = v
	}
	var f nodeFinish
	n.call(req, &f)
	return f
}

// sendBack drives the browser through an authorization URL — the login page and the consent
// page (allowed) when they show — and returns where kabinet sent it back, with the last page.
func sendBack(t *testing.T, b *browser, authURL, phone string) (*url.URL, page) {
	t.Helper()
	p, out := b.walk(b.Do("GET", authURL, nil))
	if out == nil && strings.Contains(p.Body, `id="login-form"`) {
		p, out = b.walk(b.login(p, phone))
	}
	if out == nil && strings.Contains(p.Body, `id="consent-form"`) {
		action, csrf := webtest.Form(t, p, "consent-form")
		p, out = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"allow"}}))
	}
	return out, p
}

// The code flow with openid-client: discovery, PKCE, state and nonce; the ID token verified by
// the library against the published keys (acr, confirmation_method, auth_time); userinfo; a
// refresh rotating the refresh token; the used one presented again refused and its chain
// revoked. On both engines.
func TestOpenIDClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := start(t, db)
		secret := addClient(t, a, oidc.NewClient{ID: "portal", Name: "Портал госуслуг региона"})
		acc, phone := citizen(t, a, identity.Confirmed, identity.Mail)
		n := newNodeRP(t, a.URL, "portal", secret)
		b := newBrowser(t, a.URL)

		s := n.start("openid profile email snils offline_access", nil)
		if s.Metadata["issuer"] != a.URL || s.Metadata["authorization_response_iss_parameter_supported"] != true {
			t.Fatalf("discovery as openid-client read it: %v", s.Metadata)
		}
		if u, _ := url.Parse(s.URL); u.Query().Get("code_challenge_method") != "S256" || u.Query().Get("nonce") != s.Nonce {
			t.Fatalf("authorization URL: %s", s.URL)
		}
		back, p := sendBack(t, b, s.URL, phone)
		if back == nil || back.Query().Get("code") == "" {
			t.Fatalf("no code: %v %d %.500s", back, p.Status, p.Body)
		}
		f := n.finish(s, back, nil)
		if f.Error != nil {
			t.Fatalf("openid-client refused the answer: %+v", f.Error)
		}
		c := f.Claims
		if c["sub"] != acc.ID || c["iss"] != a.URL || c["aud"] != "portal" || c["nonce"] != s.Nonce || c["acr"] != oidc.ACR(identity.Confirmed) ||
			c["confirmation_method"] != "mail" || c["auth_time"] == nil || c["at_hash"] == nil || c["azp"] != "portal" {
			t.Fatalf("ID token claims: %v", c)
		}
		if f.Tokens.TokenType != "bearer" && f.Tokens.TokenType != "Bearer" || !f.Tokens.HasRefreshToken || f.Tokens.ExpiresIn != int(oidc.AccessTokenTTL.Seconds()) {
			t.Fatalf("tokens: %+v", f.Tokens)
		}
		u := f.UserInfo
		if f.UserInfoError != nil || u["sub"] != acc.ID || u["snils"] != acc.SNILS || u["family_name"] != "Соколова" || u["given_name"] != "Елена" ||
			u["middle_name"] != "Викторовна" || u["email"] != acc.Email || u["email_verified"] != true || u["birthdate"] != "1985-04-12" ||
			u["acr"] != oidc.ACR(identity.Confirmed) || u["confirmation_method"] != "mail" {
			t.Fatalf("userinfo: %v %+v", u, f.UserInfoError)
		}
		if _, ok := u["phone_number"]; ok {
			t.Fatalf("userinfo releases the phone without its scope: %v", u)
		}
		// The refresh: new tokens; an ID token of the same subject and login, without a nonce.
		if f.RefreshError != nil || !f.Refreshed.NewRefreshToken || !f.Refreshed.NewAccessToken {
			t.Fatalf("refresh: %+v %+v", f.Refreshed, f.RefreshError)
		}
		rc := f.RefreshedClaims
		if rc["sub"] != acc.ID || rc["auth_time"] != c["auth_time"] || rc["nonce"] != nil || rc["acr"] != c["acr"] || f.RefreshedUserInfo["snils"] != acc.SNILS {
			t.Fatalf("refreshed ID token: %v, userinfo %v", rc, f.RefreshedUserInfo)
		}
		if f.Reuse == nil || f.Reuse.Error != oidc.ErrInvalidGrant || f.Reuse.Status != http.StatusBadRequest {
			t.Fatalf("a used refresh token accepted again: %+v", f.Reuse)
		}
		if f.AfterReuse == nil || f.AfterReuse.Error != oidc.ErrInvalidGrant {
			t.Fatalf("the chain survived a reuse: %+v", f.AfterReuse)
		}
	})
}

// The refusals, each seen by openid-client: a nonce that is not the one sent, an ID token
// changed on the way (its signature), a redirect URI not registered (an error page at the
// authorization, invalid_grant at the token endpoint), a wrong client secret, a missing and a
// wrong PKCE verifier, a replayed code (and the tokens it issued revoked), a private_key_jwt
// assertion signed by another key than the client's, prompt=none without a session, a level
// below acr_values (the standard's errors at the redirect URI), and an expired code (by the
// test's clock).
func TestOpenIDClientRefusals(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	secret := addClient(t, a, oidc.NewClient{ID: "bank", Name: "Банк"})
	_, phone := citizen(t, a, identity.Standard, "")
	n := newNodeRP(t, a.URL, "bank", secret)
	n.clock = a.Clock
	b := newBrowser(t, a.URL)
	login := func(t *testing.T, params map[string]string) (nodeStart, *url.URL) {
		t.Helper()
		s := n.start("openid profile", params)
		back, p := sendBack(t, b, s.URL, phone)
		if back == nil {
			t.Fatalf("not sent back: %d %.500s", p.Status, p.Body)
		}
		return s, back
	}
	refused := func(t *testing.T, f nodeFinish, code, errCode string) {
		t.Helper()
		if f.Error == nil || f.Error.Code != code || f.Error.Error != errCode {
			t.Fatalf("want %s %q, got %+v (claims %v)", code, errCode, f.Error, f.Claims)
		}
	}

	t.Run("nonce mismatch", func(t *testing.T) {
		s, back := login(t, nil)
		refused(t, n.finish(s, back, map[string]any{"nonce": "another-nonce-the-client-never-sent"}), "OAUTH_JWT_CLAIM_COMPARISON_FAILED", "")
	})
	t.Run("tampered ID token", func(t *testing.T) {
		s, back := login(t, nil)
		f := n.finish(s, back, map[string]any{"tamper_id_token": true})
		refused(t, f, "OAUTH_INVALID_RESPONSE", "")
		if f.Error.Cause == nil || !strings.Contains(f.Error.Cause.Message, "signature verification failed") {
			t.Fatalf("refused for another reason: %+v", f.Error)
		}
	})
	t.Run("redirect URI not registered", func(t *testing.T) {
		other := *n
		other.redirectTo = "http://127.0.0.1:9/elsewhere"
		s := other.start("openid", nil)
		p := b.Do("GET", s.URL, nil)
		if p.Location != "" || p.Status < 400 || !strings.Contains(p.Body, `role="alert"`) {
			t.Fatalf("an unregistered redirect URI: %d %q %.500s", p.Status, p.Location, p.Body)
		}
		s, back := login(t, nil)
		refused(t, n.finish(s, back, map[string]any{"token_redirect_uri": "http://127.0.0.1:9/elsewhere"}), "OAUTH_RESPONSE_BODY_ERROR", oidc.ErrInvalidGrant)
	})
	t.Run("wrong client secret", func(t *testing.T) {
		s, back := login(t, nil)
		wrong := *n
		wrong.secret = secret + "x"
		f := wrong.finish(s, back, nil)
		if f.Error == nil || f.Error.Status != http.StatusUnauthorized || f.Error.Error != oidc.ErrInvalidClient {
			t.Fatalf("wrong secret: %+v", f.Error)
		}
		// The failed authentication did not spend the code.
		if f := n.finish(s, back, nil); f.Error != nil || f.Claims["sub"] == nil {
			t.Fatalf("the code after a wrong secret: %+v", f.Error)
		}
	})
	t.Run("wrong PKCE verifier, then the code replayed", func(t *testing.T) {
		s, back := login(t, nil)
		wrong := s
		wrong.CodeVerifier = strings.Repeat("v", 43)
		refused(t, n.finish(wrong, back, nil), "OAUTH_RESPONSE_BODY_ERROR", oidc.ErrInvalidGrant)
		refused(t, n.finish(s, back, nil), "OAUTH_RESPONSE_BODY_ERROR", oidc.ErrInvalidGrant)
	})
	t.Run("missing PKCE verifier", func(t *testing.T) {
		s, back := login(t, nil)
		f := n.finish(s, back, map[string]any{"omit_code_verifier": true})
		refused(t, f, "OAUTH_RESPONSE_BODY_ERROR", oidc.ErrInvalidGrant)
		if !strings.Contains(f.Error.Description, "code_verifier is required") {
			t.Fatalf("refused for another reason: %+v", f.Error)
		}
		// The failed exchange spent the code.
		f = n.finish(s, back, nil)
		refused(t, f, "OAUTH_RESPONSE_BODY_ERROR", oidc.ErrInvalidGrant)
		if !strings.Contains(f.Error.Description, "used before") {
			t.Fatalf("refused for another reason: %+v", f.Error)
		}
	})
	t.Run("replayed code: the tokens it issued revoked", func(t *testing.T) {
		s := n.start("openid profile offline_access", nil)
		back, p := sendBack(t, b, s.URL, phone)
		if back == nil {
			t.Fatalf("not sent back: %d %.500s", p.Status, p.Body)
		}
		f := n.finish(s, back, map[string]any{"replay_code": true})
		if f.Error != nil || f.Claims["sub"] == nil || !f.Tokens.HasRefreshToken {
			t.Fatalf("the first exchange: %+v %+v", f.Error, f.Tokens)
		}
		if f.Replay == nil || f.Replay.Error != oidc.ErrInvalidGrant || f.Replay.Status != http.StatusBadRequest || !strings.Contains(f.Replay.Description, "used before") {
			t.Fatalf("the code replayed: %+v", f.Replay)
		}
		if u := f.AfterReplayUserInfo; u == nil || u.Status != http.StatusUnauthorized || u.Error != oidc.ErrInvalidToken || !strings.Contains(u.Description, "revoked") {
			t.Fatalf("the first access token after the replay: %+v", u)
		}
		if r := f.AfterReplayRefresh; r == nil || r.Error != oidc.ErrInvalidGrant || !strings.Contains(r.Description, "revoked") {
			t.Fatalf("the first refresh token after the replay: %+v", r)
		}
	})
	t.Run("private_key_jwt signed by another key", func(t *testing.T) {
		// The client's key set is published by URL, fetched by kabinet's fetcher.
		key, other := newClientKey("k1"), newClientKey("k1")
		jwks := newJWKSServer(t, false)
		jwks.serve(200, set(key))
		addClient(t, a, oidc.NewClient{ID: "bank-jwt", Name: "Банк", AuthMethod: oidc.AuthJWT, JWKSURL: jwks.URL + "/jwks"})
		signed := func(k clientKey) *nodeRP {
			rp := *n
			rp.clientID, rp.secret, rp.privateKey = "bank-jwt", "", privateJWK(t, k)
			return &rp
		}
		s := signed(key).start("openid profile", nil)
		back, p := sendBack(t, b, s.URL, phone)
		if back == nil {
			t.Fatalf("not sent back: %d %.500s", p.Status, p.Body)
		}
		wrong := signed(other).finish(s, back, nil)
		if wrong.Error == nil || wrong.Error.Status != http.StatusUnauthorized || wrong.Error.Error != oidc.ErrInvalidClient ||
			!strings.Contains(wrong.Error.Description, "not signed by a key of the client") {
			t.Fatalf("an assertion signed by another key: %+v", wrong.Error)
		}
		// The client's own key: the code (not spent by a failed client authentication), tokens,
		// userinfo.
		if f := signed(key).finish(s, back, nil); f.Error != nil || f.Claims["sub"] == nil || f.UserInfoError != nil {
			t.Fatalf("the client's own key: %+v %+v", f.Error, f.UserInfoError)
		}
	})
	t.Run("prompt=none without a session", func(t *testing.T) {
		s := n.start("openid", map[string]string{"prompt": "none"})
		fresh := newBrowser(t, a.URL)
		_, back := fresh.walk(fresh.Do("GET", s.URL, nil))
		refused(t, n.finish(s, back, nil), "OAUTH_AUTHORIZATION_RESPONSE_ERROR", oidc.ErrLoginRequired)
	})
	t.Run("acr_values above the account's level", func(t *testing.T) {
		s := n.start("openid", map[string]string{"acr_values": oidc.ACR(identity.Confirmed)})
		p, back := b.walk(b.Do("GET", s.URL, nil))
		if back != nil || !strings.Contains(p.Body, `id="level-form"`) {
			t.Fatalf("no level page: %v %d", back, p.Status)
		}
		action, csrf := webtest.Form(t, p, "level-form")
		_, back = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"back"}}))
		refused(t, n.finish(s, back, nil), "OAUTH_AUTHORIZATION_RESPONSE_ERROR", oidc.ErrUnmetAuthentication)
	})
	// Last: it moves the provider's clock (the script is told, by clock_skew).
	t.Run("expired code", func(t *testing.T) {
		s, back := login(t, nil)
		a.Clock.Advance(oidc.CodeTTL + time.Second)
		f := n.finish(s, back, nil)
		refused(t, f, "OAUTH_RESPONSE_BODY_ERROR", oidc.ErrInvalidGrant)
		if !strings.Contains(f.Error.Description, "expired") {
			t.Fatalf("refused for another reason: %+v", f.Error)
		}
	})
}

// privateJWK is k as a private JWK (with its kid), for the script.
func privateJWK(t *testing.T, k clientKey) map[string]any {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: k.priv, KeyID: k.kid})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
