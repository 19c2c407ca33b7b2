package tin

import (
	"fmt"
	"strings"
)

// INNType is the kind of holder an ИНН belongs to.
type INNType string

// ИНН types.
const (
	Individual          INNType = "individual"           // 12 digits (TIN-1)
	Organization        INNType = "organization"         // 10 digits (TIN-2)
	ForeignOrganization INNType = "foreign_organization" // 10 digits, 9909 + КИО + check (TIN-3)
)

// ForeignOffice is the index that starts the ИНН of every foreign organization (TIN-3).
const ForeignOffice = "9909"

// INN is a parsed taxpayer identification number.
type INN struct {
	Digits    string
	Type      INNType
	Region    string // NN: code of the regional administration
	Index     string // YY: index set by the tax service
	TaxOffice string // NNYY: the tax office code that starts the number
	Serial    string // the record's serial number (5 or 6 digits); for foreign organizations the КИО
	KIO       string // foreign organizations only
	Check     string // one or two check digits
}

// ParseINN parses a 10-digit (organization) or 12-digit (individual) ИНН and checks its check
// digits (TIN-1, TIN-2, TIN-3, TIN-5). Regions are not whitelisted: 00 exists in real data.
func ParseINN(s string) (INN, error) {
	s = strings.TrimSpace(s)
	if err := scan("inn", s, "10 (organization) or 12 (individual)", 10, 12); err != nil {
		return INN{}, err
	}
	v := INN{Digits: s, Region: s[:2], Index: s[2:4], TaxOffice: s[:4]}
	if len(s) == 10 {
		if c := INNCheck10(s); c != s[9] {
			return INN{}, &Error{Kind: "inn", Code: "check_digit", Pos: 10, Got: s[9:], Want: string(c)}
		}
		v.Type, v.Serial, v.Check = Organization, s[4:9], s[9:]
		if v.TaxOffice == ForeignOffice {
			v.Type, v.KIO = ForeignOrganization, v.Serial
		}
		return v, nil
	}
	c1, c2 := INNCheck12(s)
	if c1 != s[10] {
		return INN{}, &Error{Kind: "inn", Code: "check_digit", Digit: "first", Pos: 11, Got: s[10:11], Want: string(c1)}
	}
	if c2 != s[11] {
		return INN{}, &Error{Kind: "inn", Code: "check_digit", Digit: "second", Pos: 12, Got: s[11:], Want: string(c2)}
	}
	v.Type, v.Serial, v.Check = Individual, s[4:10], s[10:]
	return v, nil
}

// String returns the digits.
func (v INN) String() string { return v.Digits }

// Parts names the parts of the number.
func (v INN) Parts() map[string]string {
	p := map[string]string{"type": string(v.Type), "region": v.Region, "index": v.Index, "tax_office": v.TaxOffice, "serial": v.Serial, "check": v.Check}
	if v.KIO != "" {
		p["kio"] = v.KIO
	}
	return p
}

func checkOffice(office string) error {
	if err := scan("tax_office", office, "4", 4); err != nil {
		return err
	}
	return nil
}

// NewIndividualINN builds the 12-digit ИНН of a person from the tax office code and the serial
// number of the person's record (1..999999) (TIN-1, REG-1).
func NewIndividualINN(taxOffice string, serial int) (string, error) {
	if err := checkOffice(taxOffice); err != nil {
		return "", err
	}
	if serial < 1 || serial > 999999 {
		return "", &Error{Kind: "inn", Code: "serial", Got: fmt.Sprint(serial), Want: "1..999999"}
	}
	d := fmt.Sprintf("%s%06d", taxOffice, serial)
	c1, c2 := INNCheck12(d)
	return d + string([]byte{c1, c2}), nil
}

// NewOrganizationINN builds the 10-digit ИНН of an organization from the tax office code and the
// serial number (1..99999) (TIN-2, REG-1).
func NewOrganizationINN(taxOffice string, serial int) (string, error) {
	if err := checkOffice(taxOffice); err != nil {
		return "", err
	}
	if serial < 1 || serial > 99999 {
		return "", &Error{Kind: "inn", Code: "serial", Got: fmt.Sprint(serial), Want: "1..99999"}
	}
	d := fmt.Sprintf("%s%05d", taxOffice, serial)
	return d + string(INNCheck10(d)), nil
}

// NewForeignINN builds a foreign organization's ИНН: 9909 + the 5-digit КИО + check digit (TIN-3).
func NewForeignINN(kio int) (string, error) {
	if kio < 1 || kio > 99999 {
		return "", &Error{Kind: "inn", Code: "serial", Got: fmt.Sprint(kio), Want: "00001..99999 (KIO)"}
	}
	return NewOrganizationINN(ForeignOffice, kio)
}
