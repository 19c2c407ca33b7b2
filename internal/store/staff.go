package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/staff"
)

// Staff implements staff.Store.
type Staff struct {
	db *DB
	q  *stmtCache
}

// NewStaff returns the staff storage of db.
func NewStaff(db *DB) *Staff { return &Staff{db: db, q: newStmtCache(db.SQL)} }

var _ staff.Store = (*Staff)(nil)

// InsertMember adds a member.
func (s *Staff) InsertMember(ctx context.Context, a staff.Account, e audit.Entry) (staff.Member, error) {
	m := a.Member
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO staff (login, name, position, office, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			a.Login, a.Name, a.Position, a.Office, string(a.Role), a.PasswordHash, a.CreatedAt.UTC()).Scan(&m.ID); err != nil {
			return keyTaken(err)
		}
		return InsertAudit(ctx, tx, e)
	})
	return m, err
}

// Account returns a member with credentials.
func (s *Staff) Account(ctx context.Context, login string) (*staff.Account, error) {
	var a staff.Account
	var role string
	err := s.q.QueryRowContext(ctx, `SELECT id, login, name, position, office, role, password_hash, created_at, disabled FROM staff WHERE login = $1`, login).
		Scan(&a.ID, &a.Login, &a.Name, &a.Position, &a.Office, &role, &a.PasswordHash, &a.CreatedAt, &a.Disabled)
	if err != nil {
		return nil, notFound(err)
	}
	a.Role = staff.Role(role)
	return &a, nil
}

// ListMembers returns every member by login.
func (s *Staff) ListMembers(ctx context.Context) ([]staff.Member, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT id, login, name, position, office, role, created_at, disabled FROM staff ORDER BY login`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []staff.Member
	for rows.Next() {
		var m staff.Member
		var role string
		if err := rows.Scan(&m.ID, &m.Login, &m.Name, &m.Position, &m.Office, &role, &m.CreatedAt, &m.Disabled); err != nil {
			return nil, err
		}
		m.Role = staff.Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// LogEvent writes an audit entry of a login.
func (s *Staff) LogEvent(ctx context.Context, e audit.Entry) error {
	// One statement, prepared once: it needs no transaction of its own.
	return retrying(ctx, "audit entry", func() error { return InsertAudit(ctx, s.q, e) })
}

func (s *Staff) exec(ctx context.Context, e audit.Entry, q string, args ...any) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if err := affected(res, nil); err != nil {
			return err
		}
		return InsertAudit(ctx, tx, e)
	})
}

// SetPosition sets a member's position (REG-9).
func (s *Staff) SetPosition(ctx context.Context, login, position string, e audit.Entry) error {
	return s.exec(ctx, e, `UPDATE staff SET position = $1 WHERE login = $2`, position, login)
}

// SetDisabled disables or enables a member; disabling revokes its tokens.
func (s *Staff) SetDisabled(ctx context.Context, login string, disabled bool, e audit.Entry) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff SET disabled = $1 WHERE login = $2`, disabled, login)
		if err != nil {
			return err
		}
		if err := affected(res, nil); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, `UPDATE staff_tokens SET revoked = TRUE WHERE login = $1`, login); err != nil {
				return err
			}
		}
		return InsertAudit(ctx, tx, e)
	})
}

// InsertToken stores a token hash.
func (s *Staff) InsertToken(ctx context.Context, hash []byte, login string, expires time.Time, e audit.Entry) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_tokens (token_hash, login, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, login, e.At.UTC(), expires.UTC()); err != nil {
			return err
		}
		return InsertAudit(ctx, tx, e)
	})
}

// TokenMember returns the member owning a token hash and the token's expiry.
func (s *Staff) TokenMember(ctx context.Context, hash []byte) (*staff.Member, time.Time, error) {
	var m staff.Member
	var role string
	var exp time.Time
	err := s.q.QueryRowContext(ctx, `SELECT s.id, s.login, s.name, s.position, s.office, s.role, s.created_at, s.disabled, t.expires_at
		FROM staff_tokens t JOIN staff s ON s.login = t.login WHERE t.token_hash = $1 AND NOT t.revoked`, hash).
		Scan(&m.ID, &m.Login, &m.Name, &m.Position, &m.Office, &role, &m.CreatedAt, &m.Disabled, &exp)
	if err != nil {
		return nil, time.Time{}, notFound(err)
	}
	m.Role = staff.Role(role)
	return &m, exp, nil
}
