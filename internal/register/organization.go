package register

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// REG-5: registering organizations: in Russia with the TIN the register assigns and the КПП at
// their location; where the register records TINs (TIN-6) with the TIN the organization has
// and its signatories (KG-1, signatories.go), without a КПП.

// OrganizationGround is the ground on which an organization first gets its TIN (REG-5).
type OrganizationGround string

// Grounds for the first registration of an organization (REG-5).
const (
	GroundCreation             OrganizationGround = "creation"
	GroundReorganization       OrganizationGround = "reorganization"
	GroundInternationalCompany OrganizationGround = "international_company"
)

// OrganizationInput is what registering an organization takes (REG-5).
type OrganizationInput struct {
	// TIN is the organization's own TIN where the register records TINs (TIN-6); else empty.
	TIN          string
	FullName     string
	ShortName    string
	OGRN         string // where the jurisdiction keeps it (Profile.Register.OGRN)
	Ground       OrganizationGround
	TaxOffice    string
	Address      Address
	RegisteredOn time.Time // state registration date; where the TIN carries it (TIN-6), that one when empty
	// Head and Accountant are the signatories, by their personal TINs, where the jurisdiction keeps
	// them (KG-1): the head is required.
	Head, Accountant *Signatory
}

// Organization is an organization's data.
type Organization struct {
	FullName     string
	ShortName    string
	OGRN         string
	Ground       OrganizationGround
	Address      Address
	RegisteredOn time.Time
	Head         *Signatory // KG-1: where the jurisdiction keeps signatories
	Accountant   *Signatory
}

// RegisterOrganization registers an organization (REG-5): in Russia with a new TIN and the КПП
// at its location, and an organization whose ОГРН is on record keeps its TIN (Created false);
// where the register records TINs (TIN-6), under its own TIN with its signatories, and one whose
// TIN is on record is answered as it is (Created false).
func (s *Service) RegisterOrganization(ctx context.Context, actor audit.Actor, in OrganizationInput) (Result, error) {
	in, err := s.validateOrganization(ctx, in)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	var res Result
	err = s.store.Update(ctx, func(tx Tx) error {
		res = Result{}
		onRecord, err := s.organizationOnRecord(ctx, tx, in)
		if err != nil {
			return err
		}
		if onRecord != "" {
			t, err := s.resolved(ctx, tx, onRecord)
			res = Result{Taxpayer: t}
			return err
		}
		tin := in.TIN
		if !s.Recorded() { // REG-1
			serial, err := tx.NextSerials(ctx, scopeOrganization, in.TaxOffice, 1, 1)
			if err != nil {
				return err
			}
			if tin, err = newOrganizationTIN(in.TaxOffice, serial); err != nil {
				return problem.Wrap(problem.Conflict, msgSerialsExhausted.With(in.TaxOffice), err)
			}
		}
		if err := resolveSignatory(ctx, tx, "head.tin", in.Head); err != nil { // KG-1
			return err
		}
		if err := resolveSignatory(ctx, tx, "accountant.tin", in.Accountant); err != nil {
			return err
		}
		t := &Taxpayer{TIN: tin, Kind: KindOrganization, Status: StatusActive, TaxOffice: in.TaxOffice, RegisteredOn: civil(now), Version: 1,
			Organization: &Organization{FullName: in.FullName, ShortName: in.ShortName, OGRN: in.OGRN, Ground: in.Ground, Address: in.Address,
				RegisteredOn: in.RegisteredOn, Head: signatoryOrNil(in.Head), Accountant: signatoryOrNil(in.Accountant)},
		}
		details := "ground=" + string(in.Ground) + " office=" + in.TaxOffice
		if s.profile.Register.KPP { // REG-5: the КПП at its location
			kpp, err := s.newKPP(ctx, tx, in.TaxOffice, ReasonLocation)
			if err != nil {
				return err
			}
			t.KPPs = []KPP{{Code: kpp, Ground: KPPLocation, TaxOffice: in.TaxOffice, Reason: ReasonLocation, Address: in.Address, AssignedOn: civil(now)}}
			details += " kpp=" + kpp
		}
		if err := tx.InsertTaxpayers(ctx, []NewTaxpayer{{Taxpayer: *t, NameNorm: NormalizeName(in.FullName), At: now.UTC(), Actor: actor.Login}}, nil); err != nil {
			return err
		}
		t.History = []Change{{At: now.UTC(), Actor: actor.Login, Action: "registered"}}
		res = Result{Taxpayer: t, Created: true}
		return tx.Audit(ctx, s.entry(actor, "organization.register", tin, details))
	})
	return res, err
}

// organizationOnRecord returns the TIN of the organization a registration names when the
// register holds it already: by its ОГРН (REG-5), or by its own TIN where TINs are recorded
// (TIN-6); "" when it holds none.
func (s *Service) organizationOnRecord(ctx context.Context, tx Tx, in OrganizationInput) (string, error) {
	if s.Recorded() {
		t, err := tx.Taxpayer(ctx, in.TIN)
		switch {
		case problem.Is(err, problem.NotFound):
			return "", nil
		case err != nil:
			return "", err
		case t.Kind != KindOrganization:
			return "", conflict("tin", msgTINTaken.With(in.TIN))
		}
		return t.TIN, nil
	}
	found, err := tx.Search(ctx, Query{OGRN: in.OGRN, Kind: KindOrganization, Limit: 1})
	if err != nil || len(found) == 0 {
		return "", err
	}
	return found[0].TIN, nil
}

// validateOrganization checks an organization's registration (REG-5; TIN-6 and KG-1 where the
// register records TINs).
func (s *Service) validateOrganization(ctx context.Context, in OrganizationInput) (OrganizationInput, error) {
	var fe problem.Fields
	var carried time.Time // the date of state registration the TIN carries (TIN-6)
	in.TIN, carried = s.checkOwnTIN(&fe, in.TIN, jurisdiction.Organization)
	in.Head, in.Accountant = copySignatory(in.Head), copySignatory(in.Accountant) // the register fills their names
	if checkLine(&fe, "full_name", in.FullName) {
		in.FullName = collapse(in.FullName)
		checkText(&fe, "full_name", in.FullName, true, 1000)
	}
	if checkLine(&fe, "short_name", in.ShortName) {
		in.ShortName = collapse(in.ShortName)
		checkText(&fe, "short_name", in.ShortName, false, 500)
	}
	in.OGRN = strings.TrimSpace(in.OGRN)
	switch {
	case !s.profile.Register.OGRN:
		notApplicable(&fe, "ogrn", in.OGRN != "", false)
	case in.OGRN == "":
		fe.Add("ogrn", fieldMsg(msgRequired, "ogrn"))
	default:
		if _, m, ok := parseOGRN(in.OGRN); !ok {
			fe.Add("ogrn", m)
		}
	}
	s.checkSignatories(&fe, in.Head, in.Accountant, true) // KG-1
	switch in.Ground {
	case GroundCreation, GroundReorganization, GroundInternationalCompany:
	case "":
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	default:
		fe.Add("ground", msgGround)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	if s.checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return in, err
		}
	}
	if in.RegisteredOn.IsZero() {
		in.RegisteredOn = carried
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
