package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
)

// InsertAudit writes one audit entry on one record inside tx (BO-5). Every store method that
// changes data on a staff member's behalf calls it in the same transaction as the change; an
// action on many records goes through writeAudit.
func InsertAudit(ctx context.Context, tx execer, e audit.Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := tx.ExecContext(ctx, insertAuditSQL, e.At.UTC(), e.Actor.Login, e.Actor.Role, e.Action, e.Subject, e.Details, e.Actor.RemoteAddr)
	return err
}

const insertAuditSQL = `INSERT INTO audit_log (at, actor_login, actor_role, action, subject, details, remote_addr) VALUES ($1, $2, $3, $4, $5, $6, $7)`

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

// ListAudit returns audit entries matching f, newest first (BO-5). With a subject, the entries
// on that record alone and those on many records among which it is; Subject is then that record.
// With f.After, the f.Limit entries just newer than it (read oldest first, returned newest first).
// Each entry carries its staff member's name, when the actor is one.
//
// The staff filter is a LIKE on the login and on the name, both folded to lower case by the same
// SQL on both engines: lower() for Latin letters and replace() for Cyrillic ones, which neither
// engine folds in a C locale (foldSQL); the text looked for is folded alike in Go (foldText).
func (db *DB) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Actor != "" {
		add("a.actor_login = ?", f.Actor)
	}
	if f.Staff != "" {
		add(`(lower(a.actor_login) LIKE ? ESCAPE '\' OR a.actor_login IN (SELECT login FROM staff WHERE `+foldSQL("name")+` LIKE ? ESCAPE '\'))`,
			"%"+likeEscape(foldText(f.Staff))+"%")
	}
	if f.Subject != "" {
		add("a.id IN (SELECT id FROM audit_log WHERE subject = ? UNION ALL SELECT audit_id FROM audit_subjects WHERE subject = ?)", f.Subject)
	}
	if f.Action != "" {
		add("a.action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("a.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("a.at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		add("a.id < ?", f.Before)
	}
	order := "DESC"
	if f.After > 0 {
		add("a.id > ?", f.After)
		order = "ASC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	// One more than the largest page, so that a reader can tell whether another page follows.
	limit = min(limit, audit.MaxLimit+1)
	q := `SELECT a.id, a.at, a.actor_login, a.actor_role, a.action, a.subject, a.subject_count, a.details, a.remote_addr, COALESCE(s.name, '')
		FROM audit_log a LEFT JOIN staff s ON s.login = a.actor_login`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.id " + order + " LIMIT " + strconv.Itoa(limit)
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var count int64
		if err := rows.Scan(&e.ID, &e.At, &e.Actor.Login, &e.Actor.Role, &e.Action, &e.Subject, &count, &e.Details, &e.Actor.RemoteAddr, &e.Actor.Name); err != nil {
			return nil, err
		}
		e.Count = int(count)
		if f.Subject != "" {
			e.Subject = f.Subject
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.After > 0 {
		slices.Reverse(out)
	}
	return out, nil
}

// foldCyrillic maps the capital Cyrillic letters of Russian and Kyrgyz to small ones, and ё to е
// (as names are matched elsewhere, register.NormalizeName), for foldSQL and foldText alike.
var foldCyrillic = func() [][2]string {
	var out [][2]string
	for r := 'А'; r <= 'Я'; r++ {
		out = append(out, [2]string{string(r), string(r + 0x20)})
	}
	return append(out, [2]string{"Ё", "е"}, [2]string{"ё", "е"}, [2]string{"Ң", "ң"}, [2]string{"Ө", "ө"}, [2]string{"Ү", "ү"})
}()

// foldSQL is the SQL expression of col folded to lower case, the same on both engines.
func foldSQL(col string) string {
	expr := col
	for _, p := range foldCyrillic {
		expr = "replace(" + expr + ", '" + p[0] + "', '" + p[1] + "')"
	}
	return "lower(" + expr + ")"
}

// foldText folds s as foldSQL folds a column: Latin and the letters of foldCyrillic, nothing else.
func foldText(s string) string {
	for _, p := range foldCyrillic {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// likeEscape makes s a literal part of a LIKE pattern with ESCAPE '\': %, _ and \ stand for
// themselves.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
