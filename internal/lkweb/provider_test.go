package lkweb_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/nodetest"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-6 against an independent provider: npm oidc-provider (v9, OpenID-certified), run by Node
// (e2e/oidc/provider.mjs, through internal/nodetest), is the provider of a kabinet started with
// --lk-oidc-issuer; its account logs in without a page. Skipped without Node or the package,
// except under CI=true, where their absence fails.
//
// The personal account's relying party against oidc-provider: a confirmed account of a taxpayer
// gets in (the claims from userinfo, the acr from the ID token), a mail-confirmed one is refused
// with the reason — and the refusal does not link kabinet's own pages, which are not the
// provider's.
func TestIdPLoginWithAnotherProvider(t *testing.T) {
	port := nodetest.FreePort(t)
	issuer := "http://127.0.0.1:" + strconv.Itoa(port)
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{LKOIDC: app.LKOIDC{Issuer: issuer, ClientID: "kabinet-lk",
		ClientSecret: "test-provider-secret-of-the-personal-account"}})
	tin, snils := taxpayer(t, a, "Кузнецова")
	tin2, snils2 := taxpayer(t, a, "Лебедева")
	np := nodetest.StartProvider(t, nodetest.ProviderOptions{Port: port, ClientID: "kabinet-lk", ClientSecret: "test-provider-secret-of-the-personal-account",
		RedirectURI: a.URL + "/lk/oidc/callback", Accounts: map[string]map[string]any{
			"alice": {"acr": "urn:kabinet:level:confirmed", "confirmation_method": "esign", "inn": tin, "snils": snils, "family_name": "Кузнецова"},
			"bob":   {"acr": "urn:kabinet:level:confirmed", "confirmation_method": "mail", "inn": tin2, "snils": snils2, "family_name": "Лебедева"},
		}, Account: "alice"})
	if np.Issuer != issuer {
		t.Fatalf("issuer %q, want %q", np.Issuer, issuer)
	}
	b := newBrowser(t, a.URL)
	p := b.idpLogin("")
	if !strings.Contains(p.URL, "/lk/oidc/password") || p.Status != 200 {
		t.Fatalf("login through oidc-provider: %s %d\n%.3000s", p.URL, p.Status, p.Body)
	}
	if s, m := b.session(); s != tin || m != "identity_provider" {
		t.Fatalf("session %q %q", s, m)
	}

	np.Use(t, "bob")
	b = newBrowser(t, a.URL)
	text := refusal(t, b.idpLogin(""), "mail")
	if strings.Contains(text, `href="/id/confirm"`) || !strings.Contains(text, "подскажет ваш поставщик удостоверений") {
		t.Errorf("another provider's refusal:\n%.3000s", text)
	}
	if s, _ := b.session(); s != "" {
		t.Fatal("a mail-confirmed account got in")
	}
}
