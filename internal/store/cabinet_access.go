package store

import (
	"context"
	"database/sql"

	"github.com/kabinet/kabinet/internal/cabinet"
)

// The restores of access to the Kyrgyz cabinet at the УГНС (KG-1, LK-2, LK-10; package cabinet,
// access_restore.go; migration 00024_kg_access_restore.sql).

const lkAccessColumns = `id, tin, name, office, holder, holder_role, passport, lang, issued_by, issued_at, expires_at, used_at`

// RestoreAccess writes the account with its one-time password at its version, adds the restore,
// revokes the account's mobile tokens and writes the effects, at once.
func (s *Cabinet) RestoreAccess(ctx context.Context, a cabinet.Account, r cabinet.AccessRestore, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := updateAccount(ctx, tx, a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lk_access_restores (`+lkAccessColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.TIN, r.Name, r.Office, r.Holder, r.HolderRole, r.Passport, r.Lang, r.IssuedBy, r.IssuedAt.UTC(), r.ExpiresAt.UTC(), nullTime(r.UsedAt)); err != nil {
			return keyTaken(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lk_mobile_tokens SET revoked_at = $2 WHERE tin = $1 AND revoked_at IS NULL`, a.TIN, r.IssuedAt.UTC()); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

func scanLKAccess(sc interface{ Scan(...any) error }) (*cabinet.AccessRestore, error) {
	var r cabinet.AccessRestore
	var issued, expires, used sqlTime
	if err := sc.Scan(&r.ID, &r.TIN, &r.Name, &r.Office, &r.Holder, &r.HolderRole, &r.Passport, &r.Lang, &r.IssuedBy, &issued, &expires, &used); err != nil {
		return nil, notFound(err)
	}
	r.IssuedAt, r.ExpiresAt, r.UsedAt = issued.UTC(), expires.UTC(), used.UTC()
	return &r, nil
}

// AccessRestores returns the restores of an account, the newest first.
func (s *Cabinet) AccessRestores(ctx context.Context, tin string) ([]cabinet.AccessRestore, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+lkAccessColumns+` FROM lk_access_restores WHERE tin = $1 ORDER BY issued_at DESC, id`, tin)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.AccessRestore
	for rows.Next() {
		r, err := scanLKAccess(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// AccessRestore returns a restore of access.
func (s *Cabinet) AccessRestore(ctx context.Context, id string) (*cabinet.AccessRestore, error) {
	return scanLKAccess(s.q.QueryRowContext(ctx, `SELECT `+lkAccessColumns+` FROM lk_access_restores WHERE id = $1`, id))
}
