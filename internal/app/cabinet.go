package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
)

// The personal account's wiring: its storage, the register it reads, the attempt limits and
// password hashing it shares with every login, and the trusted roots and CRLs of qualified
// certificates, the same as the identity provider's (--esign-roots, --esign-crl).

// CabinetRegister is the taxpayer register as the personal account reads it (cabinet.Register).
func CabinetRegister(r *register.Service) cabinet.Register { return cabinetRegister{r} }

type cabinetRegister struct{ r *register.Service }

// Person returns the register's person with the TIN, nil when it holds none (or an organization).
func (c cabinetRegister) Person(ctx context.Context, tin string) (*cabinet.Person, error) {
	t, err := c.r.Taxpayer(ctx, tin)
	if problem.Is(err, problem.NotFound) || problem.Is(err, problem.Invalid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return personOf(t), nil
}

// PersonBySNILS finds the person with a СНИЛС through the register's search.
func (c cabinetRegister) PersonBySNILS(ctx context.Context, snils string) (*cabinet.Person, error) {
	found, err := c.r.Search(ctx, register.SearchFilter{Query: snils, Kind: register.KindPerson, Limit: 20})
	if err != nil {
		return nil, err
	}
	for _, s := range found {
		t, err := c.r.Taxpayer(ctx, s.TIN)
		if err != nil {
			return nil, err
		}
		if p := personOf(t); p != nil && p.SNILS == snils && p.Applied() {
			return p, nil
		}
	}
	return nil, nil
}

// Organization returns the register's organization with the TIN and its signatories (KG-1), nil
// when it holds none (or a person).
func (c cabinetRegister) Organization(ctx context.Context, tin string) (*cabinet.Organization, error) {
	t, err := c.r.Taxpayer(ctx, tin)
	if problem.Is(err, problem.NotFound) || problem.Is(err, problem.Invalid) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.Organization == nil {
		return nil, nil
	}
	o := t.Organization
	out := &cabinet.Organization{TIN: t.TIN, Name: o.ShortName, Office: t.TaxOffice, Status: string(t.Status), RegisteredOn: t.RegisteredOn}
	if out.Name == "" {
		out.Name = o.FullName
	}
	if o.Head != nil {
		out.Head = o.Head.TIN
	}
	if o.Accountant != nil {
		out.Accountant = o.Accountant.TIN
	}
	return out, nil
}

// Office returns a tax office of the directory by its code.
func (c cabinetRegister) Office(ctx context.Context, code string) (cabinet.Office, bool, error) {
	code = strings.TrimSpace(code)
	if len(code) != c.r.Profile().Register.OfficeDigits { // the jurisdiction's codes: 4 digits, 3 for a УГНС
		return cabinet.Office{}, false, nil
	}
	card, err := c.r.OfficeCard(ctx, code)
	if problem.Is(err, problem.NotFound) {
		return cabinet.Office{}, false, nil
	}
	if err != nil {
		return cabinet.Office{}, false, err
	}
	name := func(c register.OfficeCard) string {
		if c.Name == "" {
			return c.FullName
		}
		return c.Name
	}
	o := cabinet.Office{Code: card.Code, Name: name(card), Region: card.Region}
	for lang := range card.Texts {
		if o.Names == nil {
			o.Names = map[string]string{}
		}
		o.Names[lang] = name(card.In(lang))
	}
	return o, true, nil
}

// Offices lists the directory of tax offices by code, with their names in the directory's own
// language.
func (c cabinetRegister) Offices(ctx context.Context) ([]cabinet.Office, error) {
	all, err := c.r.Offices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]cabinet.Office, len(all))
	for i, o := range all {
		out[i] = cabinet.Office{Code: o.Code, Name: o.Name, Region: o.Region}
	}
	return out, nil
}

// RegionName names one of the jurisdiction's regions.
func (c cabinetRegister) RegionName(code string) string {
	n, _ := c.r.Reference().RegionName(code)
	return n
}

// personOf is a register's record of a person as the personal account reads it; nil for an
// organization.
func personOf(t *register.Taxpayer) *cabinet.Person {
	if t == nil || t.Person == nil {
		return nil
	}
	p := t.Person
	return &cabinet.Person{TIN: t.TIN, Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: p.BirthDate,
		SNILS: p.SNILS, Office: t.TaxOffice, Status: string(t.Status), RegisteredOn: t.RegisteredOn}
}

func (a *App) newCabinet(c Config) error {
	if c.Terms != (cabinet.Terms{}) {
		if err := c.Terms.Check(); err != nil {
			return err
		}
	}
	id := c.Identity
	v, err := esign.NewVerifier(esign.Config{RootsDir: id.ESignRoots, CRLFiles: id.ESignCRLs, RequireRevocation: len(id.ESignCRLs) > 0, Now: c.Now})
	if err != nil {
		return fmt.Errorf("e-signature roots: %w", err)
	}
	st := store.NewCabinet(c.DB)
	a.Cabinet = cabinet.New(cabinet.Options{Store: st, Register: CabinetRegister(a.Register), Hasher: c.Hasher, Limits: a.Limits,
		Verifier: v, Challenges: esign.NewChallenges(store.NewIdentity(c.DB), 15*time.Minute, c.Now), Sessions: a.Sessions, Now: c.Now,
		Staff: staffDirectory{a.Staff}, Zone: a.Profile.Location(), Profile: a.Profile, Terms: c.Terms}) // the jurisdiction's days: Moscow's, Bishkek's
	return nil
}
