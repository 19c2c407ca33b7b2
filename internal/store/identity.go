package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Identity implements identity.Store: the accounts of the identity provider, their codes,
// profiles, letters and security history; and esign.ChallengeStore.
type Identity struct {
	db *DB
	q  *stmtCache
}

// NewIdentity returns the identity provider's storage of db.
func NewIdentity(db *DB) *Identity { return &Identity{db: db, q: newStmtCache(db.SQL)} }

var (
	_ identity.Store       = (*Identity)(nil)
	_ esign.ChallengeStore = (*Identity)(nil)
)

// writeEffects writes a change's effects in its transaction.
func (s *Identity) writeEffects(ctx context.Context, q querier, e identity.Effects) error {
	for _, ev := range e.Events {
		if _, err := q.ExecContext(ctx, `INSERT INTO idp_events (account_id, at, kind, address, device, details) VALUES ($1, $2, $3, $4, $5, $6)`,
			ev.AccountID, ev.At.UTC(), ev.Kind, ev.Address, ev.Device, ev.Details); err != nil {
			return err
		}
	}
	if err := sendMessages(ctx, q, s.db.Dialect, e.Messages...); err != nil {
		return err
	}
	if err := enqueueJobs(ctx, q, s.db.Dialect, e.Jobs...); err != nil {
		return err
	}
	return writeAudit(ctx, q, s.db.Dialect, e.Audit)
}

// Record writes effects alone. One event and nothing else (a login's) is one statement, which
// needs no transaction of its own: every login writes one.
func (s *Identity) Record(ctx context.Context, e identity.Effects) error {
	if len(e.Events) == 1 && len(e.Messages) == 0 && len(e.Jobs) == 0 && len(e.Audit) == 0 {
		ev := e.Events[0]
		_, err := s.q.ExecContext(ctx, `INSERT INTO idp_events (account_id, at, kind, address, device, details) VALUES ($1, $2, $3, $4, $5, $6)`,
			ev.AccountID, ev.At.UTC(), ev.Kind, ev.Address, ev.Device, ev.Details)
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return s.writeEffects(ctx, tx, e) })
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// passportKey is the column the operator's search finds a passport by (identity.PassportKey).
func passportKey(p identity.Profile) any { return nullString(identity.PassportKey(p.Passport)) }

// accountTaken names the identifier a unique violation is about.
func accountTaken(err error) error {
	key, ok := storeerr.IsKeyTaken(err)
	if !ok {
		return err
	}
	for _, k := range []string{"phone", "email", "snils"} {
		if strings.Contains(key, k) {
			return &storeerr.KeyTaken{Key: k, Err: err}
		}
	}
	return err
}

const accountColumns = `id, kind, surname, given_name, patronymic, phone, email, snils, level, method, confirmed_at, evidence, profile,
	password_hash, question, answer_hash, consents, created_at, password_set_at, version, lang, organization`

func accountArgs(a identity.Account) ([]any, error) {
	profile, err := json.Marshal(a.Profile)
	if err != nil {
		return nil, err
	}
	consents, err := json.Marshal(a.Consents)
	if err != nil {
		return nil, err
	}
	org, err := json.Marshal(a.Organization)
	if err != nil {
		return nil, err
	}
	return []any{a.ID, string(a.Kind), a.Surname, a.GivenName, a.Patronymic, nullString(a.Phone), nullString(a.Email), nullString(a.SNILS),
		string(a.Level), string(a.Method), nullTime(a.ConfirmedAt), a.Evidence, string(profile), a.PasswordHash, a.Question, a.AnswerHash,
		string(consents), a.CreatedAt.UTC(), a.PasswordSetAt.UTC(), a.Version, a.Lang, string(org), passportKey(a.Profile)}, nil
}

// InsertAccount stores a new account with its effects.
func (s *Identity) InsertAccount(ctx context.Context, a identity.Account, e identity.Effects) error {
	args, err := accountArgs(a)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO idp_accounts (`+accountColumns+`, passport)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`, args...); err != nil {
			return accountTaken(keyTaken(err))
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// UpdateAccount writes a changed account if nobody changed it since it was read.
func (s *Identity) UpdateAccount(ctx context.Context, a identity.Account, e identity.Effects) error {
	args, err := accountArgs(a)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE idp_accounts SET kind = $2, surname = $3, given_name = $4, patronymic = $5, phone = $6, email = $7,
			snils = $8, level = $9, method = $10, confirmed_at = $11, evidence = $12, profile = $13, password_hash = $14, question = $15,
			answer_hash = $16, consents = $17, created_at = $18, password_set_at = $19, version = version + 1, lang = $21, organization = $22,
			passport = $23 WHERE id = $1 AND version = $20`, args...)
		if err != nil {
			return accountTaken(keyTaken(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storeerr.ErrConflict
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// accountFields are the destinations of a row of accountColumns and what makes the account of
// them once scanned.
func accountFields() (*identity.Account, []any, func() error) {
	var a identity.Account
	var kind, level, method, profile, consents, org string
	var phone, email, snils sql.NullString
	var confirmed sql.NullTime
	dest := []any{&a.ID, &kind, &a.Surname, &a.GivenName, &a.Patronymic, &phone, &email, &snils, &level, &method, &confirmed, &a.Evidence,
		&profile, &a.PasswordHash, &a.Question, &a.AnswerHash, &consents, &a.CreatedAt, &a.PasswordSetAt, &a.Version, &a.Lang, &org}
	return &a, dest, func() error {
		// The columns of JSON are decoded with JSON v2 (decodeData): every page of a signed-in
		// citizen reads the account.
		if err := decodeData(org, &a.Organization); err != nil {
			return err
		}
		a.Kind, a.Level, a.Method = identity.Kind(kind), identity.Level(level), identity.Method(method)
		a.Phone, a.Email, a.SNILS = phone.String, email.String, snils.String
		if confirmed.Valid {
			a.ConfirmedAt = confirmed.Time.UTC()
		}
		a.CreatedAt, a.PasswordSetAt = a.CreatedAt.UTC(), a.PasswordSetAt.UTC()
		if err := decodeData(profile, &a.Profile); err != nil {
			return err
		}
		return decodeData(consents, &a.Consents)
	}
}

func scanAccount(sc interface{ Scan(...any) error }) (*identity.Account, error) {
	a, dest, done := accountFields()
	if err := sc.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	if err := done(); err != nil {
		return nil, err
	}
	return a, nil
}

// Account returns an account by id.
func (s *Identity) Account(ctx context.Context, id string) (*identity.Account, error) {
	return scanAccount(s.q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM idp_accounts WHERE id = $1`, id))
}

// AccountBy returns the account with a phone, an e-mail or a СНИЛС.
func (s *Identity) AccountBy(ctx context.Context, kind identity.LoginKind, value string) (*identity.Account, error) {
	col := map[identity.LoginKind]string{identity.ByPhone: "phone", identity.ByEmail: "email", identity.BySNILS: "snils"}[kind]
	if col == "" || value == "" {
		return nil, storeerr.ErrNotFound
	}
	return scanAccount(s.q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM idp_accounts WHERE `+col+` = $1`, value))
}

// FindAccounts finds accounts by СНИЛС or passport.
func (s *Identity) FindAccounts(ctx context.Context, f identity.Search) ([]identity.Account, error) {
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var rows *sql.Rows
	var err error
	switch {
	case f.SNILS != "":
		rows, err = s.q.QueryContext(ctx, `SELECT `+accountColumns+` FROM idp_accounts WHERE snils = $1 LIMIT $2`, f.SNILS, limit)
	case f.Passport != "":
		rows, err = s.q.QueryContext(ctx, `SELECT `+accountColumns+` FROM idp_accounts WHERE passport = $1 LIMIT $2`, f.Passport, limit)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Events returns an account's security history, the newest first.
func (s *Identity) Events(ctx context.Context, accountID string, limit int) ([]identity.Event, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.q.QueryContext(ctx, `SELECT account_id, at, kind, address, device, details FROM idp_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2`,
		accountID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Event
	for rows.Next() {
		var e identity.Event
		if err := rows.Scan(&e.AccountID, &e.At, &e.Kind, &e.Address, &e.Device, &e.Details); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// PutCode stores a code, replacing the one of the same purpose and key.
func (s *Identity) PutCode(ctx context.Context, c identity.Code, e identity.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM idp_codes WHERE purpose = $1 AND key = $2`, string(c.Purpose), c.Key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO idp_codes (purpose, key, hash, expires_at) VALUES ($1, $2, $3, $4)`,
			string(c.Purpose), c.Key, c.Hash, c.ExpiresAt.UTC()); err != nil {
			return err
		}
		// Codes that expired a day ago go with every new one.
		if _, err := tx.ExecContext(ctx, `DELETE FROM idp_codes WHERE expires_at < $1`, c.ExpiresAt.Add(-48*time.Hour).UTC()); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// Code returns a code.
func (s *Identity) Code(ctx context.Context, p identity.Purpose, key string) (*identity.Code, error) {
	c := identity.Code{Purpose: p, Key: key}
	if err := s.q.QueryRowContext(ctx, `SELECT hash, expires_at FROM idp_codes WHERE purpose = $1 AND key = $2`, string(p), key).
		Scan(&c.Hash, &c.ExpiresAt); err != nil {
		return nil, notFound(err)
	}
	c.ExpiresAt = c.ExpiresAt.UTC()
	return &c, nil
}

// DeleteCode removes a code (it was used).
func (s *Identity) DeleteCode(ctx context.Context, p identity.Purpose, key string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM idp_codes WHERE purpose = $1 AND key = $2`, string(p), key)
	return err
}

// PutVerification stores a profile's verification (a new one or a change of the stored version).
func (s *Identity) PutVerification(ctx context.Context, v identity.Verification, e identity.Effects) error {
	draft, _ := json.Marshal(v.Draft)
	submitted, _ := json.Marshal(v.Submitted)
	checks, _ := json.Marshal(v.Checks)
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		var res sql.Result
		if v.Version == 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO idp_verifications (account_id, state, draft, submitted, seq, submitted_at, checks, reason, decided_at, lost_level, version)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)`, v.AccountID, string(v.State), string(draft), string(submitted), v.Seq,
				nullTime(v.SubmittedAt), string(checks), v.Reason, nullTime(v.DecidedAt), string(v.LostLevel))
			if IsUniqueViolation(err) {
				return storeerr.ErrConflict
			}
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE idp_verifications SET state = $2, draft = $3, submitted = $4, seq = $5, submitted_at = $6, checks = $7,
				reason = $8, decided_at = $9, lost_level = $11, version = version + 1 WHERE account_id = $1 AND version = $10`, v.AccountID, string(v.State), string(draft),
				string(submitted), v.Seq, nullTime(v.SubmittedAt), string(checks), v.Reason, nullTime(v.DecidedAt), v.Version, string(v.LostLevel))
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return storeerr.ErrConflict
				}
			}
		}
		if err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// Verification returns an account's profile and verification.
func (s *Identity) Verification(ctx context.Context, accountID string) (*identity.Verification, error) {
	v := identity.Verification{AccountID: accountID}
	var state, draft, submitted, checks, lost string
	var subAt, decAt sql.NullTime
	if err := s.q.QueryRowContext(ctx, `SELECT state, draft, submitted, seq, submitted_at, checks, reason, decided_at, lost_level, version FROM idp_verifications
		WHERE account_id = $1`, accountID).Scan(&state, &draft, &submitted, &v.Seq, &subAt, &checks, &v.Reason, &decAt, &lost, &v.Version); err != nil {
		return nil, notFound(err)
	}
	v.State, v.LostLevel = identity.VerificationState(state), identity.Level(lost)
	if subAt.Valid {
		v.SubmittedAt = subAt.Time.UTC()
	}
	if decAt.Valid {
		v.DecidedAt = decAt.Time.UTC()
	}
	for _, p := range []struct {
		s string
		v any
	}{{draft, &v.Draft}, {submitted, &v.Submitted}, {checks, &v.Checks}} {
		if err := decodeData(p.s, p.v); err != nil {
			return nil, err
		}
	}
	return &v, nil
}

// VerificationState returns an account's verification without its profiles and checks.
func (s *Identity) VerificationState(ctx context.Context, accountID string) (*identity.Verification, error) {
	v := identity.Verification{AccountID: accountID}
	var state, lost string
	var subAt, decAt sql.NullTime
	if err := s.q.QueryRowContext(ctx, `SELECT state, seq, submitted_at, reason, decided_at, lost_level, version FROM idp_verifications
		WHERE account_id = $1`, accountID).Scan(&state, &v.Seq, &subAt, &v.Reason, &decAt, &lost, &v.Version); err != nil {
		return nil, notFound(err)
	}
	v.State, v.LostLevel = identity.VerificationState(state), identity.Level(lost)
	if subAt.Valid {
		v.SubmittedAt = subAt.Time.UTC()
	}
	if decAt.Valid {
		v.DecidedAt = decAt.Time.UTC()
	}
	return &v, nil
}

// InsertLetter records an ordered letter.
func (s *Identity) InsertLetter(ctx context.Context, l identity.Letter, e identity.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO idp_letters (id, account_id, address, ordered_at) VALUES ($1, $2, $3, $4)`,
			l.ID, l.AccountID, l.Address, l.OrderedAt.UTC()); err != nil {
			return keyTaken(err)
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// Letters returns an account's letters.
func (s *Identity) Letters(ctx context.Context, accountID string) ([]identity.Letter, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, account_id, address, ordered_at FROM idp_letters WHERE account_id = $1 ORDER BY ordered_at`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity.Letter
	for rows.Next() {
		var l identity.Letter
		if err := rows.Scan(&l.ID, &l.AccountID, &l.Address, &l.OrderedAt); err != nil {
			return nil, err
		}
		l.OrderedAt = l.OrderedAt.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// Put stores an e-signature challenge (esign.ChallengeStore).
func (s *Identity) Put(ctx context.Context, c esign.Challenge) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO esign_challenges (id, purpose, nonce, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.Purpose, c.Nonce, c.IssuedAt.UTC(), c.ExpiresAt.UTC())
	if err == nil {
		_, err = s.q.ExecContext(ctx, `DELETE FROM esign_challenges WHERE expires_at < $1`, c.IssuedAt.Add(-time.Hour).UTC())
	}
	return err
}

// Take removes and returns a challenge, atomically: one DELETE … RETURNING, so two requests
// cannot both use it.
func (s *Identity) Take(ctx context.Context, id string) (esign.Challenge, error) {
	c := esign.Challenge{ID: id}
	err := s.q.QueryRowContext(ctx, `DELETE FROM esign_challenges WHERE id = $1 RETURNING purpose, nonce, issued_at, expires_at`, id).
		Scan(&c.Purpose, &c.Nonce, &c.IssuedAt, &c.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return esign.Challenge{}, esign.ErrNoChallenge
	}
	c.IssuedAt, c.ExpiresAt = c.IssuedAt.UTC(), c.ExpiresAt.UTC()
	return c, err
}
