package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
)

// InsertAudit writes one audit entry inside tx (BO-5). Every store method that changes data on a
// staff member's behalf calls it in the same transaction as the change.
func InsertAudit(ctx context.Context, tx *sql.Tx, e audit.Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_login, actor_role, action, subject, details, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.At.UTC(), e.Actor.Login, e.Actor.Role, e.Action, e.Subject, e.Details, e.Actor.RemoteAddr)
	return err
}

// ListAudit returns audit entries matching f, newest first.
func (db *DB) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if f.Actor != "" {
		add("actor_login = ?", f.Actor)
	}
	if f.Subject != "" {
		add("subject = ?", f.Subject)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT id, at, actor_login, actor_role, action, subject, details, remote_addr FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor.Login, &e.Actor.Role, &e.Action, &e.Subject, &e.Details, &e.Actor.RemoteAddr); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
