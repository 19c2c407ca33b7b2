package notify

import (
	"net/mail"
	"strings"
)

// The addresses messages go to, as users type them: one normal form for every service (the
// identity provider's logins and contacts, the personal account's contacts, applications).

// NormalizePhone returns a Russian mobile phone in international form (+79161234567) from what
// a user types (8 916 123-45-67, +7 (916) 123 45 67), or "" when it is not one. Other countries'
// numbers are accepted in international form (+ and 8 to 15 digits).
func NormalizePhone(s string) string {
	plus := strings.HasPrefix(strings.TrimSpace(s), "+")
	n, ok := phoneDigits(s)
	switch {
	case !ok:
		return ""
	case len(n) == 11 && (n[0] == '8' || n[0] == '7') && n[1] == '9' && !(plus && n[0] == '8'):
		return "+7" + n[1:]
	case len(n) == 10 && n[0] == '9' && !plus:
		return "+7" + n
	case plus && len(n) >= 8 && len(n) <= 15 && n[0] != '0' && n[0] != '7':
		return "+" + n
	}
	return ""
}

// phoneDigits returns the digits of a phone as typed, whose other characters may only be the
// separators people write (spaces, hyphens, brackets, dots, a plus); ok is false for any other.
func phoneDigits(s string) (digits string, ok bool) {
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' || r == '.':
		default:
			return "", false
		}
	}
	return d.String(), true
}

// National is how the people of a country write a phone number at home: its calling code
// (996), the trunk prefix dialled before a national number (0), and a national number's digits
// (9). Russia's national forms are NormalizePhone's own; its National is the zero value.
type National struct {
	CallingCode, Trunk string
	Digits             int
}

// NormalizePhoneIn is NormalizePhone for the people of a country with national forms n: a
// number typed after the trunk prefix ("0555 123 456") or after the calling code without "+"
// ("996 555 123 456") is that country's (+996555123456).
func NormalizePhoneIn(s string, n National) string {
	if p := NormalizePhone(s); p != "" || n.CallingCode == "" || strings.HasPrefix(strings.TrimSpace(s), "+") {
		return p
	}
	digits, ok := phoneDigits(s)
	switch {
	case !ok:
		return ""
	case len(digits) == len(n.Trunk)+n.Digits && strings.HasPrefix(digits, n.Trunk) && n.Trunk != "":
		return NormalizePhone("+" + n.CallingCode + digits[len(n.Trunk):])
	case len(digits) == len(n.CallingCode)+n.Digits && strings.HasPrefix(digits, n.CallingCode):
		return NormalizePhone("+" + digits)
	}
	return ""
}

// NormalizeEmail returns an e-mail address in lower case, or "" when it is not one.
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return ""
	}
	return strings.ToLower(s)
}
