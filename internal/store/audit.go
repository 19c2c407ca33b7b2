package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
)

// InsertAudit writes one audit entry on one record inside tx (BO-5). Every store method that
// changes data on a staff member's behalf calls it in the same transaction as the change; an
// action on many records goes through writeAudit.
func InsertAudit(ctx context.Context, tx *sql.Tx, e audit.Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_login, actor_role, action, subject, details, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.At.UTC(), e.Actor.Login, e.Actor.Role, e.Action, e.Subject, e.Details, e.Actor.RemoteAddr)
	return err
}

// writeAudit writes entries inside a transaction: those on one record in one statement, each
// action on many records as its entry and one audit_subjects row per record.
func writeAudit(ctx context.Context, q querier, d Dialect, entries []audit.Entry) error {
	single := make([][]any, 0, len(entries))
	for _, e := range entries {
		if e.At.IsZero() {
			e.At = time.Now()
		}
		if len(e.Subjects) <= 1 {
			if len(e.Subjects) == 1 {
				e.Subject = e.Subjects[0]
			}
			single = append(single, []any{e.At.UTC(), e.Actor.Login, e.Actor.Role, e.Action, e.Subject, e.Details, e.Actor.RemoteAddr})
			continue
		}
		var id int64
		if err := q.QueryRowContext(ctx, `INSERT INTO audit_log (at, actor_login, actor_role, action, subject, details, remote_addr, subject_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, e.At.UTC(), e.Actor.Login, e.Actor.Role, e.Action, e.Subjects[0], e.Details,
			e.Actor.RemoteAddr, int64(len(e.Subjects))).Scan(&id); err != nil {
			return err
		}
		rows := make([][]any, len(e.Subjects))
		for i, s := range e.Subjects {
			rows[i] = []any{s, id}
		}
		if err := insertRows(ctx, q, d, auditSubjectTable, rows); err != nil {
			return err
		}
	}
	return insertRows(ctx, q, d, auditTable, single)
}

// ListAudit returns audit entries matching f, newest first. With a subject, the entries on that
// record alone and those on many records among which it is; Subject is then that record.
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
		args = append(args, f.Subject)
		n := "$" + strconv.Itoa(len(args))
		where = append(where, "id IN (SELECT id FROM audit_log WHERE subject = "+n+" UNION ALL SELECT audit_id FROM audit_subjects WHERE subject = "+n+")")
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
	q := `SELECT id, at, actor_login, actor_role, action, subject, subject_count, details, remote_addr FROM audit_log`
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
		var count int64
		if err := rows.Scan(&e.ID, &e.At, &e.Actor.Login, &e.Actor.Role, &e.Action, &e.Subject, &count, &e.Details, &e.Actor.RemoteAddr); err != nil {
			return nil, err
		}
		e.Count = int(count)
		if f.Subject != "" {
			e.Subject = f.Subject
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
