package cabinet

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/onetime"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// One-time codes and links: a code of six digits confirms an e-mail or a phone for online
// recovery (LK-4); a recovery link carries a random secret (LK-4). Only an HMAC of either is
// stored, keyed by what it belongs to, and compared in constant time; a code is tried at most
// CodeTries times, under the attempt limits, before it is checked.

// Lifetimes and limits of codes and links.
const (
	CodeTTL   = 10 * time.Minute
	CodeTries = 5
	CodeSends = 5 // per hour and destination
	LinkTTL   = time.Hour
)

// Purpose is what a code is for.
type Purpose string

// The purposes of codes.
const (
	ForEmail    Purpose = "email"    // a new e-mail of online recovery; key: the TIN, subject: the address
	ForPhone    Purpose = "phone"    // a new phone of online recovery; key: the TIN, subject: the number
	ForRecovery Purpose = "recovery" // a recovery link; key: the link's id, subject: the TIN
)

// Code is a stored one-time code or link secret.
type Code struct {
	Purpose   Purpose
	Key       string
	Subject   string // what it confirms: the address to confirm, the account to recover
	Hash      []byte
	ExpiresAt time.Time
}

// CodePolicy limits the tries of a code: CodeTries in all, whatever the addresses.
var CodePolicy = limits.Policy{
	Scope:     "lk.code",
	PerClient: limits.Rule{Max: CodeTries, Window: CodeTTL},
	Overall:   limits.Throttle{Budget: CodeTries, Window: CodeTTL, Step: CodeTTL, MaxDelay: CodeTTL},
	PerDevice: limits.Rule{Max: CodeTries, Window: CodeTTL},
}

var sendRule = limits.Rule{Max: CodeSends, Window: time.Hour}

var (
	msgCode        = problem.Msg("lk.code.wrong")
	msgCodeExpired = problem.Msg("lk.code.expired")
)

// newCode returns a new code (package onetime).
func newCode() string { return onetime.New() }

// newSecret returns n random bytes in URL-safe base64.
func newSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// codeHash is the stored form of a code or a link's secret (onetime.Hash), keyed by its purpose
// and key.
func codeHash(p Purpose, key, code string) []byte { return onetime.Hash(hashKey(p, key), code) }

func hashKey(p Purpose, key string) string { return "kabinet-lk-code:" + string(p) + ":" + key }

// matches reports, in constant time, whether code (a code as read, a link's secret) is c's.
func (c *Code) matches(code string) bool {
	return onetime.Matches(c.Hash, hashKey(c.Purpose, c.Key), code)
}

// checkCode checks a typed code of purpose and key under CodePolicy and removes it when right;
// it returns the code's subject.
func (s *Service) checkCode(ctx context.Context, p Purpose, key, typed, field string, o Origin) (string, error) {
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, field, typed) {
		return "", fe.Err() // no try spent on a code not typed
	}
	t, err := s.o.Limits.Begin(ctx, CodePolicy, string(p)+":"+key, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return "", r.Problem()
	}
	if err != nil {
		return "", err
	}
	c, err := s.o.Store.Code(ctx, p, key)
	if errors.Is(err, storeerr.ErrNotFound) || err == nil && !s.now().Before(c.ExpiresAt) {
		return "", problem.InvalidField(field, msgCodeExpired)
	}
	if err != nil {
		return "", err
	}
	if !c.matches(onetime.Normalize(typed)) {
		return "", problem.InvalidField(field, msgCode)
	}
	if err := s.o.Store.DeleteCode(ctx, p, key); err != nil {
		return "", err
	}
	_ = s.o.Limits.Succeeded(ctx, t)
	return c.Subject, nil
}

// countSend counts a code sent to a destination, at most CodeSends an hour.
func (s *Service) countSend(ctx context.Context, to string) error {
	return s.count(ctx, "lk.send", to, sendRule)
}

// count counts one more of what r limits for subject under scope; past the limit, the refusal
// is the problem the user is answered with (TooMany, with when to try again).
func (s *Service) count(ctx context.Context, scope, subject string, r limits.Rule) error {
	err := s.o.Limits.Count(ctx, scope, subject, r)
	if ref, ok := limits.AsRefusal(err); ok {
		return ref.Problem()
	}
	return err
}
