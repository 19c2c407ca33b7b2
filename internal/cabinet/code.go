package cabinet

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/limits"
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

// newCode returns six random digits.
func newCode() string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
}

// newSecret returns n random bytes in URL-safe base64.
func newSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// codeHash is the stored form of a code: an HMAC keyed by its purpose and key, so that a table of
// codes is no table of six-digit guesses.
func codeHash(p Purpose, key, code string) []byte {
	m := hmac.New(sha256.New, []byte("kabinet-lk-code:"+string(p)+":"+key))
	m.Write([]byte(code))
	return m.Sum(nil)
}

func (c *Code) matches(code string) bool { return hmac.Equal(c.Hash, codeHash(c.Purpose, c.Key, code)) }

// normalizeCode keeps the digits of a typed code ("123 456", "123-456").
func normalizeCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return ""
		}
	}
	return b.String()
}

// checkCode checks a typed code of purpose and key under CodePolicy and removes it when right;
// it returns the code's subject.
func (s *Service) checkCode(ctx context.Context, p Purpose, key, typed, field string, o Origin) (string, error) {
	var fe problem.Fields
	if !requiredText(&fe, field, typed) {
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
	if !c.matches(normalizeCode(typed)) {
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
	if err := s.o.Limits.Count(ctx, "lk.send", to, sendRule); err != nil {
		if r, ok := limits.AsRefusal(err); ok {
			return r.Problem()
		}
		return err
	}
	return nil
}
