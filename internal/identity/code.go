package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// One-time codes (IDP-1, IDP-4, IDP-6): 6 random digits, sent by SMS or e-mail (or printed on a
// letter, or handed over by an operator), single use, valid CodeTTL, CodeTries tries, resent at
// most CodeSends times an hour to one destination. Only a code's HMAC is stored; it is compared in
// constant time.

// Code lifetimes and limits.
const (
	CodeTTL     = 10 * time.Minute
	CodeTries   = 5
	CodeSends   = 5 // per hour and destination
	LetterTTL   = 90 * 24 * time.Hour
	OperatorTTL = 30 * 24 * time.Hour
	codeDigits  = 6
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

// newCode returns six random digits.
func newCode() string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
}

// codeHash is the stored form of a code: an HMAC keyed by what it belongs to, so a table of
// codes is no table of six-digit guesses.
func codeHash(purpose Purpose, key, code string) []byte {
	m := hmac.New(sha256.New, []byte("kabinet-code:"+string(purpose)+":"+key))
	m.Write([]byte(code))
	return m.Sum(nil)
}

// matches reports, in constant time, whether code is c's.
func (c *Code) matches(code string) bool {
	return hmac.Equal(c.Hash, codeHash(c.Purpose, c.Key, normalizeCode(code)))
}

func normalizeCode(s string) string {
	out := make([]byte, 0, codeDigits)
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			out = append(out, s[i])
		} else if s[i] != ' ' && s[i] != '-' {
			return ""
		}
	}
	return string(out)
}
