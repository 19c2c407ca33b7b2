package oidcweb_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/oidcweb"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// authorize drives the browser through an authorization: the login page when it shows, the
// consent page when it shows (allowed), and returns the code the relying party got.
func authorize(t *testing.T, b *browser, r *rp, f *flow, phone string) string {
	t.Helper()
	p, out := b.walk(b.Do("GET", f.authURL, nil))
	if out == nil && strings.Contains(p.Body, `id="login-form"`) {
		p, out = b.walk(b.login(p, phone))
	}
	if out == nil && strings.Contains(p.Body, `id="consent-form"`) {
		action, csrf := webtest.Form(t, p, "consent-form")
		p, out = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"allow"}}))
	}
	code, errCode := r.callback(f, out)
	if code == "" {
		t.Fatalf("no code: %s (page %d %.500s)", errCode, p.Status, p.Body)
	}
	return code
}

// IDP-7 with an independent relying party (go-oidc, x/oauth2): discovery; the code flow with
// PKCE through the login and consent pages; the ID token verified (nonce, acr, the confirmation
// method); userinfo; a refresh; a second login without consent; a replayed code revoking what
// it issued; refresh-token reuse revoking the chain. On both engines.
func TestCodeFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := start(t, db)
		secret := addClient(t, a, oidc.NewClient{ID: "clinic", Name: "Запись к врачу"})
		acc, phone := citizen(t, a, identity.Confirmed, identity.ESign)
		r := newRP(t, a.URL, a.Clock, "clinic", secret, gooidc.ScopeOpenID, "profile", "email", "snils", gooidc.ScopeOfflineAccess)

		var meta oidcweb.Metadata
		if err := r.provider.Claims(&meta); err != nil {
			t.Fatal(err)
		}
		if meta.Issuer != a.URL || meta.TokenEndpoint != a.URL+"/oidc/token" || meta.CodeChallengeMethodsSupported[0] != "S256" ||
			len(meta.ACRValuesSupported) != 3 || meta.ResponseTypesSupported[0] != "code" || !meta.AuthorizationResponseISSSupported {
			t.Fatalf("discovery: %+v", meta)
		}

		b := newBrowser(t, a.URL)
		f := r.start()
		p, out := b.walk(b.Do("GET", f.authURL, nil))
		if out != nil || !strings.Contains(p.Body, `id="login-form"`) {
			t.Fatalf("no login page: %d %v", p.Status, out)
		}
		// The login form's answer may lead to the service: its CSP says so (Chromium checks
		// form-action on redirects).
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9") {
			t.Fatalf("login page CSP: %s", csp)
		}
		p, out = b.walk(b.login(p, phone))
		if out != nil || p.Status != http.StatusOK || !strings.Contains(p.Body, "Запись к врачу") || !strings.Contains(p.Body, `id="scope-snils"`) ||
			!strings.Contains(p.Body, "СНИЛС") || !strings.Contains(p.Body, `id="scope-offline_access"`) {
			t.Fatalf("consent page: %d %v %.3000s", p.Status, out, p.Body)
		}
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:9") {
			t.Fatalf("consent page CSP: %s", csp)
		}
		action, csrf := webtest.Form(t, p, "consent-form")
		_, out = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"allow"}}))
		code, _ := r.callback(f, out)
		tok, err := r.exchange(f, code)
		if err != nil {
			t.Fatal(err)
		}
		id := r.idToken(f, tok)
		var claims struct {
			ACR          string   `json:"acr"`
			AMR          []string `json:"amr"`
			AuthTime     int64    `json:"auth_time"`
			Confirmation string   `json:"confirmation_method"`
		}
		if err := id.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if id.Subject != acc.ID || id.Issuer != a.URL || claims.ACR != "urn:kabinet:level:confirmed" || claims.Confirmation != "esign" ||
			claims.AuthTime == 0 || strings.Join(claims.AMR, ",") != "pwd" || tok.RefreshToken == "" {
			t.Fatalf("ID token: %+v %+v", id, claims)
		}
		if err := id.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Fatalf("at_hash: %v", err)
		}
		info, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		var user map[string]any
		if err := info.Claims(&user); err != nil {
			t.Fatal(err)
		}
		if info.Subject != acc.ID || info.Email != acc.Email || !info.EmailVerified || user["family_name"] != "Соколова" || user["snils"] != acc.SNILS ||
			user["birthdate"] != "1985-04-12" {
			t.Fatalf("userinfo: %v", user)
		}
		// A refresh: new tokens, a new refresh token, a new ID token with the same subject.
		refreshed, err := r.conf.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
		if err != nil {
			t.Fatal(err)
		}
		if refreshed.RefreshToken == tok.RefreshToken || refreshed.AccessToken == tok.AccessToken || r.idToken(nil, refreshed).Subject != acc.ID {
			t.Fatalf("refresh: %+v", refreshed)
		}

		// Again: signed in and allowed before, so no page at all.
		f2 := r.start()
		_, out = b.walk(b.Do("GET", f2.authURL, nil))
		code2, _ := r.callback(f2, out)
		tok2, err := r.exchange(f2, code2)
		if err != nil {
			t.Fatal(err)
		}
		// The second code replayed: refused, and what it issued is revoked.
		if _, err := r.exchange(f2, code2); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("replayed code: %v", err)
		}
		if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok2)); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("userinfo after a replay: %v", err)
		}
		if _, err := r.conf.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("refresh after a replay: %v", err)
		}
		// The first grant is untouched; reusing its first refresh token revokes its chain.
		if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(refreshed)); err != nil {
			t.Fatalf("another grant suffered: %v", err)
		}
		if _, err := r.conf.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("refresh-token reuse: %v", err)
		}
		if _, err := r.conf.TokenSource(r.ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("the chain survived a reuse: %v", err)
		}
		if _, err := r.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(refreshed)); err == nil {
			t.Fatal("an access token of a revoked chain still works")
		}
	})
}

// The refusals of the issue, each seen by the relying party as the standards say.
func TestRefusals(t *testing.T) {
	db := storetest.SQLite(t)
	a := start(t, db)
	secret := addClient(t, a, oidc.NewClient{ID: "rp", Name: "Сервис"})
	addClient(t, a, oidc.NewClient{ID: "spa", Name: "SPA", Public: true})
	_, phone := citizen(t, a, identity.Standard, "")
	r := newRP(t, a.URL, a.Clock, "rp", secret)
	b := newBrowser(t, a.URL)

	t.Run("wrong redirect URI: an error page, no redirect", func(t *testing.T) {
		for name, q := range map[string]url.Values{
			"unregistered":   {"client_id": {"rp"}, "redirect_uri": {"http://127.0.0.1:9/other"}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}},
			"unknown client": {"client_id": {"nobody"}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid"}},
			"none":           {"client_id": {"rp"}, "response_type": {"code"}, "scope": {"openid"}},
		} {
			p := b.Do("GET", "/oidc/authorize?"+q.Encode(), nil)
			if p.Location != "" || p.Status < 400 || !strings.Contains(p.Body, `role="alert"`) || !strings.Contains(p.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d %q %.500s", name, p.Status, p.Location, p.Body)
			}
		}
	})
	t.Run("PKCE: missing and wrong verifier", func(t *testing.T) {
		f := r.start()
		code := authorize(t, b, r, f, phone)
		if _, err := r.conf.Exchange(r.ctx, code); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("no verifier: %v", err)
		}
		f = r.start()
		code = authorize(t, b, r, f, phone)
		if _, err := r.conf.Exchange(r.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("wrong verifier: %v", err)
		}
		if _, err := r.exchange(f, code); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("a code survived a wrong verifier: %v", err)
		}
	})
	t.Run("public client: PKCE required, plain refused", func(t *testing.T) {
		pub := newRP(t, a.URL, a.Clock, "spa", "")
		f := &flow{state: "st"}
		_, out := b.walk(b.Do("GET", pub.conf.AuthCodeURL(f.state), nil))
		if _, e := pub.callback(f, out); e != oidc.ErrInvalidRequest {
			t.Fatalf("without PKCE: %v", out)
		}
		_, out = b.walk(b.Do("GET", pub.conf.AuthCodeURL(f.state, oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")), nil))
		if _, e := pub.callback(f, out); e != oidc.ErrInvalidRequest {
			t.Fatalf("plain: %v", out)
		}
		f = pub.start()
		code := authorize(t, b, pub, f, phone)
		tok, err := pub.exchange(f, code)
		if err != nil {
			t.Fatalf("a public client with PKCE: %v", err)
		}
		pub.idToken(f, tok)
	})
	t.Run("expired code", func(t *testing.T) {
		f := r.start()
		code := authorize(t, b, r, f, phone)
		a.Clock.Advance(oidc.CodeTTL + time.Second)
		if _, err := r.exchange(f, code); oauthError(err) != oidc.ErrInvalidGrant {
			t.Fatalf("expired: %v", err)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		f := r.start()
		code := authorize(t, b, r, f, phone)
		wrong := newRP(t, a.URL, a.Clock, "rp", secret+"x")
		_, err := wrong.exchange(f, code)
		if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != oidc.ErrInvalidClient || re.Response.StatusCode != http.StatusUnauthorized ||
			re.Response.Header.Get("WWW-Authenticate") == "" {
			t.Fatalf("wrong secret: %v", err)
		}
		if _, err := r.exchange(f, code); err != nil {
			t.Fatalf("a failed client authentication spent the code: %v", err)
		}
	})
	t.Run("tampered ID token", func(t *testing.T) {
		f := r.start()
		tok, err := r.exchange(f, authorize(t, b, r, f, phone))
		if err != nil {
			t.Fatal(err)
		}
		raw := tok.Extra("id_token").(string)
		parts := strings.Split(raw, ".")
		payload := []byte(parts[1])
		payload[10] ^= 1
		if _, err := r.verifier.Verify(r.ctx, parts[0]+"."+string(payload)+"."+parts[2]); err == nil {
			t.Fatal("go-oidc accepted a tampered ID token")
		}
		if _, err := r.checkIDToken(f, tok); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		// Two logins at the relying party, without PKCE (a confidential client may omit it), so
		// that only the nonce ties a code to its login: the code of the first, injected into the
		// second's callback, is exchanged there — and the ID token it brings, whose nonce is the
		// first's, is refused by the second.
		first, second := &flow{state: random(), nonce: random()}, &flow{state: random(), nonce: random()}
		first.authURL = r.conf.AuthCodeURL(first.state, gooidc.Nonce(first.nonce))
		second.authURL = r.conf.AuthCodeURL(second.state, gooidc.Nonce(second.nonce))
		code := authorize(t, b, r, first, phone)
		authorize(t, b, r, second, phone)
		tok, err := r.conf.Exchange(r.ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.checkIDToken(second, tok); err == nil || !strings.Contains(err.Error(), "nonce") {
			t.Fatalf("another login's ID token accepted: %v", err)
		}
		if id, err := r.checkIDToken(first, tok); err != nil || id.Nonce != first.nonce {
			t.Fatalf("the ID token of its own login: %v", err)
		}
	})
	t.Run("prompt=none without a session", func(t *testing.T) {
		fresh := newBrowser(t, a.URL)
		f := r.start(oauth2.SetAuthURLParam("prompt", "none"))
		p, out := fresh.walk(fresh.Do("GET", f.authURL, nil))
		if _, e := r.callback(f, out); e != oidc.ErrLoginRequired {
			t.Fatalf("prompt=none: %v %.300s", out, p.Body)
		}
	})
	t.Run("prompt=login asks again", func(t *testing.T) {
		f := r.start(oauth2.SetAuthURLParam("prompt", "login"))
		p, out := b.walk(b.Do("GET", f.authURL, nil))
		if out != nil || !strings.Contains(p.Body, `id="login-form"`) {
			t.Fatalf("prompt=login with a session: %v", out)
		}
		_, out = b.walk(b.login(p, phone))
		if code, _ := r.callback(f, out); code == "" {
			t.Fatal("no code after logging in again")
		}
	})
	t.Run("deny", func(t *testing.T) {
		f := r.start(oauth2.SetAuthURLParam("prompt", "consent"))
		p, out := b.walk(b.Do("GET", f.authURL, nil))
		if out != nil {
			t.Fatalf("prompt=consent: %v", out)
		}
		action, csrf := webtest.Form(t, p, "consent-form")
		_, out = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"deny"}}))
		if _, e := r.callback(f, out); e != oidc.ErrAccessDenied {
			t.Fatalf("deny: %v", out)
		}
		// The page's flow is done: posting again changes nothing.
		if p := b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"allow"}}); p.Status != http.StatusNotFound {
			t.Fatalf("a finished authorization replayed: %d %q", p.Status, p.Location)
		}
	})
}

// acr_values above the account's level: a page that says which level and how to reach it, or
// with prompt=none an error; from the page, back to the service with the standard's error.
func TestLevelNeeded(t *testing.T) {
	db := storetest.SQLite(t)
	a := start(t, db)
	secret := addClient(t, a, oidc.NewClient{ID: "lk", Name: "Личный кабинет налогоплательщика", Trusted: true})
	_, phone := citizen(t, a, identity.Simplified, "")
	r := newRP(t, a.URL, a.Clock, "lk", secret)
	b := newBrowser(t, a.URL)
	f := r.start(oauth2.SetAuthURLParam("acr_values", oidc.ACR(identity.Confirmed)))
	p, _ := b.walk(b.Do("GET", f.authURL, nil))
	p, out := b.walk(b.login(p, phone))
	if out != nil || p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Личный кабинет налогоплательщика") ||
		!strings.Contains(p.Body, "«подтверждённая»") || !strings.Contains(p.Body, `href="/id/profile"`) || !strings.Contains(p.Body, `href="/id/confirm"`) {
		t.Fatalf("level page: %d %v %.3000s", p.Status, out, p.Body)
	}
	action, csrf := webtest.Form(t, p, "level-form")
	_, out = b.walk(b.Do("POST", action, url.Values{"csrf": {csrf}, "action": {"back"}}))
	if _, e := r.callback(f, out); e != oidc.ErrUnmetAuthentication {
		t.Fatalf("back to the service: %v", out)
	}
	f = r.start(oauth2.SetAuthURLParam("acr_values", oidc.ACR(identity.Standard)), oauth2.SetAuthURLParam("prompt", "none"))
	_, out = b.walk(b.Do("GET", f.authURL, nil))
	if _, e := r.callback(f, out); e != oidc.ErrInteractionRequired {
		t.Fatalf("prompt=none below the level: %v", out)
	}
	// At the level asked: a code at once (a trusted client asks no consent).
	f = r.start(oauth2.SetAuthURLParam("acr_values", oidc.ACR(identity.Simplified)), oauth2.SetAuthURLParam("prompt", "none"))
	_, out = b.walk(b.Do("GET", f.authURL, nil))
	if code, e := r.callback(f, out); code == "" {
		t.Fatalf("at the level: %s", e)
	}
}

// IDP-7: a service that was allowed some data and asks for more shows its consent page again,
// with the new data marked as new; the page promises only what is true of the answer.
func TestConsentMarksWhatIsNew(t *testing.T) {
	a := start(t, storetest.SQLite(t))
	secret := addClient(t, a, oidc.NewClient{ID: "clinic", Name: "Запись к врачу"})
	_, phone := citizen(t, a, identity.Confirmed, identity.ESign)
	b := newBrowser(t, a.URL)
	first := newRP(t, a.URL, a.Clock, "clinic", secret, gooidc.ScopeOpenID, "profile")
	authorize(t, b, first, first.start(), phone)
	more := newRP(t, a.URL, a.Clock, "clinic", secret, gooidc.ScopeOpenID, "profile", "snils")
	p, out := b.walk(b.Do("GET", more.start().authURL, nil))
	if out != nil || !strings.Contains(p.Body, `id="consent-form"`) {
		t.Fatalf("no consent page for more data: %d %v", p.Status, out)
	}
	badge := `<strong class="badge new">` + i18n.T("ru", "oidc.consent.new") + `</strong>`
	snils, profile := webtest.Between(p.Body, `id="scope-snils"`, "</li>"), webtest.Between(p.Body, `id="scope-profile"`, "</li>")
	if !strings.Contains(snils, badge) || profile == "" || strings.Contains(profile, badge) || !strings.Contains(p.Body, i18n.T("ru", "oidc.consent.again")) {
		t.Fatalf("the new data are not marked: %s | %s", snils, profile)
	}
}
