package register

import (
	"strings"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/problem"
)

// Postal addresses of persons, organizations and their КПП registrations: ОКСМ countries and
// the jurisdiction's regions — the subjects of the Russian Federation, the regions and cities of
// the Kyrgyz Republic (REG-4, REG-5, REG-8).

// Address is a postal address; for a domestic address (of the jurisdiction's country) Region is
// the two-digit code of one of its regions.
type Address struct {
	Country    string // ISO 3166 alpha-3 (ОКСМ), the jurisdiction's country when empty
	Region     string
	PostalCode string
	City       string
	Street     string
	House      string
	Flat       string
	Text       string // free form, for foreign addresses
}

// Messages of the address checks.
var (
	msgRegionUnknown  = problem.Msg("register.region_unknown")
	msgCountry        = problem.Msg("register.country")
	msgCountryUnknown = problem.Msg("register.country_unknown")
)

// checkAddress validates an address: every field one line of text (no control character or
// line break), a country of ОКСМ, a region of the jurisdiction and a 6-digit postal code for a
// domestic address (both countries' postal codes have six digits).
func checkAddress(fe *problem.Fields, a Address, ref *Reference) {
	ok := map[string]bool{}
	for _, f := range [...]struct{ name, value string }{{"address.country", a.Country}, {"address.region", a.Region},
		{"address.postal_code", a.PostalCode}, {"address.city", a.City}, {"address.street", a.Street}, {"address.house", a.House},
		{"address.flat", a.Flat}, {"address.text", a.Text}} {
		if !checkLine(fe, f.name, f.value) {
			continue
		}
		if utf8.RuneCountInString(f.value) > 300 {
			fe.Add(f.name, fieldMsg(msgTooLong, f.name, 300))
			continue
		}
		ok[f.name] = true
	}
	domestic := a.Country == "" || a.Country == ref.home
	if a.Country != "" && ok["address.country"] {
		if !isLatin3(a.Country) {
			fe.Add("address.country", msgCountry)
		} else if _, known := ref.CountryByAlpha3(a.Country); !known {
			fe.Add("address.country", msgCountryUnknown.With(a.Country)) // REG-8: ОКСМ
		}
	}
	if a.Region != "" && domestic && ok["address.region"] {
		if _, known := ref.RegionName(a.Region); !known || !isDigits(a.Region, 2) {
			fe.Add("address.region", msgRegionUnknown.With(a.Region, ref.regionsLabel()))
		}
	}
	if a.PostalCode != "" && domestic && ok["address.postal_code"] && !isDigits(a.PostalCode, 6) {
		fe.Add("address.postal_code", problem.Msg("register.postal_code"))
	}
}

func formatAddress(a Address) string {
	var parts []string
	for _, p := range []string{a.Country, a.Region, a.PostalCode, a.City, a.Street, a.House, a.Flat, a.Text} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
