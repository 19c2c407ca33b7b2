package register

import (
	"context"
	"strings"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
)

// KG-1: the signatories of an organization. Where the jurisdiction keeps them
// (Profile.Register.Signatories: the Kyrgyz Republic), an organization records its head
// (руководитель) and, if it has one, its accountant (бухгалтер), each by the personal TIN of
// their record in the register; only they may register the organization's personal account.
// A signatory must be a person on record whose TIN is applied; the register keeps their name as
// it stood when they were recorded, so that a page shows it without a second read.

// Signatory is a person who signs for an organization: its head or its accountant.
type Signatory struct {
	TIN  string // the person's own TIN, of their record in the register
	Name string // surname, given name and patronymic, filled by the register
}

// SignatoryRole is what a signatory is to an organization.
type SignatoryRole string

// Signatory roles (KG-1).
const (
	RoleHead       SignatoryRole = "head"
	RoleAccountant SignatoryRole = "accountant"
)

// Messages of the signatories' checks.
var (
	msgSignatoryUnknown = problem.Msg("register.signatory_unknown")
	msgSignatoryEnded   = problem.Msg("register.signatory_ended")
)

// SignatoryRole returns what the person with a TIN is to the organization — its head or its
// accountant — or "" when neither (KG-1: who may register its personal account).
func (o *Organization) SignatoryRole(tin string) SignatoryRole {
	switch {
	case o == nil || tin == "":
		return ""
	case o.Head != nil && o.Head.TIN == tin:
		return RoleHead
	case o.Accountant != nil && o.Accountant.TIN == tin:
		return RoleAccountant
	}
	return ""
}

// checkSignatories checks the signatories a registration or a change names: where the jurisdiction
// keeps them the head is required (when required) and each TIN must be a person's; elsewhere
// none may be named.
func (s *Service) checkSignatories(fe *problem.Fields, head, accountant *Signatory, required bool) {
	keeps := s.profile.Register.Signatories
	for _, o := range []struct {
		field string
		v     *Signatory
		need  bool
	}{{"head.tin", head, required}, {"accountant.tin", accountant, false}} {
		given := o.v != nil && strings.TrimSpace(o.v.TIN) != ""
		notApplicable(fe, o.field, given, keeps)
		switch {
		case !keeps:
		case !given && o.need:
			fe.Add(o.field, fieldMsg(msgRequired, o.field))
		case given && checkLine(fe, o.field, o.v.TIN):
			if n, ok := s.parseTIN(fe, o.field, o.v.TIN, jurisdiction.Person); ok {
				o.v.TIN = n.Digits
			}
		}
	}
}

// resolveSignatory finds the signatory o names in the register and fills their name: a person on
// record whose TIN is applied (field names the signatory in the errors). A nil or empty signatory
// stays as it is.
func resolveSignatory(ctx context.Context, r Reader, field string, o *Signatory) error {
	if o == nil || o.TIN == "" {
		return nil
	}
	t, err := r.Taxpayer(ctx, o.TIN)
	switch {
	case problem.Is(err, problem.NotFound):
		return problem.InvalidField(field, fieldMsg(msgSignatoryUnknown, field, o.TIN))
	case err != nil:
		return err
	case t.Person == nil:
		return problem.InvalidField(field, fieldMsg(msgSignatoryUnknown, field, o.TIN))
	case t.Status == StatusNotApplied:
		return problem.InvalidField(field, fieldMsg(msgSignatoryEnded, field, o.TIN))
	}
	o.Name = TaxpayerName(t)
	return nil
}

// copySignatory returns a copy of o (nil for nil), which the register may fill.
func copySignatory(o *Signatory) *Signatory {
	if o == nil {
		return nil
	}
	c := *o
	return &c
}

// signatoryOrNil returns o, or nil for a signatory without a TIN (none).
func signatoryOrNil(o *Signatory) *Signatory {
	if o == nil || o.TIN == "" {
		return nil
	}
	return o
}

// formatSignatory writes a signatory for the history: TIN and name.
func formatSignatory(o *Signatory) string {
	if o == nil {
		return ""
	}
	return strings.TrimSpace(o.TIN + " " + o.Name)
}
