package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/limits"
)

// Limits implements limits.Store: each attempt is counted by one INSERT … ON CONFLICT DO UPDATE,
// which PostgreSQL runs under the row's lock and SQLite under its single writer, so parallel
// attempts are counted one after the other.
type Limits struct{ q *stmtCache }

// NewLimits returns the attempt counters of db.
func NewLimits(db *DB) *Limits { return &Limits{q: newStmtCache(db.SQL)} }

var _ limits.Store = (*Limits)(nil)

func ms(t time.Time) int64        { return t.UnixMilli() }
func fromMS(v int64) time.Time    { return time.UnixMilli(v).UTC() }
func durMS(d time.Duration) int64 { return d.Milliseconds() }

// HitRule counts an attempt in a fixed window.
func (l *Limits) HitRule(ctx context.Context, key string, now time.Time, r limits.Rule) (int, time.Time, error) {
	var hits, start int64
	err := l.q.QueryRowContext(ctx, `INSERT INTO attempt_limits (key, window_start, hits, next_at) VALUES ($1, $2, 1, 0)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN attempt_limits.window_start <= $3 THEN 1 ELSE attempt_limits.hits + 1 END,
			window_start = CASE WHEN attempt_limits.window_start <= $3 THEN $2 ELSE attempt_limits.window_start END
		RETURNING hits, window_start`, key, ms(now), ms(now)-durMS(r.Window)).Scan(&hits, &start)
	return int(hits), fromMS(start), err
}

// HitThrottle counts an attempt of a budget with a progressive delay, if it may be made now.
func (l *Limits) HitThrottle(ctx context.Context, key string, now time.Time, t limits.Throttle) (bool, int, time.Time, error) {
	var hits, next int64
	err := l.q.QueryRowContext(ctx, `INSERT INTO attempt_limits (key, window_start, hits, next_at) VALUES ($1, $2, 1, 0)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN attempt_limits.window_start <= $3 THEN 1 ELSE attempt_limits.hits + 1 END,
			window_start = CASE WHEN attempt_limits.window_start <= $3 THEN $2 ELSE attempt_limits.window_start END,
			next_at = CASE
				WHEN attempt_limits.window_start <= $3 OR attempt_limits.hits + 1 < $4 THEN 0
				WHEN CAST($5 AS BIGINT) * (attempt_limits.hits + 2 - $4) > CAST($6 AS BIGINT) THEN $2 + CAST($6 AS BIGINT)
				ELSE $2 + CAST($5 AS BIGINT) * (attempt_limits.hits + 2 - $4) END
		WHERE attempt_limits.window_start <= $3 OR attempt_limits.hits < $4 OR attempt_limits.next_at <= $2
		RETURNING hits, next_at`, key, ms(now), ms(now)-durMS(t.Window), t.Budget, durMS(t.Step), durMS(t.MaxDelay)).Scan(&hits, &next)
	if IsNotFound(err) {
		// Refused: the delay has not passed. Read when it does (the row exists, the statement
		// above did not change it).
		if err := l.q.QueryRowContext(ctx, `SELECT next_at FROM attempt_limits WHERE key = $1`, key).Scan(&next); err != nil {
			return false, 0, time.Time{}, notFound(err)
		}
		return false, 0, fromMS(next), nil
	}
	if err != nil {
		return false, 0, time.Time{}, err
	}
	return true, int(hits), fromMS(next), nil
}

// Reset deletes counters, all in one statement (a sign-in's success resets two or three).
func (l *Limits) Reset(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	marks := make([]string, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), k
	}
	_, err := l.q.ExecContext(ctx, `DELETE FROM attempt_limits WHERE key IN (`+strings.Join(marks, ", ")+`)`, args...)
	return err
}

// TrustDevice records a trusted device.
func (l *Limits) TrustDevice(ctx context.Context, scope, subject string, hash []byte, now time.Time) error {
	_, err := l.q.ExecContext(ctx, `INSERT INTO trusted_devices (hash, scope, subject, created_at, last_used) VALUES ($1, $2, $3, $4, $4)`,
		hash, scope, subject, ms(now))
	return keyTaken(err)
}

// DeviceTrusted reports whether a device token belongs to subject, and notes its use.
func (l *Limits) DeviceTrusted(ctx context.Context, scope, subject string, hash []byte, now time.Time) (bool, error) {
	res, err := l.q.ExecContext(ctx, `UPDATE trusted_devices SET last_used = $1 WHERE hash = $2 AND scope = $3 AND subject = $4`, ms(now), hash, scope, subject)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteOld deletes counters whose window started before before, and devices unused for a year.
func (l *Limits) DeleteOld(ctx context.Context, before time.Time) (int, error) {
	res, err := l.q.ExecContext(ctx, `DELETE FROM attempt_limits WHERE window_start < $1 AND next_at < $1`, ms(before))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	res, err = l.q.ExecContext(ctx, `DELETE FROM trusted_devices WHERE last_used < $1`, ms(before.AddDate(-1, 0, 0)))
	if err != nil {
		return 0, err
	}
	m, _ := res.RowsAffected()
	return int(n + m), nil
}
