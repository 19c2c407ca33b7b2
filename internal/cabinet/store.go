package cabinet

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/notify"
)

// Effects are what a change brings with it, written by the store in the change's own
// transaction: so a new card always has its audit entry and its line in the account's history, a
// recovery link its e-mail in the outbox, and a rolled-back change none of them.
type Effects struct {
	Events   []Event       // the accounts' history (logins, changes, staff actions on them)
	Messages []Notice      // prepared by notify.Prepare, each about one account
	Audit    []audit.Entry // staff actions (BO-2, BO-3, BO-5)
}

// Notice is a message to an account's owner: it is sent from the outbox and listed among the
// account's notifications.
type Notice struct {
	TIN     string
	Message notify.Message
}

// Event is one line of an account's history: a login, a failed login, a new card, a changed
// password, a representative who acted … (the security settings list them).
type Event struct {
	TIN     string
	At      time.Time
	Kind    string // see EventKinds
	Address string // the client's address
	Device  string // the user agent, cut
	Actor   string // who did it when not the owner: a staff login, a representative's TIN
	Details string // short, never a secret
	// ByStaff, StaffName and StaffPosition are set by Service.Events, not stored: the event was
	// done by a staff member, whom the history names by their name and position from the staff
	// directory (both "" when it does not know the login) and never by the login in Actor.
	ByStaff                  bool
	StaffName, StaffPosition string
}

// EventKinds are the kinds of events of an account's history.
var EventKinds = []string{"card_issued", "card_reissued", "login", "login_failed", "login_blocked", "temporary_login", "password_set",
	"password_changed", "esign_login", "esign_registered", "provider_login", "email_confirmed", "phone_confirmed", "recovery_on",
	"recovery_off", "recovery_code_word_wrong", "recovery_blocked", "recovery_link_sent", "recovered", "recovery_restored",
	"signed_out_everywhere", "representative_added", "representative_revoked", "acting", "extract_issued", "application_approved",
	"registration_approved", "mobile_login", "mobile_logout", "mobile_token_reused", "terms_accepted", "temporary_retired",
	"access_restored"}

// AuditActions are the personal account's staff actions in the audit log (BO-2, BO-3, BO-5).
var AuditActions = []string{"lk.card.issue", "lk.card.reissue", "lk.card.pdf", "lk.recovery.restore", "lk.representative.add",
	"lk.representative.revoke", "lk.application.approve", "lk.application.refuse", "lk.registration.approve", "lk.registration.refuse",
	"lk.registration.print", "lk.account.add",
	"lk.access.restore", "lk.access.print"}

// Notification is a message sent (or waiting in the outbox) to an account's owner.
type Notification struct {
	ID      string
	At      time.Time
	Channel string // email, sms
	To      string
	Key     string // the catalogue key it was rendered from
	State   string // queued, sent
	SentAt  time.Time
}

// CardIssue is a card issued and the account it gives credentials to, written at once: the
// account inserted (Insert) or updated at its version, the card added, every earlier card of the
// account marked replaced, and the application it answers, when one, marked approved.
type CardIssue struct {
	Account     Account
	Insert      bool
	Card        Card
	Application *Application
}

// RepresentationFilter selects representations: those of a principal, of a representative, or
// one pair; all of them, revoked too.
type RepresentationFilter struct {
	Principal      string
	Representative string
}

// ApplicationFilter selects online applications for the queue (BO-3), the newest first.
type ApplicationFilter struct {
	State AppState // "" for any
	Name  string   // a prefix of the surname, in lower case, ё as е
	Limit int
}

// Store keeps the personal accounts; implemented by package store. Missing rows are
// storeerr.ErrNotFound; an account inserted twice is a *storeerr.KeyTaken; a stale version is
// storeerr.ErrConflict.
type Store interface {
	InsertAccount(ctx context.Context, a Account, e Effects) error
	Account(ctx context.Context, tin string) (*Account, error)
	// UpdateAccount writes a changed account if its stored version is a.Version (and stores
	// a.Version+1).
	UpdateAccount(ctx context.Context, a Account, e Effects) error
	// Record writes effects alone (a failed login's event, a staff action's audit entry).
	Record(ctx context.Context, e Effects) error
	Events(ctx context.Context, tin string, limit int) ([]Event, error)
	Notifications(ctx context.Context, tin string, limit int) ([]Notification, error)

	IssueCard(ctx context.Context, c CardIssue, e Effects) error
	// UseCard writes the account (at its version) and marks its card used at the instant given.
	UseCard(ctx context.Context, a Account, cardID string, at time.Time, e Effects) error
	Cards(ctx context.Context, tin string) ([]Card, error)
	Card(ctx context.Context, id string) (*Card, error)

	// PutCode stores a code, replacing the one of the same purpose and key.
	PutCode(ctx context.Context, c Code, e Effects) error
	Code(ctx context.Context, purpose Purpose, key string) (*Code, error)
	// TakeCode removes and returns a code atomically: of concurrent takers one gets it.
	TakeCode(ctx context.Context, purpose Purpose, key string) (*Code, error)
	DeleteCode(ctx context.Context, purpose Purpose, key string) error

	// InsertApplication stores a new application and returns its sequence number.
	InsertApplication(ctx context.Context, a Application) (int64, error)
	Application(ctx context.Context, seq int64) (*Application, error)
	Applications(ctx context.Context, f ApplicationFilter) ([]Application, error)
	// UpdateApplication writes an application if its stored version is a.Version.
	UpdateApplication(ctx context.Context, a Application, e Effects) error

	// InsertRepresentation stores a representation; the principal's account is inserted with
	// it when principal is not nil (a child's or a principal's account without credentials).
	InsertRepresentation(ctx context.Context, r Representation, principal *Account, e Effects) error
	Representations(ctx context.Context, f RepresentationFilter) ([]Representation, error)
	Representation(ctx context.Context, id string) (*Representation, error)
	// RevokeRepresentation marks a representation revoked, if it is not yet.
	RevokeRepresentation(ctx context.Context, id string, at time.Time, by string, e Effects) error

	RegistrationStore
	MobileStore
	AccessStore
}

// RegistrationStore keeps the applications of self-registration (KG-1, registration.go).
type RegistrationStore interface {
	// InsertRegistration stores a new application and returns its sequence number; a
	// *storeerr.KeyTaken when an application of the same login is waiting.
	InsertRegistration(ctx context.Context, r Registration) (int64, error)
	Registration(ctx context.Context, seq int64) (*Registration, error)
	// PendingRegistration returns the application of a login that waits for a decision.
	PendingRegistration(ctx context.Context, login string) (*Registration, error)
	Registrations(ctx context.Context, f RegistrationFilter) ([]Registration, error)
	// DecideRegistration writes a decided application if its stored version is r.Version, with
	// the account an approval creates (nil for a refusal; a *storeerr.KeyTaken when the login has
	// an account already).
	DecideRegistration(ctx context.Context, r Registration, a *Account, e Effects) error
}

// MobileStore keeps the mobile application's tokens and the documents' acceptances (KG-2,
// mobile.go, terms.go).
type MobileStore interface {
	// Acceptances returns an account's acceptances, the newest first.
	Acceptances(ctx context.Context, tin string) ([]Acceptance, error)
	// IssueMobileTokens stores new tokens and acceptances (one already recorded is kept as it
	// was) with their effects, at once.
	IssueMobileTokens(ctx context.Context, tokens []MobileToken, acc []Acceptance, e Effects) error
	MobileToken(ctx context.Context, hash []byte) (*MobileToken, error)
	// UseMobileToken marks a token used at at; storeerr.ErrConflict when it was used already.
	UseMobileToken(ctx context.Context, hash []byte, at time.Time) error
	// RevokeMobileFamily revokes every token of a chain not yet revoked, with the effects.
	RevokeMobileFamily(ctx context.Context, family string, at time.Time, e Effects) error
	// RevokeMobileTokensOf revokes every token of an account not yet revoked.
	RevokeMobileTokensOf(ctx context.Context, tin string, at time.Time) error
	DeleteExpiredMobileTokens(ctx context.Context, before time.Time) (int, error)
}
