package main

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
)

// demos seeds the demo of each jurisdiction (serve --demo): the one place that knows which demo
// belongs to which. A demo may return what to print once the server listens, at its address.
var demos = map[jurisdiction.Code]func(ctx context.Context, e *env, a *app.App, esignDir string) (func(base string), error){
	jurisdiction.RU: func(ctx context.Context, e *env, a *app.App, esignDir string) (func(string), error) {
		return nil, seedDemo(ctx, e, a, esignDir)
	},
	jurisdiction.KG: seedKyrgyzDemo,
}

// The Kyrgyz Republic's demo (serve --profile kg --demo): the УГНС of the directory (loaded at
// every start), an inspector of УГНС 002, Kyrgyz taxpayers with their own ИНН and organizations
// with their head and accountant (package demo), a self-registration waiting in the inspector's
// queue and an approved cabinet account (KG-1) to log in with on the site and from the mobile
// API (KG-2), and how to try them.

// The demo inspector of the Kyrgyz demo, and the number of demo persons.
const (
	kgDemoInspectorName     = "Асанова Айгүл Маратовна"
	kgDemoInspectorPosition = "Главный налоговый инспектор УГНС по Ленинскому району г. Бишкек"
	kgDemoPersons           = 120
	kgDemoOffice            = "002" // the УГНС of the demo inspector
	kgDemoTaxpayerPassword  = "demo-taxpayer-2026"
	kgDemoApplicantPassword = "demo-applicant-2026"
)

func seedKyrgyzDemo(ctx context.Context, e *env, a *app.App, _ string) (func(string), error) {
	_, err := a.Staff.AddMember(ctx, cliActor, staff.Member{Login: demoLogin, Role: staff.RoleInspector, Name: kgDemoInspectorName,
		Position: kgDemoInspectorPosition, Office: kgDemoOffice}, demoPassword)
	if err != nil && !problem.Is(err, problem.Invalid) { // there from an earlier start
		return nil, err
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, kgDemoPersons); err != nil {
		return nil, err
	}
	persons := demo.KyrgyzPersons(1, kgDemoPersons)
	org := demo.KyrgyzOrganizations[0]
	fmt.Fprintf(e.stdout, "demo of the Kyrgyz Republic: %d taxpayers with their own ИНН, %d organizations, the УГНС at /api/v1/offices\n",
		len(persons), len(demo.KyrgyzOrganizations))
	fmt.Fprintf(e.stdout, "demo inspector (%s): login %q, password %q at /office/login; an API token: kabinet staff token --login %s\n",
		kgDemoInspectorName, demoLogin, demoPassword, demoLogin)
	p := persons[org.Head]
	fmt.Fprintf(e.stdout, "a taxpayer: %s %s %s, ИНН %s — /office/taxpayers/%s\n", p.Surname, p.GivenName, p.Patronymic, p.TIN, p.TIN)
	fmt.Fprintf(e.stdout, "an organization: %s, ИНН %s — /office/taxpayers/%s; its head ИНН %s, its accountant ИНН %s\n",
		org.ShortName, org.TIN, org.TIN, p.TIN, persons[org.Accountant].TIN)
	return seedKyrgyzCabinet(ctx, e, a, persons)
}

// seedKyrgyzCabinet seeds the taxpayer cabinet's demo (KG-1, KG-2): an approved account of a
// taxpayer of the inspector's УГНС, and a self-registration of another one waiting in the
// inspector's queue; it returns what to print once the server listens.
func seedKyrgyzCabinet(ctx context.Context, e *env, a *app.App, persons []register.PersonInput) (func(string), error) {
	signatory := map[string]bool{}
	for _, o := range demo.KyrgyzOrganizations {
		signatory[persons[o.Head].TIN] = true
		if o.Accountant >= 0 {
			signatory[persons[o.Accountant].TIN] = true
		}
	}
	var ofOffice []register.PersonInput // persons of the demo УГНС who sign for no organization
	for _, p := range persons {
		if p.TaxOffice == kgDemoOffice && !signatory[p.TIN] {
			ofOffice = append(ofOffice, p)
		}
	}
	if len(ofOffice) < 3 {
		return nil, fmt.Errorf("the Kyrgyz demo has %d persons of УГНС %s", len(ofOffice), kgDemoOffice)
	}
	holder, applicant, newcomer := ofOffice[0], ofOffice[1], ofOffice[2]
	if _, err := a.Cabinet.AddAccount(ctx, cliActor, holder.TIN, kgDemoTaxpayerPassword); err != nil && !problem.Is(err, problem.Conflict) {
		return nil, fmt.Errorf("demo cabinet account: %w", err)
	}
	number := ""
	r, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: string(cabinet.Individual), TIN: applicant.TIN,
		Password: kgDemoApplicantPassword, Again: kgDemoApplicantPassword}, "ru")
	switch {
	case err == nil:
		number = r.Number()
	case problem.Is(err, problem.Invalid): // waiting, or approved, from an earlier start
		if list, lerr := a.Cabinet.Registrations(ctx, kgDemoOffice, ""); lerr == nil {
			for _, x := range list {
				if x.TIN == applicant.TIN {
					number = x.Number()
					break
				}
			}
		}
	default:
		return nil, fmt.Errorf("demo self-registration: %w", err)
	}
	org := demo.KyrgyzOrganizations[0]
	outsider := persons[org.Head+20] // of the register, but neither head nor accountant of the organization
	return func(base string) {
		w := e.stdout
		fmt.Fprintf(w, "the taxpayer cabinet (KG-1): %s/lk/login — a demo account: login %s (%s %s), password %q\n",
			base, holder.TIN, holder.Surname, holder.GivenName, kgDemoTaxpayerPassword)
		fmt.Fprintf(w, "  register at %s/lk/register: an individual with ИНН %s; a legal entity with its head's ИНН %s and %s's ИНН %s; "+
			"ИНН %s is neither its head nor its accountant and is refused\n", base, newcomer.TIN, persons[org.Head].TIN, org.ShortName, org.TIN, outsider.TIN)
		fmt.Fprintf(w, "  application No. %s (%s %s) waits in the queue of УГНС %s: the inspector approves it after the passport at %s/office/registrations\n",
			number, applicant.Surname, applicant.GivenName, kgDemoOffice, base)
		fmt.Fprintf(w, "the mobile API (KG-2), accepting the offer agreement and the privacy policy:\n"+
			"  curl -s -H 'Content-Type: application/json' -d '{\"login\":\"%s\",\"password\":\"%s\",\"accept_offer\":true,\"accept_privacy\":true}' %s/api/mobile/v1/login\n"+
			"  curl -s -H 'Authorization: Bearer ACCESS_TOKEN' %s/api/mobile/v1/profile\n",
			holder.TIN, kgDemoTaxpayerPassword, base, base)
	}, nil
}
