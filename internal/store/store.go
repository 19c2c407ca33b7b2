// Package store is kabinet's SQL storage on embedded SQLite (the default, pure Go) and PostgreSQL.
// It owns connections, the embedded versioned migrations, transactions with retry on serialization
// failures, and the translation of driver errors (unique violations, not found) into problem codes.
// It holds no business rule: the domain packages declare the storage they need and this package
// implements it, one file per domain.
//
// SQL is written once for both engines: $1-style placeholders (SQLite accepts them), no advisory
// locks, no LISTEN/NOTIFY, and every transaction is retried on SQLSTATE 40001/40P01 so the same SQL
// runs on PostgreSQL-compatible distributed engines. Dates are stored as TEXT "YYYY-MM-DD"; instants
// as TIMESTAMP (SQLite) / TIMESTAMPTZ (PostgreSQL), always written in UTC.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open kabinet database.
type DB struct {
	SQL     *sql.DB
	Dialect Dialect
	ckpt    *checkpointer // SQLite's (checkpoint.go)
}

//go:embed migrations
var migrations embed.FS

// IsPostgresURL reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or else a SQLite file path (created if
// missing). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("store: empty database name")
	}
	if IsPostgresURL(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: connect postgres: %w", err)
		}
		return &DB{SQL: db, Dialect: Postgres}, nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	q := url.Values{}
	// temp_store(MEMORY): the statement journal of a multi-row INSERT (the bulk path) stays in
	// memory instead of a temporary file written page by page.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "mmap_size(2147418112)", "cache_size(-16384)", "temp_store(MEMORY)",
		fmt.Sprintf("wal_autocheckpoint(%d)", walAutoPages)} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // writers queue at BEGIN instead of failing on lock upgrade
	// The path is part of a URI: a '#', '?' or '%' in it (a test's directory named after
	// "sqlite#01") would end it or be decoded.
	uriPath := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+uriPath+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	d := &DB{SQL: db, Dialect: SQLite}
	d.startCheckpointer()
	return d, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.stopCheckpointer()
	return db.SQL.Close()
}

// Migrate applies every embedded migration not yet applied.
func (db *DB) Migrate(ctx context.Context) error { return db.migrateTo(ctx, -1) }

// migrateTo applies the migrations up to version, or all of them when version < 0.
func (db *DB) migrateTo(ctx context.Context, version int64) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return err
	}
	d := goose.DialectSQLite3
	if db.Dialect == Postgres {
		d = goose.DialectPostgres
	}
	// Out of order: migrations written on branches at the same time may land in any order.
	// 00011 and 00023 are written in Go (migration_00011_register_search_words.go,
	// migration_00023_identity_organization.go).
	p, err := goose.NewProvider(d, db.SQL, sub, goose.WithAllowOutofOrder(true), goose.WithGoMigrations(searchWordsMigration(db.Dialect),
		identityOrganizationMigration()))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if version < 0 {
		_, err = p.Up(ctx)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// maxAttempts bounds the retries of a transaction that lost a serialization race.
const maxAttempts = 12

// InTx runs fn in a transaction and commits it; it rolls back when fn fails. When the engine
// reports a serialization failure, a deadlock or a busy database, the whole transaction is run
// again (fn must therefore be safe to repeat: it must do all its work through tx).
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTx(ctx, IsRetryable, fn)
}

// inTx is InTx with lost saying which errors mean that the transaction lost a race and is run
// again: IsRetryable's, and for the register also a unique key that a concurrent transaction
// took first (Register.Update).
func (db *DB) inTx(ctx context.Context, lost func(error) bool, fn func(tx *sql.Tx) error) error {
	return retryingOn(ctx, "transaction", lost, func() error { return db.tryTx(ctx, fn) })
}

// retrying runs fn again, with a growing random pause, while the engine reports a lost race,
// at most maxAttempts times; what names the work in the final error.
func retrying(ctx context.Context, what string, fn func() error) error {
	return retryingOn(ctx, what, IsRetryable, fn)
}

// retryingOn is retrying with lost saying which errors are a lost race: the one retry loop of
// every transaction and statement.
func retryingOn(ctx context.Context, what string, lost func(error) bool, fn func() error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			backoff := time.Duration(1<<min(attempt, 7)) * time.Millisecond
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
			}
		}
		if err = fn(); err == nil || !lost(err) {
			return err
		}
	}
	return fmt.Errorf("store: %s gave up after %d attempts: %w", what, maxAttempts, err)
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// IsRetryable reports whether err means the transaction lost a race and may simply be run again.
func IsRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}
