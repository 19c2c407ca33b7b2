package tin

import (
	"fmt"
	"strings"
)

// KPP is a parsed reason-for-registration code (TIN-4): NNNN PP XXX.
type KPP struct {
	Digits    string
	TaxOffice string // NNNN: the office that registered the organization on this ground
	Reason    string // PP: digits or Latin capitals A–Z
	Serial    string // XXX: serial of registrations on this ground in this office
}

// ParseKPP parses a 9-character КПП (TIN-4). The reason may hold Latin capitals A–Z; a numeric
// reason must be 01–99 (01–50 Russian organizations, 50–99 foreign ones).
func ParseKPP(s string) (KPP, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return KPP{}, &Error{Kind: "kpp", Code: "empty"}
	}
	n := 0
	for i, r := range s {
		n++
		isDigit := r >= '0' && r <= '9'
		if n == 5 || n == 6 {
			if !isDigit && !(r >= 'A' && r <= 'Z') {
				return KPP{}, &Error{Kind: "kpp", Code: "reason_char", Pos: n, Got: printable(s, i, r)}
			}
			continue
		}
		if !isDigit {
			return KPP{}, &Error{Kind: "kpp", Code: "non_digit", Pos: n, Got: printable(s, i, r)}
		}
	}
	if len(s) != 9 {
		return KPP{}, &Error{Kind: "kpp", Code: "length", Got: fmt.Sprint(n), Want: "9"}
	}
	v := KPP{Digits: s, TaxOffice: s[:4], Reason: s[4:6], Serial: s[6:]}
	if v.Reason == "00" {
		return KPP{}, &Error{Kind: "kpp", Code: "reason_range", Pos: 5, Got: v.Reason}
	}
	return v, nil
}

// Foreign reports whether a numeric reason code is one of foreign organizations (50–99).
func (v KPP) Foreign() bool {
	r := v.Reason
	return r[0] >= '0' && r[0] <= '9' && r[1] >= '0' && r[1] <= '9' && r >= "50"
}

// String returns the code.
func (v KPP) String() string { return v.Digits }

// Parts names the parts of the code.
func (v KPP) Parts() map[string]string {
	return map[string]string{"tax_office": v.TaxOffice, "reason": v.Reason, "serial": v.Serial}
}

// NewKPP builds a КПП from the office code, the reason code and the serial (1..999) (REG-5).
func NewKPP(taxOffice, reason string, serial int) (string, error) {
	if err := scan("tax_office", taxOffice, "4", 4); err != nil {
		return "", err
	}
	if serial < 1 || serial > 999 {
		return "", &Error{Kind: "kpp", Code: "serial", Got: fmt.Sprint(serial), Want: "1..999"}
	}
	code := fmt.Sprintf("%s%s%03d", taxOffice, reason, serial)
	if _, err := ParseKPP(code); err != nil {
		return "", err
	}
	return code, nil
}

func printable(s string, i int, r rune) string {
	if r == 0xFFFD && i < len(s) && s[i] >= 0x80 {
		if !strings.HasPrefix(s[i:], "\uFFFD") {
			return fmt.Sprintf("\\x%02x", s[i])
		}
	}
	return string(r)
}
