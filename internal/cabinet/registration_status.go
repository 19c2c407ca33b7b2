package cabinet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// KG-1, BO-3: the state of an application for the cabinet, for its applicant, who may have given
// no phone and no e-mail and so is told nothing of the decision: the public status page asks the
// application's number and the applicant's ИНН (their own, or for a legal entity the
// organization's) and answers with the state — waiting, approved (log in with the ИНН and the
// password), refused (the reason) — and the УГНС. An unknown number and a number with another
// ИНН get the same answer, so the page tells nothing of applications to whoever does not hold
// both; the look-ups are counted by the platform's attempt limits (package limits) per number and
// per client address before anything is read.

// RegistrationStatusPolicy limits the look-ups of one application's state: per number and address,
// per number from anywhere (then a growing delay), per trusted device.
var RegistrationStatusPolicy = limits.Policy{
	Scope:     "lk.registration_status",
	PerClient: limits.Rule{Max: 10, Window: 15 * time.Minute},
	Overall:   limits.Throttle{Budget: 20, Window: 15 * time.Minute, Step: 30 * time.Second, MaxDelay: 15 * time.Minute},
	PerDevice: limits.Rule{Max: 10, Window: 15 * time.Minute},
}

// statusLookups limits the look-ups of any number from one client address, so that walking the
// numbers costs the walker.
var statusLookups = limits.Rule{Max: 30, Window: time.Hour}

var (
	msgStatusUnknown = problem.Msg("lk.reg_status.unknown")
	msgStatusNumber  = problem.Msg("lk.reg_status.number_format")
)

// RegistrationStatus returns the application number for its applicant, who types its number and
// their ИНН (KG-1): both required, each wrong one named by its field. An unknown number and an
// ИНН that is not the application's are the same NotFound. The returned application carries no
// password hash.
func (s *Service) RegistrationStatus(ctx context.Context, number, tin string, o Origin) (*Registration, error) {
	if err := s.byApplication(); err != nil {
		return nil, err
	}
	var fe problem.Fields
	number = strings.TrimSpace(number)
	if number == "" {
		fe.Add("number", msgRequired.With(i18n.Key("lk.reg.number")))
	} else if _, _, ok := ParseNumber(number); !ok {
		fe.Add("number", msgStatusNumber)
	}
	var digits string
	if fe.RequiredAs(msgRequired, "tin", tin) {
		n, err := s.parseTIN("tin", tin, jurisdiction.Person, jurisdiction.Organization)
		if p, ok := problem.As(err); ok {
			fe = append(fe, p.Fields...)
		} else {
			digits = n.Digits
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := s.count(ctx, RegistrationStatusPolicy.Scope+".client", o.Address, statusLookups); err != nil {
		return nil, err
	}
	// Counted under the number as it is printed, so that 2026-42 and 2026-000042 share counters.
	seq, year, _ := ParseNumber(number)
	t, err := s.o.Limits.Begin(ctx, RegistrationStatusPolicy, fmt.Sprintf("%d-%06d", year, seq), o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return nil, r.Problem()
	}
	if err != nil {
		return nil, err
	}
	unknown := problem.New(problem.NotFound, msgStatusUnknown)
	r, err := s.o.Store.Registration(ctx, seq)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, unknown
	}
	if err != nil {
		return nil, err
	}
	if r.CreatedAt.Year() != year || (digits != r.TIN && (r.Type != LegalEntity || digits != r.OrgTIN)) {
		return nil, unknown
	}
	_ = s.o.Limits.Succeeded(ctx, t)
	r.PasswordHash = ""
	return r, nil
}
