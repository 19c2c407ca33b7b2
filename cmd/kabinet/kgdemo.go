package main

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
)

// demos seeds the demo of each jurisdiction (serve --demo): the one place that knows which demo
// belongs to which.
var demos = map[jurisdiction.Code]func(ctx context.Context, e *env, a *app.App, esignDir string) error{
	jurisdiction.RU: seedDemo,
	jurisdiction.KG: seedKyrgyzDemo,
}

// The Kyrgyz Republic's demo (serve --profile kg --demo): the УГНС of the directory (loaded at
// every start), an inspector, Kyrgyz taxpayers with their own ИНН and organizations with their
// head and accountant (package demo), and how to try them.

// The demo inspector of the Kyrgyz demo, and the number of demo persons.
const (
	kgDemoInspectorName     = "Асанова Айгүл Маратовна"
	kgDemoInspectorPosition = "Главный налоговый инспектор УГНС по Ленинскому району г. Бишкек"
	kgDemoPersons           = 120
)

func seedKyrgyzDemo(ctx context.Context, e *env, a *app.App, _ string) error {
	_, err := a.Staff.AddMember(ctx, cliActor, staff.Member{Login: demoLogin, Role: staff.RoleInspector, Name: kgDemoInspectorName,
		Position: kgDemoInspectorPosition}, demoPassword)
	if err != nil && !problem.Is(err, problem.Invalid) { // there from an earlier start
		return err
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, kgDemoPersons); err != nil {
		return err
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
	return nil
}
