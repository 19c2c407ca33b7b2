// Package identity is the identity provider's domain (SPEC section 3, like ЕСИА/Gosuslugi):
// citizens' accounts at three levels (IDP-2), simplified registration with a one-time code
// (IDP-1), the profile and its automatic verification against external registries (IDP-3),
// confirmation in person, by registered mail or by e-signature (IDP-4), the catalogue of services
// and the finder of service centres (IDP-2, IDP-5), recovery (IDP-6), and the security settings.
// Its OpenID Connect provider (IDP-7) is package oidc, which reads the level and the confirmation
// method from here.
//
// It holds the rules only: it declares the Store, the Registry and the Post it needs and imports
// no SQL driver and no net/http. Passwords go through package password, attempts through package
// limits, messages through package notify's outbox, slow checks through package jobs.
package identity

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/tin"
)

// Level is how far an account is trusted (IDP-2).
type Level string

// The levels, lowest first.
const (
	Simplified Level = "simplified" // a name and a confirmed phone or e-mail
	Standard   Level = "standard"   // the profile verified against the registries (IDP-3)
	Confirmed  Level = "confirmed"  // the person's identity confirmed (IDP-4)
)

// Rank orders levels: Simplified 1, Standard 2, Confirmed 3, anything else 0.
func (l Level) Rank() int {
	switch l {
	case Simplified:
		return 1
	case Standard:
		return 2
	case Confirmed:
		return 3
	}
	return 0
}

// AtLeast reports whether l is min or higher.
func (l Level) AtLeast(min Level) bool { return l.Rank() >= min.Rank() && min.Rank() > 0 }

// Levels lists the levels, lowest first.
var Levels = []Level{Simplified, Standard, Confirmed}

// Method is how an account was confirmed (IDP-4). It is recorded, because the personal account
// refuses accounts confirmed by mail (IDP-4, LK-6).
type Method string

// The confirmation methods.
const (
	ServiceCenter Method = "service_center"
	Mail          Method = "mail"
	ESign         Method = "esign"
)

// Valid reports whether m is a known method.
func (m Method) Valid() bool { return m == ServiceCenter || m == Mail || m == ESign }

// Kind is a kind of registration (IDP-1). What differs between the kinds: a Russian citizen's
// profile needs the СНИЛС and a Russian passport; a foreign citizen's a foreign passport, the
// СНИЛС optional (checked by the passport alone when there is none); a representative of a
// legal entity is a person like the others (their own passport and СНИЛС, by their
// citizenship) who also names the organization they act for (Organization: its ОГРН, checked
// with package tin, and its name; optional at registration, shown on the account's pages and to
// the operator). The organization is recorded as the representative states it: the identity
// provider does not check it against the register of legal entities nor the right to act for
// it — the services that act for an organization (the catalogue's audience "business") do.
type Kind string

// The kinds of registration.
const (
	RussianCitizen Kind = "russian"  // a citizen of the Russian Federation
	ForeignCitizen Kind = "foreign"  // a foreign citizen or a stateless person
	LegalEntity    Kind = "business" // a representative of a legal entity (acts with a personal account of theirs)
)

// Organization is the legal entity a representative acts for, as they stated it (IDP-1).
type Organization struct {
	OGRN string `json:"ogrn,omitempty"` // 13 digits, valid check digit
	Name string `json:"name,omitempty"`
}

// IsZero reports whether no organization is stated.
func (o Organization) IsZero() bool { return o.OGRN == "" && o.Name == "" }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == RussianCitizen || k == ForeignCitizen || k == LegalEntity }

// Document is an identity or other document of the profile.
type Document struct {
	Type     string    `json:"type"` // passport_ru, passport_foreign, driving_licence, birth_certificate, military_id, medical_insurance
	Series   string    `json:"series,omitempty"`
	Number   string    `json:"number"`
	IssuedOn time.Time `json:"issued_on,omitzero"`
	IssuedBy string    `json:"issued_by,omitempty"`
}

// Vehicle is a vehicle of the profile.
type Vehicle struct {
	Plate string `json:"plate"`
	VIN   string `json:"vin,omitempty"`
}

// Profile is what a citizen tells about themselves for the standard level (IDP-3). The name is
// the account's until the citizen changes it here: a new name is verified like the rest, and
// becomes the account's once it is.
type Profile struct {
	Surname     string     `json:"surname,omitempty"`
	GivenName   string     `json:"given_name,omitempty"`
	Patronymic  string     `json:"patronymic,omitempty"`
	Sex         string     `json:"sex,omitempty"` // male, female
	BirthDate   time.Time  `json:"birth_date,omitzero"`
	BirthPlace  string     `json:"birth_place,omitempty"`
	Citizenship string     `json:"citizenship,omitempty"` // ISO alpha-3
	Passport    Document   `json:"passport,omitzero"`
	SNILS       string     `json:"snils,omitempty"`
	INN         string     `json:"inn,omitempty"`
	Others      []Document `json:"others,omitempty"` // medical insurance, driving licence, birth certificate, military ID
	Residence   string     `json:"residence,omitempty"`
	Postal      string     `json:"postal,omitempty"`
	Vehicles    []Vehicle  `json:"vehicles,omitempty"`
}

// Consent is the acceptance of a text (the terms of use, the processing of personal data) in
// the version shown, and when.
type Consent struct {
	Doc     string    `json:"doc"`
	Version string    `json:"version"`
	At      time.Time `json:"at"`
}

// Account is a citizen's account.
type Account struct {
	ID            string
	Kind          Kind
	Organization  Organization // for the kind LegalEntity: the organization they act for
	Surname       string
	GivenName     string
	Patronymic    string
	Phone         string // +7…, confirmed by a code; unique among accounts
	Email         string // lower case, confirmed by a code; unique among accounts
	SNILS         string // 11 digits, from a verified profile or the CLI; unique among accounts
	Level         Level
	Method        Method    // set at the confirmed level
	ConfirmedAt   time.Time // when it was confirmed
	Evidence      string    // what confirmed it: the centre and what was checked, the letter, the certificate
	Profile       Profile   // as verified (the standard level) or as typed
	PasswordHash  string
	Question      string // the security question, as the user typed it
	AnswerHash    string // the answer, hashed like a password ("" when no question is set)
	Consents      []Consent
	Lang          string // the language of the messages sent to the citizen: the one they registered in
	CreatedAt     time.Time
	PasswordSetAt time.Time
	Version       int64
}

// FullName is the account's name as shown.
func (a *Account) FullName() string {
	return strings.TrimSpace(strings.Join(strings.Fields(a.Surname+" "+a.GivenName+" "+a.Patronymic), " "))
}

// newID returns a random account id: 32 hex digits, stable for the account's life (it is the
// OpenID Connect subject).
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// LoginKind says which identifier a login is.
type LoginKind string

// The identifiers an account logs in with.
const (
	ByPhone LoginKind = "phone"
	ByEmail LoginKind = "email"
	BySNILS LoginKind = "snils"
)

// Login is an identifier as typed in the login field, read as one kind.
type Login struct {
	Kind  LoginKind
	Value string // normalized
}

// ParseLogin reads a login typed in one field (a phone, an e-mail or a СНИЛС) and returns every
// way it can be read, the likeliest first: eleven digits can be both a phone and a valid СНИЛС
// ("8 916 …" and "891-6…"), and then both are tried. None when it is none of them.
func ParseLogin(s string) []Login {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		if e := notify.NormalizeEmail(s); e != "" {
			return []Login{{ByEmail, e}}
		}
		return nil
	}
	var out []Login
	if p := notify.NormalizePhone(s); p != "" {
		out = append(out, Login{ByPhone, p})
	}
	if v, err := tin.ParseSNILS(s); err == nil {
		l := Login{BySNILS, v.Digits}
		if strings.Contains(s, "-") && len(out) > 0 {
			out = append([]Login{l}, out...) // typed the way a СНИЛС is written
		} else {
			out = append(out, l)
		}
	}
	return out
}
