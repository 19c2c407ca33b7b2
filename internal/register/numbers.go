package register

import (
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
)

// TIN-6, KG: the TIN a taxpayer brings. Where the register assigns TINs (Russia, REG-1) a
// registration names none; where it records the TIN the taxpayer already has (the Kyrgyz
// Republic: a person's from birth, an organization's from its state registration) it names that
// one, which must be a number of the jurisdiction (TIN-6: 14 digits, a known first digit, a real
// date not in the future) and of the right holder. A number of another jurisdiction is refused
// with a message that says so, so that an inspector who types a Russian ИНН into the Kyrgyz
// register, or the other way round, knows what went wrong.
//
// The structure of a Kyrgyz ИНН is not official (TIN-6), so the register does not refuse a person
// whose date of birth or sex differs from what the number seems to say: it refuses only what is
// no number at all, and an organization's number given for a person (and the other way round).

// Messages of the TINs a registration names.
var (
	msgTINAssigned      = problem.Msg("register.tin_assigned")
	msgTINAssignedOther = problem.Msg("register.tin_assigned_other")
	msgTINJurisdiction  = problem.Msg("register.tin_jurisdiction")
	msgTINPerson        = problem.Msg("register.tin_not_person")
	msgTINOrganization  = problem.Msg("register.tin_not_organization")
	msgTINTaken         = problem.Msg("register.tin_taken")
	msgNotApplicable    = problem.Msg("register.not_applicable")
)

// Recorded reports whether the register records the TINs taxpayers bring rather than assigning
// them (TIN-6).
func (s *Service) Recorded() bool { return s.profile.TIN.Recorded() }

// ParseTIN reads a TIN of the jurisdiction (a path, a search, the TIN a registration names) and
// returns its digits, or an Invalid problem on field that says what is wrong: the parser's
// reason, or that it is a number of another jurisdiction.
func (s *Service) ParseTIN(field, v string) (jurisdiction.Number, error) {
	var fe problem.Fields
	n, ok := s.parseTIN(&fe, field, v, "")
	if !ok {
		return n, fe.Err()
	}
	return n, nil
}

// parseTIN checks v as a TIN of the jurisdiction of holder (any when ""), and adds the field
// error when it is not one.
func (s *Service) parseTIN(fe *problem.Fields, field, v string, holder jurisdiction.Holder) (jurisdiction.Number, bool) {
	v = strings.TrimSpace(v)
	now := s.now()
	n, err := s.profile.TIN.Parse(v, now)
	if err != nil {
		if o, other := s.profile.Other(v, now); other {
			fe.Add(field, fieldMsg(msgTINJurisdiction, field, v, i18n.Key(o.Words.TIN), i18n.Key(s.profile.Words.TIN)))
		} else {
			fe.Add(field, problem.Number(err))
		}
		return n, false
	}
	switch {
	case holder == jurisdiction.Person && n.Holder != jurisdiction.Person:
		fe.Add(field, fieldMsg(msgTINPerson, field, v))
		return n, false
	case holder == jurisdiction.Organization && n.Holder != jurisdiction.Organization:
		fe.Add(field, fieldMsg(msgTINOrganization, field, v))
		return n, false
	}
	return n, true
}

// checkOwnTIN checks the TIN a registration of a holder names (TIN-6) and returns it as the
// register keeps it: required and checked where the register records TINs; where it assigns
// them, none may be named (a number of another jurisdiction is told apart).
func (s *Service) checkOwnTIN(fe *problem.Fields, v string, holder jurisdiction.Holder) (string, time.Time) {
	const field = "tin"
	if !checkLine(fe, field, v) {
		return v, time.Time{}
	}
	v = strings.TrimSpace(v)
	if !s.Recorded() {
		switch o, other := s.profile.Other(v, s.now()); {
		case v == "":
		case other:
			fe.Add(field, fieldMsg(msgTINAssignedOther, field, v, i18n.Key(o.Words.TIN)))
		default:
			fe.Add(field, fieldMsg(msgTINAssigned, field))
		}
		return v, time.Time{}
	}
	if v == "" {
		fe.Add(field, fieldMsg(msgRequired, field))
		return v, time.Time{}
	}
	n, ok := s.parseTIN(fe, field, v, holder)
	if !ok {
		return v, time.Time{}
	}
	return n.Digits, n.Date
}

// notApplicable adds a field error when a field the jurisdiction does not keep is given (a СНИЛС
// or an ОГРН in the Kyrgyz Republic, officers in Russia).
func notApplicable(fe *problem.Fields, field string, given, applies bool) {
	if given && !applies {
		fe.Add(field, fieldMsg(msgNotApplicable, field))
	}
}

// tinLength reports whether v has the length of a TIN of the jurisdiction (a look-up need not
// ask the store about anything else).
func (s *Service) tinLength(v string) bool {
	for _, n := range s.profile.TIN.Digits {
		if isDigits(v, n) {
			return true
		}
	}
	return false
}

// validTIN reports whether v is a TIN of the jurisdiction (the kept TIN of a duplicate, REG-7).
func (s *Service) validTIN(v string) bool {
	_, err := s.profile.TIN.Parse(v, s.now())
	return err == nil
}
