package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/gostoracle"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// IDP-4c: confirmation by a qualified signature over a challenge, with certificates made by
// OpenSSL's GOST engine: the owner's is accepted; another person's, an expired, a not yet valid
// and a revoked one are refused with the reason, and the account stays standard.
func TestConfirmationBySignature(t *testing.T) {
	pki := gostoracle.NewPKI(t)
	now := time.Now().UTC() // the oracle's root and CRL are made now
	owner := gostoracle.Subject{Surname: "Соколова", GivenName: "Елена Викторовна", SNILS: "11223344595"}
	other := gostoracle.Subject{Surname: "Соколова", GivenName: "Елена Викторовна", SNILS: "08765430300"}
	renamed := gostoracle.Subject{Surname: "Петрова", GivenName: "Елена Викторовна", SNILS: "11223344595"}
	year := now.AddDate(1, 0, 0)
	pki.Issue(t, "owner", owner, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "other", other, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "renamed", renamed, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "expired", owner, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1))
	pki.Issue(t, "future", owner, now.AddDate(0, 0, 3), year)
	pki.Issue(t, "revoked", owner, now.AddDate(0, -1, 0), year)
	pki.Revoke(t, "revoked")
	cfg := esign.Config{RootsDir: pki.RootsDir(t), CRLFiles: []string{pki.CRL()}, RequireRevocation: true}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWith(t, db, cfg)
		e.clock.t = now
		ctx := context.Background()
		a := e.verified("Соколова", "+79161234567")
		sign := func(name string) (esign.Challenge, []byte) {
			ch, err := e.p.IssueChallenge(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ch, pki.Sign(t, name, ch.Bytes())
		}
		for name, want := range map[string]string{"other": "idp.esign.snils", "renamed": "idp.esign.name",
			"expired": "esign.certificate_expired", "future": "esign.certificate_not_yet_valid", "revoked": "esign.revoked"} {
			ch, sig := sign(name)
			err := e.p.ConfirmWithSignature(ctx, a.ID, ch.ID, sig, origin)
			p, ok := problem.As(err)
			if !ok || len(p.Fields) == 0 || p.Fields[0].Field != "signature" || p.Fields[0].Message.Key != want {
				t.Fatalf("%s: %v, want %s", name, err, want)
			}
		}
		ch, _ := sign("owner")
		sig := pki.Sign(t, "owner", []byte("something else"))
		if err := e.p.ConfirmWithSignature(ctx, a.ID, ch.ID, sig, origin); fieldOf(err) != "signature" {
			t.Fatalf("a signature over other text: %v", err)
		}
		if got, _ := e.p.Account(ctx, a.ID); got.Level != identity.Standard {
			t.Fatalf("refused signatures changed the level: %s", got.Level)
		}
		ch, sig = sign("owner")
		if err := e.p.ConfirmWithSignature(ctx, a.ID, ch.ID, sig, origin); err != nil {
			t.Fatal(err)
		}
		if err := e.p.ConfirmWithSignature(ctx, a.ID, ch.ID, sig, origin); err == nil {
			t.Fatal("a challenge used twice")
		}
		got, _ := e.p.Account(ctx, a.ID)
		if got.Level != identity.Confirmed || got.Method != identity.ESign {
			t.Fatalf("confirmed %+v", got)
		}
	})
}
