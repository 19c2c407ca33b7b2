package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
)

// SessionCookie is the name of the session cookie. The __Host- prefix makes browsers refuse it
// unless it is Secure, host-only and for path / (browsers treat http://localhost and 127.0.0.1 as
// secure, so it works in development too).
const SessionCookie = "__Host-kabinet_session"

// SessionRecord is a session as stored: the token itself is never stored, only its SHA-256.
type SessionRecord struct {
	Hash      []byte
	Kind      string // "staff" now; "citizen" for the personal account later
	Subject   string // staff login, account id, …
	CSRF      string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute expiry
}

// SessionStore keeps sessions; implemented by package store.
type SessionStore interface {
	CreateSession(ctx context.Context, s SessionRecord) error
	SessionByHash(ctx context.Context, hash []byte) (*SessionRecord, error) // problem.NotFound when missing
	TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
	DeleteSessionsOf(ctx context.Context, kind, subject string) error
}

// Sessions manages database-backed sessions with idle and absolute expiry.
type Sessions struct {
	st       SessionStore
	Idle     time.Duration
	Absolute time.Duration
	now      func() time.Time
}

// NewSessions returns session management over st: 30 minutes idle, 12 hours absolute.
func NewSessions(st SessionStore, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{st: st, Idle: 30 * time.Minute, Absolute: 12 * time.Hour, now: now}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// Start begins a new session for subject (after a successful login), ending the one the request
// carried, so that a session id fixed before login is never reused.
func (s *Sessions) Start(w http.ResponseWriter, r *http.Request, kind, subject string) (*SessionRecord, error) {
	ctx := r.Context()
	if c, err := r.Cookie(SessionCookie); err == nil {
		_ = s.st.DeleteSession(ctx, hashToken(c.Value))
	}
	token := randomToken()
	now := s.now().UTC()
	rec := SessionRecord{Hash: hashToken(token), Kind: kind, Subject: subject, CSRF: randomToken(), CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.Absolute)}
	if err := s.st.CreateSession(ctx, rec); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return &rec, nil
}

// Get returns the request's live session of kind, or nil. Expired sessions are deleted.
func (s *Sessions) Get(r *http.Request, kind string) (*SessionRecord, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	h := hashToken(c.Value)
	rec, err := s.st.SessionByHash(r.Context(), h)
	if problem.Is(err, problem.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if rec.Kind != kind || now.After(rec.ExpiresAt) || now.Sub(rec.LastSeen) > s.Idle {
		if rec.Kind == kind {
			_ = s.st.DeleteSession(r.Context(), h)
		}
		return nil, nil
	}
	if now.Sub(rec.LastSeen) > time.Minute {
		_ = s.st.TouchSession(r.Context(), h, now)
	}
	return rec, nil
}

// End deletes the request's session and clears the cookie.
func (s *Sessions) End(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		_ = s.st.DeleteSession(r.Context(), hashToken(c.Value))
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// EndAll deletes every session of a subject (after a password reset, a card re-issue, …).
func (s *Sessions) EndAll(ctx context.Context, kind, subject string) error {
	return s.st.DeleteSessionsOf(ctx, kind, subject)
}

// PreCSRFCookie carries the anti-forgery token of forms shown before login (double submit).
const PreCSRFCookie = "__Host-kabinet_csrf"

// CSRFToken returns the token to put in the form: the session's, or before login a random value
// also set as a cookie.
func CSRFToken(w http.ResponseWriter, r *http.Request, sess *SessionRecord) string {
	if sess != nil {
		return sess.CSRF
	}
	if c, err := r.Cookie(PreCSRFCookie); err == nil && len(c.Value) >= 32 && len(c.Value) < 100 {
		return c.Value
	}
	t := randomToken()
	http.SetCookie(w, &http.Cookie{Name: PreCSRFCookie, Value: t, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return t
}

var msgCSRF = problem.Msg("csrf", "Форма устарела или отправлена с другого сайта. Обновите страницу и повторите", "The form has expired or came from another site. Reload the page and try again")

// CheckCSRF verifies an unsafe request: the Origin (when sent) is this host, and the form's
// "csrf" field equals the session's token (or the pre-login cookie), compared in constant time.
func CheckCSRF(r *http.Request, sess *SessionRecord) error {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if o != "http://"+r.Host && o != "https://"+r.Host {
			return problem.New(problem.Forbidden, msgCSRF)
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return problem.New(problem.Forbidden, msgCSRF)
	}
	got := r.PostFormValue("csrf")
	want := ""
	if sess != nil {
		want = sess.CSRF
	} else if c, err := r.Cookie(PreCSRFCookie); err == nil {
		want = c.Value
	}
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return problem.New(problem.Forbidden, msgCSRF)
	}
	return nil
}
