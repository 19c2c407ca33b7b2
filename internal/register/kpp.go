package register

import (
	"context"
	"strings"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// REG-5, TIN-4: КПП on every further ground.

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

// AssignKPP registers an organization on a further ground and returns the new КПП (REG-5).
func (s *Service) AssignKPP(ctx context.Context, actor audit.Actor, tin string, in KPPInput) (KPP, error) {
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
	if checkOfficeFormat(&fe, "tax_office", in.TaxOffice) {
		if err := s.checkOffice(ctx, &fe, "tax_office", in.TaxOffice); err != nil {
			return KPP{}, err
		}
	}
	checkAddress(&fe, in.Address, s.ref)
	if err := fe.Err(); err != nil {
		return KPP{}, err
	}
	now := s.now()
	var k KPP
	err := s.update(ctx, func(tx Tx) error {
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
		if in.Ground == KPPNewLocation { // the organization moved under another office
			fields = append(fields, FieldChange{Field: "tax_office", Old: t.TaxOffice, New: in.TaxOffice})
			t.TaxOffice = in.TaxOffice
			if t.Organization != nil {
				fields = append(fields, FieldChange{Field: "address", Old: formatAddress(t.Organization.Address), New: formatAddress(in.Address)})
				t.Organization.Address = in.Address
			}
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
