package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Jobs implements jobs.Store: the durable queue and outbox (migration 00008_jobs.sql).
//
// A worker leases jobs with one UPDATE of the rows that one subquery picks, oldest due first; on
// PostgreSQL the subquery locks them FOR UPDATE SKIP LOCKED, so concurrent workers in many
// processes pick different rows without waiting on each other; SQLite's single writer (every
// write transaction begins IMMEDIATE) runs the same statement one at a time.
type Jobs struct{ db *DB }

// NewJobs returns the job storage of db.
func NewJobs(db *DB) *Jobs { return &Jobs{db: db} }

var _ jobs.Store = (*Jobs)(nil)

var jobTable = table{name: "jobs",
	cols:  []string{"kind", "payload", "idem_key", "state", "max_attempts", "run_at", "due_at", "created_at", "updated_at"},
	types: []string{"text", "text", "text", "text", "bigint", "timestamptz", "timestamptz", "timestamptz", "timestamptz"},
	tail:  " ON CONFLICT DO NOTHING"}

const jobColumns = `id, kind, payload, idem_key, state, attempts, max_attempts, run_at, leased_until, last_error, created_at, updated_at, done_at`

// enqueueJobs writes jobs inside the caller's transaction q, so that they exist exactly when the
// caller's change is committed: every store method whose change calls for a job (an e-mail, a
// follow-up) calls it with its own transaction. A job whose idempotency key exists is skipped.
func enqueueJobs(ctx context.Context, q querier, d Dialect, specs ...jobs.Spec) error {
	rows, err := jobRows(time.Now(), specs)
	if err != nil {
		return err
	}
	return insertRows(ctx, q, d, jobTable, rows)
}

// jobRows normalizes specs into rows of jobTable's columns.
func jobRows(now time.Time, specs []jobs.Spec) ([][]any, error) {
	specs, err := jobs.Normalize(now, specs)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	rows := make([][]any, len(specs))
	for i, s := range specs {
		var key any
		if s.Key != "" {
			key = s.Key
		}
		rows[i] = []any{s.Kind, string(s.Payload), key, string(jobs.Queued), int64(s.MaxAttempts), s.RunAt, s.RunAt, now, now}
	}
	return rows, nil
}

// Enqueue stores jobs in a transaction of their own.
func (s *Jobs) Enqueue(ctx context.Context, specs ...jobs.Spec) error {
	if len(specs) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return enqueueJobs(ctx, tx, s.db.Dialect, specs...) })
}

// Lease leases up to n due jobs of kinds (see jobs.Store), kind by kind in the order given, each
// with one statement, until it has n.
func (s *Jobs) Lease(ctx context.Context, kinds []string, n int, now, until time.Time) ([]jobs.Lease, error) {
	token := newLeaseToken()
	var out []jobs.Lease
	for _, kind := range kinds {
		if len(out) >= n {
			break
		}
		got, err := s.leaseKind(ctx, kind, n-len(out), token, now, until)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// leaseKind leases up to n due jobs of one kind, oldest first.
//
// due_at is a queued job's run_at and a running job's lease end, NULL once it is done or dead
// (see jobs_due in 00008_jobs.sql): one range of one index, in order, holds the due queued jobs
// and the expired leases alike. A job whose lease expired on its last attempt (its worker died
// every time) is dead, and is returned only to be left out. Every right-hand side reads the row
// as it was.
func (s *Jobs) leaseKind(ctx context.Context, kind string, n int, token string, now, until time.Time) ([]jobs.Lease, error) {
	lock := ""
	if s.db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	spent := "attempts >= max_attempts"
	q := `UPDATE jobs SET
		state = CASE WHEN ` + spent + ` THEN 'dead' ELSE 'running' END,
		attempts = CASE WHEN ` + spent + ` THEN attempts ELSE attempts + 1 END,
		lease_token = CASE WHEN ` + spent + ` THEN NULL ELSE $2 END,
		due_at = CASE WHEN ` + spent + ` THEN NULL ELSE ` + s.ts(3) + ` END,
		leased_until = CASE WHEN ` + spent + ` THEN NULL ELSE ` + s.ts(3) + ` END,
		last_error = CASE WHEN ` + spent + ` THEN 'jobs: the lease of the last attempt expired' ELSE last_error END,
		done_at = CASE WHEN ` + spent + ` THEN ` + s.ts(1) + ` END,
		updated_at = $1
	WHERE id IN (SELECT id FROM jobs WHERE kind = $4 AND due_at <= $1 ORDER BY due_at, id LIMIT ` + strconv.Itoa(n) + lock + `)
	RETURNING ` + jobColumns
	var out []jobs.Lease
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.db.SQL.QueryContext(ctx, q, now.UTC(), token, until.UTC(), kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			if j.State == jobs.Running {
				out = append(out, jobs.Lease{Job: j, Token: token, Until: j.LeasedUntil})
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// The statement returns rows in no set order: run the oldest due first.
	slices.SortFunc(out, func(a, b jobs.Lease) int {
		if c := a.RunAt.Compare(b.RunAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// ts returns placeholder n typed as an instant where PostgreSQL cannot infer it (a CASE).
func (s *Jobs) ts(n int) string {
	if s.db.Dialect == Postgres {
		return "CAST($" + strconv.Itoa(n) + " AS TIMESTAMPTZ)"
	}
	return "$" + strconv.Itoa(n)
}

// tickets returns a condition matching the rows of tickets (id and lease token), with its
// arguments numbered from after args.
func (s *Jobs) tickets(args []any, ts []jobs.Ticket) (string, []any) {
	if s.db.Dialect == Postgres {
		ids, tokens := make([]int64, len(ts)), make([]string, len(ts))
		for i, t := range ts {
			ids[i], tokens[i] = t.ID, t.Token
		}
		n := len(args)
		return fmt.Sprintf("(id, lease_token) IN (SELECT * FROM unnest(CAST($%d AS bigint[]), CAST($%d AS text[])))", n+1, n+2), append(args, ids, tokens)
	}
	var b strings.Builder
	b.WriteString("(id, lease_token) IN (VALUES ")
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, t.ID, t.Token)
		fmt.Fprintf(&b, "($%d, $%d)", len(args)-1, len(args))
	}
	b.WriteString(")")
	return b.String(), args
}

// updateHeld runs an UPDATE of the running jobs of tickets (set is its SET clause over args) and
// returns the ids of the rows it changed.
func (s *Jobs) updateHeld(ctx context.Context, ts []jobs.Ticket, set string, args ...any) ([]int64, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	cond, args := s.tickets(args, ts)
	q := `UPDATE jobs SET ` + set + ` WHERE state = 'running' AND ` + cond + ` RETURNING id`
	var ids []int64
	err := s.retry(ctx, func() error {
		ids = ids[:0]
		rows, err := s.db.SQL.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// Extend moves the leases of tickets to until.
func (s *Jobs) Extend(ctx context.Context, ts []jobs.Ticket, until time.Time) ([]int64, error) {
	return s.updateHeld(ctx, ts, `leased_until = $1, due_at = $1`, until.UTC())
}

// Complete marks the jobs of tickets done.
func (s *Jobs) Complete(ctx context.Context, ts []jobs.Ticket, at time.Time) ([]int64, error) {
	return s.updateHeld(ctx, ts, `state = 'done', done_at = $1, updated_at = $1, due_at = NULL, lease_token = NULL, leased_until = NULL`, at.UTC())
}

// Release puts the jobs of tickets back in the queue without counting their attempt.
func (s *Jobs) Release(ctx context.Context, ts []jobs.Ticket, at time.Time) error {
	_, err := s.updateHeld(ctx, ts, `state = 'queued', attempts = attempts - 1, due_at = $1, updated_at = $1, lease_token = NULL, leased_until = NULL`, at.UTC())
	return err
}

// Fail records a failed run of the job of t.
func (s *Jobs) Fail(ctx context.Context, t jobs.Ticket, f jobs.Failure) error {
	q := `UPDATE jobs SET state = 'queued', last_error = $1, run_at = $2, due_at = $2, updated_at = $3, lease_token = NULL, leased_until = NULL
		WHERE id = $4 AND lease_token = $5 AND state = 'running'`
	args := []any{f.Error, f.RetryAt.UTC(), f.At.UTC(), t.ID, t.Token}
	if f.RetryAt.IsZero() {
		q = `UPDATE jobs SET state = 'dead', last_error = $1, done_at = $2, updated_at = $3, due_at = NULL, lease_token = NULL, leased_until = NULL
		WHERE id = $4 AND lease_token = $5 AND state = 'running'`
		args[1] = f.At.UTC()
	}
	return s.retry(ctx, func() error {
		res, err := s.db.SQL.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return storeerr.ErrConflict
		}
		return nil
	})
}

// List returns jobs matching f, newest first.
func (s *Jobs) List(ctx context.Context, f jobs.Filter) ([]jobs.Job, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+" $"+strconv.Itoa(len(args)))
	}
	if f.State != "" {
		add("state =", string(f.State))
	}
	if f.Kind != "" {
		add("kind =", f.Kind)
	}
	if f.BeforeID > 0 {
		add("id <", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT ` + jobColumns + ` FROM jobs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit)
	rows, err := s.db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jobs.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Job returns one job.
func (s *Jobs) Job(ctx context.Context, id int64) (jobs.Job, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id)
	if err != nil {
		return jobs.Job{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return jobs.Job{}, err
		}
		return jobs.Job{}, storeerr.ErrNotFound
	}
	return scanJob(rows)
}

// Retry queues a dead job again with its attempts reset; its last error stays until it runs.
func (s *Jobs) Retry(ctx context.Context, id int64, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, due_at = $1, updated_at = $1, done_at = NULL
			WHERE id = $2 AND state = 'dead'`, at.UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM jobs WHERE id = $1`, id).Scan(&state); IsNotFound(err) {
			return storeerr.ErrNotFound
		} else if err != nil {
			return err
		}
		return storeerr.ErrConflict
	})
}

// Stats counts jobs per kind and state, with the creation time of the oldest queued one.
func (s *Jobs) Stats(ctx context.Context) ([]jobs.Stat, error) {
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT kind, state, COUNT(*), MIN(CASE WHEN state = 'queued' THEN created_at END)
		FROM jobs GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jobs.Stat
	for rows.Next() {
		var st jobs.Stat
		var state string
		var oldest sqlTime
		if err := rows.Scan(&st.Kind, &state, &st.Count, &oldest); err != nil {
			return nil, err
		}
		st.State, st.Oldest = jobs.State(state), oldest.Time
		out = append(out, st)
	}
	return out, rows.Err()
}

// DeleteDone removes done jobs that finished before before; dead jobs stay for a person to see.
func (s *Jobs) DeleteDone(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.retry(ctx, func() error {
		res, err := s.db.SQL.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND done_at < $1`, before.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// retry runs fn, one statement outside a transaction, again while the engine reports a lost race
// (as InTx does for transactions).
func (s *Jobs) retry(ctx context.Context, fn func() error) error {
	return retrying(ctx, "statement", fn)
}

func scanJob(rows *sql.Rows) (jobs.Job, error) {
	var j jobs.Job
	var payload, state string
	var key sql.NullString
	var attempts, maxAttempts int64
	var runAt, leased, created, updated, done sqlTime
	if err := rows.Scan(&j.ID, &j.Kind, &payload, &key, &state, &attempts, &maxAttempts, &runAt, &leased, &j.LastError, &created, &updated, &done); err != nil {
		return j, err
	}
	if payload != "" {
		j.Payload = []byte(payload)
	}
	j.Key, j.State, j.Attempts, j.MaxAttempts = key.String, jobs.State(state), int(attempts), int(maxAttempts)
	j.RunAt, j.LeasedUntil, j.CreatedAt, j.UpdatedAt, j.DoneAt = runAt.Time, leased.Time, created.Time, updated.Time, done.Time
	return j, nil
}

// newLeaseToken returns 128 random bits in hex.
func newLeaseToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sqlTime scans an instant, NULL as the zero time, whether the driver gives it as a time (a
// typed column) or as SQLite's text (an expression such as MIN(created_at), which has no type).
type sqlTime struct{ time.Time }

// sqliteTimeLayout is how the SQLite driver writes a time.Time (time.Time.String, without the
// monotonic clock reading, which UTC() drops).
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

// Scan implements sql.Scanner.
func (t *sqlTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		t.Time = time.Time{}
	case time.Time:
		t.Time = v.UTC()
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("store: %T is not an instant", v)
	}
	return nil
}

func (t *sqlTime) parse(s string) error {
	for _, layout := range []string{sqliteTimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return errors.New("store: unreadable instant " + strconv.Quote(s))
}
