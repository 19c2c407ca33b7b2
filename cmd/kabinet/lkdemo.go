package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
)

// The personal account's demo (serve --demo): a taxpayer with a fresh registration card whose
// login and temporary password are printed, the taxpayer whose certificate the demo
// certification centre issued (esign.DemoCitizen), in the register under the ИНН the certificate
// carries, so that a newcomer can try the e-signature login and registration (LK-5) and, once
// her identity-provider account is confirmed, the login through the provider (LK-6), and the
// demonstration account 00000000000 (LK-9), which needs nothing.

// demoESignOffice is the tax office whose TINs start with the demo citizen's (5263…).
var demoESignOffice = register.Office{Code: "5263", Name: "Инспекция ФНС России по Сормовскому району г. Нижнего Новгорода", Region: "52"}

// demoESignSerial is the register's serial of the demo citizen's ИНН 5263 179846 89.
const demoESignSerial = 179846

// demoCardPerson is the demo taxpayer who gets a registration card at every start until they set
// their own password.
var demoCardPerson = register.PersonInput{Surname: "Петров", GivenName: "Илья", Patronymic: "Андреевич",
	BirthDate: time.Date(1979, 8, 23, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Москва", Sex: register.Male, Citizenship: "RUS",
	Document: register.IdentityDocument{Type: "passport_ru", Series: "4504", Number: "112358", IssuedOn: time.Date(2004, 9, 1, 0, 0, 0, 0, time.UTC)},
	Ground:   register.GroundResidence, TaxOffice: "7736",
	Address: register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "32", Flat: "17"}}

func seedCabinetDemo(ctx context.Context, e *env, a *app.App, esignDir string) error {
	tin, err := seedESignCitizen(ctx, a)
	if err != nil {
		return fmt.Errorf("demo citizen of the certification centre: %w", err)
	}
	res, err := a.Register.RegisterPerson(ctx, cliActor, demoCardPerson)
	if err != nil {
		return err
	}
	if res.Taxpayer == nil {
		return fmt.Errorf("demo taxpayer: held for review")
	}
	login := res.Taxpayer.TIN
	acc, err := a.Cabinet.Account(ctx, login)
	switch {
	case err == nil && !acc.Temporary && acc.HasPassword():
		fmt.Fprintf(e.stdout, "demo taxpayer at /lk/login: login %s (their own password is set; `kabinet card issue --tin %s` issues a new card)\n", login, login)
	case err == nil || problem.Is(err, problem.NotFound):
		c, err := a.Cabinet.IssueCard(ctx, cliActor, cabinet.CardRequest{TIN: login, Unchecked: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "demo taxpayer at /lk/login: login %s, temporary password %q (valid until %s; set your own at the first login)\n",
			login, c.TemporaryPassword, c.ExpiresAt.Format("02.01.2006"))
	default:
		return err
	}
	fmt.Fprintf(e.stdout, "demonstration account at /lk/login: login %s, any password; online application at /lk/apply\n", cabinet.DemoLogin)
	if tin != "" {
		fmt.Fprintf(e.stdout, "e-signature login at /lk/esign (ИНН %s): sign the challenge with\n  kabinet esign sign --key %s --cert %s --in challenge.txt > signature.p7s\n",
			tin, filepath.Join(esignDir, "citizen.key"), filepath.Join(esignDir, "citizen.pem"))
		fmt.Fprintf(e.stdout, "login through the identity provider (the button of /lk/login): the demo citizen, once her account is confirmed "+
			"(with that e-signature at /id/confirm/esign, or by the demo operator), enters the personal account of ИНН %s\n", tin)
	}
	return nil
}

// seedESignCitizen puts esign.DemoCitizen in the register under the ИНН of her certificate, once:
// the demo office 5263 is added to the directory and its counter of persons set so that the
// register assigns her exactly that number (REG-1), by its own rules. It returns her TIN, or ""
// when the register gave her another one (the office had persons already).
func seedESignCitizen(ctx context.Context, a *app.App) (string, error) {
	c := esign.DemoCitizen
	if t, err := a.Register.Taxpayer(ctx, c.INN); err == nil && t.Person != nil {
		return c.INN, nil
	}
	if err := a.Register.AddOffice(ctx, cliActor, demoESignOffice); err != nil && !problem.Is(err, problem.Conflict) {
		return "", err
	}
	if err := store.NewRegister(a.DB).Update(ctx, func(tx register.Tx) error {
		_, err := tx.NextSerials(ctx, "person", demoESignOffice.Code, 1, demoESignSerial-1)
		return err
	}); err != nil {
		return "", err
	}
	res, err := a.Register.RegisterPerson(ctx, cliActor, register.PersonInput{Surname: c.Surname, GivenName: "Мария", Patronymic: "Александровна",
		BirthDate: time.Date(1988, 4, 12, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Нижний Новгород", Sex: register.Female, Citizenship: "RUS",
		Document: register.IdentityDocument{Type: "passport_ru", Series: "2208", Number: "481516", IssuedOn: time.Date(2008, 5, 15, 0, 0, 0, 0, time.UTC)},
		SNILS:    c.SNILS, Ground: register.GroundResidence, TaxOffice: demoESignOffice.Code,
		Address: register.Address{Country: "RUS", Region: "52", PostalCode: "603003", City: "Нижний Новгород", Street: "улица Коминтерна", House: "12", Flat: "40"}})
	if err != nil {
		return "", err
	}
	if res.Taxpayer == nil || res.Taxpayer.TIN != c.INN {
		return "", nil
	}
	return c.INN, nil
}
