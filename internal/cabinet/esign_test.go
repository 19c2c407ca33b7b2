package cabinet_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/gostoracle"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-5: with certificates made by OpenSSL's GOST engine, a person of the register registers with
// a signature over the flow's challenge (the name, СНИЛС and TIN from the certificate, the phone
// and e-mail typed, a password set) and logs in with it next time; an expired, a revoked and an
// untrusted certificate, another person's name, a certificate without an ИНН, a TIN the register
// lacks and a signature over another text are refused, each with its reason.
func TestESignRegistrationAndLogin(t *testing.T) {
	pki := gostoracle.NewPKI(t)
	other := gostoracle.NewPKI(t) // a centre nobody trusts
	now := time.Now().UTC()
	year := now.AddDate(1, 0, 0)
	owner := gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "15670293881"}
	db := storetest.SQLite(t)
	ctx := context.Background()
	tin := newEnv(t, db).person("Лебедева", "Екатерина", "Игоревна", time.Date(1983, 3, 8, 0, 0, 0, 0, time.UTC), "156-702-938 81")
	owner.INN = tin
	pki.Issue(t, "owner", owner, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "expired", owner, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1))
	pki.Issue(t, "revoked", owner, now.AddDate(0, -1, 0), year)
	pki.Revoke(t, "revoked")
	pki.Issue(t, "no-inn", gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "15670293881"}, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "name", gostoracle.Subject{Surname: "Лебедева", GivenName: "Елена Игоревна", SNILS: "15670293881", INN: tin}, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "unknown", gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "15670293881", INN: "500100732259"}, now.AddDate(0, -1, 0), year)
	other.Issue(t, "owner", owner, now.AddDate(0, -1, 0), year)
	// The verifier reads the roots and the CRL as they are now.
	e := newEnvWith(t, db, esign.Config{RootsDir: pki.RootsDir(t), CRLFiles: []string{pki.CRL()}, RequireRevocation: true})
	e.clock.t = now // signatures are made by OpenSSL at the real time

	try := func(p *gostoracle.PKI, cert, flowID string, text func(esign.Challenge) []byte) (*cabinet.Signed, error) {
		t.Helper()
		ch, err := e.svc.IssueChallenge(ctx, flowID)
		if err != nil {
			t.Fatal(err)
		}
		return e.svc.CheckSignature(ctx, flowID, ch.ID, p.Sign(t, cert, text(ch)))
	}
	own := func(ch esign.Challenge) []byte { return ch.Bytes() }
	for cert, want := range map[string]string{"expired": "esign.certificate_expired", "revoked": "esign.revoked", "no-inn": "lk.esign.no_inn",
		"name": "lk.esign.name", "unknown": "lk.tin_unknown"} {
		_, err := try(pki, cert, "flow-"+cert, own)
		wantCode(t, err, problem.Invalid, want)
	}
	_, err := try(other, "owner", "flow-untrusted", own)
	wantCode(t, err, problem.Invalid, "esign.untrusted")
	_, err = try(pki, "owner", "flow-other-text", func(esign.Challenge) []byte { return []byte("I agree") })
	wantCode(t, err, problem.Invalid, "esign.challenge_mismatch")
	// A challenge of another flow does not answer this one.
	ch, _ := e.svc.IssueChallenge(ctx, "flow-a")
	_, err = e.svc.CheckSignature(ctx, "flow-b", ch.ID, pki.Sign(t, "owner", ch.Bytes()))
	wantCode(t, err, problem.Invalid, "esign.challenge_wrong_purpose")

	sg, err := try(pki, "owner", "flow-register", own)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Account != nil || sg.Person.TIN != tin || sg.Signer.SNILS != "15670293881" {
		t.Fatalf("signed %+v", sg)
	}
	_, err = e.svc.RegisterWithSignature(ctx, tin, cabinet.ESignRegistration{Phone: "123", Email: "x", Password: "weak", Again: "weak"}, origin)
	if p, _ := problem.As(err); p == nil || len(p.Fields) != 3 {
		t.Fatalf("bad registration: %v", err)
	}
	a, err := e.svc.RegisterWithSignature(ctx, tin, cabinet.ESignRegistration{Phone: "+7 916 555-01-77", Email: "k.lebedeva@example.org",
		Password: "Neva-river-9!", Again: "Neva-river-9!"}, origin)
	if err != nil || a.Source != cabinet.FromESign || a.Phone != "+79165550177" || a.EmailConfirmed {
		t.Fatalf("registered %+v %v", a, err)
	}
	_, err = e.svc.RegisterWithSignature(ctx, tin, cabinet.ESignRegistration{Phone: "+79165550177", Email: "k@example.org", Password: "Neva-river-9!", Again: "Neva-river-9!"}, origin)
	wantCode(t, err, problem.Conflict, "lk.esign.registered")
	// Next time: a login; the password works too.
	sg, err = try(pki, "owner", "flow-login", own)
	if err != nil || sg.Account == nil {
		t.Fatalf("login: %+v %v", sg, err)
	}
	if a, retired, err := e.svc.LoginWithSignature(ctx, sg, origin); err != nil || a.TIN != tin || retired {
		t.Fatalf("login: %+v %v %v", a, retired, err)
	}
	if _, err := e.svc.Login(ctx, tin, "Neva-river-9!", origin); err != nil {
		t.Fatal(err)
	}
}

// LK-2 with LK-5: a card holder who logs in with a qualified e-signature while the card's
// temporary password is still valid and not replaced: the login retires that password (it stops
// working, the card is used) and says so; the next e-signature login is a login again, not a
// registration, though the account has no password until its owner sets one.
func TestESignRetiresTemporaryPassword(t *testing.T) {
	pki := gostoracle.NewPKI(t)
	now := time.Now().UTC()
	db := storetest.SQLite(t)
	ctx := context.Background()
	tin := newEnv(t, db).person("Лебедева", "Екатерина", "Игоревна", time.Date(1983, 3, 8, 0, 0, 0, 0, time.UTC), "156-702-938 81")
	pki.Issue(t, "owner", gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "15670293881", INN: tin}, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	e := newEnvWith(t, db, esign.Config{RootsDir: pki.RootsDir(t), CRLFiles: []string{pki.CRL()}, RequireRevocation: true})
	e.clock.t = now
	c := e.card(tin)
	login := func(flowID string) (*cabinet.Account, bool) {
		t.Helper()
		ch, err := e.svc.IssueChallenge(ctx, flowID)
		if err != nil {
			t.Fatal(err)
		}
		sg, err := e.svc.CheckSignature(ctx, flowID, ch.ID, pki.Sign(t, "owner", ch.Bytes()))
		if err != nil || sg.Account == nil {
			t.Fatalf("%s: a card holder's signature: %+v %v", flowID, sg, err)
		}
		a, retired, err := e.svc.LoginWithSignature(ctx, sg, origin)
		if err != nil {
			t.Fatal(err)
		}
		return a, retired
	}
	if a, retired := login("flow-1"); !retired || a.HasPassword() || a.Temporary {
		t.Fatalf("the first e-signature login: %+v %v", a, retired)
	}
	if _, err := e.svc.Login(ctx, tin, c.TemporaryPassword, origin); !problem.Is(err, problem.Unauthorized) {
		t.Fatalf("the retired temporary password: %v", err)
	}
	if _, err := e.svc.SetOwnPassword(ctx, tin, c.ID, "Neva-river-9!", "Neva-river-9!", origin); !problem.Is(err, problem.Conflict) {
		t.Fatalf("a change step begun with the card's password before: %v", err)
	}
	if a, retired := login("flow-2"); retired || a.TIN != tin {
		t.Fatalf("the second e-signature login: %+v %v", a, retired)
	}
}
