package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/session"
)

// Sessions implements session.Store.
type Sessions struct {
	db *DB
	q  *stmtCache
}

// NewSessions returns the session storage of db.
func NewSessions(db *DB) *Sessions { return &Sessions{db: db, q: newStmtCache(db.SQL)} }

var _ session.Store = (*Sessions)(nil)

const sessionColumns = `id, hash, site, subject, method, assurance, auth_time, csrf, created_at, last_seen, expires_at, user_agent, address`

// sessionFields are the destinations of a row of sessionColumns and what makes the session of
// them once scanned.
func sessionFields() (*session.Session, []any, func()) {
	var s session.Session
	var method string
	return &s, []any{&s.ID, &s.Hash, &s.Site, &s.Subject, &method, &s.Assurance, &s.AuthTime, &s.CSRF, &s.CreatedAt, &s.LastSeen,
			&s.ExpiresAt, &s.UserAgent, &s.Address}, func() {
			s.Method = session.Method(method)
			s.AuthTime, s.CreatedAt, s.LastSeen, s.ExpiresAt = s.AuthTime.UTC(), s.CreatedAt.UTC(), s.LastSeen.UTC(), s.ExpiresAt.UTC()
		}
}

func scanSession(sc interface{ Scan(...any) error }) (*session.Session, error) {
	s, dest, done := sessionFields()
	if err := sc.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	done()
	return s, nil
}

// sessionHolder is the account table the sessions of a site belong to, read with the session.
type sessionHolder struct {
	query  string                            // the session and its account, by hash and site
	fields func() (any, []any, func() error) // the account's destinations and its making
}

// sessionHolders are the sites whose accounts this store keeps — the identity provider's and the
// personal account's: every page a citizen sees signed in needs the session and its account,
// and SessionByHash reads both in one statement.
var sessionHolders = map[string]sessionHolder{
	identity.Site: holderOf("idp_accounts", "id", accountColumns, func() (any, []any, func() error) { return accountFields() }),
	cabinet.Site: holderOf("lk_accounts", "tin", lkAccountColumns, func() (any, []any, func() error) {
		a, dest, done := lkAccountFields()
		return a, dest, func() error { done(); return nil }
	}),
}

func holderOf(table, key, columns string, fields func() (any, []any, func() error)) sessionHolder {
	return sessionHolder{query: `SELECT ` + qualified("s", sessionColumns) + `, ` + qualified("h", columns) + ` FROM sessions s JOIN ` + table +
		` h ON h.` + key + ` = s.subject WHERE s.hash = $1 AND s.site = $2`, fields: fields}
}

// qualified prefixes each of a list of columns with a table's alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// CreateSession stores a session.
func (s *Sessions) CreateSession(ctx context.Context, r session.Session) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.Hash, r.Site, r.Subject, string(r.Method), r.Assurance, r.AuthTime.UTC(), r.CSRF, r.CreatedAt.UTC(), r.LastSeen.UTC(),
		r.ExpiresAt.UTC(), r.UserAgent, r.Address)
	return keyTaken(err)
}

// SessionByHash returns a session. A session of a site whose accounts this store keeps comes
// with its account (Session.Holder), read in the same statement; one whose account is not there
// (or of another site) is read alone.
func (s *Sessions) SessionByHash(ctx context.Context, hash []byte, site string) (*session.Session, error) {
	if h, ok := sessionHolders[site]; ok {
		sess, dest, done := sessionFields()
		holder, hdest, hdone := h.fields()
		err := s.q.QueryRowContext(ctx, h.query, hash, site).Scan(append(dest, hdest...)...)
		if err == nil {
			done()
			if err := hdone(); err != nil {
				return nil, err
			}
			sess.Holder = holder
			return sess, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	return scanSession(s.q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash))
}

// TouchSession records activity.
func (s *Sessions) TouchSession(ctx context.Context, hash []byte, lastSeen time.Time) error {
	_, err := s.q.ExecContext(ctx, `UPDATE sessions SET last_seen = $1 WHERE hash = $2`, lastSeen.UTC(), hash)
	return err
}

// UpdateSessionAuth records a new authentication within the session.
func (s *Sessions) UpdateSessionAuth(ctx context.Context, hash []byte, m session.Method, assurance string, at time.Time) error {
	return affected(s.q.ExecContext(ctx, `UPDATE sessions SET method = $1, assurance = $2, auth_time = $3 WHERE hash = $4`,
		string(m), assurance, at.UTC(), hash))
}

// DeleteSession removes a session.
func (s *Sessions) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return err
}

// DeleteSessionsOf removes the sessions of a subject on a site but the one kept.
func (s *Sessions) DeleteSessionsOf(ctx context.Context, site, subject string, keep []byte) (int, error) {
	if keep == nil {
		keep = []byte{}
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE site = $1 AND subject = $2 AND hash <> $3`, site, subject, keep)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteSessionByID removes one session of a subject by its public id.
func (s *Sessions) DeleteSessionByID(ctx context.Context, site, subject, id string) error {
	return affected(s.q.ExecContext(ctx, `DELETE FROM sessions WHERE site = $1 AND subject = $2 AND id = $3`, site, subject, id))
}

// ListSessionsOf returns the sessions of a subject on a site, the most recently used first.
func (s *Sessions) ListSessionsOf(ctx context.Context, site, subject string) ([]session.Session, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE site = $1 AND subject = $2 ORDER BY last_seen DESC, id LIMIT 100`, site, subject)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []session.Session
	for rows.Next() {
		r, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// DeleteExpiredSessions removes expired and idle sessions.
func (s *Sessions) DeleteExpiredSessions(ctx context.Context, expiredBefore, idleBefore time.Time) (int, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen < $2`, expiredBefore.UTC(), idleBefore.UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
