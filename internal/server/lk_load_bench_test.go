package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
)

// BenchmarkCabinetPageUnderLoad compares the taxpayer's personal account home page (GET /lk/ with
// a taxpayer's session: the session's and the account's look-ups, the register's record of the
// person and of the office, the page's template) with /healthz on the same server (compareLoad;
// the aim is rps_ratio >= 0.5).
func BenchmarkCabinetPageUnderLoad(b *testing.B) {
	ctx := context.Background()
	a := apptest.Start(b, benchDB(b), apptest.Options{Hash: &password.Default})
	tin := cabinetTaxpayer(b, a)
	token, _, err := a.Sessions.Start(ctx, session.Start{Site: cabinet.Site, Subject: tin, Method: session.Password, Assurance: string(cabinet.FromCard)})
	if err != nil {
		b.Fatal(err)
	}
	compareLoad(b, a.URL, "lk_page", []string{a.URL + "/lk/"}, http.Header{"Cookie": {"__Host-kabinet_lk=" + token}})
}

// cabinetTaxpayer registers a person, issues her a registration card and sets her own password
// ("Volga-2026!"): a taxpayer of the personal account. It returns her TIN.
func cabinetTaxpayer(tb testing.TB, a *apptest.App) string {
	tb.Helper()
	ctx := context.Background()
	sys := audit.Actor{Login: "test", Role: "system"}
	res, err := a.Register.RegisterPerson(ctx, sys, register.PersonInput{Surname: "Соколова", GivenName: "Елена", Patronymic: "Викторовна",
		BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Москва", Sex: register.Female, Citizenship: "RUS",
		Ground: register.GroundResidence, TaxOffice: "7736",
		Document: register.IdentityDocument{Type: "passport_ru", Series: "4505", Number: "123456", IssuedOn: time.Date(2005, 5, 20, 0, 0, 0, 0, time.UTC)},
		Address:  register.Address{Country: "RUS", Region: "77", City: "Москва", Street: "Тверская улица", House: "1"}})
	if err != nil || res.Taxpayer == nil {
		tb.Fatal(err)
	}
	card, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: res.Taxpayer.TIN, Unchecked: true})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := a.Cabinet.SetOwnPassword(ctx, res.Taxpayer.TIN, card.ID, "Volga-2026!", "Volga-2026!", cabinet.Origin{}); err != nil {
		tb.Fatal(err)
	}
	return res.Taxpayer.TIN
}
