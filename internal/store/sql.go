package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// This file holds the SQL helpers every domain's storage shares: the querier both a DB and a
// transaction satisfy, the translation of driver errors into the typed errors of storeerr, and
// the conversions of values the two engines store alike.

// querier is what a *sql.DB, a *sql.Tx and the statement cache have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// notFound turns sql.ErrNoRows into storeerr.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return storeerr.ErrNotFound
	}
	return err
}

// keyTaken turns a unique-key violation into a *storeerr.KeyTaken naming the constraint.
func keyTaken(err error) error {
	if err == nil || !IsUniqueViolation(err) {
		return err
	}
	return &storeerr.KeyTaken{Key: constraintOf(err), Err: err}
}

// constraintOf names the unique constraint a violation broke, where the driver tells.
func constraintOf(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Error()
	}
	return ""
}

// affected turns an UPDATE or DELETE that touched no row into storeerr.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return storeerr.ErrNotFound
	}
	return nil
}

// nullTime stores the zero time as NULL, others in UTC.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// IsUniqueViolation reports whether err is a unique-key (or primary-key) violation.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsNotFound reports whether err is sql.ErrNoRows.
func IsNotFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
