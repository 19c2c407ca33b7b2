package identity_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// recover asks a recovery's code for login from o and returns the flow and the error.
func (e *env) recover(login string, o identity.Origin) (*flow.Flow, error) {
	e.t.Helper()
	f, err := e.p.StartRecovery(context.Background(), flow.API, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return f, e.p.SubmitIdentifier(context.Background(), f, login, o)
}

// IDP-6: the codes a recovery sends are counted alike whether an account exists or not: on the
// identifier as typed, normalized, so a phone typed five ways is one phone — for a known phone
// and an unknown one the same attempt is the first refused, and a СНИЛС likewise.
func TestRecoverySendsAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.verified("Соколова", "+79161234567")
		refusedAt := func(typings []string) int {
			t.Helper()
			for i, login := range typings {
				_, err := e.recover(login, origin)
				switch {
				case problem.Is(err, problem.TooMany):
					return i + 1
				case err != nil:
					t.Fatalf("%q: %v", login, err)
				}
			}
			return 0
		}
		phone := func(d string) []string {
			return []string{"+7 916 " + d[:3] + "-" + d[3:5] + "-" + d[5:], "8916" + d, "916" + d, "+7916" + d, "8 (916) " + d[:3] + " " + d[3:5] + " " + d[5:],
				"+7-916-" + d, "8-916-" + d}
		}
		known, unknown := refusedAt(phone("1234567")), refusedAt(phone("7654321"))
		if known != identity.CodeSends+1 || unknown != known {
			t.Fatalf("the first refused: at %d for a known phone, at %d for an unknown one; want both %d", known, unknown, identity.CodeSends+1)
		}
		snils := func(s string) []string {
			return []string{s[:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:], s, s[:3] + "-" + s[3:6] + "-" + s[6:9] + "-" + s[9:], " " + s + " ",
				s[:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:], s}
		}
		known, unknown = refusedAt(snils("11223344595")), refusedAt(snils("08765430300"))
		if known != identity.CodeSends+1 || unknown != known {
			t.Fatalf("by СНИЛС: the first refused at %d (known) and %d (unknown); want both %d", known, unknown, identity.CodeSends+1)
		}
	})
}

// A stranger cannot keep the owner from their recovery's code: registrations typing the owner's
// phone are limited apart from recoveries (and flood nobody: the sixth from one address is
// refused), recoveries are limited per client address, and a burst from many addresses, which
// delays everyone else, leaves the owner's trusted device its own codes.
func TestStrangerCannotBlockRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		owner := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		home := identity.Origin{Address: "10.0.0.5", Lang: "ru"}
		res, err := e.p.Login(ctx, "+79161234567", "Volga-river-2026", home)
		if err != nil || res.Device == "" {
			t.Fatalf("login: %v %q", err, res.Device)
		}
		home.Device = res.Device
		stranger := identity.Origin{Address: "203.0.113.7", Lang: "ru"}
		sent := func() int { return len(e.messages("+79161234567")) }

		// Registrations typing the owner's phone: five codes from one address, then refused.
		before := sent()
		for i := 0; i <= identity.CodeSends; i++ {
			f, _ := e.p.StartRegistration(ctx, flow.API, "")
			err := e.p.SubmitContact(ctx, f, identity.Contact{Kind: identity.RussianCitizen, Surname: "Иванов", GivenName: "Иван", Phone: "8 916 123-45-67"}, stranger)
			if i < identity.CodeSends && err != nil || i == identity.CodeSends && !problem.Is(err, problem.TooMany) {
				t.Fatalf("registration %d from one address: %v", i+1, err)
			}
		}
		if n := sent() - before; n != identity.CodeSends {
			t.Fatalf("%d codes sent to the phone by one address's registrations, want %d", n, identity.CodeSends)
		}
		// The owner's recovery, from a new device at home, still gets its code.
		before = sent()
		newDevice := identity.Origin{Address: "10.0.0.5", Lang: "ru"}
		f, err := e.recover("+79161234567", newDevice)
		if err != nil {
			t.Fatalf("the owner's recovery after a stranger's registrations: %v", err)
		}
		if sent() != before+1 {
			t.Fatal("no code sent to the owner")
		}
		if err := e.p.SubmitRecoveryCode(ctx, f, e.lastCode("+79161234567"), newDevice); err != nil {
			t.Fatalf("the owner's code: %v", err)
		}

		// Recoveries typing the owner's phone from one address: that address is refused, the
		// owner's is not.
		for i := 0; i <= identity.CodeSends; i++ {
			if _, err := e.recover("+79161234567", stranger); i == identity.CodeSends && !problem.Is(err, problem.TooMany) {
				t.Fatalf("the stranger's recovery %d: %v", i+1, err)
			}
		}
		if _, err := e.recover("+79161234567", newDevice); err != nil {
			t.Fatalf("the owner's recovery after a stranger's from another address: %v", err)
		}

		// A burst from many addresses spends the phone's budget: a new address waits (nobody
		// floods the phone), the owner's trusted device gets its code.
		for i := 0; i < 3*identity.CodeSends; i++ {
			e.recover("+7 916 123-45-67", identity.Origin{Address: fmt.Sprintf("198.51.100.%d", i+1), Lang: "ru"})
		}
		if _, err := e.recover("+79161234567", identity.Origin{Address: "192.0.2.200", Lang: "ru"}); !problem.Is(err, problem.TooMany) {
			t.Fatalf("a new address after a burst from many: %v", err)
		}
		before = sent()
		f, err = e.recover("+79161234567", home)
		if err != nil || sent() != before+1 {
			t.Fatalf("the owner's trusted device after a burst: %v, %d sent", err, sent()-before)
		}
		if err := e.p.SubmitRecoveryCode(ctx, f, e.lastCode("+79161234567"), home); err != nil {
			t.Fatalf("the trusted device's code: %v", err)
		}
		// An hour later everyone may ask again.
		e.clock.Add(time.Hour + time.Minute)
		if _, err := e.recover("+79161234567", identity.Origin{Address: "192.0.2.200", Lang: "ru"}); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
		_ = owner
	})
}

// IDP-1: the code step — a code expires after CodeTTL, is used once, and is resent at most
// CodeSends times an hour from one address.
func TestCodeExpiryResendAndSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		f, _ := e.p.StartRegistration(ctx, flow.API, "")
		if err := e.p.SubmitContact(ctx, f, identity.Contact{Kind: identity.RussianCitizen, Surname: "Соколова", GivenName: "Анна", Phone: "+79165550102"}, origin); err != nil {
			t.Fatal(err)
		}
		// Expired after ten minutes.
		code := e.lastCode("+79165550102")
		e.clock.Add(identity.CodeTTL + time.Second)
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_phone": code}, origin); fieldOf(err) != "code_phone" || msgKey(err) != "idp.code.expired" {
			t.Fatalf("an expired code: %v", err)
		}
		// Resent: CodeSends in all from one address (the first send counted), then refused.
		for i := 1; i <= identity.CodeSends; i++ {
			err := e.p.ResendCode(ctx, f, origin)
			if i < identity.CodeSends && err != nil || i == identity.CodeSends && !problem.Is(err, problem.TooMany) {
				t.Fatalf("resend %d: %v", i, err)
			}
		}
		// The last code sent works, once.
		code = e.lastCode("+79165550102")
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_phone": code}, origin); err != nil {
			t.Fatalf("the resent code: %v", err)
		}
		g, _ := e.p.StartRegistration(ctx, flow.API, "")
		if err := e.p.SubmitContact(ctx, g, identity.Contact{Kind: identity.RussianCitizen, Surname: "Соколова", GivenName: "Анна", Email: "anna@example.org"}, origin); err != nil {
			t.Fatal(err)
		}
		code = e.lastCode("anna@example.org")
		g.State = identity.StepCode // a replayed request of the same step
		if err := e.p.SubmitCodes(ctx, g, map[string]string{"code_email": code}, origin); err != nil {
			t.Fatal(err)
		}
		g.State, g.Data["verified.anna@example.org"] = identity.StepCode, ""
		if err := e.p.SubmitCodes(ctx, g, map[string]string{"code_email": code}, origin); msgKey(err) != "idp.code.expired" {
			t.Fatalf("a code used twice: %v", err)
		}
	})
}

// msgKey is the catalogue key of an error's first field, or of the error.
func msgKey(err error) string {
	p, ok := problem.As(err)
	if !ok {
		return ""
	}
	if len(p.Fields) > 0 {
		return p.Fields[0].Message.Key
	}
	return p.Message.Key
}
