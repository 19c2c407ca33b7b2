package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	kapp "github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The OpenID Connect provider (IDP-7) in headless Chromium: a citizen logs in to a service of
// another party — a relying party the test serves, written with golang.org/x/oauth2 and
// go-oidc — through kabinet's login and consent pages, again without any page, and signs out
// through end-session; a service that needs a higher level shows the level page.

// testRP is a relying party: its own pages on an httptest server, its client registered with
// kabinet. It keeps each login's state, nonce and PKCE verifier by state, verifies the ID token
// (signature, issuer, audience, expiry, nonce) and shows the verified name.
type testRP struct {
	t        *testing.T
	srv      *httptest.Server
	provider *gooidc.Provider
	conf     oauth2.Config
	verifier *gooidc.IDTokenVerifier
	endpoint string // end_session_endpoint

	mu      sync.Mutex
	pending map[string]rpLogin // by state
	idToken string             // of the last login
	logouts map[string]bool    // end-session states sent
}

type rpLogin struct{ nonce, verifier string }

// newTestRP starts a relying party of kabinet at issuer and registers it as clientID.
func newTestRP(t *testing.T, c *citizens, clientID, name string, scopes ...string) *testRP {
	t.Helper()
	r := &testRP{t: t, pending: map[string]rpLogin{}, logouts: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", r.handleHome)
	mux.HandleFunc("GET /login", r.handleLogin)
	mux.HandleFunc("GET /callback", r.handleCallback)
	mux.HandleFunc("GET /logout", r.handleLogout)
	mux.HandleFunc("GET /bye", r.handleBye)
	mux.HandleFunc("GET /favicon.ico", http.NotFound)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	_, secret, err := c.OIDC.AddClient(context.Background(), oidc.NewClient{ID: clientID, Name: name,
		RedirectURIs: []string{r.srv.URL + "/callback"}, PostLogoutURIs: []string{r.srv.URL + "/bye"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.provider, err = gooidc.NewProvider(context.Background(), c.URL); err != nil {
		t.Fatal(err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := r.provider.Claims(&meta); err != nil || meta.EndSession == "" {
		t.Fatalf("discovery: no end_session_endpoint (%v)", err)
	}
	r.endpoint = meta.EndSession
	r.conf = oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: r.provider.Endpoint(), RedirectURL: r.srv.URL + "/callback",
		Scopes: append([]string{gooidc.ScopeOpenID}, scopes...)}
	r.verifier = r.provider.Verifier(&gooidc.Config{ClientID: clientID, Now: c.Clock.Now})
	return r
}

func (r *testRP) page(w http.ResponseWriter, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>%s</title></head><body><main>%s</main></body></html>`,
		html.EscapeString(title), body)
}

func (r *testRP) handleHome(w http.ResponseWriter, _ *http.Request) {
	r.page(w, "Запись к врачу", `<h1>Запись к врачу</h1><p><a id="login" href="/login">Войти через kabinet</a></p>`)
}

func rpRandom() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// handleLogin sends the browser to kabinet (?acr=… asks for a level).
func (r *testRP) handleLogin(w http.ResponseWriter, req *http.Request) {
	state, l := rpRandom(), rpLogin{nonce: rpRandom(), verifier: oauth2.GenerateVerifier()}
	r.mu.Lock()
	r.pending[state] = l
	r.mu.Unlock()
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(l.nonce), oauth2.S256ChallengeOption(l.verifier)}
	if acr := req.URL.Query().Get("acr"); acr != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", acr))
	}
	http.Redirect(w, req, r.conf.AuthCodeURL(state, opts...), http.StatusFound)
}

// handleCallback takes the code (or the refusal), exchanges it and shows whom it verified.
func (r *testRP) handleCallback(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	r.mu.Lock()
	l, ok := r.pending[q.Get("state")]
	delete(r.pending, q.Get("state"))
	r.mu.Unlock()
	fail := func(what string) {
		r.page(w, "Ошибка входа", `<h1>Ошибка входа</h1><p id="error">`+html.EscapeString(what)+`</p>`)
	}
	switch {
	case !ok:
		fail("unknown state")
		return
	case q.Get("error") != "":
		fail(q.Get("error"))
		return
	}
	ctx := req.Context()
	tok, err := r.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(l.verifier))
	if err != nil {
		fail("exchange: " + err.Error())
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := r.verifier.Verify(ctx, raw)
	if err != nil || id.Nonce != l.nonce {
		fail(fmt.Sprintf("ID token: %v (nonce %q)", err, id.Nonce))
		return
	}
	var claims struct {
		ACR          string `json:"acr"`
		Confirmation string `json:"confirmation_method"`
	}
	info, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	var user struct {
		Given  string `json:"given_name"`
		Family string `json:"family_name"`
		SNILS  string `json:"snils"`
	}
	if err == nil {
		err = id.Claims(&claims)
	}
	if err == nil {
		err = info.Claims(&user)
	}
	if err != nil || info.Subject != id.Subject {
		fail(fmt.Sprintf("userinfo: %v", err))
		return
	}
	r.mu.Lock()
	r.idToken = raw
	r.mu.Unlock()
	r.page(w, "Запись к врачу", fmt.Sprintf(`<h1 id="who">%s %s</h1><p>Уровень: <span id="acr">%s</span>, подтверждение: <span id="confirmation">%s</span>, СНИЛС: <span id="snils">%s</span></p>`+
		`<p><a id="logout" href="/logout">Выйти</a> <a id="logout-ask" href="/logout?ask=1">Выйти (без подсказки)</a></p>`,
		html.EscapeString(user.Given), html.EscapeString(user.Family), html.EscapeString(claims.ACR), html.EscapeString(claims.Confirmation), html.EscapeString(user.SNILS)))
}

// handleLogout sends the browser to kabinet's end-session endpoint: with the ID token as the
// hint (kabinet signs out at once), or with ?ask=1 only the client's id (kabinet asks).
func (r *testRP) handleLogout(w http.ResponseWriter, req *http.Request) {
	state := rpRandom()
	r.mu.Lock()
	r.logouts[state] = true
	hint := r.idToken
	r.mu.Unlock()
	v := url.Values{"post_logout_redirect_uri": {r.srv.URL + "/bye"}, "state": {state}, "client_id": {r.conf.ClientID}}
	if req.URL.Query().Get("ask") == "" {
		v.Set("id_token_hint", hint)
	}
	http.Redirect(w, req, r.endpoint+"?"+v.Encode(), http.StatusFound)
}

func (r *testRP) handleBye(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	ok := r.logouts[req.URL.Query().Get("state")]
	r.mu.Unlock()
	if !ok {
		r.page(w, "Ошибка выхода", `<p id="error">unknown state</p>`)
		return
	}
	r.page(w, "Запись к врачу", `<h1 id="bye">Вы вышли из сервиса</h1>`)
}

// IDP-7: log in to a service through kabinet with consent (the login and consent pages checked
// by axe, in Russian and English, on a phone), again without any page, the consent revoked in
// the settings and asked again; sign out through end-session, asked (the page checked) and at
// once with the ID token as the hint.
func TestOIDCJourney(t *testing.T) {
	c := startCitizens(t, storetest.SQLite(t), kapp.Identity{})
	acc := c.account(t, identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Patronymic: "Викторовна", Phone: "+79261234567",
		Email: "elena@example.ru", SNILS: "112-233-445 95", INN: "500100732259", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC),
		Level: identity.Confirmed, Method: identity.ServiceCenter})
	rp := newTestRP(t, c, "clinic", "Запись к врачу", "profile", "email", "snils", "inn", gooidc.ScopeOfflineAccess)
	ctx := browser(t)

	// The service sends the browser to kabinet's login page.
	visit(t, ctx, rp.srv.URL+"/", "#login")
	run(t, ctx, submit("#login"))
	shows(t, ctx, "#login-form")
	checkPage(t, ctx, "oidc-login")
	fill(t, ctx, map[string]string{"login": "+79261234567", "password": "Volga-river-2026"})
	run(t, ctx, submit("#submit"))

	// The consent page: the service by name and the data in words.
	shows(t, ctx, "#consent-form")
	checkPage(t, ctx, "oidc-consent-ru")
	noCodes(t, ctx, "oidc-consent-ru")
	fits(t, ctx, "oidc-consent-ru")
	has(t, ctx, "#consent-intro", "Запись к врачу")
	for id, want := range map[string]string{"#scope-openid": "уровень учётной записи", "#scope-profile": "Фамилия, имя, отчество",
		"#scope-email": "электронной почты", "#scope-snils": "СНИЛС", "#scope-inn": "ИНН", "#scope-offline_access": "пока вы не отзовёте"} {
		has(t, ctx, id, want)
	}
	has(t, ctx, "#consent-return", strings.TrimPrefix(rp.srv.URL, "http://"))
	has(t, ctx, "#consent-return", "«Безопасность»") // where the settings are, by the name the menu shows
	// In English (the switch keeps the page).
	run(t, ctx, submit("#lang-en"))
	shows(t, ctx, "#consent-form")
	checkPage(t, ctx, "oidc-consent-en")
	fits(t, ctx, "oidc-consent-en")
	has(t, ctx, "#scope-snils", "SNILS")
	has(t, ctx, "#allow", "Allow")
	run(t, ctx, submit("#lang-ru"))
	shows(t, ctx, "#consent-form")
	run(t, ctx, submit("#allow"))

	// Back at the service, which verified the ID token and read userinfo.
	shows(t, ctx, "#who")
	has(t, ctx, "#who", "Елена Соколова")
	has(t, ctx, "#acr", oidc.ACR(identity.Confirmed))
	has(t, ctx, "#confirmation", "service_center")
	has(t, ctx, "#snils", acc.SNILS)

	// Again: signed in to kabinet and allowed before, so no page of kabinet at all.
	visit(t, ctx, rp.srv.URL+"/", "#login")
	run(t, ctx, submit("#login"))
	if u := currentURL(t, ctx); !strings.HasPrefix(u, rp.srv.URL+"/callback") {
		t.Fatalf("the second login stopped at %s", u)
	}
	has(t, ctx, "#who", "Елена Соколова")

	// The settings list the service with the data allowed, in words; revoking it makes the
	// service ask again.
	visit(t, ctx, c.URL+"/id/settings", "#services")
	has(t, ctx, "#service-clinic", "Запись к врачу")
	has(t, ctx, "#service-clinic", "СНИЛС")
	checkPage(t, ctx, "oidc-settings-services")
	noCodes(t, ctx, "oidc-settings-services")
	run(t, ctx, submit("#revoke-clinic button"))
	shows(t, ctx, "#no-services")
	visit(t, ctx, rp.srv.URL+"/", "#login")
	run(t, ctx, submit("#login"))
	shows(t, ctx, "#consent-form")
	run(t, ctx, submit("#allow"))
	shows(t, ctx, "#who")

	// Signing out without the ID token: kabinet asks, naming the service.
	run(t, ctx, submit("#logout-ask"))
	shows(t, ctx, "#sign-out-form")
	checkPage(t, ctx, "oidc-end-session")
	noCodes(t, ctx, "oidc-end-session")
	fits(t, ctx, "oidc-end-session")
	has(t, ctx, "#sign-out-form", "Запись к врачу")
	run(t, ctx, submit("#sign-out"))
	shows(t, ctx, "#bye")
	visit(t, ctx, c.URL+"/id/settings", "#login-form") // signed out of kabinet

	// Once more, then out with the ID token as the hint: at once, no page.
	visit(t, ctx, rp.srv.URL+"/", "#login")
	run(t, ctx, submit("#login"))
	shows(t, ctx, "#login-form")
	fill(t, ctx, map[string]string{"login": "+79261234567", "password": "Volga-river-2026"})
	run(t, ctx, submit("#submit"))
	shows(t, ctx, "#who") // consent remembered
	run(t, ctx, submit("#logout"))
	if u := currentURL(t, ctx); !strings.HasPrefix(u, rp.srv.URL+"/bye") {
		t.Fatalf("end-session with the hint stopped at %s", u)
	}
	has(t, ctx, "#bye", "Вы вышли")
	visit(t, ctx, c.URL+"/id/settings", "#login-form")
}

// IDP-2, IDP-7: a service that asks for the confirmed level, and a citizen with a simplified
// account: the level page says which level is needed and how to reach it, in Russian; back to
// the service with the standard's error.
func TestOIDCLevelPage(t *testing.T) {
	c := startCitizens(t, storetest.SQLite(t), kapp.Identity{})
	c.account(t, identity.NewAccount{Surname: "Орлова", GivenName: "Мария", Phone: "+79267654321", Level: identity.Simplified})
	rp := newTestRP(t, c, "tax-refund", "Возврат НДФЛ", "profile")
	ctx := browser(t)

	visit(t, ctx, rp.srv.URL+"/login?acr="+url.QueryEscape(oidc.ACR(identity.Confirmed)), "#login-form")
	fill(t, ctx, map[string]string{"login": "+79267654321", "password": "Volga-river-2026"})
	run(t, ctx, submit("#submit"))
	shows(t, ctx, "#level-form")
	checkPage(t, ctx, "oidc-level-ru")
	noCodes(t, ctx, "oidc-level-ru")
	fits(t, ctx, "oidc-level-ru")
	has(t, ctx, "#level-needed", "Возврат НДФЛ")
	has(t, ctx, "#level-needed", "«подтверждённая»")
	has(t, ctx, "#level-have", "упрощённая учётная запись")
	has(t, ctx, "#level-steps", "Заполните профиль")
	has(t, ctx, "#level-steps", "Подтвердите личность")
	run(t, ctx, submit("#lang-en"))
	shows(t, ctx, "#level-form")
	checkPage(t, ctx, "oidc-level-en")
	has(t, ctx, "#level-needed", "“confirmed”")
	run(t, ctx, submit("#back-to-service"))
	shows(t, ctx, "#error")
	has(t, ctx, "#error", oidc.ErrUnmetAuthentication)
}

// shows waits until the page the browser shows (no navigation) has sel.
func shows(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("no %s on %.600s", sel, page)
	}
}

// currentURL is the address of the page the browser shows.
func currentURL(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	return u
}
