// Package register is the taxpayer register (ЕГРН, SPEC section 2): it assigns TINs to persons and
// organizations by the structure of the law, never twice and never re-used (REG-1, REG-2), finds
// the TIN a person already has instead of issuing a second one (REG-3), registers on every ground
// (REG-4, REG-5), keeps the history of every change (REG-6), stops applying TINs on death,
// liquidation and duplicates (REG-7), keeps the КИО directory (REG-8) and produces extracts (REG-9).
//
// It holds the rules only: it declares the Store it needs and imports no database driver and no
// net/http. Numbers are parsed and built by package tin. What differs between jurisdictions —
// whether it assigns TINs (Russia) or records those taxpayers already have (Kyrgyzstan, TIN-6),
// its tax offices, regions and documents, which records apply (СНИЛС, ОГРН, КПП, the officers
// of an organization) — it reads from the jurisdiction.Profile it is given.
//
// One file per rule, its tests beside it:
//
//	person.go          REG-1, REG-3, REG-4: registering individuals, one at a time or in batches
//	person_check.go    what a registration of an individual is checked against
//	person_match.go    REG-3: whether a person already has a TIN, or waits for a review
//	document.go        REG-3: identity documents, their formats, holders and keys
//	review.go          REG-3: the registrations held for an inspector, and the decision
//	organization.go    REG-5: Russian organizations, with the КПП at their location
//	kpp.go             REG-5, TIN-4: КПП on every further ground
//	history.go         REG-6: changes of data, kept in the history; the TIN stays
//	ending.go          REG-6, REG-7: deregistration, TINs not applied, duplicates and the kept TIN
//	foreign.go         REG-8, TIN-3: foreign organizations and the КИО directory
//	extract.go         REG-9: extracts, their numbers and their verification
//	search.go          reading a record by TIN, and the search (BO-1)
//	office.go          the directory of tax offices (directory.go: the embedded one and regions)
//	reference.go       ОКСМ, documents per citizenship, КПП reasons: the extendable reference data
//	numbers.go         TIN-6, KG: the taxpayer's own TIN where the register records it, not assigns it
//	person_recorded.go REG-3, TIN-6: registering persons who bring their own TIN
//	signatories.go        KG-1: the head and the accountant of an organization
//	address.go         postal addresses
//	fields.go          what every field is checked against; names compared in one form
//	enums.go           the enumerated values, each with a label
//	store.go           the Store the register needs, and the one door its errors come through
package register

import (
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
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

// Result is the outcome of a registration request.
type Result struct {
	Taxpayer *Taxpayer // nil when the request went to review
	Created  bool      // a new TIN was assigned
	Review   *Review   // set when an inspector must decide (REG-3)
	// Mismatch names the fields (JSON names) whose values in the request differ from the record
	// found by document or СНИЛС (REG-3). They are not overwritten: a change goes through an update.
	Mismatch []string
}

// Options configure a Service.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
	// Profile is the jurisdiction the register serves; the default one (Russia) when zero.
	Profile jurisdiction.Profile
	// Reference is the reference data every write is checked against (ОКСМ, documents per
	// citizenship, КПП reasons per kind, regions); the profile's embedded directories
	// (NewReferenceFor) when nil.
	Reference *Reference
}

// Service applies the register's rules over a Store.
type Service struct {
	store   Store
	now     func() time.Time
	ref     *Reference
	profile jurisdiction.Profile
	dir     *directory // the jurisdiction's embedded tax offices and regions

	officesMu     sync.Mutex
	officesLoaded bool
}

// New returns a Service over st.
func New(st Store, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	opt.Profile = opt.Profile.OrDefault()
	if opt.Reference == nil {
		opt.Reference = NewReferenceFor(opt.Profile)
	}
	return &Service{store: storage{st}, now: opt.Now, ref: opt.Reference, profile: opt.Profile, dir: directoryOf(opt.Profile)}
}

// Profile returns the jurisdiction the register serves.
func (s *Service) Profile() jurisdiction.Profile { return s.profile }

// Reference returns the reference data the service checks against (ОКСМ, documents per
// citizenship, КПП reasons), so that pages name a country by the directory the register holds.
func (s *Service) Reference() *Reference { return s.ref }

// Counter scopes (REG-1, REG-8, REG-9). Person and organization serials are per office (the
// prefix); КПП serials per office and reason; КИО and extract numbers have their own counters.
const (
	scopePerson       = "person"
	scopeOrganization = "organization"
	scopeKIO          = "kio"
	scopeKPP          = "kpp:" // + reason
	scopeExtract      = "extract"
)

// Messages several rules return.
var (
	msgTaxpayerNotFound = problem.Msg("register.not_found")
	msgNotApplied       = problem.Msg("register.not_applied")
	msgWrongKind        = problem.Msg("register.wrong_kind")
	msgDocOther         = problem.Msg("register.document_taken")
	msgSNILSTaken       = problem.Msg("register.snils_taken")
	msgSerialsExhausted = problem.Msg("register.serials_exhausted")
)

func (s *Service) entry(actor audit.Actor, action, subject, details string) audit.Entry {
	return audit.Entry{At: s.now().UTC(), Actor: actor, Action: action, Subject: subject, Details: details}
}
