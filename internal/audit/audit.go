// Package audit defines the audit trail of staff actions (BO-5): who did what, when, on whose data.
// Entries are written by the storage of each domain in the same transaction as the change they
// record, so a change never exists without its entry. It owns no storage itself; it owns how the
// trail is read: the filter a reader may ask for (read.go), checked the same way for the back
// office's page and the API, and the keyset paging of its pages.
package audit

import (
	"context"
	"time"
)

// Actor is the staff member (or system process) on whose behalf a change is made.
type Actor struct {
	Login      string // staff login, or "system:import" etc. for processes
	Role       string // inspector, operator, admin, system
	RemoteAddr string // client address for web and API requests, empty for the CLI
	// Name is the staff member's name as the staff directory has it when the log is read; it is
	// never written (the entry keeps the login) and is empty for processes.
	Name string
}

// Entry is one line of the audit log: one staff action. An action on many records at once (a
// batch of registrations) is one entry that names all of them.
type Entry struct {
	ID      int64
	At      time.Time
	Actor   Actor
	Action  string // e.g. "person.register", "taxpayer.update", "staff.add", "token.issue"
	Subject string // whose data: a TIN, a staff login, a review id
	// Subjects, when written, are all the records of an action on many (Subject is then ignored
	// and becomes the first of them). They are not read back: a listing gives Subject (the one a
	// Filter asked for, or the first) and Count.
	Subjects []string
	Count    int    // how many records the action was on, as read (1 for most)
	Details  string // short human-readable summary; never passport or СНИЛС numbers
}

// Filter selects audit entries, newest first (BO-5). Its conditions all hold at once; an empty
// one selects everything.
type Filter struct {
	Actor string // entries of exactly this login
	// Staff selects the entries of the staff members whose login or name contains it, in any
	// case (Latin and Cyrillic letters; ё as е); % and _ in it are plain characters.
	Staff   string
	Subject string // entries on this record, alone or among many
	Action  string
	From    time.Time // entries at or after this instant, when not zero
	To      time.Time // entries before this instant, when not zero
	Before  int64     // entries with ID < Before when > 0 (keyset paging: older pages)
	// After selects entries with ID > After when > 0: the page just newer than one whose newest
	// entry is After. The Limit entries nearest to After are selected, still listed newest first.
	After int64
	Limit int
}

// Log reads the audit trail.
type Log interface {
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
}
