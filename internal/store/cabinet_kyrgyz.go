package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The Kyrgyz cabinet's storage (migration 00022_kyrgyz_cabinet.sql): applications of
// self-registration (KG-1, BO-3), the documents' acceptances and the mobile application's tokens
// (KG-2).

const lkRegistrationColumns = `seq, type, tin, name, office, org_tin, org_name, role, password_hash, phone, email, lang, state, created_at,
	decided_at, decided_by, reason, passport, version`

// InsertRegistration stores a new application; a *storeerr.KeyTaken when one of the same login
// waits (the partial unique index lk_registrations_waiting).
func (s *Cabinet) InsertRegistration(ctx context.Context, r cabinet.Registration) (int64, error) {
	var seq int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO lk_registrations (type, tin, name, office, org_tin, org_name, role, login, password_hash, phone,
			email, lang, state, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING seq`,
			string(r.Type), r.TIN, r.Name, r.Office, r.OrgTIN, r.OrgName, r.Role, r.Login(), r.PasswordHash, r.Phone, r.Email, r.Lang,
			string(r.State), r.CreatedAt.UTC(), r.Version).Scan(&seq)
		return keyTaken(err)
	})
	return seq, err
}

func scanLKRegistration(sc interface{ Scan(...any) error }) (*cabinet.Registration, error) {
	var r cabinet.Registration
	var typ, state string
	var created, decided sqlTime
	if err := sc.Scan(&r.Seq, &typ, &r.TIN, &r.Name, &r.Office, &r.OrgTIN, &r.OrgName, &r.Role, &r.PasswordHash, &r.Phone, &r.Email, &r.Lang,
		&state, &created, &decided, &r.DecidedBy, &r.Reason, &r.Passport, &r.Version); err != nil {
		return nil, notFound(err)
	}
	r.Type, r.State, r.CreatedAt, r.DecidedAt = cabinet.PersonType(typ), cabinet.AppState(state), created.UTC(), decided.UTC()
	return &r, nil
}

// Registration returns an application by its sequence number.
func (s *Cabinet) Registration(ctx context.Context, seq int64) (*cabinet.Registration, error) {
	return scanLKRegistration(s.q.QueryRowContext(ctx, `SELECT `+lkRegistrationColumns+` FROM lk_registrations WHERE seq = $1`, seq))
}

// PendingRegistration returns the waiting application of a login.
func (s *Cabinet) PendingRegistration(ctx context.Context, login string) (*cabinet.Registration, error) {
	return scanLKRegistration(s.q.QueryRowContext(ctx, `SELECT `+lkRegistrationColumns+` FROM lk_registrations WHERE login = $1 AND state = $2`,
		login, string(cabinet.AppSubmitted)))
}

// Registrations lists applications of an office (every office's for ""), in a state ("" any),
// the newest first.
func (s *Cabinet) Registrations(ctx context.Context, f cabinet.RegistrationFilter) ([]cabinet.Registration, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+lkRegistrationColumns+` FROM lk_registrations
		WHERE ($1 = '' OR office = $1) AND ($2 = '' OR state = $2) ORDER BY seq DESC LIMIT $3`, f.Office, string(f.State), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Registration
	for rows.Next() {
		r, err := scanLKRegistration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// DecideRegistration writes a decided application at its version and, for an approval, inserts
// the account it creates, with the effects, at once.
func (s *Cabinet) DecideRegistration(ctx context.Context, r cabinet.Registration, a *cabinet.Account, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE lk_registrations SET state = $2, decided_at = $3, decided_by = $4, reason = $5, passport = $6,
			org_name = $7, role = $8, version = version + 1 WHERE seq = $1 AND version = $9`, r.Seq, string(r.State), nullTime(r.DecidedAt), r.DecidedBy,
			r.Reason, r.Passport, r.OrgName, r.Role, r.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storeerr.ErrConflict
		}
		if a != nil {
			if _, err := tx.ExecContext(ctx, insertLKAccount, lkAccountArgs(*a)...); err != nil {
				return keyTaken(err)
			}
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// Acceptances returns an account's acceptances of the documents, the newest first.
func (s *Cabinet) Acceptances(ctx context.Context, tin string) ([]cabinet.Acceptance, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT tin, document, version, accepted_at, address FROM lk_acceptances WHERE tin = $1
		ORDER BY accepted_at DESC, document`, tin)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Acceptance
	for rows.Next() {
		var a cabinet.Acceptance
		var at sqlTime
		if err := rows.Scan(&a.TIN, &a.Document, &a.Version, &at, &a.Address); err != nil {
			return nil, err
		}
		a.At = at.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// IssueMobileTokens stores tokens and acceptances with their effects; an acceptance of a version
// already recorded keeps its first time.
func (s *Cabinet) IssueMobileTokens(ctx context.Context, tokens []cabinet.MobileToken, acc []cabinet.Acceptance, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, a := range acc {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lk_acceptances (tin, document, version, accepted_at, address) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (tin, document, version) DO NOTHING`, a.TIN, a.Document, a.Version, a.At.UTC(), a.Address); err != nil {
				return err
			}
		}
		for _, t := range tokens {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lk_mobile_tokens (hash, kind, family, tin, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				t.Hash, t.Kind, t.Family, t.TIN, t.CreatedAt.UTC(), t.ExpiresAt.UTC()); err != nil {
				return err
			}
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// MobileToken returns a token by its hash.
func (s *Cabinet) MobileToken(ctx context.Context, hash []byte) (*cabinet.MobileToken, error) {
	var t cabinet.MobileToken
	var created, expires, used, revoked sqlTime
	err := s.q.QueryRowContext(ctx, `SELECT hash, kind, family, tin, created_at, expires_at, used_at, revoked_at FROM lk_mobile_tokens WHERE hash = $1`, hash).
		Scan(&t.Hash, &t.Kind, &t.Family, &t.TIN, &created, &expires, &used, &revoked)
	if err != nil {
		return nil, notFound(err)
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt, t.RevokedAt = created.UTC(), expires.UTC(), used.UTC(), revoked.UTC()
	return &t, nil
}

// UseMobileToken marks a token used in one statement: of concurrent users one succeeds, the
// others get storeerr.ErrConflict.
func (s *Cabinet) UseMobileToken(ctx context.Context, hash []byte, at time.Time) error {
	res, err := s.q.ExecContext(ctx, `UPDATE lk_mobile_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND revoked_at IS NULL`, hash, at.UTC())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return storeerr.ErrConflict
	}
	return nil
}

// RevokeMobileFamily revokes every token of a chain not yet revoked, with the effects.
func (s *Cabinet) RevokeMobileFamily(ctx context.Context, family string, at time.Time, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE lk_mobile_tokens SET revoked_at = $2 WHERE family = $1 AND revoked_at IS NULL`, family, at.UTC()); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// RevokeMobileTokensOf revokes every token of an account not yet revoked.
func (s *Cabinet) RevokeMobileTokensOf(ctx context.Context, tin string, at time.Time) error {
	_, err := s.db.SQL.ExecContext(ctx, `UPDATE lk_mobile_tokens SET revoked_at = $2 WHERE tin = $1 AND revoked_at IS NULL`, tin, at.UTC())
	return err
}

// DeleteExpiredMobileTokens removes the tokens that expired before before, and returns how many.
func (s *Cabinet) DeleteExpiredMobileTokens(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.SQL.ExecContext(ctx, `DELETE FROM lk_mobile_tokens WHERE expires_at < $1`, before.UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
