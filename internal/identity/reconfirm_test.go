package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// An account confirmed by registered mail may be confirmed again in person (or with an
// e-signature): the taxpayer's personal account refuses mail (LK-6), and this is what its owner
// is told to do. An account confirmed otherwise is not confirmed twice, and no second letter
// confirms a mail-confirmed one.
func TestMailConfirmedConfirmedAgain(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	op := audit.Actor{Login: "mfc1", Role: "operator", RemoteAddr: "10.1.1.1"}
	add := func(phone, snils string, m identity.Method) *identity.Account {
		a, err := e.p.AddAccount(ctx, identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Phone: phone, SNILS: snils,
			BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Level: identity.Confirmed, Method: m, Password: "Volga-river-2026"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	mail := add("+79160000101", "112-233-445 95", identity.Mail)
	if _, err := e.p.OrderLetter(ctx, mail.ID, "г. Москва, ул. Тверская, д. 1, кв. 1", origin); !problem.Is(err, problem.Conflict) {
		t.Fatalf("a letter for a mail-confirmed account: %v", err)
	}
	if _, err := e.p.IssueChallenge(ctx, mail.ID); err != nil {
		t.Fatalf("an e-signature challenge for a mail-confirmed account: %v", err)
	}
	code, err := e.p.IssueOperatorCode(ctx, op, mail.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "mfc-moscow-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.p.ConfirmWithCode(ctx, mail.ID, code, origin); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.p.Account(ctx, mail.ID); a.Level != identity.Confirmed || a.Method != identity.ServiceCenter {
		t.Fatalf("confirmed again: %+v", a)
	}
	centre := add("+79160000102", "087-654-303 00", identity.ServiceCenter)
	if err := e.p.ConfirmInPerson(ctx, op, centre.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "mfc-moscow-1"}); !problem.Is(err, problem.Conflict) {
		t.Fatalf("confirmed twice: %v", err)
	}
}
