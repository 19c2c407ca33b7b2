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

// REG-5, TIN-4: КПП on every further ground.

// KPPGround is the ground of a КПП registration (REG-5).
type KPPGround string

// Grounds for КПП (REG-5).
const (
	KPPLocation    KPPGround = "location"     // at the organization's location, with the TIN
	KPPNewLocation KPPGround = "new_location" // a new location under another tax office
	KPPSubdivision KPPGround = "subdivision"  // a separate subdivision (or its new location)
	KPPProperty    KPPGround = "property"     // location of real estate or vehicles
	KPPOther       KPPGround = "other"        // other grounds of the Tax Code
)

// KPPInput asks for a КПП on a ground (REG-5).
type KPPInput struct {
	Ground      KPPGround
	TaxOffice   string
	Reason      string // optional: derived from Ground when empty
	Subdivision string // name of the separate subdivision, for KPPSubdivision
	Address     Address
}

// KPP is one registration of an organization on a ground, with its code (TIN-4).
type KPP struct {
	Code        string
	Ground      KPPGround
	TaxOffice   string
	Reason      string
	Subdivision string
	Address     Address
	AssignedOn  time.Time
	ClosedOn    *time.Time
}

// КПП reason codes the register assigns by default for each ground (TIN-4, REG-5). 01 is fixed by
// the order (at the organization's location); the others follow the codes the tax service uses
// in practice: 43 for a separate subdivision (branch), 45 for real estate and vehicles, 30 for
// other grounds (e.g. a Russian organization acting as a tax agent). 50 is the first code for a
// foreign organization.
const (
	ReasonLocation    = "01"
	ReasonOther       = "30"
	ReasonSubdivision = "43"
	ReasonProperty    = "45"
	ReasonForeign     = "50"
)

// kppApplies refuses the КПП and the КИО where the jurisdiction has none (the Kyrgyz Republic).
func (s *Service) kppApplies() error {
	if s.profile.Register.KPP {
		return nil
	}
	return problem.New(problem.Conflict, problem.Msg("register.kpp_not_applicable"))
}

// Messages of the КПП rules.
var (
	msgSameOffice     = problem.Msg("register.same_office")
	msgReason         = problem.Msg("register.reason")
	msgSubdivisionReq = problem.Msg("register.subdivision")
	msgReasonRussian  = problem.Msg("register.reason_russian")
	msgReasonForeign  = problem.Msg("register.reason_foreign")
)

// AssignKPP registers an organization on a further ground and returns the new КПП (REG-5). The
// address of the request is the location of that ground (a subdivision, property, a new
// location) and is kept with the КПП; the organization's own address does not change.
func (s *Service) AssignKPP(ctx context.Context, actor audit.Actor, tin string, in KPPInput) (KPP, error) {
	if err := s.kppApplies(); err != nil {
		return KPP{}, err
	}
	in, reason, err := s.checkKPPInput(ctx, in)
	if err != nil {
		return KPP{}, err
	}
	now := s.now()
	var k KPP
	err = s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		if t.Kind == KindPerson {
			return problem.New(problem.Conflict, msgWrongKind)
		}
		if t.Status == StatusNotApplied {
			return problem.New(problem.Conflict, msgNotApplied.With(tin))
		}
		r := reason
		if in.Reason == "" && t.Kind == KindForeign {
			r = ReasonForeign
		}
		var rfe problem.Fields
		s.checkReason(&rfe, r, t.Kind) // TIN-4: kpp_reasons.csv
		if err := rfe.Err(); err != nil {
			return err
		}
		if in.Ground == KPPNewLocation && in.TaxOffice == t.TaxOffice {
			return problem.InvalidField("tax_office", msgSameOffice)
		}
		code, err := s.newKPP(ctx, tx, in.TaxOffice, r)
		if err != nil {
			return err
		}
		k = KPP{Code: code, Ground: in.Ground, TaxOffice: in.TaxOffice, Reason: r, Subdivision: in.Subdivision, Address: in.Address, AssignedOn: civil(now)}
		if err := tx.InsertKPP(ctx, tin, k); err != nil {
			return err
		}
		fields := []FieldChange{{Field: "kpp", New: code}}
		if a := formatAddress(in.Address); a != "" {
			fields = append(fields, FieldChange{Field: "kpp_address", New: a})
		}
		if in.Ground == KPPNewLocation {
			// The organization moved under another office: that office is now the one of its
			// registration. Its own address is not touched: the address given is the location of
			// this registration, kept with its КПП; a change of the organization's address is an
			// update of its data (REG-6).
			fields = append(fields, FieldChange{Field: "tax_office", Old: t.TaxOffice, New: in.TaxOffice})
			t.TaxOffice = in.TaxOffice
			if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
				return err
			}
		}
		if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: "kpp_assigned", Fields: fields, Note: string(in.Ground)}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.kpp_assign", tin, "ground="+string(in.Ground)+" kpp="+code))
	})
	return k, err
}

// checkKPPInput checks a request for a КПП and returns it trimmed, with the reason of its ground
// when it gives none (REG-5: 01 at a location, 43 for a subdivision, 45 for property, 30 for
// other grounds); a foreign organization's default reason is decided with the record.
func (s *Service) checkKPPInput(ctx context.Context, in KPPInput) (KPPInput, string, error) {
	var fe problem.Fields
	if checkLine(&fe, "subdivision", in.Subdivision) {
		in.Subdivision = collapse(in.Subdivision)
	}
	in.TaxOffice, in.Reason = strings.TrimSpace(in.TaxOffice), strings.TrimSpace(in.Reason)
	reason := in.Reason
	switch in.Ground {
	case KPPLocation, KPPNewLocation:
		if reason == "" {
			reason = ReasonLocation
		}
	case KPPSubdivision:
		if reason == "" {
			reason = ReasonSubdivision
		}
		if in.Subdivision == "" {
			fe.Add("subdivision", msgSubdivisionReq)
		}
	case KPPProperty:
		if reason == "" {
			reason = ReasonProperty
		}
	case KPPOther:
		if reason == "" {
			reason = ReasonOther
		}
	case "":
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	default:
		fe.Add("ground", msgGround)
	}
	if !fe.Has("subdivision") {
		checkText(&fe, "subdivision", in.Subdivision, false, 500)
	}
	if s.checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return in, "", err
		}
	}
	checkAddress(&fe, in.Address, s.ref)
	return in, reason, fe.Err()
}

// newKPP takes the next serial for (office, reason) and builds the КПП (TIN-4).
func (s *Service) newKPP(ctx context.Context, tx Tx, office, reason string) (string, error) {
	serial, err := tx.NextSerials(ctx, scopeKPP+reason, office, 1, 1)
	if err != nil {
		return "", err
	}
	kpp, err := newKPP(office, reason, serial)
	if err != nil {
		return "", problem.Wrap(problem.Conflict, msgSerialsExhausted.With(office), err)
	}
	return kpp, nil
}

// newKPP builds office + reason + 3-digit serial (TIN-4).
func newKPP(office, reason string, serial int64) (string, error) {
	if serial < 1 || serial > 999 {
		return "", fmt.Errorf("register: KPP serial %d out of range at office %s", serial, office)
	}
	return tin.NewKPP(office, reason, int(serial))
}

// checkReason checks a КПП reason (TIN-4): two characters, each a digit or a Latin capital, and
// one of the reasons the reference data allow for the kind of organization (kpp_reasons.csv:
// 01–50 for a Russian organization, 50–99 for a foreign one).
func (s *Service) checkReason(fe *problem.Fields, reason string, k Kind) {
	switch {
	case !checkLine(fe, "reason", reason):
	case !validReasonChars(reason):
		fe.Add("reason", msgReason)
	case !s.ref.reasonAllowed(k, reason):
		m := msgReasonRussian
		if k == KindForeign {
			m = msgReasonForeign
		}
		fe.Add("reason", m.With(reason, describeReasons(s.ref.KPPReasons(k))))
	}
}

// validReasonChars: two characters, each a digit or a Latin capital (TIN-4).
func validReasonChars(r string) bool {
	if len(r) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		c := r[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
