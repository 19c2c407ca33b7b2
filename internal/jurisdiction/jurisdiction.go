// Package jurisdiction holds what differs between the tax administrations one kabinet can serve:
// the Russian Federation (ru, the default) and the Kyrgyz Republic (kg, SPEC section 7). A
// database belongs to one jurisdiction, chosen when it is created (`kabinet migrate --profile kg`)
// and recorded in it; package app hands the jurisdiction's Profile to every domain package and
// site, which read what they need from that one value — how TINs come about, the reference data,
// the languages, the time zone, the personal account's registration and password rules — instead
// of asking which country they serve.
//
// The package holds data, not rules: the register applies the TIN rules and reads the reference
// data, the web kit offers the languages, the personal account applies the password rules. It
// imports only package tin and the standard library, so every other package may import it.
//
// Each jurisdiction's reference data are embedded files of its directory (ru/, kg/):
//
//	offices.csv         the tax offices: code, region, name, full name, address, time zone (REG-9),
//	                    and their names and address in another language (name.ky, full_name.ky,
//	                    address.ky: the УГНС in Kyrgyz)
//	regions.csv         the regions of addresses and offices: code, name
//	document_types.csv  the identity documents, by who may hold them (REG-3)
package jurisdiction

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Bishkek must load on a machine without a zoneinfo database

	"github.com/kabinet/kabinet/tin"
)

// Code names a jurisdiction: its --profile.
type Code string

// The jurisdictions kabinet serves.
const (
	RU Code = "ru" // the Russian Federation: the FNS register assigns TINs (TIN-1..5)
	KG Code = "kg" // the Kyrgyz Republic: taxpayers bring their 14-digit ИНН (TIN-6)
)

// Default is the jurisdiction of a database that names none: every database made before
// profiles existed is Russian.
const Default = RU

// Profile is everything that differs between jurisdictions, handed as one value to the domain
// packages and the sites.
type Profile struct {
	Code Code
	// Country is the ОКСМ alpha-3 code of the jurisdiction's own citizens (RUS, KGZ): who holds
	// its domestic identity documents, and whose addresses have its regions and postal codes.
	Country string
	// TIN says where a taxpayer's number comes from and what it looks like.
	TIN TINRules
	// Register says which of the register's records and numbers apply.
	Register RegisterRules
	// Data is the jurisdiction's reference data: offices.csv, regions.csv and document_types.csv.
	Data fs.FS
	// Languages are the languages its pages and messages are offered in, the default one first;
	// the web kit offers those the catalogue has.
	Languages []string
	// TimeZone is where its people read times (an IANA name): pages, and offices the directory
	// gives no zone for.
	TimeZone string
	// Cabinet is how taxpayers get into their personal account.
	Cabinet CabinetRules
	// IdentityProvider: the jurisdiction has the ЕСИА-like identity provider (/id/, IDP-1..7) —
	// citizens' accounts by СНИЛС and Russian passport, confirmed at service centres (BO-4),
	// with its OpenID Connect provider. Russia's; the Kyrgyz cabinet has none (its taxpayers
	// register for the cabinet itself, KG-1), so there /id/ and /oidc/ are not served and
	// `kabinet idp` refuses.
	IdentityProvider bool
	// Words are how messages name the jurisdiction's things.
	Words Words
	// Phone is how its people write a phone number at home, besides the international form.
	Phone PhoneRules
}

// PhoneRules are a jurisdiction's national form of phone numbers: its calling code (996), the
// trunk prefix dialled before a national number (0), and a national number's digits (9).
// Russia's (8 916 …, 916 …) are read by package notify itself: its PhoneRules are empty.
type PhoneRules struct {
	CallingCode, Trunk string
	Digits             int
}

// Words are catalogue keys (package i18n) of the jurisdiction's things as messages name them.
type Words struct {
	TIN     string // its TIN: "a Russian TIN (10 or 12 digits)"
	Regions string // its regions: "a known subject of the Russian Federation"
	Citizen string // its citizens, as whom a document "is not issued to": "a Russian citizen"
}

// Source says where taxpayers' numbers come from.
type Source string

// Sources of TINs.
const (
	// Assigned: the register builds the number from the office and a serial at the first
	// registration (REG-1, TIN-1..3) and never issues it again (REG-2).
	Assigned Source = "assigned"
	// Recorded: the taxpayer already has the number (a Kyrgyz citizen from birth, an
	// organization from its state registration, TIN-6); the register records it, checks it and
	// never issues one.
	Recorded Source = "recorded"
)

// Holder is whose a TIN is, as its structure says.
type Holder string

// Holders of TINs.
const (
	Person       Holder = "person"
	Organization Holder = "organization"
	Foreign      Holder = "foreign_organization"
)

// Number is a TIN read by a jurisdiction's rules.
type Number struct {
	Digits string
	Holder Holder
	// Date is the date the number carries, when it carries one: a Kyrgyz person's birth, a Kyrgyz
	// organization's state registration (TIN-6).
	Date time.Time
}

// TINRules are a jurisdiction's taxpayer numbers.
type TINRules struct {
	Source Source
	// Kind is the kind of number package tin validates (`kabinet tin validate --kind`): inn, kg.
	Kind string
	// Digits are the lengths of its numbers: an organization's first, then a person's.
	Digits []int
	// parse reads a number as of now; its errors are package tin's (TIN-7).
	parse func(s string, now time.Time) (Number, error)
}

// Recorded reports whether taxpayers bring their numbers and the register records them (TIN-6).
func (r TINRules) Recorded() bool { return r.Source == Recorded }

// Parse reads s as the jurisdiction's TIN as of now; a malformed one is package tin's *tin.Error.
func (r TINRules) Parse(s string, now time.Time) (Number, error) {
	return r.parse(strings.TrimSpace(s), now)
}

// RegisterRules say which of the register's records and numbers a jurisdiction keeps.
type RegisterRules struct {
	// OfficeDigits is the length of a tax office's code: 4 for an ИФНС, whose code begins the
	// TINs it assigns (TIN-1), 3 for a УГНС.
	OfficeDigits int
	// OfficeRegionPrefix: an office's code begins with its region's (the ИФНС codes, TIN-1).
	OfficeRegionPrefix bool
	// SNILS: a person may have a СНИЛС (the Russian pension fund's number).
	SNILS bool
	// OGRN: an organization is registered with its ОГРН (its state registration number).
	OGRN bool
	// KPP: an organization is registered on further grounds, each with a КПП (REG-5, TIN-4), and a
	// foreign organization gets a TIN from the КИО directory (REG-8, TIN-3).
	KPP bool
	// Signatories: an organization records its head and its accountant by their personal TINs;
	// only they may register the organization's personal account (KG-1).
	Signatories bool
}

// Registration is how a taxpayer gets a personal account.
type Registration string

// Ways into the personal account.
const (
	// ByCard: a tax office issues a registration card, also after an online application (LK-1,
	// LK-7).
	ByCard Registration = "card"
	// ByApplication: the taxpayer registers themselves with their ИНН and a password; an
	// inspector of their tax office grants access after seeing the passport (KG-1).
	ByApplication Registration = "application"
)

// CabinetRules are a jurisdiction's rules of the personal account (SPEC sections 4 and 7).
type CabinetRules struct {
	Registration Registration
	Password     PasswordRules
	// Terms: a login from the mobile application must accept the offer agreement and the privacy
	// policy first (the Salyk.kg app, seed 004).
	Terms bool
	// Mobile: the mobile application logs in through a JSON API of its own (/api/mobile/v1/,
	// KG-2).
	Mobile bool
	// ESign: taxpayers log in and register with a qualified e-signature of the Russian kind
	// (GOST R 34.10-2012 certificates with a СНИЛС, LK-5).
	ESign bool
	// Provider: taxpayers log in through the identity provider (an ЕСИА-like account, LK-6).
	Provider bool
	// Demo: the read-only demonstration account opens with the login 00000000000 (LK-9).
	Demo bool
	// Representatives: representatives with a notarized power of attorney and parents of
	// children under 14 act in other persons' accounts (LK-8).
	Representatives bool
}

// PasswordRules are what a taxpayer's own password must be (LK-3; KG-1).
type PasswordRules struct {
	MinLength int
	// Latin: Latin letters only, upper and lower case, at least one digit and one special
	// character, no spaces (LK-3).
	Latin bool
}

//go:embed ru kg
var data embed.FS

func sub(dir string) fs.FS {
	f, err := fs.Sub(data, dir)
	if err != nil {
		panic(err) // the embedded directories are checked by the tests
	}
	return f
}

// profiles are the jurisdictions, by code.
var profiles = map[Code]Profile{
	RU: {
		Code:      RU,
		Country:   "RUS",
		TIN:       TINRules{Source: Assigned, Kind: "inn", Digits: []int{10, 12}, parse: parseRussian},
		Register:  RegisterRules{OfficeDigits: 4, OfficeRegionPrefix: true, SNILS: true, OGRN: true, KPP: true},
		Data:      sub("ru"),
		Languages: []string{"ru", "en"},
		TimeZone:  "Europe/Moscow",
		Cabinet: CabinetRules{Registration: ByCard, Password: PasswordRules{MinLength: 7, Latin: true}, ESign: true, Provider: true,
			Demo: true, Representatives: true},
		IdentityProvider: true,
		Words:            Words{TIN: "jurisdiction.ru.tin", Regions: "jurisdiction.ru.regions", Citizen: "jurisdiction.ru.citizen"},
	},
	KG: {
		Code:     KG,
		Country:  "KGZ",
		TIN:      TINRules{Source: Recorded, Kind: "kg", Digits: []int{14, 14}, parse: parseKyrgyz},
		Register: RegisterRules{OfficeDigits: 3, Signatories: true},
		Data:     sub("kg"),
		// Russian first: see the README (the State Tax Service's cabinet and its instructions
		// are in Russian, an official language); Kyrgyz is offered on every page and chosen by a
		// browser that asks for it.
		Languages: []string{"ru", "ky", "en"},
		TimeZone:  "Asia/Bishkek",
		Cabinet:   CabinetRules{Registration: ByApplication, Password: PasswordRules{MinLength: 8}, Terms: true, Mobile: true},
		Words:     Words{TIN: "jurisdiction.kg.tin", Regions: "jurisdiction.kg.regions", Citizen: "jurisdiction.kg.citizen"},
		Phone:     PhoneRules{CallingCode: "996", Trunk: "0", Digits: 9},
	},
}

// Codes lists the jurisdictions, the default one first.
func Codes() []Code { return []Code{RU, KG} }

// Lookup returns the profile of a jurisdiction; "" is the default one.
func Lookup(code Code) (Profile, error) {
	if code == "" {
		code = Default
	}
	p, ok := profiles[code]
	if !ok {
		names := make([]string, 0, len(profiles))
		for _, c := range Codes() {
			names = append(names, string(c))
		}
		return Profile{}, fmt.Errorf("unknown jurisdiction %q (want %s)", code, strings.Join(names, " or "))
	}
	p.Languages = slices.Clone(p.Languages)
	p.TIN.Digits = slices.Clone(p.TIN.Digits)
	return p, nil
}

// MustLookup is Lookup for a code known to exist (the constants).
func MustLookup(code Code) Profile {
	p, err := Lookup(code)
	if err != nil {
		panic(err)
	}
	return p
}

// OrDefault returns p, or the default jurisdiction's profile when p is the zero value.
func (p Profile) OrDefault() Profile {
	if p.Code == "" {
		return MustLookup(Default)
	}
	return p
}

// Location returns the jurisdiction's time zone.
func (p Profile) Location() *time.Location {
	if loc, err := time.LoadLocation(p.TimeZone); err == nil {
		return loc
	}
	return time.UTC // unreachable: time/tzdata is linked in
}

// DefaultLanguage is the language of a page before the user or the browser asks for another.
func (p Profile) DefaultLanguage() string { return p.Languages[0] }

// Other reports whether s is a valid TIN of another jurisdiction than p's, and which: a Russian
// ИНН typed where a Kyrgyz one is wanted, or the other way round.
func (p Profile) Other(s string, now time.Time) (Profile, bool) {
	for _, c := range Codes() {
		if c == p.Code {
			continue
		}
		o := profiles[c]
		if _, err := o.TIN.Parse(s, now); err == nil {
			return o, true
		}
	}
	return Profile{}, false
}

// parseRussian reads a Russian ИНН (TIN-1..3, TIN-5).
func parseRussian(s string, _ time.Time) (Number, error) {
	v, err := tin.ParseINN(s)
	if err != nil {
		return Number{}, err
	}
	h := Organization
	switch v.Type {
	case tin.Individual:
		h = Person
	case tin.ForeignOrganization:
		h = Foreign
	}
	return Number{Digits: v.Digits, Holder: h}, nil
}

// parseKyrgyz reads a Kyrgyz ИНН (TIN-6): structurally, as no check digit is known.
func parseKyrgyz(s string, now time.Time) (Number, error) {
	v, err := tin.ParseKGAt(s, now)
	if err != nil {
		return Number{}, err
	}
	h := Person
	if v.Type == tin.KGOrganization {
		h = Organization
	}
	return Number{Digits: v.Digits, Holder: h, Date: v.Date}, nil
}
