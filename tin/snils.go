package tin

import (
	"strings"
)

// SNILS is a parsed insurance account number: 9 digits and 2 check digits (TIN-5).
type SNILS struct {
	Digits string // 11 digits, no separators
	Check  string
}

// snilsUnchecked is the largest number issued before check digits were computed.
const snilsUnchecked = "001001998"

// ParseSNILS parses a СНИЛС written as 11 digits or in groups, "NNN-NNN-NNN NN" as the
// certificate prints it (or with spaces or hyphens between all four groups, as people copy it),
// and checks its check digits: the weighted sum (weights 9..1) below 100 is the check number; 100 and 101 give 00; over
// 101 the remainder mod 101, with 100 giving 00. Numbers up to 001-001-998 carry no check.
func ParseSNILS(s string) (SNILS, error) {
	s = strings.TrimSpace(s)
	d := s
	sep := func(c byte) bool { return c == '-' || c == ' ' }
	if len(s) == 14 && sep(s[3]) && sep(s[7]) && sep(s[11]) {
		d = s[0:3] + s[4:7] + s[8:11] + s[12:14]
	}
	if err := scan("snils", d, "11", 11); err != nil {
		if d != s && err.Pos > 0 {
			// Report the position in what the user typed.
			err.Pos += (err.Pos - 1) / 3
		}
		return SNILS{}, err
	}
	if d[:9] > snilsUnchecked {
		if c := snilsCheck(d); c != d[9:] {
			pos := 10
			if d != s {
				pos = 13
			}
			return SNILS{}, &Error{Kind: "snils", Code: "check_digit", Pos: pos, Got: d[9:], Want: c}
		}
	}
	return SNILS{Digits: d, Check: d[9:]}, nil
}

// Format returns the number as "NNN-NNN-NNN NN".
func (v SNILS) Format() string {
	d := v.Digits
	return d[0:3] + "-" + d[3:6] + "-" + d[6:9] + " " + d[9:11]
}

// String returns the digits.
func (v SNILS) String() string { return v.Digits }

// Parts names the parts of the number.
func (v SNILS) Parts() map[string]string {
	return map[string]string{"number": v.Digits[:9], "check": v.Check, "formatted": v.Format()}
}

// NewSNILS completes 9 digits with their check digits.
func NewSNILS(nine string) (string, error) {
	if err := scan("snils", nine, "9 (without the check digits)", 9); err != nil {
		return "", err
	}
	return nine + snilsCheck(nine), nil
}
