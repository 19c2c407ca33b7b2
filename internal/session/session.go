// Package session holds the sessions of every site's users (staff in the back office, citizens in
// the identity provider and the personal account): who is signed in where, how they proved it,
// the assurance they reached and when, and the rules of expiry, rotation, listing and "sign out
// everywhere". It knows neither cookies nor HTTP (package web carries a session's token in a
// cookie or a header) and no SQL (the Store is implemented by package store). Only a token's
// SHA-256 is stored.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// Method is how a user authenticated. The identity provider puts it (as amr) and the assurance
// (as acr) into its tokens; a sensitive change can ask for a fresh authentication.
type Method string

// Methods.
const (
	Password          Method = "password"           // a permanent password
	TemporaryPassword Method = "temporary_password" // a password handed out on a registration card (LK-1)
	OneTimeCode       Method = "one_time_code"      // a code sent by SMS or e-mail
	ESignature        Method = "esign"              // a qualified electronic signature (LK-5, IDP-4c)
	IdentityProvider  Method = "identity_provider"  // a login through an OpenID Connect provider (LK-6)
)

// Valid reports whether m is a known method.
func (m Method) Valid() bool {
	switch m {
	case Password, TemporaryPassword, OneTimeCode, ESignature, IdentityProvider:
		return true
	}
	return false
}

// Session is a signed-in user of one site.
type Session struct {
	ID        string // public id, to list and end one session without knowing its token
	Hash      []byte // SHA-256 of the token
	Site      string // the site it belongs to ("office", "id", "lk", …): a session is valid only there
	Subject   string // the user on that site: a staff login, an account id, a TIN
	Method    Method
	Assurance string    // what the authentication reached on that site (a staff role, an account level)
	AuthTime  time.Time // when the user last proved who they are
	CSRF      string    // the anti-forgery token of the session's forms
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute expiry
	UserAgent string    // for the list of devices, cut to 200 bytes
	Address   string    // client address at sign-in, for the list of devices
	// Holder is the account the session belongs to when the store read it with the session (a
	// site whose accounts the store keeps: see Store.SessionByHash), so that the site's
	// Authorize need not read it again; nil otherwise.
	Holder any
}

// Store keeps sessions; implemented by package store. Missing rows are storeerr.ErrNotFound.
type Store interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns the session with hash; a store that keeps the accounts of site
	// may return, with a session of site, its account in Holder, read at the same time.
	SessionByHash(ctx context.Context, hash []byte, site string) (*Session, error)
	TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error
	UpdateSessionAuth(ctx context.Context, hash []byte, m Method, assurance string, at time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteSessionsOf ends the subject's sessions on site, all but the one whose hash is keep
	// (nil: all of them), and returns how many ended.
	DeleteSessionsOf(ctx context.Context, site, subject string, keep []byte) (int, error)
	DeleteSessionByID(ctx context.Context, site, subject, id string) error
	ListSessionsOf(ctx context.Context, site, subject string) ([]Session, error)
	// DeleteExpiredSessions deletes the sessions that expired before expiredBefore or were last
	// seen before idleBefore, and returns how many.
	DeleteExpiredSessions(ctx context.Context, expiredBefore, idleBefore time.Time) (int, error)
}

// Manager applies the session rules over a Store.
type Manager struct {
	st       Store
	Idle     time.Duration // a session unused this long ends
	Absolute time.Duration // a session ends this long after sign-in whatever happens
	now      func() time.Time
}

// NewManager returns session management over st: 30 minutes idle, 12 hours absolute.
func NewManager(st Store, now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	return &Manager{st: st, Idle: 30 * time.Minute, Absolute: 12 * time.Hour, now: now}
}

// Start is what a sign-in hands to Manager.Start.
type Start struct {
	Site      string
	Subject   string
	Method    Method
	Assurance string
	UserAgent string
	Address   string
}

// ErrInvalid is returned for a Start without a site, a subject or a known method.
var ErrInvalid = errors.New("session: site, subject and a known method are required")

// NewToken returns a fresh random token (256 bits, URL-safe).
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the stored form of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Start begins a session after a successful sign-in and returns its token, to be carried by the
// client. The caller ends the session the client had on the same site, if any (see Replace), so
// that a token fixed before sign-in is never reused.
func (m *Manager) Start(ctx context.Context, in Start) (string, *Session, error) {
	if in.Site == "" || in.Subject == "" || !in.Method.Valid() {
		return "", nil, ErrInvalid
	}
	token := NewToken()
	now := m.now().UTC()
	idb := make([]byte, 12)
	rand.Read(idb)
	ua := in.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	s := Session{ID: hex.EncodeToString(idb), Hash: Hash(token), Site: in.Site, Subject: in.Subject, Method: in.Method,
		Assurance: in.Assurance, AuthTime: now, CSRF: NewToken(), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(m.Absolute),
		UserAgent: ua, Address: in.Address}
	if err := m.st.CreateSession(ctx, s); err != nil {
		return "", nil, err
	}
	return token, &s, nil
}

// Get returns the live session of token on site, or nil. A session of another site is not
// seen (and left alone: a staff session and a citizen's coexist in one browser); an expired one
// is deleted.
func (m *Manager) Get(ctx context.Context, site, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	h := Hash(token)
	s, err := m.st.SessionByHash(ctx, h, site)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if s.Site != site {
		return nil, nil
	}
	now := m.now().UTC()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeen) > m.Idle {
		_ = m.st.DeleteSession(ctx, h)
		return nil, nil
	}
	if now.Sub(s.LastSeen) > time.Minute {
		if err := m.st.TouchSession(ctx, h, now); err != nil {
			return nil, err
		}
		s.LastSeen = now
	}
	return s, nil
}

// End ends the session of token (whatever its site).
func (m *Manager) End(ctx context.Context, token string) error {
	if token == "" || len(token) > 100 {
		return nil
	}
	return m.st.DeleteSession(ctx, Hash(token))
}

// EndAll ends every session of subject on site ("sign out everywhere"; after a password change,
// a card re-issue, a recovery), except the one of keepToken when it is not empty, and returns how
// many ended.
func (m *Manager) EndAll(ctx context.Context, site, subject, keepToken string) (int, error) {
	var keep []byte
	if keepToken != "" {
		keep = Hash(keepToken)
	}
	return m.st.DeleteSessionsOf(ctx, site, subject, keep)
}

// EndOne ends one session of subject on site by its public id (a device in the list).
func (m *Manager) EndOne(ctx context.Context, site, subject, id string) error {
	return m.st.DeleteSessionByID(ctx, site, subject, id)
}

// List returns the live sessions of subject on site, the most recently used first.
func (m *Manager) List(ctx context.Context, site, subject string) ([]Session, error) {
	all, err := m.st.ListSessionsOf(ctx, site, subject)
	if err != nil {
		return nil, err
	}
	now := m.now().UTC()
	live := all[:0]
	for _, s := range all {
		if now.Before(s.ExpiresAt) && now.Sub(s.LastSeen) <= m.Idle {
			live = append(live, s)
		}
	}
	return live, nil
}

// Reauthenticated records that the user of token proved who they are again (with method,
// reaching assurance), as a sensitive change asks.
func (m *Manager) Reauthenticated(ctx context.Context, token string, method Method, assurance string) error {
	return m.st.UpdateSessionAuth(ctx, Hash(token), method, assurance, m.now().UTC())
}

// Fresh reports whether s authenticated within maxAge: a sensitive change (a new password, a
// new e-mail) asks for a fresh authentication otherwise.
func (m *Manager) Fresh(s *Session, maxAge time.Duration) bool {
	return s != nil && m.now().UTC().Sub(s.AuthTime) <= maxAge
}

// Cleanup deletes the sessions that have expired or gone idle (a periodic job).
func (m *Manager) Cleanup(ctx context.Context) (int, error) {
	now := m.now().UTC()
	return m.st.DeleteExpiredSessions(ctx, now, now.Add(-m.Idle))
}
