package identity

import (
	"context"
	"time"
)

// IDP-3: the standard level. The citizen fills in the profile — passport, СНИЛС, sex, date and
// place of birth, citizenship, and optionally ИНН and more — which is kept as a draft while they
// type (they may stop half-way and come back); submitted, it goes to automatic verification
// against the external registries: the pension fund checks the СНИЛС with the name and birth
// date, the migration service the passport, kabinet's own taxpayer register the ИНН when given.
// A check takes minutes up to days; one whose registry cannot be reached waits and is tried
// again (a job of package jobs, its back-off capped at an hour), and the citizen sees "in
// progress", never an error page. At the end they are told by SMS or e-mail: standard, or
// refused with the reason and what to do.
//
// A verification never stays "in progress" for ever: the SPEC gives it up to five days
// (VerifyDeadline). When the registries could not be reached for that long — a long outage, or
// no registry configured — or the job ran its last attempt, the verification ends as "not
// completed": the citizen is told that the registries could not be reached and to send the data
// again later, and may do so at once. While it runs the citizen may also withdraw it
// (WithdrawVerification) to correct the data.

// VerificationState is where a profile's verification is.
type VerificationState string

// The states of a verification.
const (
	Draft      VerificationState = "draft"       // typed, not submitted
	InProgress VerificationState = "in_progress" // submitted; the registries are being asked
	Verified   VerificationState = "verified"
	Refused    VerificationState = "refused"
	// NotCompleted: the registries could not be reached within VerifyDeadline (or the job ran
	// its last attempt); nothing was decided about the data, which may be sent again.
	NotCompleted VerificationState = "not_completed"
)

// VerifyDeadline is how long a verification may wait for registries that cannot be reached
// before it ends as NotCompleted: the "up to 5 days" of IDP-3, counted from the submission.
const VerifyDeadline = 5 * 24 * time.Hour

// verifyAttempts is the job's attempts: with the queue's back-off capped at an hour, more than
// VerifyDeadline needs, so that the deadline, not the queue, ends an outage's wait.
const verifyAttempts = 200

// RegistryName names an external registry.
type RegistryName string

// The registries a profile is checked against.
const (
	PensionFund RegistryName = "pension_fund" // СНИЛС with name and birth date
	Migration   RegistryName = "migration"    // the passport
	TaxRegister RegistryName = "tax_register" // the ИНН, in kabinet's own register
)

// CheckState is where one registry's check is.
type CheckState string

// The states of a check.
const (
	Waiting CheckState = "waiting"
	Passed  CheckState = "passed"
	Failed  CheckState = "failed"
)

// Check is one registry's answer on a submitted profile.
type Check struct {
	Registry RegistryName `json:"registry"`
	State    CheckState   `json:"state"`
	Reason   string       `json:"reason,omitempty"` // a catalogue key saying why it failed
	At       time.Time    `json:"at,omitzero"`
}

// Verification is an account's profile as typed and as submitted, and its verification.
type Verification struct {
	AccountID   string
	State       VerificationState
	Draft       Profile // what is typed, kept as it is typed
	Submitted   Profile // what was sent to the registries
	Seq         int     // submissions so far; a job checks the submission it was made for
	SubmittedAt time.Time
	Checks      []Check
	Reason      string // the refusal's catalogue key ("idp.refused.passport_invalid" …)
	DecidedAt   time.Time
	// LostLevel is the level the account lost when this submission changed data a past
	// verification vouched for; it is shown until a verification ends.
	LostLevel Level
	Version   int64
}

// PersonQuery is what a registry is asked about a person.
type PersonQuery struct {
	Surname, GivenName, Patronymic string
	BirthDate                      time.Time
	SNILS                          string
	Passport                       Document
	INN                            string
}

// Answer is a registry's answer. Ready is false while the registry has not decided yet; then
// RetryAt says when to ask again. Reason is a catalogue key saying why a check failed.
type Answer struct {
	Ready   bool
	RetryAt time.Time
	OK      bool
	Reason  string
}

// Registry is an external registry a profile is checked against (IDP-3). An error means the
// registry could not be asked (it is down, it timed out): the check is tried again later. The
// adapters are in package registry: one over HTTP, and an embedded reference registry for the
// demo and the tests.
type Registry interface {
	Check(ctx context.Context, r RegistryName, q PersonQuery) (Answer, error)
}

// The reasons a check fails, as catalogue keys.
const (
	ReasonNotFound        = "idp.refused.not_found"        // the registry knows no such person
	ReasonSNILSMismatch   = "idp.refused.snils_mismatch"   // the СНИЛС belongs to someone else (name or birth date differ)
	ReasonPassportInvalid = "idp.refused.passport_invalid" // the passport is invalid (lost, replaced, expired)
	ReasonPassportUnknown = "idp.refused.passport_unknown" // no such passport for this person
	ReasonINNMismatch     = "idp.refused.inn_mismatch"     // the register holds another person under this ИНН
	ReasonSNILSTaken      = "idp.refused.snils_taken"      // another account holds this СНИЛС
	// ReasonUnreachable is why a verification was not completed: the registries could not be
	// reached (not a refusal of the data).
	ReasonUnreachable = "idp.refused.unreachable"
)
