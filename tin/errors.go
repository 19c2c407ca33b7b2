// Package tin parses, validates and builds the numbers kabinet deals in (SPEC section 1): the
// Russian taxpayer identification number (ИНН) of individuals, organizations and foreign
// organizations, the КПП, СНИЛС, ОГРН, ОГРНИП and the Kyrgyz 14-digit ИНН. Every parser returns a
// typed value with its parts named, or an *Error saying precisely what is wrong and where (TIN-7).
// It depends only on the standard library and holds no storage.
package tin

import (
	"fmt"
	"unicode/utf8"
)

// Error is what every parser returns for a malformed number (TIN-7). Code is stable for programs
// and, with the other fields, enough to word the error in any language (kabinet's catalogue has a
// text for each code); Error gives a short English text for logs and programs.
type Error struct {
	Kind string // "inn", "kpp", "snils", "ogrn", "ogrnip", "kg", "tax_office"
	Code string // "empty", "length", "non_digit", "check_digit", "reason_range", "reason_char", "first_digit", "date", "future_date", "serial"
	Pos  int    // 1-based character position at fault, 0 when none
	Got  string // what was found (a character, a length, a digit)
	Want string // what was expected
	// Digit names which check digit failed ("first", "second", or "" for a single one).
	Digit string
}

func (e *Error) Error() string {
	var s string
	switch e.Code {
	case "empty":
		s = "empty value"
	case "length":
		s = fmt.Sprintf("wrong length %s: want %s", e.Got, e.Want)
	case "non_digit":
		s = fmt.Sprintf("non-digit %q at position %d", e.Got, e.Pos)
	case "check_digit":
		d := e.Digit
		if d != "" {
			d += " "
		}
		s = fmt.Sprintf("%scheck digit at position %d is %s, want %s", d, e.Pos, e.Got, e.Want)
	case "reason_range":
		s = fmt.Sprintf("reason code %s out of range (01–99)", e.Got)
	case "reason_char":
		s = fmt.Sprintf("invalid character %q at position %d of the reason code", e.Got, e.Pos)
	case "first_digit":
		s = fmt.Sprintf("first digit %s not allowed: want %s", e.Got, e.Want)
	case "date":
		s = fmt.Sprintf("date %s at positions %d–%d does not exist", e.Got, e.Pos, e.Pos+7)
	case "future_date":
		s = fmt.Sprintf("date %s at positions %d–%d is in the future", e.Got, e.Pos, e.Pos+7)
	case "serial":
		s = fmt.Sprintf("serial number %s not allowed: %s", e.Got, e.Want)
	default:
		s = "invalid value"
	}
	name, ok := kindNames[e.Kind]
	if !ok {
		name = e.Kind
	}
	return name + ": " + s
}

var kindNames = map[string]string{"inn": "TIN", "kpp": "KPP", "snils": "SNILS", "ogrn": "OGRN", "ogrnip": "OGRNIP", "kg": "Kyrgyz TIN", "tax_office": "tax office code"}

// scan checks that s (already trimmed) is n ASCII digits; want describes the accepted lengths.
func scan(kind, s, want string, lengths ...int) *Error {
	if s == "" {
		return &Error{Kind: kind, Code: "empty"}
	}
	pos := 0
	for i, r := range s {
		pos++
		if r < '0' || r > '9' {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return &Error{Kind: kind, Code: "non_digit", Pos: pos, Got: fmt.Sprintf("\\x%02x", s[i])}
				}
			}
			return &Error{Kind: kind, Code: "non_digit", Pos: pos, Got: string(r)}
		}
	}
	for _, n := range lengths {
		if len(s) == n {
			return nil
		}
	}
	return &Error{Kind: kind, Code: "length", Got: fmt.Sprint(utf8.RuneCountInString(s)), Want: want}
}

func digit(b byte) int { return int(b - '0') }
