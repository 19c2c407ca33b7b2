package cabinet_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// confirmed is what kabinet's provider says of an account confirmed at a service centre.
func confirmed(tin, snils string) cabinet.External {
	return cabinet.External{Provider: "https://id.example", TIN: tin, SNILS: snils, ACR: cabinet.ACRPrefix + "confirmed", Confirmation: "service_center"}
}

// LK-6: only confirmed accounts, and not those confirmed by registered mail; each refusal says
// which, with the level when it is about the level; a provider that says nothing of the level or
// the method is refused too.
func TestProviderAssurance(t *testing.T) {
	for _, c := range []struct {
		acr, method string
		want        cabinet.Refusal
		level, key  string
	}{
		{"urn:kabinet:level:confirmed", "service_center", "", "", ""},
		{"urn:kabinet:level:confirmed", "esign", "", "", ""},
		{"urn:kabinet:level:confirmed", "mail", cabinet.RefusedMail, "confirmed", "lk.idp.refused.mail"},
		{"urn:kabinet:level:confirmed", "", cabinet.RefusedMethod, "confirmed", "lk.idp.refused.method"},
		{"urn:kabinet:level:confirmed", "carrier_pigeon", cabinet.RefusedMethod, "confirmed", "lk.idp.refused.method"},
		{"urn:kabinet:level:standard", "", cabinet.RefusedLevel, "standard", "lk.idp.refused.level"},
		{"urn:kabinet:level:simplified", "", cabinet.RefusedLevel, "simplified", "lk.idp.refused.level"},
		{"urn:kabinet:level:standard", "service_center", cabinet.RefusedLevel, "standard", "lk.idp.refused.level"},
		{"", "service_center", cabinet.RefusedLevel, "", "lk.idp.refused.level_unknown"},
		{"urn:other:loa:3", "service_center", cabinet.RefusedLevel, "", "lk.idp.refused.level_unknown"},
		{"urn:kabinet:level:confirmedX", "esign", cabinet.RefusedLevel, "", "lk.idp.refused.level_unknown"},
	} {
		err := cabinet.CheckAssurance(cabinet.External{ACR: c.acr, Confirmation: c.method})
		if c.want == "" {
			if err != nil {
				t.Errorf("%s %s: %v", c.acr, c.method, err)
			}
			continue
		}
		r, level, ok := cabinet.RefusalOf(err)
		if !ok || r != c.want || level != c.level {
			t.Errorf("%s %s: %v %q %q, want %s %q", c.acr, c.method, err, r, level, c.want, c.level)
		}
		wantCode(t, err, problem.Forbidden, c.key)
		if c.level == "standard" {
			if got := problem.CodeOf(err); got != problem.Forbidden {
				t.Errorf("code %s", got)
			}
			p, _ := problem.As(err)
			if s := p.Message.In("ru"); s != "Для входа в личный кабинет налогоплательщика нужна подтверждённая учётная запись, а ваша учётная запись — стандартная." {
				t.Errorf("ru: %q", s)
			}
		}
	}
}

// LK-6's matching: the person is found by the TIN the provider sent, else by the СНИЛС in the
// register; the first such login creates the account without a password; a person the register
// lacks, or whose TIN is not applied, is refused with the reason; a person first registered by
// card can later use either way, and lands in the same account.
func TestSignInThroughProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tin := e.person("Морозова", "Алла", "Викторовна", time.Date(1975, 3, 3, 0, 0, 0, 0, time.UTC), "171-845-096 83")
		a, created, err := e.svc.SignIn(ctx, confirmed("", "17184509683"), origin)
		if err != nil || !created || a.TIN != tin || a.HasPassword() || a.Source != cabinet.FromProvider {
			t.Fatalf("first sign-in by СНИЛС: %+v %v %v", a, created, err)
		}
		if a, created, err = e.svc.SignIn(ctx, confirmed(tin, ""), origin); err != nil || created || a.TIN != tin {
			t.Fatalf("second sign-in by TIN: %+v %v %v", a, created, err)
		}
		// An inn claim the register does not know: the СНИЛС still finds the person.
		if a, _, err = e.svc.SignIn(ctx, confirmed("500100732259", "171-845-096 83"), origin); err != nil || a.TIN != tin {
			t.Fatalf("unknown inn, known СНИЛС: %+v %v", a, err)
		}
		_, _, err = e.svc.SignIn(ctx, confirmed("", "112-233-445 95"), origin)
		if r, _, ok := cabinet.RefusalOf(err); !ok || r != cabinet.RefusedNoPerson {
			t.Fatalf("nobody: %v", err)
		}
		_, _, err = e.svc.SignIn(ctx, confirmed("", ""), origin)
		if r, _, ok := cabinet.RefusalOf(err); !ok || r != cabinet.RefusedNoPerson {
			t.Fatalf("no claims: %v", err)
		}
		mail := confirmed(tin, "")
		mail.Confirmation = "mail"
		if _, _, err = e.svc.SignIn(ctx, mail, origin); err == nil {
			t.Fatal("a mail-confirmed account got in")
		}
		// The optional password (LK-3's rules), once.
		_, err = e.svc.SetFirstPassword(ctx, tin, "short", "short", origin)
		wantCode(t, err, problem.Invalid, "lk.password.rules")
		if _, err = e.svc.SetFirstPassword(ctx, tin, "Volga-2026!", "Volga-2026!", origin); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SetFirstPassword(ctx, tin, "Volga-2027!", "Volga-2027!", origin)
		wantCode(t, err, problem.Conflict, "lk.idp.has_password")
		if res, err := e.svc.Login(ctx, tin, "Volga-2026!", origin); err != nil || res.Account.TIN != tin {
			t.Fatalf("login with the password set: %+v %v", res, err)
		}

		// A person first registered by card, who set their own password: the provider's login
		// lands in the same account, which keeps its password.
		other := e.person("Зайцева", "Ольга", "Петровна", time.Date(1982, 6, 7, 0, 0, 0, 0, time.UTC), "")
		c := e.card(other)
		if _, err := e.svc.SetOwnPassword(ctx, other, c.ID, "Oka-river-7!", "Oka-river-7!", origin); err != nil {
			t.Fatal(err)
		}
		a, created, err = e.svc.SignIn(ctx, confirmed(other, ""), origin)
		if err != nil || created || a.TIN != other || a.Source != cabinet.FromCard || !a.HasPassword() || a.CardID != c.ID {
			t.Fatalf("card holder through the provider: %+v %v %v", a, created, err)
		}
		if _, err := e.svc.Login(ctx, other, "Oka-river-7!", origin); err != nil {
			t.Fatalf("the own password after the provider's login: %v", err)
		}
		// The card's temporary password expired unused blocks the account whatever the way in.
		third := e.person("Гусева", "Анна", "Львовна", time.Date(1981, 6, 7, 0, 0, 0, 0, time.UTC), "")
		e.card(third)
		e.clock.Add(32 * 24 * time.Hour)
		_, _, err = e.svc.SignIn(ctx, confirmed(third, ""), origin)
		wantCode(t, err, problem.Forbidden, "lk.login.blocked")
		if _, _, ok := cabinet.RefusalOf(err); ok {
			t.Fatal("a blocked card is not a refusal of LK-6")
		}
	})
}

// LK-2 with LK-5 and LK-6 (decided here): a card's temporary password, still valid and not yet
// replaced, stops working once the owner has entered the account another way — through the
// identity provider or with a qualified e-signature. The card is used, the account has no
// password (the owner is offered one: first is true), the history says why, and the next login
// with the card's password is refused; the owner then sets their own password in one step.
func TestTemporaryPasswordRetired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tin := e.person("Зайцева", "Ольга", "Петровна", time.Date(1982, 6, 7, 0, 0, 0, 0, time.UTC), "")
		c := e.card(tin)
		a, first, err := e.svc.SignIn(ctx, confirmed(tin, ""), origin)
		if err != nil || !first || a.HasPassword() || a.Temporary || a.Source != cabinet.FromCard || a.CardID != c.ID {
			t.Fatalf("the provider's login over a live temporary password: %+v %v %v", a, first, err)
		}
		if _, err := e.svc.Login(ctx, tin, c.TemporaryPassword, origin); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("the retired temporary password: %v", err)
		}
		cards, _ := e.svc.Cards(ctx, tin)
		if len(cards) != 1 || cards[0].State != cabinet.CardUsed {
			t.Fatalf("cards %+v", cards)
		}
		events, _ := e.svc.Events(ctx, tin, 10)
		if len(events) == 0 || events[0].Kind != "temporary_retired" || events[0].Details != "idp" {
			t.Fatalf("history %+v", events)
		}
		// The next login through the provider offers nothing; the owner sets a password of their own.
		if _, first, err := e.svc.SignIn(ctx, confirmed(tin, ""), origin); err != nil || first {
			t.Fatalf("the next login: %v %v", first, err)
		}
		if _, err := e.svc.SetFirstPassword(ctx, tin, "Oka-river-7!", "Oka-river-7!", origin); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Login(ctx, tin, "Oka-river-7!", origin); err != nil {
			t.Fatal(err)
		}
		// A month later nothing blocks the account: no temporary password is left to expire.
		e.clock.Add(40 * 24 * time.Hour)
		if _, _, err := e.svc.SignIn(ctx, confirmed(tin, ""), origin); err != nil {
			t.Fatalf("a month later: %v", err)
		}
	})
}
