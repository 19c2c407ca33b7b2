package tin

import "strings"

// OGRN is a parsed primary state registration number of a legal entity: С ГГ КК ХХ ХХХХХ Ч.
type OGRN struct {
	Digits string
	Sign   string // 1 or 5: the record is the entity's primary registration
	Year   string // last two digits of the year of the record
	Region string // subject code
	Office string // registering office within the region
	Serial string // record number in the year
	Check  string
}

// ParseOGRN parses a 13-digit ОГРН; its check digit is (the first 12 digits as a number mod 11)
// mod 10 (TIN-5). The first digit must be 1 or 5: other digits mark register records (ГРН) that
// are not an ОГРН.
func ParseOGRN(s string) (OGRN, error) {
	s = strings.TrimSpace(s)
	if err := scan("ogrn", s, "13", 13); err != nil {
		return OGRN{}, err
	}
	if s[0] != '1' && s[0] != '5' {
		return OGRN{}, &Error{Kind: "ogrn", Code: "first_digit", Pos: 1, Got: s[:1], Want: "1 or 5"}
	}
	if c := modCheck(s[:12], 11); c != s[12] {
		return OGRN{}, &Error{Kind: "ogrn", Code: "check_digit", Pos: 13, Got: s[12:], Want: string(c)}
	}
	return OGRN{Digits: s, Sign: s[:1], Year: s[1:3], Region: s[3:5], Office: s[5:7], Serial: s[7:12], Check: s[12:]}, nil
}

// String returns the digits.
func (v OGRN) String() string { return v.Digits }

// Parts names the parts of the number.
func (v OGRN) Parts() map[string]string {
	return map[string]string{"sign": v.Sign, "year": v.Year, "region": v.Region, "office": v.Office, "serial": v.Serial, "check": v.Check}
}

// OGRNIP is a parsed primary state registration number of an individual entrepreneur:
// С ГГ КК ХХХХХХХХХ Ч.
type OGRNIP struct {
	Digits string
	Sign   string // 3: an individual entrepreneur's primary registration
	Year   string
	Region string
	Serial string
	Check  string
}

// ParseOGRNIP parses a 15-digit ОГРНИП; its check digit is (the first 14 digits as a number mod 13)
// mod 10 (TIN-5). The first digit must be 3.
func ParseOGRNIP(s string) (OGRNIP, error) {
	s = strings.TrimSpace(s)
	if err := scan("ogrnip", s, "15", 15); err != nil {
		return OGRNIP{}, err
	}
	if s[0] != '3' {
		return OGRNIP{}, &Error{Kind: "ogrnip", Code: "first_digit", Pos: 1, Got: s[:1], Want: "3"}
	}
	if c := modCheck(s[:14], 13); c != s[14] {
		return OGRNIP{}, &Error{Kind: "ogrnip", Code: "check_digit", Pos: 15, Got: s[14:], Want: string(c)}
	}
	return OGRNIP{Digits: s, Sign: s[:1], Year: s[1:3], Region: s[3:5], Serial: s[5:14], Check: s[14:]}, nil
}

// String returns the digits.
func (v OGRNIP) String() string { return v.Digits }

// Parts names the parts of the number.
func (v OGRNIP) Parts() map[string]string {
	return map[string]string{"sign": v.Sign, "year": v.Year, "region": v.Region, "serial": v.Serial, "check": v.Check}
}

// NewOGRN completes the first 12 digits of an ОГРН with its check digit.
func NewOGRN(twelve string) (string, error) {
	if err := scan("ogrn", twelve, "12 (without the check digit)", 12); err != nil {
		return "", err
	}
	s := twelve + string(modCheck(twelve, 11))
	_, err := ParseOGRN(s)
	return s, err
}

// NewOGRNIP completes the first 14 digits of an ОГРНИП with its check digit.
func NewOGRNIP(fourteen string) (string, error) {
	if err := scan("ogrnip", fourteen, "14 (without the check digit)", 14); err != nil {
		return "", err
	}
	s := fourteen + string(modCheck(fourteen, 13))
	_, err := ParseOGRNIP(s)
	return s, err
}
