package lkweb_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/gostoracle"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
	"github.com/kabinet/kabinet/tin"
)

// LK-6 over HTTP, through the real server, with kabinet's own identity provider: a browser (a
// cookie jar) presses "Войти через единую учётную запись", logs in at the provider and comes back.

const idPassword = "Volga-river-2026"

// browser is a citizen's browser (webtest): cookies, and redirects followed by hand so that the
// test sees each step.
type browser struct {
	*webtest.Browser
	t *testing.T
}

func newBrowser(t *testing.T, base string) *browser { return &browser{webtest.NewBrowser(t, base), t} }

// answer is a page: where it was, its status, Location and body.
type answer = webtest.Page

var (
	csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	idpRE  = regexp.MustCompile(`<a href="([^"]+)" class="button" id="idp-login">`)
)

// idpLogin presses the button of the login page and logs in at kabinet's provider with login,
// unless the browser is signed in there already; it returns the page it lands on.
func (b *browser) idpLogin(login string) answer {
	b.t.Helper()
	p := b.Follow(b.Do("GET", "/lk/login", nil))
	m := idpRE.FindStringSubmatch(p.Body)
	if m == nil {
		b.t.Fatalf("no button on the login page:\n%.2000s", p.Body)
	}
	p = b.Follow(b.Do("GET", html.UnescapeString(m[1]), nil))
	if strings.Contains(p.URL, "/id/login") {
		action, csrf := webtest.Form(b.t, p, "login-form")
		p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "login": {login}, "password": {idPassword}}))
	}
	return p
}

// session is the personal account's session check: the subject and the method, "" without one.
func (b *browser) session() (subject, method string) {
	b.t.Helper()
	p := b.Do("GET", "/lk/session", nil)
	if p.Status != 200 {
		return "", ""
	}
	var s struct{ Subject, Method string }
	if err := json.Unmarshal([]byte(p.Body), &s); err != nil {
		b.t.Fatal(err)
	}
	return s.Subject, s.Method
}

var citizens atomic.Int32

// citizen adds an account of the identity provider at a level, with the TIN and СНИЛС given, and
// returns its login (a phone).
func citizen(t *testing.T, a *apptest.App, level identity.Level, method identity.Method, inn, snils string) string {
	t.Helper()
	phone := fmt.Sprintf("+7927%07d", citizens.Add(1))
	if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Patronymic: "Ивановна",
		Phone: phone, SNILS: snils, INN: inn, BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Level: level, Method: method,
		Password: idPassword}); err != nil {
		t.Fatal(err)
	}
	return phone
}

var snilsSerial atomic.Int32

// snilsOf returns the СНИЛС of the nine digits of n, with its check digits.
func snilsOf(n int) string {
	s, err := tin.NewSNILS(fmt.Sprintf("%09d", n))
	if err != nil {
		panic(err)
	}
	return s
}

// taxpayer registers a person with a СНИЛС and returns the TIN and the СНИЛС.
func taxpayer(t *testing.T, a *apptest.App, surname string) (tin, snils string) {
	t.Helper()
	n := int(snilsSerial.Add(1))
	snils = snilsOf(300000000 + n*7919)
	birth := time.Date(1980+n%20, 3, 3, 0, 0, 0, 0, time.UTC)
	res, err := a.Register.RegisterPerson(context.Background(), sys, register.PersonInput{Surname: surname, GivenName: "Елена", Patronymic: "Ивановна",
		BirthDate: birth, BirthPlace: "г. Москва", Sex: register.Female, Citizenship: "RUS", SNILS: snils, Ground: register.GroundResidence, TaxOffice: "7736",
		Document: register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("45%02d", birth.AddDate(20, 0, 0).Year()%100), Number: fmt.Sprintf("%06d", 600000+n),
			IssuedOn: birth.AddDate(20, 0, 5)},
		Address: register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "1"}})
	if err != nil || res.Taxpayer == nil {
		t.Fatalf("register: %+v %v", res, err)
	}
	return res.Taxpayer.TIN, snils
}

// refusal asserts that p is the refusal page of reason and returns its text.
func refusal(t *testing.T, p answer, reason string) string {
	t.Helper()
	if p.Status != 200 || !strings.Contains(p.URL, "/lk/oidc/refused/"+reason) || !strings.Contains(p.Body, `data-reason="`+reason+`"`) {
		t.Fatalf("want the refusal %s, got %s (%d):\n%.3000s", reason, p.URL, p.Status, p.Body)
	}
	return html.UnescapeString(p.Body)
}

// The login through kabinet's own provider (LK-6): a confirmed account (at a service centre)
// of a taxpayer gets in, matched by its ИНН, and is offered the optional password, which then
// works for the TIN-and-password login; matched by СНИЛС alone; an account confirmed by mail is
// refused with the reason and what to do (the provider's pages linked); a standard one is told
// which level is needed; no taxpayer, the plain message; a card holder lands in the same account;
// the callback is single use and only for the browser that started the login.
func TestIdPLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{})

		// A confirmed account, matched by ИНН: in, and the optional password offered.
		tin, snils := taxpayer(t, a, "Морозова")
		b := newBrowser(t, a.URL)
		p := b.idpLogin(citizen(t, a, identity.Confirmed, identity.ServiceCenter, tin, snils))
		if !strings.Contains(p.URL, "/lk/oidc/password") || !strings.Contains(p.Body, `id="idp-password-form"`) || !strings.Contains(p.Body, "Личный кабинет открыт") {
			t.Fatalf("first login: %s %d\n%.3000s", p.URL, p.Status, p.Body)
		}
		if s, m := b.session(); s != tin || m != "identity_provider" {
			t.Fatalf("session %q %q", s, m)
		}
		acc, err := a.Cabinet.Account(context.Background(), tin)
		if err != nil || acc.Source != cabinet.FromProvider || acc.HasPassword() {
			t.Fatalf("account: %+v %v", acc, err)
		}
		// LK-3's rules on the optional password; then it is set.
		action, csrf := webtest.Form(t, p, "idp-password-form")
		bad := b.Do("POST", action, url.Values{"csrf": {csrf}, "new_password": {"volga"}, "new_password_confirm": {"volga"}})
		if bad.Status != 422 || !strings.Contains(bad.Body, "заглавн") {
			t.Fatalf("a weak password: %d\n%.2000s", bad.Status, bad.Body)
		}
		action, csrf = webtest.Form(t, bad, "idp-password-form")
		p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "new_password": {"Volga-2026!"}, "new_password_confirm": {"Volga-2026!"}}))
		if p.Status != 200 || !strings.HasSuffix(p.URL, "/lk/") || !strings.Contains(p.Body, "Собственный пароль сохранён") {
			t.Fatalf("password set: %s %d\n%.2000s", p.URL, p.Status, p.Body)
		}
		c := &client{t: t, base: a.URL}
		if code, f := c.login(tin, "Volga-2026!", ""); code != 200 {
			t.Fatalf("the TIN and the password set: %d %v", code, f)
		}
		// The next login through the provider (signed in there already) goes straight in.
		b.Do("POST", "/lk/logout", url.Values{"csrf": {csrfRE.FindStringSubmatch(p.Body)[1]}})
		if s, _ := b.session(); s != "" {
			t.Fatal("still signed in")
		}
		p = b.idpLogin("")
		if !strings.HasSuffix(p.URL, "/lk/") || p.Status != 200 {
			t.Fatalf("second login: %s %d", p.URL, p.Status)
		}
		if s, m := b.session(); s != tin || m != "identity_provider" {
			t.Fatalf("second session %q %q", s, m)
		}

		// Matched by СНИЛС alone (the provider's account has no ИНН); the password is skipped.
		tin2, snils2 := taxpayer(t, a, "Белова")
		b = newBrowser(t, a.URL)
		p = b.idpLogin(citizen(t, a, identity.Confirmed, identity.ESign, "", snils2))
		if !strings.Contains(p.URL, "/lk/oidc/password") {
			t.Fatalf("by СНИЛС: %s", p.URL)
		}
		if p = b.Do("GET", regexp.MustCompile(`<a href="([^"]+)" id="skip">`).FindStringSubmatch(p.Body)[1], nil); p.Status != 200 || !strings.Contains(p.Body, tin2) {
			t.Fatalf("skipped: %d\n%.2000s", p.Status, p.Body)
		}

		// Confirmed by registered mail: refused, told why and what to do.
		tin3, snils3 := taxpayer(t, a, "Орлова")
		b = newBrowser(t, a.URL)
		text := refusal(t, b.idpLogin(citizen(t, a, identity.Confirmed, identity.Mail, tin3, snils3)), "mail")
		for _, want := range []string{"подтверждена кодом из заказного письма", "центре обслуживания", "электронной подписью", `href="/id/confirm"`, `href="/id/centres"`} {
			if !strings.Contains(text, want) {
				t.Errorf("mail refusal lacks %q", want)
			}
		}
		if s, _ := b.session(); s != "" {
			t.Fatal("a mail-confirmed account got a session")
		}
		if _, err := a.Cabinet.Account(context.Background(), tin3); err == nil {
			t.Fatal("an account was created for a refused login")
		}

		// Standard: the level needed is named.
		tin4, snils4 := taxpayer(t, a, "Ершова")
		b = newBrowser(t, a.URL)
		text = refusal(t, b.idpLogin(citizen(t, a, identity.Standard, "", tin4, snils4)), "level")
		if !strings.Contains(text, "нужна подтверждённая учётная запись, а ваша учётная запись — стандартная") || !strings.Contains(text, `href="/id/confirm"`) {
			t.Errorf("level refusal:\n%.3000s", text)
		}

		// No taxpayer with the ИНН or СНИЛС: the plain message and the application (LK-7).
		b = newBrowser(t, a.URL)
		text = refusal(t, b.idpLogin(citizen(t, a, identity.Confirmed, identity.ServiceCenter, "", snilsOf(399999999))), "no_person")
		if !strings.Contains(text, "В реестре налогоплательщиков нет человека") || !strings.Contains(text, `href="/lk/apply"`) {
			t.Errorf("no taxpayer:\n%.3000s", text)
		}

		// A card holder logs in through the provider and lands in the same account.
		tin5, snils5 := taxpayer(t, a, "Зайцева")
		card, err := a.Cabinet.IssueCard(context.Background(), sys, cabinet.CardRequest{TIN: tin5, Unchecked: true})
		if err != nil {
			t.Fatal(err)
		}
		cc := &client{t: t, base: a.URL}
		if code, f := cc.login(tin5, card.TemporaryPassword, "Kama-2027!"); code != 200 {
			t.Fatalf("card login: %d %v", code, f)
		}
		b = newBrowser(t, a.URL)
		p = b.idpLogin(citizen(t, a, identity.Confirmed, identity.ServiceCenter, tin5, snils5))
		if !strings.HasSuffix(p.URL, "/lk/") || p.Status != 200 || !strings.Contains(p.Body, tin5) {
			t.Fatalf("card holder: %s %d", p.URL, p.Status)
		}
		if s, m := b.session(); s != tin5 || m != "identity_provider" {
			t.Fatalf("card holder's session %q %q", s, m)
		}
		if acc, _ := a.Cabinet.Account(context.Background(), tin5); acc.Source != cabinet.FromCard || acc.CardID != card.ID {
			t.Fatalf("the card holder's account changed: %+v", acc)
		}
		if code, _ := (&client{t: t, base: a.URL}).login(tin5, "Kama-2027!", ""); code != 200 {
			t.Fatal("the card holder's own password stopped working")
		}
	})
}

// The personal account reads the levels in the provider's vocabulary.
func TestACRVocabulary(t *testing.T) {
	if cabinet.ACRPrefix != oidc.ACRPrefix || cabinet.ACRPrefix+cabinet.LevelConfirmed != oidc.ACR(identity.Confirmed) ||
		cabinet.ConfirmedByMail != string(identity.Mail) || cabinet.ConfirmedAtCentre != string(identity.ServiceCenter) ||
		cabinet.ConfirmedWithESign != string(identity.ESign) {
		t.Fatal("the personal account and the provider name levels or methods differently")
	}
}

// The state is single use and belongs to the browser that started the login: a replayed
// callback, and a callback in another browser (a login CSRF), find nothing.
func TestIdPCallbackOnce(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	tin, snils := taxpayer(t, a, "Павлова")
	login := citizen(t, a, identity.Confirmed, identity.ServiceCenter, tin, snils)
	b := newBrowser(t, a.URL)
	p := b.Follow(b.Do("GET", "/lk/oidc/login", nil))
	action, csrf := webtest.Form(t, p, "login-form")
	p = b.Do("POST", action, url.Values{"csrf": {csrf}, "login": {login}, "password": {idPassword}})
	var callback string
	for i := 0; i < 10 && p.Location != ""; i++ {
		if strings.Contains(p.Location, "/lk/oidc/callback") {
			callback = p.Location
			break
		}
		p = b.Do("GET", p.Location, nil)
	}
	if callback == "" {
		t.Fatalf("never sent back: %s", p.URL)
	}
	// Another browser first: refused, and the login stays the first browser's.
	other := newBrowser(t, a.URL)
	if p := other.Do("GET", callback, nil); p.Status != 409 || !strings.Contains(p.Body, "Начните вход заново") {
		t.Fatalf("another browser's callback: %d\n%.2000s", p.Status, p.Body)
	}
	if s, _ := other.session(); s != "" {
		t.Fatal("another browser signed in")
	}
	p = b.Follow(b.Do("GET", callback, nil))
	if s, _ := b.session(); s != tin || p.Status != 200 {
		t.Fatalf("the login's browser: %q %d %s", s, p.Status, p.URL)
	}
	if p := b.Do("GET", callback, nil); p.Status != 409 {
		t.Fatalf("replayed: %d", p.Status)
	}
	// A state nobody issued.
	u, _ := url.Parse(callback)
	q := u.Query()
	q.Set("state", "nothing")
	u.RawQuery = q.Encode()
	if p := b.Do("GET", u.String(), nil); p.Status != 409 {
		t.Fatalf("an unknown state: %d", p.Status)
	}
	// The citizen declined at the provider: told so, not signed in.
	b = newBrowser(t, a.URL)
	start := b.Do("GET", "/lk/oidc/login", nil)
	au, err := url.Parse(start.Location)
	if err != nil || au.Query().Get("state") == "" || au.Query().Get("code_challenge_method") != "S256" || au.Query().Get("nonce") == "" {
		t.Fatalf("authorization request: %s %v", start.Location, err)
	}
	p = b.Do("GET", "/lk/oidc/callback?error=access_denied&state="+url.QueryEscape(au.Query().Get("state")), nil)
	if p.Status != 403 || !strings.Contains(p.Body, "Вход отменён") {
		t.Fatalf("declined: %d\n%.2000s", p.Status, p.Body)
	}
	// An answer that names another issuer (RFC 9207, a mix-up) is refused before its code is used.
	start = b.Do("GET", "/lk/oidc/login", nil)
	au, _ = url.Parse(start.Location)
	p = b.Do("GET", "/lk/oidc/callback?code=x&iss="+url.QueryEscape("https://evil.example")+"&state="+url.QueryEscape(au.Query().Get("state")), nil)
	if p.Status != 503 || !strings.Contains(p.Body, "invalid_issuer") {
		t.Fatalf("another issuer: %d\n%.2000s", p.Status, p.Body)
	}
}

// An account first entered through the provider that skipped the optional password sets one
// later in the settings, with no current password to type (it has none); then the settings ask
// for the current one like any account's.
func TestIdPPasswordLater(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	ctx := context.Background()
	tin, _ := taxpayer(t, a, "Комарова")
	if _, _, err := a.Cabinet.SignIn(ctx, cabinet.External{Provider: "test", TIN: tin, ACR: cabinet.ACRPrefix + "confirmed", Confirmation: "service_center"},
		cabinet.Origin{}); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.Sessions.Start(ctx, session.Start{Site: "lk", Subject: tin, Method: session.IdentityProvider, Assurance: "idp"})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: a.URL, token: token}
	if code, f := c.do("GET", "/lk/oidc/password", nil); code != 200 || f["has_password"] != false {
		t.Fatalf("the optional step: %d %v", code, f)
	}
	if code, f := c.do("POST", "/lk/settings/password", map[string]any{"new_password": "Oka-river-7!", "new_password_confirm": "Oka-river-7!"}); code != 200 {
		t.Fatalf("first password in the settings: %d %v", code, f)
	}
	if code, f := c.do("POST", "/lk/settings/password", map[string]any{"new_password": "Oka-river-8!", "new_password_confirm": "Oka-river-8!"}); code != 422 {
		t.Fatalf("a second one without the current password: %d %v", code, f)
	}
	if code, f := c.do("POST", "/lk/oidc/password", map[string]any{"new_password": "Oka-river-8!", "new_password_confirm": "Oka-river-8!"}); code != 409 {
		t.Fatalf("the optional step once there is a password: %d %v", code, f)
	}
	if code, f := (&client{t: t, base: a.URL}).login(tin, "Oka-river-7!", ""); code != 200 {
		t.Fatalf("login: %d %v", code, f)
	}
}

// publicHost is a browser's way to kabinet under its public address: requests to the public
// host go to the test's server, as a proxy in front of it would send them.
type publicHost struct {
	host  string // kabinet.example
	local string // 127.0.0.1:port
}

func (p publicHost) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != p.host {
		return http.DefaultTransport.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", p.local, p.host
	resp, err := http.DefaultTransport.RoundTrip(r)
	if resp != nil {
		resp.Request = req // the browser reads addresses relative to the public one
	}
	return resp, err
}

// LK-6 with --public-url (internal/app/lkidp.go): the personal account is registered with
// kabinet's own provider when the application starts — before any login — as the trusted client
// kabinet-lk whose one redirect URI is {public-url}/lk/oidc/callback (a trailing slash of the
// public URL is not doubled); the login through the provider asks for that URI at the public
// issuer and comes back signed in; a second start on the same database (another process, a
// restart) registers the same client again, and its secret still works.
func TestOwnProviderWithPublicURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const public = "https://kabinet.example"
		a := apptest.Start(t, db, apptest.Options{PublicURL: public + "/"})
		ctx := context.Background()
		want := public + "/lk/oidc/callback"
		c, err := a.OIDC.Client(ctx, "kabinet-lk")
		if err != nil || len(c.RedirectURIs) != 1 || c.RedirectURIs[0] != want || !c.Trusted || c.Public {
			t.Fatalf("the personal account's client at start: %+v %v", c, err)
		}
		tin, snils := taxpayer(t, a, "Морозова")
		login := citizen(t, a, identity.Confirmed, identity.ServiceCenter, tin, snils)
		u, _ := url.Parse(a.URL)
		b := newBrowser(t, public)
		b.Client.Transport = publicHost{host: "kabinet.example", local: u.Host}
		start := b.Do("GET", "/lk/oidc/login", nil)
		au, err := url.Parse(start.Location)
		if err != nil || !strings.HasPrefix(start.Location, public+"/oidc/authorize?") || au.Query().Get("redirect_uri") != want || au.Query().Get("client_id") != "kabinet-lk" {
			t.Fatalf("the authorization request: %d %s %v", start.Status, start.Location, err)
		}
		p := b.Follow(start)
		action, csrf := webtest.Form(t, p, "login-form")
		p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "login": {login}, "password": {idPassword}}))
		if !strings.HasPrefix(p.URL, public+"/lk/oidc/password") || p.Status != 200 {
			t.Fatalf("signed in through the provider at the public address: %s %d\n%.2000s", p.URL, p.Status, p.Body)
		}
		if s, m := b.session(); s != tin || m != "identity_provider" {
			t.Fatalf("session %q %q", s, m)
		}
		// Another process on the same database: the same client, and its secret still works.
		apptest.Start(t, db, apptest.Options{PublicURL: public})
		if c, err := a.OIDC.Client(ctx, "kabinet-lk"); err != nil || len(c.RedirectURIs) != 1 || c.RedirectURIs[0] != want {
			t.Fatalf("after a second start: %+v %v", c, err)
		}
		b = newBrowser(t, public)
		b.Client.Transport = publicHost{host: "kabinet.example", local: u.Host}
		if p := b.idpLogin(login); !strings.HasPrefix(p.URL, public+"/lk/") || p.Status != 200 {
			t.Fatalf("a login after the second start: %s %d\n%.2000s", p.URL, p.Status, p.Body)
		}
	})
}

// LK-2 with LK-5 and LK-6 (decided here): a card holder whose temporary password is still valid
// and not replaced enters another way — with a qualified e-signature, or through the identity
// provider — and the card's password stops working: the browser is told so and sent to the
// optional step that offers a password of one's own (saying why), the temporary password is then
// refused, and the password set there works.
func TestTemporaryPasswordRetiredOnOtherWays(t *testing.T) {
	pki := gostoracle.NewPKI(t)
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Identity: app.Identity{ESignRoots: pki.RootsDir(t), ESignCRLs: []string{pki.CRL()}}})
	ctx := context.Background()
	retired := func(b *browser, p answer, tin, temporary string) {
		t.Helper()
		if !strings.Contains(p.URL, "/lk/oidc/password") || p.Status != 200 || !strings.Contains(p.Body, `<p class="flash" role="status">Вы вошли, и временный пароль регистрационной карты больше не действует`) ||
			!strings.Contains(p.Body, `id="password-step-text">Вы вошли по электронной подписи или через единую учётную запись`) {
			t.Fatalf("after the login: %s %d\n%.3000s", p.URL, p.Status, p.Body)
		}
		if s, _ := b.session(); s != tin {
			t.Fatalf("session %q", s)
		}
		if code, _ := (&client{t: t, base: a.URL}).login(tin, temporary, ""); code != 401 {
			t.Fatalf("the card's temporary password after the login: %d", code)
		}
		action, csrf := webtest.Form(t, p, "idp-password-form")
		p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "new_password": {"Volga-2026!"}, "new_password_confirm": {"Volga-2026!"}}))
		if !strings.HasSuffix(p.URL, "/lk/") || !strings.Contains(p.Body, "Собственный пароль сохранён") {
			t.Fatalf("the own password: %s %d", p.URL, p.Status)
		}
		if code, _ := (&client{t: t, base: a.URL}).login(tin, "Volga-2026!", ""); code != 200 {
			t.Fatalf("the own password set there: %d", code)
		}
	}

	// Through the provider.
	tin, snils := taxpayer(t, a, "Зайцева")
	card, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin, Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, a.URL)
	retired(b, b.idpLogin(citizen(t, a, identity.Confirmed, identity.ServiceCenter, tin, snils)), tin, card.TemporaryPassword)

	// With a qualified e-signature.
	tin2, snils2 := taxpayer(t, a, "Лебедева")
	now := time.Now().UTC()
	pki.Issue(t, "owner", gostoracle.Subject{Surname: "Лебедева", GivenName: "Елена Ивановна", SNILS: snils2, INN: tin2}, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	card2, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin2, Unchecked: true})
	if err != nil {
		t.Fatal(err)
	}
	b = newBrowser(t, a.URL)
	p := b.Follow(b.Do("GET", "/lk/esign", nil))
	m := regexp.MustCompile(`<pre id="challenge" class="pre">([^<]*)</pre>`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no challenge:\n%.2000s", p.Body)
	}
	sig := pki.Sign(t, "owner", []byte(html.UnescapeString(m[1])))
	action, csrf := webtest.Form(t, p, "esign-form")
	p = b.Follow(b.Do("POST", action, url.Values{"csrf": {csrf}, "signature": {base64.StdEncoding.EncodeToString(sig)}}))
	retired(b, p, tin2, card2.TemporaryPassword)
}
