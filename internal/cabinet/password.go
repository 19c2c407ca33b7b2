package cabinet

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/problem"
)

// LK-3: the account's own password is at least MinPassword characters, has no spaces, only Latin
// letters (with digits and special characters), upper and lower case letters, at least one digit
// and at least one special character. Each rule a password breaks is named separately; the new
// password is typed twice alike.

// MinPassword is the shortest own password (LK-3); MaxPassword the longest one taken.
const (
	MinPassword = 7
	MaxPassword = 128
)

// Rule is one rule of LK-3.
type Rule string

// The rules of the own password, in the order they are named.
const (
	RuleLength  Rule = "length"  // at least MinPassword characters
	RuleSpaces  Rule = "spaces"  // no spaces
	RuleLatin   Rule = "latin"   // Latin letters, digits and special characters only
	RuleUpper   Rule = "upper"   // an upper-case letter
	RuleLower   Rule = "lower"   // a lower-case letter
	RuleDigit   Rule = "digit"   // a digit
	RuleSpecial Rule = "special" // a special character
)

// Rules lists the rules in the order they are named.
var Rules = []Rule{RuleLength, RuleSpaces, RuleLatin, RuleUpper, RuleLower, RuleDigit, RuleSpecial}

// Message is the rule's text.
func (r Rule) Message() problem.Message {
	if r == RuleLength {
		return problem.Msg("lk.password.rule.length", MinPassword)
	}
	return problem.Msg("lk.password.rule." + string(r))
}

// Broken returns the rules of LK-3 that pw breaks, in the order of Rules.
func Broken(pw string) []Rule {
	var upper, lower, digit, special, space, other bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case r == ' ' || r == '\t' || r == '\u00a0' || r == '\n' || r == '\r':
			space = true
		case r > ' ' && r < 0x7f:
			special = true
		default:
			other = true // a letter of another alphabet, a symbol outside ASCII
		}
	}
	var out []Rule
	add := func(broken bool, r Rule) {
		if broken {
			out = append(out, r)
		}
	}
	add(utf8.RuneCountInString(pw) < MinPassword, RuleLength)
	add(space, RuleSpaces)
	add(other, RuleLatin)
	add(!upper, RuleUpper)
	add(!lower, RuleLower)
	add(!digit, RuleDigit)
	add(!special, RuleSpecial)
	return out
}

// ruleList is the broken rules as one text in the reader's language: each rule named.
type ruleList []Rule

// In returns the rules' texts joined.
func (l ruleList) In(lang string) string {
	parts := make([]string, len(l))
	for i, r := range l {
		parts[i] = r.Message().In(lang)
	}
	return strings.Join(parts, "; ")
}

var (
	msgPasswordRules  = problem.Msg("lk.password.rules")
	msgPasswordRepeat = problem.Msg("lk.password.repeat")
	msgPasswordLong   = problem.Msg("lk.password.long", MaxPassword)
	msgCurrent        = problem.Msg("lk.password.current")
	msgPasswordMin    = problem.Msg("lk.password.min")
)

// CheckPassword returns what is wrong with a new own password pw typed twice (pw and again), on
// the fields field and field+"_confirm": one message naming each broken rule of LK-3 (the
// problem's Extra "rules" lists their codes for programs), or nil. A field left empty is named
// as required.
func CheckPassword(field, pw, again string) error {
	var fe problem.Fields
	broken := Broken(pw)
	switch {
	case pw == "":
		fe.Add(field, msgRequired.With(i18n.Field(field)))
		broken = nil
	case utf8.RuneCountInString(pw) > MaxPassword:
		fe.Add(field, msgPasswordLong)
	case len(broken) > 0:
		fe.Add(field, msgPasswordRules.With(ruleList(broken)))
	case again == "":
		fe.Add(field+"_confirm", msgRequired.With(i18n.Field(field+"_confirm")))
	case pw != again:
		fe.Add(field+"_confirm", msgPasswordRepeat)
	}
	err := fe.Err()
	if p, ok := problem.As(err); ok && len(broken) > 0 {
		codes := make([]string, len(broken))
		for i, r := range broken {
			codes[i] = string(r)
		}
		p.Extra = map[string]any{"rules": codes}
	}
	return err
}

// RuleTexts returns the texts of every rule of LK-3 in lang, for a form's hint.
func RuleTexts(lang string) []string {
	out := make([]string, len(Rules))
	for i, r := range Rules {
		out[i] = r.Message().In(lang)
	}
	return out
}

// checkPassword is the jurisdiction's rule of a new own password typed twice: LK-3 where the
// password must be of Latin letters of both cases with a digit and a special character (Russia),
// else its least length alone (KG-1: at least eight characters).
func (s *Service) checkPassword(field, pw, again string) error {
	return s.checkPasswordPair(field, field+"_confirm", pw, again)
}

// checkPasswordPair is checkPassword with the field of the second typing named confirm.
func (s *Service) checkPasswordPair(field, confirm, pw, again string) error {
	r := s.o.Profile.Cabinet.Password
	if !r.Latin {
		return CheckLength(field, confirm, pw, again, r.MinLength)
	}
	err := CheckPassword(field, pw, again)
	if p, ok := problem.As(err); ok {
		for i := range p.Fields {
			if p.Fields[i].Field == field+"_confirm" {
				p.Fields[i].Field = confirm
			}
		}
	}
	return err
}

// CheckLength returns what is wrong with a new password pw typed twice (pw into field, again
// into confirm) where the only rule is its length (KG-1): at least min characters, at most
// MaxPassword, and the same twice («Пароли не совпадают»); an empty one is named as required.
func CheckLength(field, confirm, pw, again string, min int) error {
	var fe problem.Fields
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		fe.Add(field, msgRequired.With(i18n.Field(field)))
	case n > MaxPassword:
		fe.Add(field, msgPasswordLong)
	case n < min:
		fe.Add(field, msgPasswordMin.With(min))
	}
	switch {
	case again == "":
		fe.Add(confirm, msgRequired.With(i18n.Field(confirm)))
	case !fe.Has(field) && pw != again:
		fe.Add(confirm, msgPasswordRepeat)
	}
	return fe.Err()
}

// PasswordRules returns the texts of the jurisdiction's rules of the own password in lang, for a
// form's hint.
func (s *Service) PasswordRules(lang string) []string {
	if r := s.o.Profile.Cabinet.Password; !r.Latin {
		return []string{msgPasswordMin.With(r.MinLength).In(lang)}
	}
	return RuleTexts(lang)
}

// ChangePassword changes the own password of a signed-in owner, who types the current one
// (checked under the login's attempt limits); an account without a password (entered through the
// identity provider, LK-6) is given its first one, with no current one to type
// (SetFirstPassword). The caller ends the owner's other sessions.
func (s *Service) ChangePassword(ctx context.Context, tin, current, pw, again string, o Origin) error {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return err
	}
	if !a.HasPassword() {
		_, err := s.SetFirstPassword(ctx, tin, pw, again, o)
		return err
	}
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, "current_password", current) {
		return fe.Err() // no try spent
	}
	if err := s.checkPassword("new_password", pw, again); err != nil {
		return err
	}
	t, err := s.o.Limits.Begin(ctx, LoginPolicy, a.TIN, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return r.Problem()
	}
	if err != nil {
		return err
	}
	ok := false
	if a.HasPassword() {
		if ok, err = s.o.Hasher.Verify(ctx, a.PasswordHash, current); err != nil {
			return err
		}
	} else {
		s.o.Hasher.Dummy(ctx, current)
	}
	if !ok {
		return problem.InvalidField("current_password", msgCurrent)
	}
	_ = s.o.Limits.Succeeded(ctx, t)
	if err := s.setPassword(ctx, a, pw); err != nil {
		return err
	}
	msgs, err := s.notices(a, "notify.lk.password_changed")
	if err != nil {
		return err
	}
	if a.Temporary {
		// The temporary password replaced from the settings: the card is used (LK-2).
		a.Temporary = false
		return s.useCard(ctx, a, Effects{Events: []Event{s.event(a.TIN, "password_set", o, "", "")}, Messages: msgs})
	}
	if err := s.update(ctx, a, Effects{Events: []Event{s.event(a.TIN, "password_changed", o, "", "")}, Messages: msgs}); err != nil {
		return err
	}
	return s.revokeMobile(ctx, a.TIN) // KG-2: the application logs in again with the new password
}

// setPassword hashes pw into a (not yet written).
func (s *Service) setPassword(ctx context.Context, a *Account, pw string) error {
	hash, err := s.o.Hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	a.PasswordHash, a.PasswordSetAt = hash, s.now().UTC()
	return nil
}
