package identity

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/onetime"
)

// One-time codes (IDP-1, IDP-4, IDP-6): 6 random digits, sent by SMS or e-mail (or printed on a
// letter, or handed over by an operator), single use, valid CodeTTL, CodeTries tries, sent under
// the limits of RegistrationSends and RecoverySends. Only a code's HMAC is stored; it is compared
// in constant time.

// Code lifetimes and limits.
const (
	CodeTTL     = 10 * time.Minute
	CodeTries   = 5
	CodeSends   = 5 // per hour, destination and client address (RegistrationSends, RecoverySends)
	LetterTTL   = 90 * 24 * time.Hour
	OperatorTTL = 30 * 24 * time.Hour
)

// Purpose is what a code confirms.
type Purpose string

// The purposes of codes.
const (
	ForRegistration Purpose = "registration" // a phone or an e-mail at registration
	ForRecovery     Purpose = "recovery"     // the owner of an account that lost its password
	ForContact      Purpose = "contact"      // a new phone or e-mail in the settings
	ForLetter       Purpose = "letter"       // the code of a registered letter (IDP-4b)
	ForOperator     Purpose = "operator"     // the code an operator hands over (IDP-4a)
)

// Code is a stored one-time code.
type Code struct {
	Purpose   Purpose
	Key       string // what it belongs to: a flow id and the destination, an account id
	Hash      []byte
	ExpiresAt time.Time
}

// newCode returns a new code (package onetime).
func newCode() string { return onetime.New() }

// codeHash is the stored form of a code (onetime.Hash), keyed by its purpose and what it belongs
// to.
func codeHash(purpose Purpose, key, code string) []byte {
	return onetime.Hash(hashKey(purpose, key), code)
}

func hashKey(purpose Purpose, key string) string {
	return "kabinet-code:" + string(purpose) + ":" + key
}

// matches reports, in constant time, whether the typed code is c's.
func (c *Code) matches(typed string) bool {
	return onetime.Matches(c.Hash, hashKey(c.Purpose, c.Key), onetime.Normalize(typed))
}

// The limits of the codes sent, apart per purpose, so that a stranger who starts registrations
// typing the owner's phone does not spend the owner's recovery codes (and the other way round).
// Each counts per destination (a registration's phone or e-mail; a recovery's identifier as
// typed, normalized) and client address: CodeSends an hour from one address, so a stranger's
// burst from their address leaves the owner's own untouched; and from all addresses together
// 2×CodeSends an hour, then at most one every 10 minutes more, so that nobody floods a phone
// however many addresses they use. A recovery asked from the owner's trusted device (one where
// they signed in before) skips both and has CodeSends an hour of its own (recoverySend).
var (
	RegistrationSends = sendPolicy("idp.send.registration")
	RecoverySends     = sendPolicy("idp.send.recovery")
)

func sendPolicy(scope string) limits.Policy {
	return limits.Policy{
		Scope:     scope,
		PerClient: limits.Rule{Max: CodeSends, Window: time.Hour},
		Overall:   limits.Throttle{Budget: 2 * CodeSends, Window: time.Hour, Step: 10 * time.Minute, MaxDelay: time.Hour},
		PerDevice: limits.Rule{Max: CodeSends, Window: time.Hour},
	}
}

var deviceSendRule = limits.Rule{Max: CodeSends, Window: time.Hour}

// countSend counts a code about to be sent to subject under p, from o's address; a refusal is a
// TooMany problem that says when to ask again.
func (s *Provider) countSend(ctx context.Context, p limits.Policy, subject string, o Origin) error {
	_, err := s.o.Limits.Begin(ctx, p, subject, limits.Origin{Address: o.Address})
	if r, ok := limits.AsRefusal(err); ok {
		return r.Problem()
	}
	return err
}
