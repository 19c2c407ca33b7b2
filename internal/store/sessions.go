package store

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// Sessions implements web.SessionStore.
type Sessions struct{ db *DB }

// NewSessions returns the session storage of db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db} }

var _ web.SessionStore = (*Sessions)(nil)

// CreateSession stores a session and removes long-expired ones.
func (s *Sessions) CreateSession(ctx context.Context, r web.SessionRecord) error {
	if _, err := s.db.SQL.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, r.CreatedAt.Add(-24*time.Hour).UTC()); err != nil {
		return err
	}
	_, err := s.db.SQL.ExecContext(ctx, `INSERT INTO sessions (hash, kind, subject, csrf, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.Hash, r.Kind, r.Subject, r.CSRF, r.CreatedAt.UTC(), r.LastSeen.UTC(), r.ExpiresAt.UTC())
	return err
}

// SessionByHash returns a session.
func (s *Sessions) SessionByHash(ctx context.Context, hash []byte) (*web.SessionRecord, error) {
	r := web.SessionRecord{Hash: hash}
	err := s.db.SQL.QueryRowContext(ctx, `SELECT kind, subject, csrf, created_at, last_seen, expires_at FROM sessions WHERE hash = $1`, hash).
		Scan(&r.Kind, &r.Subject, &r.CSRF, &r.CreatedAt, &r.LastSeen, &r.ExpiresAt)
	if IsNotFound(err) {
		return nil, problem.New(problem.NotFound, problem.MsgNotFound)
	}
	return &r, err
}

// TouchSession records activity.
func (s *Sessions) TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error {
	_, err := s.db.SQL.ExecContext(ctx, `UPDATE sessions SET last_seen = $1 WHERE hash = $2`, lastSeen.UTC(), hash)
	return err
}

// DeleteSession removes a session.
func (s *Sessions) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.db.SQL.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return err
}

// DeleteSessionsOf removes every session of a subject.
func (s *Sessions) DeleteSessionsOf(ctx context.Context, kind, subject string) error {
	_, err := s.db.SQL.ExecContext(ctx, `DELETE FROM sessions WHERE kind = $1 AND subject = $2`, kind, subject)
	return err
}
