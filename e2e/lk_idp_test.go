package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	kapp "github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/nodetest"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-6 in headless Chromium, in Russian, with axe on every new page: "Войти через единую учётную
// запись" on the personal account's login page leads to kabinet's own identity provider and
// back. An account confirmed at a service centre gets in, is offered the optional password of
// the personal account (LK-3's rules) and sets it; an account confirmed by registered mail is
// refused with the reason and what to do, and the provider's confirmation page it links offers
// the in-person and e-signature ways; the refusal pages of the other reasons are checked too.

// idpCitizen adds an account of the identity provider for the taxpayer tin.
func idpCitizen(t *testing.T, a *app, phone, tin, snils string, m identity.Method) {
	t.Helper()
	if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Patronymic: "Ивановна",
		Phone: phone, SNILS: snils, INN: tin, BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Level: identity.Confirmed, Method: m,
		Password: "Volga-river-2026"}); err != nil {
		t.Fatal(err)
	}
}

// idpLogin presses the button of the personal account's login page and logs in at the provider.
func idpLogin(t *testing.T, ctx context.Context, a *app, phone string) {
	t.Helper()
	visit(t, ctx, a.url+"/lk/login?prompt=login", "#idp-login")
	run(t, ctx, submit("#idp-login"))
	text(t, ctx, "#login-form") // the provider's login page
	fill(t, ctx, map[string]string{"login": phone, "password": "Volga-river-2026"})
	run(t, ctx, submit("#submit"))
}

func TestCabinetIdentityProvider(t *testing.T) {
	a := startLK(t, kapp.Identity{})
	tin := lkPerson(t, a, "Соколова", "Елена", "Ивановна", time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), "310001", "112-233-445 95")
	idpCitizen(t, a, "+79270000001", tin, "11223344595", identity.ServiceCenter)
	other := lkPerson(t, a, "Орлова", "Нина", "Петровна", time.Date(1979, 9, 1, 0, 0, 0, 0, time.UTC), "310002", "087-654-303 00")
	idpCitizen(t, a, "+79270000002", other, "08765430300", identity.Mail)

	ctx := browser(t)
	visit(t, ctx, a.url+"/lk/login", "#idp-login")
	checkPage(t, ctx, "lk-login-idp")
	fits(t, ctx, "lk-login-idp")
	idpLogin(t, ctx, a, "+79270000001")
	has(t, ctx, ".flash", "Вы вошли через единую учётную запись")
	has(t, ctx, "h1", "Пароль личного кабинета")
	checkPage(t, ctx, "lk-idp-password")
	fits(t, ctx, "lk-idp-password")
	fill(t, ctx, map[string]string{"new_password": "volga", "new_password_confirm": "volga"})
	run(t, ctx, submit("#set-password"))
	fieldError(t, ctx, "new_password", "заглавная")
	checkPage(t, ctx, "lk-idp-password-refused")
	fill(t, ctx, map[string]string{"new_password": "Volga-2026!", "new_password_confirm": "Volga-2026!"})
	run(t, ctx, submit("#set-password"))
	has(t, ctx, ".flash", "Собственный пароль сохранён")
	has(t, ctx, "#tin", tin)
	visit(t, ctx, a.url+"/lk/settings", "#history")
	has(t, ctx, "#history", "вход через поставщика удостоверений")
	lkLogout(t, ctx, a)
	lkLogin(t, ctx, a, tin, "Volga-2026!")
	has(t, ctx, "#tin", tin)

	// Confirmed by registered mail: another browser, refused with the reason.
	ctx = browser(t)
	idpLogin(t, ctx, a, "+79270000002")
	has(t, ctx, "#refusal", "подтверждена кодом из заказного письма")
	has(t, ctx, "#todo", "центре обслуживания")
	checkPage(t, ctx, "lk-idp-refused-mail")
	fits(t, ctx, "lk-idp-refused-mail")
	run(t, ctx, submit("#to-confirm"))
	has(t, ctx, "#mail-note", "не для личного кабинета налогоплательщика")
	if n := attr(t, ctx, `String(document.querySelectorAll("#m-centre, #m-esign").length) + String(document.querySelectorAll("#m-mail").length)`); n != "20" {
		t.Errorf("the confirmation page of a mail-confirmed account: %s sections", n)
	}
	checkPage(t, ctx, "id-confirm-mail-confirmed")
	for _, p := range []string{"level?level=standard", "level", "method", "no_person", "not_applied"} {
		visit(t, ctx, a.url+"/lk/oidc/refused/"+p, "#refusal")
		checkPage(t, ctx, "lk-idp-refused-"+p)
	}
	if s := attr(t, ctx, `document.getElementById("refusal").dataset.reason`); s != "not_applied" {
		t.Fatalf("reason %q", s)
	}
}

// LK-6 in headless Chromium against an independent provider, npm oidc-provider run by Node: the
// personal account's login page → the provider (which logs its fixed account in without a page
// of its own) → back to kabinet, where a confirmed account is in, offered the optional password
// and lands on its home page; a mail-confirmed one is refused with the reason and no link to
// kabinet's own provider's pages. axe-core checks each of kabinet's pages of the journey.
func TestCabinetAnotherProvider(t *testing.T) {
	port := nodetest.FreePort(t)
	issuer := "http://127.0.0.1:" + strconv.Itoa(port)
	const secret = "test-provider-secret-of-the-personal-account"
	a := startAppWith(t, storetest.SQLite(t), apptest.Options{LKOIDC: kapp.LKOIDC{Issuer: issuer, ClientID: "kabinet-lk", ClientSecret: secret}})
	tin := lkPerson(t, a, "Кузнецова", "Елена", "Ивановна", time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), "320001", "112-233-445 95")
	other := lkPerson(t, a, "Орлова", "Нина", "Петровна", time.Date(1979, 9, 1, 0, 0, 0, 0, time.UTC), "320002", "087-654-303 00")
	nodetest.StartProvider(t, nodetest.ProviderOptions{Port: port, ClientID: "kabinet-lk", ClientSecret: secret, RedirectURI: a.url + "/lk/oidc/callback", Accounts: map[string]map[string]any{
		"alice": {"acr": "urn:kabinet:level:confirmed", "confirmation_method": "esign", "inn": tin, "snils": "11223344595", "family_name": "Кузнецова"},
		"bob":   {"acr": "urn:kabinet:level:confirmed", "confirmation_method": "mail", "inn": other, "snils": "08765430300", "family_name": "Орлова"},
	}, Account: "alice"})

	ctx := browser(t)
	visit(t, ctx, a.url+"/lk/login", "#idp-login")
	checkPage(t, ctx, "lk-login-other-provider")
	run(t, ctx, submit("#idp-login"))
	has(t, ctx, ".flash", "Вы вошли через единую учётную запись")
	has(t, ctx, "h1", "Пароль личного кабинета")
	if u := attr(t, ctx, `location.href`); !strings.HasPrefix(u, a.url+"/lk/oidc/password") {
		t.Fatalf("back at %s", u)
	}
	checkPage(t, ctx, "lk-other-provider-password")
	fits(t, ctx, "lk-other-provider-password")
	run(t, ctx, submit("#skip"))
	has(t, ctx, "#tin", tin)
	checkPage(t, ctx, "lk-other-provider-home")
	visit(t, ctx, a.url+"/lk/settings", "#history")
	has(t, ctx, "#history", "вход через поставщика удостоверений")
	lkLogout(t, ctx, a)

	// The mail-confirmed account, in another browser: refused with the reason.
	resp, err := http.Post(issuer+"/test/account", "application/json", strings.NewReader(`{"account":"bob"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("switch the provider's account: %v %v", resp, err)
	}
	resp.Body.Close()
	ctx = browser(t)
	visit(t, ctx, a.url+"/lk/login", "#idp-login")
	run(t, ctx, submit("#idp-login"))
	has(t, ctx, "#refusal", "подтверждена кодом из заказного письма")
	has(t, ctx, "main", "подскажет ваш поставщик удостоверений")
	if n := attr(t, ctx, `String(document.querySelectorAll('a[href^="/id/"]').length)`); n != "0" {
		t.Errorf("another provider's refusal links kabinet's own provider: %s links", n)
	}
	checkPage(t, ctx, "lk-other-provider-refused-mail")
	fits(t, ctx, "lk-other-provider-refused-mail")
}
