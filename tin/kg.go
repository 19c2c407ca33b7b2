package tin

import (
	"strings"
	"time"
)

// KGType is the kind of holder of a Kyrgyz ИНН.
type KGType string

// Kyrgyz ИНН holder types (TIN-6).
const (
	KGFemale       KGType = "female"
	KGMale         KGType = "male"
	KGOrganization KGType = "organization"
)

// KG is a parsed Kyrgyz 14-digit ИНН: G DDMMYYYY NNNNN (TIN-6). G is 1 (a woman) or 2 (a man),
// followed by the date of birth, or 0 (an organization) followed by the date of state
// registration; NNNNN is a serial. No check digit is known, so validation is structural.
type KG struct {
	Digits string
	Type   KGType
	Date   time.Time // date of birth or of state registration
	Serial string
}

// ParseKG parses a Kyrgyz ИНН as of now.
func ParseKG(s string) (KG, error) { return ParseKGAt(s, time.Now()) }

// ParseKGAt parses a Kyrgyz ИНН: 14 digits, a known first digit, a real date not after now.
func ParseKGAt(s string, now time.Time) (KG, error) {
	s = strings.TrimSpace(s)
	if err := scan("kg", s, "14", 14); err != nil {
		return KG{}, err
	}
	var t KGType
	switch s[0] {
	case '0':
		t = KGOrganization
	case '1':
		t = KGFemale
	case '2':
		t = KGMale
	default:
		return KG{}, &Error{Kind: "kg", Code: "first_digit", Pos: 1, Got: s[:1], Want: "0 (organization), 1 (female) or 2 (male)"}
	}
	day := digit(s[1])*10 + digit(s[2])
	month := digit(s[3])*10 + digit(s[4])
	year := digit(s[5])*1000 + digit(s[6])*100 + digit(s[7])*10 + digit(s[8])
	date := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	shown := s[1:3] + "." + s[3:5] + "." + s[5:9]
	if year < 1800 || month < 1 || month > 12 || day < 1 || date.Day() != day || date.Month() != time.Month(month) {
		return KG{}, &Error{Kind: "kg", Code: "date", Pos: 2, Got: shown}
	}
	ny, nm, nd := now.Date()
	if date.After(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)) {
		return KG{}, &Error{Kind: "kg", Code: "future_date", Pos: 2, Got: shown}
	}
	return KG{Digits: s, Type: t, Date: date, Serial: s[9:]}, nil
}

// String returns the digits.
func (v KG) String() string { return v.Digits }

// Parts names the parts of the number.
func (v KG) Parts() map[string]string {
	p := map[string]string{"type": string(v.Type), "serial": v.Serial}
	if v.Type == KGOrganization {
		p["registration_date"] = v.Date.Format("2006-01-02")
	} else {
		p["birth_date"] = v.Date.Format("2006-01-02")
		p["sex"] = string(v.Type)
	}
	return p
}
