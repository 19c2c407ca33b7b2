package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/pressly/goose/v3"

	"github.com/kabinet/kabinet/internal/identity"
)

// Migration 00023 (identity_organization) adds to the identity provider's accounts the
// organization a representative of a legal entity acts for (IDP-1: its ОГРН and name, JSON), and
// keys the passports already stored as identity.PassportKey does now: a foreign passport keeps
// its letters (before, only its digits were kept, so C01X00T47 could not be searched by the
// operator and two passports differing in letters shared a key). It is written in Go because the
// key is the domain's normalization (letters in upper case, Cyrillic look-alikes as Latin).
const identityOrganizationVersion = 23

// identityOrganizationMigration returns migration 00023 (the same statements on both engines).
func identityOrganizationMigration() *goose.Migration {
	m := goose.NewGoMigration(identityOrganizationVersion,
		&goose.GoFunc{RunTx: migrateIdentityOrganizationUp},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `ALTER TABLE idp_accounts DROP COLUMN organization`)
			return err
		}})
	m.Source = "00023_identity_organization.go"
	return m
}

func migrateIdentityOrganizationUp(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `ALTER TABLE idp_accounts ADD COLUMN organization TEXT NOT NULL DEFAULT '{}'`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, profile FROM idp_accounts WHERE passport IS NOT NULL`)
	if err != nil {
		return err
	}
	keys := map[string]string{}
	for rows.Next() {
		var id, profile string
		if err := rows.Scan(&id, &profile); err != nil {
			rows.Close()
			return err
		}
		var p identity.Profile
		if json.Unmarshal([]byte(profile), &p) == nil {
			keys[id] = identity.PassportKey(p.Passport)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, k := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE idp_accounts SET passport = $1 WHERE id = $2`, nullString(k), id); err != nil {
			return err
		}
	}
	return nil
}
