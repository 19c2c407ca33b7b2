package cabinet

import (
	"context"
	"fmt"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
	"github.com/kabinet/kabinet/tin"
)

// LK-6: login through the identity provider (kabinet's own, or any OpenID Connect provider that
// sends the claims). The relying party (package lkweb) verifies the provider's tokens and hands
// over what the provider vouched for; the rules are here:
//
//   - only a confirmed account gets in (acr urn:kabinet:level:confirmed), and not one confirmed
//     by a code sent by registered mail (the confirmation_method claim "mail", IDP-4b); a
//     provider that does not say how the account was confirmed is refused alike. Each refusal
//     says why and what to do (RefusalOf);
//   - the person is matched to a taxpayer by the TIN the provider sent (the inn claim), else by
//     their СНИЛС in the register, and must have an applied TIN (REG-7);
//   - the first such login creates the account without a password; its owner may set a separate
//     password then or later (SetFirstPassword, LK-3), and an account first issued by card is
//     the same account whichever way its owner comes in.

// ACRPrefix prefixes the levels of accounts in the acr claim (IDP-2): the identity provider's
// vocabulary, urn:kabinet:level:simplified|standard|confirmed, which other providers send too.
const ACRPrefix = "urn:kabinet:level:"

// The levels of identity-provider accounts (IDP-2) and the confirmation methods (IDP-4) the rules
// name.
const (
	LevelConfirmed     = "confirmed"
	ConfirmedAtCentre  = "service_center" // in person at a service centre (IDP-4a)
	ConfirmedByMail    = "mail"           // a code in a registered letter (IDP-4b): refused (LK-6)
	ConfirmedWithESign = "esign"          // a qualified e-signature (IDP-4c)
)

// maxIssuer bounds the issuer a login's history records.
const maxIssuer = 2000

// External is a person as an identity provider vouched for them.
type External struct {
	Provider string // the issuer, for the history
	TIN      string // the inn claim, when sent
	SNILS    string // the snils claim, when sent
	// ACR is the account's level as the provider put it in the acr claim (ACRPrefix + level).
	ACR string
	// Confirmation is how the account was confirmed: the confirmation_method claim.
	Confirmation string
}

// Level returns the account's level named by ACR ("" when the provider sent none of ours).
func (x External) Level() string {
	l, ok := strings.CutPrefix(x.ACR, ACRPrefix)
	if !ok {
		return ""
	}
	switch l {
	case "simplified", "standard", LevelConfirmed:
		return l
	}
	return ""
}

// Refusal is why a login through an identity provider was refused (LK-6); every refusal has a
// page of its own that says what to do.
type Refusal string

// The refusals.
const (
	RefusedLevel      Refusal = "level"       // the account is not confirmed (Level says what it is, if known)
	RefusedMail       Refusal = "mail"        // confirmed by a code in a registered letter
	RefusedMethod     Refusal = "method"      // confirmed, but the provider did not say how
	RefusedNoPerson   Refusal = "no_person"   // no taxpayer with the TIN or СНИЛС sent (apply, LK-7)
	RefusedNotApplied Refusal = "not_applied" // the person's TIN is not applied any more (REG-7)
)

// Refusals lists the refusals, each with its page.
var Refusals = []Refusal{RefusedLevel, RefusedMail, RefusedMethod, RefusedNoPerson, RefusedNotApplied}

// Valid reports whether r is one of Refusals.
func (r Refusal) Valid() bool {
	for _, v := range Refusals {
		if r == v {
			return true
		}
	}
	return false
}

var (
	msgProviderLevel        = problem.Msg("lk.idp.refused.level")
	msgProviderLevelUnknown = problem.Msg("lk.idp.refused.level_unknown")
	msgProviderMail         = problem.Msg("lk.idp.refused.mail")
	msgProviderMethod       = problem.Msg("lk.idp.refused.method")
	msgProviderNoPerson     = problem.Msg("lk.provider.no_person")
	msgHasPassword          = problem.Msg("lk.idp.has_password")
)

// refuse is the problem of a refusal: Forbidden, with the reason (and the level, when known) in
// Extra for the page and for programs.
func refuse(r Refusal, m problem.Message, level string) error {
	p := problem.New(problem.Forbidden, m)
	p.Extra = map[string]any{"reason": string(r)}
	if level != "" {
		p.Extra["level"] = level
	}
	return p
}

// RefusalOf returns the refusal err is, with the account's level when the refusal is about it.
func RefusalOf(err error) (r Refusal, level string, ok bool) {
	p, isProblem := problem.As(err)
	if !isProblem || p.Code != problem.Forbidden || p.Extra == nil {
		return "", "", false
	}
	s, _ := p.Extra["reason"].(string)
	if r = Refusal(s); !r.Valid() {
		return "", "", false
	}
	level, _ = p.Extra["level"].(string)
	return r, level, true
}

// CheckAssurance applies LK-6 to what a provider said of the account: confirmed, and not by
// registered mail. An unknown method is refused too: the rule cannot be checked.
func CheckAssurance(x External) error {
	switch level := x.Level(); {
	case level == "":
		return refuse(RefusedLevel, msgProviderLevelUnknown, "")
	case level != LevelConfirmed:
		return refuse(RefusedLevel, msgProviderLevel.With(i18n.Key("enum.level."+level)), level)
	}
	switch x.Confirmation {
	case ConfirmedAtCentre, ConfirmedWithESign:
		return nil
	case ConfirmedByMail:
		return refuse(RefusedMail, msgProviderMail, LevelConfirmed)
	}
	return refuse(RefusedMethod, msgProviderMethod, LevelConfirmed)
}

// SignIn returns the account of the person a provider vouched for (LK-6), creating it (without
// a password: the owner may set one, SetFirstPassword) at the first such login. first is true
// when the owner is to be offered a password of their own: the account was just created, or its
// card's temporary password, valid and not yet replaced, was just retired (LK-2:
// retireTemporary, the card's password stops working once the owner got in this way). The account must be confirmed and not by mail (CheckAssurance); the person is found by
// the TIN sent, else by the СНИЛС sent, and must have an applied TIN; the account must be one
// its owner may enter now (admit: a card's temporary password expired unused blocks it whatever
// the way in).
func (s *Service) SignIn(ctx context.Context, x External, o Origin) (a *Account, first bool, err error) {
	if len(x.Provider) > maxIssuer || len(x.TIN) > 64 || len(x.SNILS) > 64 {
		return nil, false, refuse(RefusedNoPerson, msgProviderNoPerson, "")
	}
	if err := CheckAssurance(x); err != nil {
		return nil, false, err
	}
	p, err := s.providerPerson(ctx, x)
	if err != nil {
		return nil, false, err
	}
	if p == nil {
		return nil, false, refuse(RefusedNoPerson, msgProviderNoPerson, "")
	}
	if !p.Applied() {
		return nil, false, refuse(RefusedNotApplied, msgLoginStale, "")
	}
	if a, err = s.findAccount(ctx, p.TIN); err != nil {
		return nil, false, err
	}
	now := s.now().UTC()
	issuer := x.Provider
	if len(issuer) > 200 {
		issuer = issuer[:200]
	}
	e := Effects{Events: []Event{s.event(p.TIN, "provider_login", o, "", fmt.Sprintf("provider=%s method=%s", issuer, x.Confirmation))}}
	if a == nil {
		a = &Account{TIN: p.TIN, Name: p.FullName(), Source: FromProvider, CreatedAt: now, UpdatedAt: now, Version: 1, Lang: messageLang(o.Lang)}
		err := s.o.Store.InsertAccount(ctx, *a, e)
		if err == nil {
			return a, true, nil
		}
		if _, taken := storeerr.IsKeyTaken(err); !taken {
			return nil, false, err
		}
		// The same person's first login in two tabs at once: the other one created it.
		if a, err = s.Account(ctx, p.TIN); err != nil {
			return nil, false, err
		}
	}
	if err := s.admit(ctx, a, o); err != nil {
		return nil, false, err
	}
	if err := s.o.Store.Record(ctx, e); err != nil {
		return nil, false, err
	}
	retired, err := s.retireTemporary(ctx, a, o, "idp")
	if err != nil {
		return nil, false, err
	}
	return a, retired, nil
}

// providerPerson finds the register's person by the TIN a provider sent, else by its СНИЛС; nil
// when neither names one.
func (s *Service) providerPerson(ctx context.Context, x External) (*Person, error) {
	if n, err := s.parseTIN("tin", x.TIN, jurisdiction.Person); err == nil && strings.TrimSpace(x.TIN) != "" {
		p, err := s.o.Register.Person(ctx, n.Digits)
		if err != nil {
			return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
		}
		if p != nil {
			return p, nil
		}
	}
	v, err := tin.ParseSNILS(strings.TrimSpace(x.SNILS))
	if err != nil {
		return nil, nil
	}
	p, err := s.o.Register.PersonBySNILS(ctx, v.Digits)
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
	}
	return p, nil
}

// SetFirstPassword gives an account that has no password (first entered through the identity
// provider, LK-6) the owner's own password, which must keep the rules of LK-3. The signed-in
// session is the proof of the owner; an account that has a password already is a Conflict
// (its password is changed with the current one, ChangePassword).
func (s *Service) SetFirstPassword(ctx context.Context, tin, pw, again string, o Origin) (*Account, error) {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return nil, err
	}
	if a.HasPassword() {
		return nil, problem.New(problem.Conflict, msgHasPassword)
	}
	if err := s.checkPassword("new_password", pw, again); err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, a, pw); err != nil {
		return nil, err
	}
	if o.Lang != "" {
		a.Lang = o.Lang
	}
	msgs, err := s.notices(a, "notify.lk.password_changed")
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, a, Effects{Events: []Event{s.event(a.TIN, "password_set", o, "", "first password")}, Messages: msgs}); err != nil {
		return nil, err
	}
	return a, nil
}
