package cabinet_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// KG-1: where taxpayers register by application no registration card is issued — not to a
// taxpayer of the register without an account (a card's temporary password would open the
// cabinet without the inspector's approval), nor over an approved account, whose own password
// keeps working; the refusal says why in each language of the cabinet.
func TestKyrgyzIssuesNoCard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newKGEnv(t, db, cabinet.Terms{})
		p := e.outsider("", 0)
		_, err := e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: p.TIN, Unchecked: true})
		wantCode(t, err, problem.NotFound, "lk.card.off")
		pe, _ := problem.As(err)
		for lang, want := range map[string]string{"ru": "Регистрационные карты здесь не выдаются", "en": "Registration cards are not issued here",
			"ky": "Бул жерде каттоо карталары берилбейт"} {
			if got := pe.Message.In(lang); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %q", lang, got)
			}
		}
		if _, err := e.svc.Account(ctx, p.TIN); !problem.Is(err, problem.NotFound) {
			t.Fatalf("an account after the refused card: %v", err)
		}

		q := e.outsider("", 1)
		if _, err := e.svc.AddAccount(ctx, inspector, q.TIN, "Issyk-Kul-2026"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: q.TIN, Checks: cabinet.Checklist{PassportShown: true}})
		wantCode(t, err, problem.NotFound, "lk.card.off")
		if r, err := e.svc.Login(ctx, q.TIN, "Issyk-Kul-2026", cabinet.Origin{Address: "10.0.0.9"}); err != nil || r.MustChange || r.Account.Temporary {
			t.Fatalf("the own password after the refused card: %+v %v", r, err)
		}
	})
}
