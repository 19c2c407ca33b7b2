package identity

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
)

// Effects are what a change brings with it, written by the store in the change's own
// transaction: so a registration always has its code in the outbox, a submitted profile its
// verification job, an operator's confirmation its audit entry, and a rolled-back change none.
type Effects struct {
	Events   []Event          // the account's security history
	Messages []notify.Message // prepared by notify.Prepare
	Jobs     []jobs.Spec
	Audit    []audit.Entry // staff actions on accounts (BO-4, BO-5)
}

// Event is one line of an account's security history: a login, a failed login, a changed
// password, a confirmation … (the settings page lists them).
type Event struct {
	AccountID string
	At        time.Time
	Kind      string // see EventKinds
	Address   string // client address
	Device    string // user agent, cut
	Details   string // short, never a secret
}

// EventKinds are the kinds of security events.
var EventKinds = []string{"registered", "login", "login_failed", "password_changed", "recovered", "profile_submitted", "verified",
	"verification_refused", "verification_not_completed", "verification_withdrawn", "confirmed", "letter_ordered", "contact_changed",
	"signed_out_everywhere", "session_ended", "level_lost"}

// Search finds accounts for an operator (BO-4): by СНИЛС or by passport series and number.
type Search struct {
	SNILS    string
	Passport string // series and number as PassportKey keys them
	Limit    int
}

// Store keeps accounts; implemented by package store. Missing rows are storeerr.ErrNotFound; a
// phone, an e-mail or a СНИЛС already taken is a *storeerr.KeyTaken whose Key names "phone",
// "email" or "snils"; a stale version is storeerr.ErrConflict.
type Store interface {
	InsertAccount(ctx context.Context, a Account, e Effects) error
	Account(ctx context.Context, id string) (*Account, error)
	AccountBy(ctx context.Context, kind LoginKind, value string) (*Account, error)
	// UpdateAccount writes a changed account if its stored version is a.Version (and stores
	// a.Version+1).
	UpdateAccount(ctx context.Context, a Account, e Effects) error
	FindAccounts(ctx context.Context, s Search) ([]Account, error)
	Events(ctx context.Context, accountID string, limit int) ([]Event, error)
	// Record writes effects alone (a failed login's event, a code's message).
	Record(ctx context.Context, e Effects) error

	// PutCode stores a code, replacing the one of the same purpose and key.
	PutCode(ctx context.Context, c Code, e Effects) error
	Code(ctx context.Context, purpose Purpose, key string) (*Code, error)
	DeleteCode(ctx context.Context, purpose Purpose, key string) error

	// The profile a citizen fills in, and its verification (IDP-3).
	PutVerification(ctx context.Context, v Verification, e Effects) error
	Verification(ctx context.Context, accountID string) (*Verification, error)
	// VerificationState returns where the verification is without its data: State, Reason,
	// LostLevel, SubmittedAt, DecidedAt and Version (the account's page shows no more).
	VerificationState(ctx context.Context, accountID string) (*Verification, error)

	// Letters of the registered-mail confirmation (IDP-4b).
	InsertLetter(ctx context.Context, l Letter, e Effects) error
	Letters(ctx context.Context, accountID string) ([]Letter, error)
}

// AuditActions are the identity provider's staff actions in the audit log (BO-4, BO-5).
var AuditActions = []string{"account.confirm", "account.confirm_code"}
