package store

import (
	"context"
	"database/sql"
	"errors"
)

// Settings of the whole database (table settings, migration 00021): the jurisdiction it belongs
// to. What a setting means is its owner's business (package app for the jurisdiction).

// SettingJurisdiction names the jurisdiction a database belongs to (package jurisdiction).
const SettingJurisdiction = "jurisdiction"

// Setting returns a setting of the database, "" when it has none.
func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.SQL.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// InitSetting records a setting unless the database has it already, and returns the value it
// has then: value, or the one recorded before (by this or a concurrent process).
func (db *DB) InitSetting(ctx context.Context, name, value string) (string, error) {
	var out string
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&out)
	})
	return out, err
}
