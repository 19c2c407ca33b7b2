// Package jobs is kabinet's durable job queue, which is also its outbox: a job is a row written in
// the same transaction as the business change that calls for it (a registration and the e-mail
// telling of it), so it exists exactly when the change is committed. Workers in any number of
// processes lease due jobs of the kinds they have handlers for, run them, and mark them done; a
// failed job is retried with exponential back-off and, after its last attempt, marked dead with its
// last error for a person to look at and retry.
//
// Delivery is at least once: a worker that dies while a handler runs leaves the job leased until
// its lease expires, and then another worker runs it again. A handler must therefore be safe to
// repeat (the notify handlers give a message one id, so a repeated send is recognised). Completing
// or failing a job is fenced by the lease's token, so a worker whose lease expired and whose job
// was leased again cannot overwrite the new lease's outcome.
//
// This package holds the rules (states, defaults, back-off, the worker and the scheduler of
// periodic jobs); it declares the Store it needs and imports no SQL driver and no net/http. The
// store package implements Store on SQLite and PostgreSQL.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// State is where a job is in its life.
type State string

// The states of a job: queued (waiting for its run time or for a worker), running (leased by a
// worker), done (its handler succeeded) and dead (it failed its last attempt, or failed
// permanently; only a person's Retry brings it back).
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Dead    State = "dead"
)

// Valid reports whether s is one of the four states.
func (s State) Valid() bool {
	switch s {
	case Queued, Running, Done, Dead:
		return true
	}
	return false
}

// DefaultMaxAttempts is how many times a job runs before it is dead, unless its Spec says otherwise.
const DefaultMaxAttempts = 8

// MaxErrorBytes bounds the handler's error text kept as a job's LastError.
const MaxErrorBytes = 1000

// Spec describes a job to enqueue.
type Spec struct {
	Kind        string    // what to do; the worker runs it with the handler registered for it
	Payload     []byte    // the handler's input, JSON (empty: none)
	Key         string    // idempotency key, optional: enqueueing a key that exists is a no-op
	RunAt       time.Time // not before this time; zero: now
	MaxAttempts int       // 0: DefaultMaxAttempts
}

// Job is a stored job.
type Job struct {
	ID          int64
	Kind        string
	Payload     []byte
	Key         string
	State       State
	Attempts    int // runs started so far, the current one included
	MaxAttempts int
	RunAt       time.Time // when it is due (for a retry: after its back-off)
	LeasedUntil time.Time // while running: when its lease expires
	LastError   string    // the last failure's error text, at most MaxErrorBytes
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DoneAt      time.Time // when it became done or dead
}

// Ticket names one lease of a job: the job's id and the lease's opaque random token. Every change
// a worker makes to a leased job is made with its ticket, and refused once the job was leased again.
type Ticket struct {
	ID    int64
	Token string
}

// Lease is a job leased to a worker until Until.
type Lease struct {
	Job
	Token string
	Until time.Time
}

// Ticket returns the lease's ticket.
func (l Lease) Ticket() Ticket { return Ticket{ID: l.ID, Token: l.Token} }

// Failure is the outcome of a failed run.
type Failure struct {
	At      time.Time
	Error   string    // the handler's error text, already truncated to MaxErrorBytes
	RetryAt time.Time // when to run it again; zero: the job is dead
}

// Filter selects jobs to list, newest first.
type Filter struct {
	State    State  // empty: any
	Kind     string // empty: any
	BeforeID int64  // > 0: only jobs with a smaller id (the next page)
	Limit    int    // ≤ 0 or > 1,000: 100
}

// Stat counts the jobs of one kind in one state.
type Stat struct {
	Kind   string
	State  State
	Count  int64
	Oldest time.Time // for queued jobs: when the oldest of them was created; otherwise zero
}

// Store is the storage the queue needs. Every method that takes a Ticket changes the job only while
// that lease is the job's current one.
type Store interface {
	// Enqueue stores jobs (normalized with Normalize); a Key that exists is skipped silently.
	Enqueue(ctx context.Context, specs ...Spec) error
	// Lease leases up to n jobs of the given kinds that are due at now: queued ones whose RunAt has
	// come, and running ones whose lease expired before now (their worker died). Each leased job's
	// Attempts grows by one. A job whose lease expired on its last attempt is marked dead instead
	// and not returned. Kinds are served in the order given, the oldest due jobs of each first.
	Lease(ctx context.Context, kinds []string, n int, now, until time.Time) ([]Lease, error)
	// Extend moves the leases of tickets to until, and returns the ids of the jobs still held.
	Extend(ctx context.Context, tickets []Ticket, until time.Time) ([]int64, error)
	// Complete marks jobs done, and returns the ids of those whose lease was still current.
	Complete(ctx context.Context, tickets []Ticket, at time.Time) ([]int64, error)
	// Fail records a failed run: queued again at f.RetryAt, or dead when it is zero. It returns
	// storeerr.ErrConflict when the lease is no longer current.
	Fail(ctx context.Context, t Ticket, f Failure) error
	// Release puts leased jobs that never started back in the queue, their attempt not counted.
	Release(ctx context.Context, tickets []Ticket, at time.Time) error
	// List returns jobs matching f, newest first.
	List(ctx context.Context, f Filter) ([]Job, error)
	// Retry queues a dead job again with its attempts reset (storeerr.ErrNotFound when it does not
	// exist, storeerr.ErrConflict when it is not dead).
	Retry(ctx context.Context, id int64, at time.Time) error
	// Stats counts jobs per kind and state.
	Stats(ctx context.Context) ([]Stat, error)
	// DeleteDone removes done jobs that finished before before, and returns how many.
	DeleteDone(ctx context.Context, before time.Time) (int64, error)
}

// Handler runs one job. A nil error marks the job done; an error re-queues it with back-off, or
// marks it dead after its last attempt or when the error is Permanent. The context ends when the
// worker loses the job's lease.
//
// The error's text is stored as the job's LastError (truncated to MaxErrorBytes), shown by
// `kabinet jobs list` and logged: it must never carry personal content — no message body, no
// code, no recipient address, no name or number of a person. Say what failed and why in general
// terms (e.g. "smtp: recipient rejected (550)") and name records by their ids.
type Handler func(ctx context.Context, j Job) error

// Normalize validates specs and fills in their defaults: RunAt now when zero (in UTC), MaxAttempts
// DefaultMaxAttempts when 0. A spec needs a kind, and a payload, if any, must be valid JSON.
func Normalize(now time.Time, specs []Spec) ([]Spec, error) {
	out := make([]Spec, len(specs))
	for i, s := range specs {
		if s.Kind == "" {
			return nil, errors.New("jobs: a job needs a kind")
		}
		if len(s.Payload) > 0 && !json.Valid(s.Payload) {
			return nil, fmt.Errorf("jobs: %s: payload is not valid JSON", s.Kind)
		}
		if s.MaxAttempts < 0 {
			return nil, fmt.Errorf("jobs: %s: negative MaxAttempts", s.Kind)
		}
		if s.MaxAttempts == 0 {
			s.MaxAttempts = DefaultMaxAttempts
		}
		if s.RunAt.IsZero() {
			s.RunAt = now
		}
		s.RunAt = s.RunAt.UTC()
		out[i] = s
	}
	return out, nil
}
