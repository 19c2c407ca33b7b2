package register

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// REG-5: registering Russian organizations, with the TIN and the КПП at their location.

// OrganizationGround is the ground on which an organization first gets its TIN (REG-5).
type OrganizationGround string

// Grounds for the first registration of an organization (REG-5).
const (
	GroundCreation             OrganizationGround = "creation"
	GroundReorganization       OrganizationGround = "reorganization"
	GroundInternationalCompany OrganizationGround = "international_company"
)

// OrganizationInput is what registering a Russian organization takes (REG-5).
type OrganizationInput struct {
	FullName     string
	ShortName    string
	OGRN         string
	Ground       OrganizationGround
	TaxOffice    string
	Address      Address
	RegisteredOn time.Time // state registration date
}

// Organization is a Russian organization's data.
type Organization struct {
	FullName     string
	ShortName    string
	OGRN         string
	Ground       OrganizationGround
	Address      Address
	RegisteredOn time.Time
}

// RegisterOrganization registers a Russian organization: TIN and the КПП at its location (REG-5).
// An organization whose ОГРН is on record keeps its TIN (Created false).
func (s *Service) RegisterOrganization(ctx context.Context, actor audit.Actor, in OrganizationInput) (Result, error) {
	in, err := s.validateOrganization(ctx, in)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	var res Result
	err = s.store.Update(ctx, func(tx Tx) error {
		res = Result{}
		found, err := tx.Search(ctx, Query{OGRN: in.OGRN, Kind: KindOrganization, Limit: 1})
		if err != nil {
			return err
		}
		if len(found) > 0 {
			t, err := s.resolved(ctx, tx, found[0].TIN)
			res = Result{Taxpayer: t}
			return err
		}
		serial, err := tx.NextSerials(ctx, scopeOrganization, in.TaxOffice, 1, 1)
		if err != nil {
			return err
		}
		tin, err := newOrganizationTIN(in.TaxOffice, serial)
		if err != nil {
			return problem.Wrap(problem.Conflict, msgSerialsExhausted.With(in.TaxOffice), err)
		}
		kpp, err := s.newKPP(ctx, tx, in.TaxOffice, ReasonLocation)
		if err != nil {
			return err
		}
		t := &Taxpayer{TIN: tin, Kind: KindOrganization, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: civil(now), Version: 1,
			Organization: &Organization{FullName: in.FullName, ShortName: in.ShortName, OGRN: in.OGRN, Ground: in.Ground, Address: in.Address, RegisteredOn: in.RegisteredOn},
			KPPs:         []KPP{{Code: kpp, Ground: KPPLocation, TaxOffice: in.TaxOffice, Reason: ReasonLocation, Address: in.Address, AssignedOn: civil(now)}},
		}
		if err := tx.InsertTaxpayers(ctx, []NewTaxpayer{{Taxpayer: *t, NameNorm: NormalizeName(in.FullName), At: now.UTC(), Actor: actor.Login}}, nil); err != nil {
			return err
		}
		t.History = []Change{{At: now.UTC(), Actor: actor.Login, Action: "registered"}}
		res = Result{Taxpayer: t, Created: true}
		return tx.Audit(ctx, s.entry(actor, "organization.register", tin, "ground="+string(in.Ground)+" office="+in.TaxOffice+" kpp="+kpp))
	})
	return res, err
}

// validateOrganization checks a Russian organization's registration (REG-5).
func (s *Service) validateOrganization(ctx context.Context, in OrganizationInput) (OrganizationInput, error) {
	var fe problem.Fields
	if checkLine(&fe, "full_name", in.FullName) {
		in.FullName = collapse(in.FullName)
		checkText(&fe, "full_name", in.FullName, true, 1000)
	}
	if checkLine(&fe, "short_name", in.ShortName) {
		in.ShortName = collapse(in.ShortName)
		checkText(&fe, "short_name", in.ShortName, false, 500)
	}
	in.OGRN = strings.TrimSpace(in.OGRN)
	if in.OGRN == "" {
		fe.Add("ogrn", fieldMsg(msgRequired, "ogrn"))
	} else if _, m, ok := parseOGRN(in.OGRN); !ok {
		fe.Add("ogrn", m)
	}
	switch in.Ground {
	case GroundCreation, GroundReorganization, GroundInternationalCompany:
	case "":
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	default:
		fe.Add("ground", msgGround)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	if checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return in, err
		}
	}
	if !in.RegisteredOn.IsZero() {
		if in.RegisteredOn.After(s.now()) {
			fe.Add("registered_on", fieldMsg(msgDateFuture, "registered_on"))
		}
		in.RegisteredOn = civil(in.RegisteredOn)
	}
	checkAddress(&fe, in.Address, s.ref)
	return in, fe.Err()
}

// newOrganizationTIN builds a 10-digit TIN: office + 5-digit serial + check digit (TIN-2).
func newOrganizationTIN(office string, serial int64) (string, error) {
	if serial < 1 || serial > 99999 {
		return "", fmt.Errorf("register: organization serial %d out of range at office %s", serial, office)
	}
	return tin.NewOrganizationINN(office, int(serial))
}

// parseOGRN checks a 13-digit ОГРН (TIN-5).
func parseOGRN(s string) (string, problem.Message, bool) {
	v, err := tin.ParseOGRN(s)
	if err != nil {
		return s, problem.Number(err), false
	}
	return v.Digits, problem.Message{}, true
}
