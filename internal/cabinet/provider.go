package cabinet

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// LK-6 enters here: a login through an identity provider (kabinet's own, or any OpenID Connect
// provider that sends the claims) ends in SignIn with what the provider vouched for — the
// taxpayer's TIN (the inn claim) or their СНИЛС, matched in the register. The relying party
// itself (which accounts it accepts: confirmed ones, not by registered mail) is the web layer's;
// this is where the personal account finds, or creates, the account of the person.

// External is a person as an identity provider vouched for them.
type External struct {
	Provider string // the issuer, for the history
	TIN      string // the inn claim, when sent
	SNILS    string // the snils claim, when sent
}

var msgProviderNoPerson = problem.Msg("lk.provider.no_person")

// SignIn returns the account of the person a provider vouched for, creating it (without a
// password: the owner may set one, LK-6) at the first such login; created is true then. The
// person must be in the register with an applied TIN; the account must be one its owner may enter
// now (admit).
func (s *Service) SignIn(ctx context.Context, x External, o Origin) (a *Account, created bool, err error) {
	var p *Person
	switch {
	case x.TIN != "":
		if p, err = s.o.Register.Person(ctx, x.TIN); err != nil {
			return nil, false, problem.Wrap(problem.Unavailable, msgUnavailable, err)
		}
	case x.SNILS != "":
		v, perr := tin.ParseSNILS(x.SNILS)
		if perr != nil {
			return nil, false, problem.New(problem.Forbidden, msgProviderNoPerson)
		}
		if p, err = s.o.Register.PersonBySNILS(ctx, v.Digits); err != nil {
			return nil, false, problem.Wrap(problem.Unavailable, msgUnavailable, err)
		}
	}
	if p == nil {
		return nil, false, problem.New(problem.Forbidden, msgProviderNoPerson)
	}
	if !p.Applied() {
		return nil, false, problem.New(problem.Forbidden, msgLoginStale)
	}
	if a, err = s.findAccount(ctx, p.TIN); err != nil {
		return nil, false, err
	}
	now := s.now().UTC()
	e := Effects{Events: []Event{s.event(p.TIN, "provider_login", o, "", fmt.Sprintf("provider=%s", x.Provider))}}
	if a == nil {
		a = &Account{TIN: p.TIN, Name: p.FullName(), Source: FromProvider, CreatedAt: now, UpdatedAt: now, Version: 1, Lang: messageLang(o.Lang)}
		if err := s.o.Store.InsertAccount(ctx, *a, e); err != nil {
			return nil, false, err
		}
		return a, true, nil
	}
	if err := s.admit(ctx, a, o); err != nil {
		return nil, false, err
	}
	return a, false, s.o.Store.Record(ctx, e)
}
