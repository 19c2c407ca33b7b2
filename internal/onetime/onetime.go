// Package onetime holds the one-time codes that confirm a phone, an e-mail, a registered letter,
// an operator's check or a recovery (the identity provider's and the personal account's): six
// random digits, stored only as an HMAC keyed by what the code belongs to — so that a table of
// codes is no table of six-digit guesses — compared in constant time, and read as people type
// them ("123 456", "123-456"). A recovery link's random secret is stored and compared the same
// way.
package onetime

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Digits is the length of a code.
const Digits = 6

// New returns a code: Digits random digits.
func New() string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%06d", binary.BigEndian.Uint64(b[:])%1_000_000)
}

// Hash is the stored form of a code (or a link's secret): its HMAC-SHA256 under key, which names
// what the code belongs to (its purpose and its flow, account or link).
func Hash(key, code string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Matches reports, in constant time, whether code is the one stored as hash under key.
func Matches(hash []byte, key, code string) bool { return hmac.Equal(hash, Hash(key, code)) }

// Normalize reads a typed code: its digits, the spaces and hyphens between them dropped; "" when
// it holds anything else.
func Normalize(typed string) string {
	out := make([]byte, 0, Digits)
	for i := 0; i < len(typed); i++ {
		switch c := typed[i]; {
		case c >= '0' && c <= '9':
			out = append(out, c)
		case c == ' ' || c == '-':
		default:
			return ""
		}
	}
	return string(out)
}
