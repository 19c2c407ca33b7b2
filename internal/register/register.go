// Package register is the taxpayer register (ЕГРН, SPEC section 2): it assigns TINs to persons and
// organizations by the structure of the law, never twice and never re-used (REG-1, REG-2), finds
// the TIN a person already has instead of issuing a second one (REG-3), registers on every ground
// (REG-4, REG-5), keeps the history of every change (REG-6), stops applying TINs on death,
// liquidation and duplicates (REG-7), keeps the КИО directory (REG-8) and produces extracts (REG-9).
//
// It holds the rules only: it declares the Store it needs and imports no database driver and no
// net/http. Numbers are parsed and built by package tin.
package register

import (
	"time"
)

// Kind is the kind of taxpayer.
type Kind string

// Kinds of taxpayer.
const (
	KindPerson       Kind = "person"
	KindOrganization Kind = "organization"
	KindForeign      Kind = "foreign_organization"
)

// Status is the state of a TIN in the register.
type Status string

// Statuses. A deregistered person keeps an applied TIN (REG-6); a TIN that is not applied any more
// is never given to anyone else (REG-2, REG-7).
const (
	StatusActive       Status = "active"
	StatusDeregistered Status = "deregistered"
	StatusNotApplied   Status = "not_applied"
)

// Sex of a person.
type Sex string

// Sexes.
const (
	Male   Sex = "male"
	Female Sex = "female"
)

// PersonGround is the ground on which an individual is registered (REG-4).
type PersonGround string

// Grounds for individuals (REG-4).
const (
	GroundResidence    PersonGround = "residence"     // place of residence
	GroundStay         PersonGround = "stay"          // place of stay, no residence in RF
	GroundProperty     PersonGround = "property"      // real estate or vehicle, no residence/stay
	GroundIncomeSource PersonGround = "income_source" // payer of income to a foreign citizen or stateless person
	GroundChoice       PersonGround = "choice"        // a citizen's choice with none of the above
)

// OrganizationGround is the ground on which an organization first gets its TIN (REG-5).
type OrganizationGround string

// Grounds for the first registration of an organization (REG-5).
const (
	GroundCreation             OrganizationGround = "creation"
	GroundReorganization       OrganizationGround = "reorganization"
	GroundInternationalCompany OrganizationGround = "international_company"
)

// KPPGround is the ground of a КПП registration (REG-5).
type KPPGround string

// Grounds for КПП (REG-5).
const (
	KPPLocation    KPPGround = "location"     // at the organization's location, with the TIN
	KPPNewLocation KPPGround = "new_location" // a new location under another tax office
	KPPSubdivision KPPGround = "subdivision"  // a separate subdivision (or its new location)
	KPPProperty    KPPGround = "property"     // location of real estate or vehicles
	KPPOther       KPPGround = "other"        // other grounds of the Tax Code
)

// EndReason says why a registration ended or a TIN stopped being applied (REG-6, REG-7).
type EndReason string

// Reasons. Death, liquidation, reorganization (by transformation, division or into another
// entity), redomiciliation and duplicate stop the TIN being applied; moved and other only end the
// registration at an office.
const (
	EndDeath          EndReason = "death"
	EndLiquidation    EndReason = "liquidation"
	EndReorganization EndReason = "reorganization"
	EndRedomiciled    EndReason = "redomiciled"
	EndDuplicate      EndReason = "duplicate"
	EndMoved          EndReason = "moved"
	EndOther          EndReason = "other"
)

// IdentityDocument is a document that identifies a person; REG-3 matches persons by it.
type IdentityDocument struct {
	Type     string    `json:"type"` // passport_ru, passport_foreign, birth_certificate, residence_permit, temporary_residence, refugee_certificate, military_id, other
	Series   string    `json:"series,omitempty"`
	Number   string    `json:"number"`
	IssuedOn time.Time `json:"issued_on,omitzero"`
	IssuedBy string    `json:"issued_by,omitempty"`
}

// Address is a postal address; for Russian addresses Region is the two-digit subject code.
type Address struct {
	Country    string `json:"country,omitempty"` // ISO 3166 alpha-3 (ОКСМ), RUS when empty
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Street     string `json:"street,omitempty"`
	House      string `json:"house,omitempty"`
	Flat       string `json:"flat,omitempty"`
	Text       string `json:"text,omitempty"` // free form, for foreign addresses
}

// PersonInput is what registering an individual takes (REG-3, REG-4).
type PersonInput struct {
	Surname     string
	GivenName   string
	Patronymic  string
	BirthDate   time.Time // a civil date, midnight UTC
	BirthPlace  string
	Sex         Sex
	Citizenship string // ISO 3166 alpha-3; "" for a stateless person
	Document    IdentityDocument
	SNILS       string // optional
	Ground      PersonGround
	TaxOffice   string // 4 digits: region + index
	Address     Address
	// RegisteredOn is the date of the registration with the tax office when it is earlier than
	// the entry (a record carried over from an earlier register); today when zero.
	RegisteredOn time.Time
}

// Person is an individual's data as the register holds it.
type Person struct {
	Surname     string
	GivenName   string
	Patronymic  string
	BirthDate   time.Time
	BirthPlace  string
	Sex         Sex
	Citizenship string
	Documents   []IdentityDocument // the current one first
	SNILS       string
	Ground      PersonGround
	Address     Address
}

// OrganizationInput is what registering a Russian organization takes (REG-5).
type OrganizationInput struct {
	FullName     string
	ShortName    string
	OGRN         string
	Ground       OrganizationGround
	TaxOffice    string
	Address      Address
	RegisteredOn time.Time // state registration date
}

// Organization is a Russian organization's data.
type Organization struct {
	FullName     string
	ShortName    string
	OGRN         string
	Ground       OrganizationGround
	Address      Address
	RegisteredOn time.Time
}

// KIOInput is the identification block of the КИО directory (REG-8).
type KIOInput struct {
	NameRu      string // full name in Russian
	NameLatin   string // full name in Latin letters
	ShortNameRu string // short name in Russian, if any
	Address     string // full address in the country of registration
	Country     string // country name
	OKSM        string // ОКСМ numeric code of the country, 3 digits
	RegNumber   string // registration number in the country of registration
	TaxCode     string // taxpayer code in the country of registration
}

// KIO is an entry of the КИО directory: the code block and the identification block (REG-8).
type KIO struct {
	Code       string // 5 digits
	AssignedOn time.Time
	ChangedOn  *time.Time
	InvalidOn  *time.Time
	KIOInput
}

// ForeignOrganizationInput registers a foreign organization (TIN-3, REG-5, REG-8). Either KIO names
// an existing КИО, or Identification is used to find or create one.
type ForeignOrganizationInput struct {
	KIO            string
	Identification KIOInput
	TaxOffice      string // the office registering it on this ground (for the КПП)
	Reason         string // КПП reason code, 50–99 or letters; default 50
	Address        Address
}

// KPPInput asks for a КПП on a ground (REG-5).
type KPPInput struct {
	Ground      KPPGround
	TaxOffice   string
	Reason      string // optional: derived from Ground when empty
	Subdivision string // name of the separate subdivision, for KPPSubdivision
	Address     Address
}

// KPP is one registration of an organization on a ground, with its code (TIN-4).
type KPP struct {
	Code        string
	Ground      KPPGround
	TaxOffice   string
	Reason      string
	Subdivision string
	Address     Address
	AssignedOn  time.Time
	ClosedOn    *time.Time
}

// Ending records why a registration ended or the TIN stopped being applied.
type Ending struct {
	Reason  EndReason
	On      time.Time
	KeptTIN string // for EndDuplicate (and reorganization into another entity): the TIN that is kept
	Note    string
}

// FieldChange is one field's change in the history.
type FieldChange struct {
	Field string
	Old   string
	New   string
}

// Change is one entry of a taxpayer's history (REG-6).
type Change struct {
	Seq    int64
	At     time.Time
	Actor  string // staff login or process name
	Action string // registered, updated, kpp_assigned, deregistered, not_applied, duplicate_of, document_added, ...
	Fields []FieldChange
	Note   string
}

// Taxpayer is a record of the register.
type Taxpayer struct {
	TIN          string
	Kind         Kind
	Status       Status
	TaxOffice    string // office of (current) registration
	RegisteredOn time.Time
	Ending       *Ending // set when deregistered or not applied
	Person       *Person
	Organization *Organization
	Foreign      *KIO
	KPPs         []KPP
	History      []Change
	Version      int64
}

// ReviewStatus is the state of a possible-duplicate review.
type ReviewStatus string

// Review states.
const (
	ReviewPending   ReviewStatus = "pending"
	ReviewSame      ReviewStatus = "same"      // the inspector found the person already has a TIN
	ReviewDifferent ReviewStatus = "different" // a different person: a new TIN was assigned
)

// Review is a registration held for an inspector because the register holds a person with the
// same name and birth data but no matching identity document (REG-3): neither silently a new TIN
// nor silently the old one.
type Review struct {
	ID         int64
	Status     ReviewStatus
	Input      PersonInput
	Candidates []string // TINs of the possible matches
	CreatedAt  time.Time
	CreatedBy  string
	DecidedAt  *time.Time
	DecidedBy  string
	ResultTIN  string
}

// Result is the outcome of a registration request.
type Result struct {
	Taxpayer *Taxpayer // nil when the request went to review
	Created  bool      // a new TIN was assigned
	Review   *Review   // set when an inspector must decide (REG-3)
	// Mismatch names the fields (JSON names) whose values in the request differ from the record
	// found by document or СНИЛС (REG-3). They are not overwritten: a change goes through an update.
	Mismatch []string
}

// Summary is one line of a search result.
type Summary struct {
	TIN       string
	Kind      Kind
	Status    Status
	Name      string // full name of a person or an organization
	TaxOffice string
	BirthDate *time.Time // persons
}

// SearchFilter selects taxpayers. Query matches a TIN (or its prefix), a name (case-insensitive,
// ё = е, prefix of the surname or the organization name), an identity document number, ОГРН or КИО.
type SearchFilter struct {
	Query  string
	Kind   Kind
	Status Status
	Limit  int
	Offset int
}

// Office is a tax office (its 4-digit code is the first part of every TIN it assigns).
type Office struct {
	Code   string
	Name   string
	Region string
}
