// Package flow holds stored self-service flows: a registration, a login, a recovery, a
// verification, a change of settings is a record with a kind, a state, an expiry, a CSRF token
// (for browsers), a return address, the client it serves (a browser's HTML form or a JSON
// client) and the data entered so far, so that a half-filled form survives a closed tab and a
// mobile app drives the same steps with the same rules. It knows neither HTTP nor SQL: the web
// kit shows a flow as a page or as JSON, the store keeps it, a periodic job removes expired ones.
//
// Data holds what the user typed that may be shown again — never a password, a code or an
// answer to a security question.
package flow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Client is who drives a flow.
type Client string

// Clients.
const (
	Browser Client = "browser" // HTML forms, with the CSRF token of the browser's cookie
	API     Client = "api"     // a JSON client (a native app); no cookies, so no CSRF
)

// Done is the state every flow ends in.
const Done = "done"

// Flow is one stored self-service flow.
type Flow struct {
	ID        string
	Kind      string // "office.login", "id.registration", …: the site's name, a dot, the flow
	State     string // the step it is at; its meaning belongs to the kind
	Client    Client
	CSRF      string // browser flows: the token the form must carry (the browser's CSRF cookie)
	ReturnTo  string // where to go when it is done (a path, checked by the web kit)
	Data      map[string]string
	Attempts  int // failed submissions so far
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
	Version   int64 // optimistic concurrency: a save of a stale copy is a conflict
}

// Store keeps flows; implemented by package store. A missing flow is storeerr.ErrNotFound; an
// update of a stale version is storeerr.ErrConflict.
type Store interface {
	CreateFlow(ctx context.Context, f Flow) error
	Flow(ctx context.Context, id string) (*Flow, error)
	UpdateFlow(ctx context.Context, f Flow) error // where the stored version is f.Version; stores f.Version+1
	DeleteFlow(ctx context.Context, id string) error
	DeleteExpiredFlows(ctx context.Context, before time.Time) (int, error)
}

// Manager applies the flows' rules over a Store.
type Manager struct {
	st  Store
	now func() time.Time
}

// NewManager returns flows over st.
func NewManager(st Store, now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	return &Manager{st: st, now: now}
}

var (
	msgUnknown  = problem.Msg("flow.unknown")
	msgExpired  = problem.Msg("flow.expired")
	msgConflict = problem.Msg("flow.conflict")
)

// Start is what a new flow needs.
type Start struct {
	Kind     string
	State    string // the first step
	Client   Client
	CSRF     string
	ReturnTo string
	TTL      time.Duration // how long it may take; at most a day
}

// Start creates a flow.
func (m *Manager) Start(ctx context.Context, in Start) (*Flow, error) {
	if in.TTL <= 0 || in.TTL > 24*time.Hour {
		in.TTL = time.Hour
	}
	if in.Client != API {
		in.Client = Browser
	}
	now := m.now().UTC()
	f := Flow{ID: newID(), Kind: in.Kind, State: in.State, Client: in.Client, CSRF: in.CSRF, ReturnTo: in.ReturnTo,
		Data: map[string]string{}, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(in.TTL), Version: 1}
	if in.Client == API {
		f.CSRF = ""
	}
	if err := m.st.CreateFlow(ctx, f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Get returns the live flow id of kind. An unknown id, a flow of another kind and a finished
// one are NotFound; an expired one is a Conflict saying to start again (and is removed).
func (m *Manager) Get(ctx context.Context, id, kind string) (*Flow, error) {
	if id == "" || len(id) > 64 {
		return nil, problem.New(problem.NotFound, msgUnknown)
	}
	f, err := m.st.Flow(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgUnknown)
	}
	if err != nil {
		return nil, err
	}
	if f.Kind != kind || f.State == Done {
		return nil, problem.New(problem.NotFound, msgUnknown)
	}
	if !m.now().Before(f.ExpiresAt) {
		_ = m.st.DeleteFlow(ctx, id)
		return nil, problem.New(problem.Conflict, msgExpired)
	}
	return f, nil
}

// Save stores the flow's new state and data; a flow changed meanwhile by another request
// (a second tab, a replayed submission) is a Conflict, and f is left as it was.
func (m *Manager) Save(ctx context.Context, f *Flow) error {
	next := *f
	next.UpdatedAt = m.now().UTC()
	err := m.st.UpdateFlow(ctx, next)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return problem.New(problem.Conflict, msgConflict)
	}
	if err != nil {
		return err
	}
	next.Version++
	*f = next
	return nil
}

// Finish ends a flow: it is marked done (so a replay of its last submission finds nothing).
func (m *Manager) Finish(ctx context.Context, f *Flow) error {
	f.State = Done
	f.Data = map[string]string{}
	return m.Save(ctx, f)
}

// Expired reports whether err says the flow ran out of time.
func Expired(err error) bool {
	p, ok := problem.As(err)
	return ok && p.Message.Key == msgExpired.Key
}

// Cleanup removes the flows that expired (a periodic job).
func (m *Manager) Cleanup(ctx context.Context) (int, error) {
	return m.st.DeleteExpiredFlows(ctx, m.now().UTC())
}

func newID() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
