package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Cabinet implements cabinet.Store: the taxpayers' personal accounts, their cards, history,
// notifications, codes, online applications and representations (migration 00019_cabinet.sql),
// and the Kyrgyz cabinet's self-registrations, acceptances and mobile tokens
// (cabinet_kyrgyz.go, migration 00022_kyrgyz_cabinet.sql) and its restores of access at the УГНС
// (cabinet_access.go, migration 00024_kg_access_restore.sql).
type Cabinet struct {
	db *DB
	q  *stmtCache
}

// NewCabinet returns the personal accounts' storage of db.
func NewCabinet(db *DB) *Cabinet { return &Cabinet{db: db, q: newStmtCache(db.SQL)} }

var _ cabinet.Store = (*Cabinet)(nil)

// writeEffects writes a change's effects in its transaction: the history's lines, the messages
// with their jobs (each listed among its account's notifications) and the audit entries.
func (s *Cabinet) writeEffects(ctx context.Context, q querier, e cabinet.Effects) error {
	for _, ev := range e.Events {
		if _, err := q.ExecContext(ctx, `INSERT INTO lk_events (tin, at, kind, address, device, actor, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			ev.TIN, ev.At.UTC(), ev.Kind, ev.Address, ev.Device, ev.Actor, ev.Details); err != nil {
			return err
		}
	}
	for _, n := range e.Messages {
		if err := sendMessages(ctx, q, s.db.Dialect, n.Message); err != nil {
			return err
		}
		if n.TIN == "" {
			continue // an applicant without an account
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO lk_notifications (message_id, tin, at) VALUES ($1, $2, $3)`,
			n.Message.ID, n.TIN, n.Message.CreatedAt.UTC()); err != nil {
			return err
		}
	}
	return writeAudit(ctx, q, s.db.Dialect, e.Audit)
}

// Record writes effects alone.
func (s *Cabinet) Record(ctx context.Context, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return s.writeEffects(ctx, tx, e) })
}

const lkAccountColumns = `tin, name, source, password_hash, temporary, card_id, card_issued_at, card_expires_at, active_from, password_set_at,
	sessions_from, email, email_confirmed, phone, phone_confirmed, code_word_hash, recovery_on, recovery_failures, recovery_off, lang,
	created_at, updated_at, version, signatory, signatory_role`

func lkAccountArgs(a cabinet.Account) []any {
	return []any{a.TIN, a.Name, string(a.Source), a.PasswordHash, a.Temporary, a.CardID, nullTime(a.CardIssuedAt), nullTime(a.CardExpiresAt),
		nullTime(a.ActiveFrom), nullTime(a.PasswordSetAt), nullTime(a.SessionsFrom), a.Email, a.EmailConfirmed, a.Phone, a.PhoneConfirmed,
		a.CodeWordHash, a.RecoveryOn, a.RecoveryFailures, a.RecoveryOff, a.Lang, a.CreatedAt.UTC(), a.UpdatedAt.UTC(), a.Version, a.Signatory,
		a.SignatoryRole}
}

const insertLKAccount = `INSERT INTO lk_accounts (` + lkAccountColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
	$16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`

const updateLKAccount = `UPDATE lk_accounts SET name = $2, source = $3, password_hash = $4, temporary = $5, card_id = $6, card_issued_at = $7,
	card_expires_at = $8, active_from = $9, password_set_at = $10, sessions_from = $11, email = $12, email_confirmed = $13, phone = $14,
	phone_confirmed = $15, code_word_hash = $16, recovery_on = $17, recovery_failures = $18, recovery_off = $19, lang = $20, created_at = $21,
	updated_at = $22, signatory = $24, signatory_role = $25, version = version + 1 WHERE tin = $1 AND version = $23`

// updateAccount writes a at its version in q.
func updateAccount(ctx context.Context, q querier, a cabinet.Account) error {
	res, err := q.ExecContext(ctx, updateLKAccount, lkAccountArgs(a)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return storeerr.ErrConflict
	}
	return nil
}

// InsertAccount stores a new account with its effects.
func (s *Cabinet) InsertAccount(ctx context.Context, a cabinet.Account, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insertLKAccount, lkAccountArgs(a)...); err != nil {
			return keyTaken(err)
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// UpdateAccount writes a changed account if nobody changed it since it was read.
func (s *Cabinet) UpdateAccount(ctx context.Context, a cabinet.Account, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := updateAccount(ctx, tx, a); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// lkAccountFields are the destinations of a row of lkAccountColumns and what makes the account
// of them once scanned.
func lkAccountFields() (*cabinet.Account, []any, func()) {
	var a cabinet.Account
	var source string
	var issued, expires, active, pwSet, from, created, updated sqlTime
	dest := []any{&a.TIN, &a.Name, &source, &a.PasswordHash, &a.Temporary, &a.CardID, &issued, &expires, &active, &pwSet, &from,
		&a.Email, &a.EmailConfirmed, &a.Phone, &a.PhoneConfirmed, &a.CodeWordHash, &a.RecoveryOn, &a.RecoveryFailures, &a.RecoveryOff, &a.Lang,
		&created, &updated, &a.Version, &a.Signatory, &a.SignatoryRole}
	return &a, dest, func() {
		a.Source = cabinet.Source(source)
		a.CardIssuedAt, a.CardExpiresAt, a.ActiveFrom, a.PasswordSetAt, a.SessionsFrom = issued.UTC(), expires.UTC(), active.UTC(), pwSet.UTC(), from.UTC()
		a.CreatedAt, a.UpdatedAt = created.UTC(), updated.UTC()
	}
}

func scanLKAccount(sc interface{ Scan(...any) error }) (*cabinet.Account, error) {
	a, dest, done := lkAccountFields()
	if err := sc.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	done()
	return a, nil
}

// Account returns an account by TIN.
func (s *Cabinet) Account(ctx context.Context, tin string) (*cabinet.Account, error) {
	return scanLKAccount(s.q.QueryRowContext(ctx, `SELECT `+lkAccountColumns+` FROM lk_accounts WHERE tin = $1`, tin))
}

// Events returns an account's history, the newest first.
func (s *Cabinet) Events(ctx context.Context, tin string, limit int) ([]cabinet.Event, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.q.QueryContext(ctx, `SELECT tin, at, kind, address, device, actor, details FROM lk_events WHERE tin = $1 ORDER BY id DESC LIMIT $2`, tin, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Event
	for rows.Next() {
		var e cabinet.Event
		var at sqlTime
		if err := rows.Scan(&e.TIN, &at, &e.Kind, &e.Address, &e.Device, &e.Actor, &e.Details); err != nil {
			return nil, err
		}
		e.At = at.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Notifications returns the messages sent to an account's owner, the newest first, with their
// state in the outbox.
func (s *Cabinet) Notifications(ctx context.Context, tin string, limit int) ([]cabinet.Notification, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.q.QueryContext(ctx, `SELECT m.id, n.at, m.channel, m.recipient, m.message_key, m.state, m.sent_at
		FROM lk_notifications n JOIN notify_messages m ON m.id = n.message_id WHERE n.tin = $1 ORDER BY n.at DESC, n.message_id LIMIT $2`, tin, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Notification
	for rows.Next() {
		var n cabinet.Notification
		var at, sent sqlTime
		if err := rows.Scan(&n.ID, &at, &n.Channel, &n.To, &n.Key, &n.State, &sent); err != nil {
			return nil, err
		}
		n.At, n.SentAt = at.UTC(), sent.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

const lkCardColumns = `id, tin, name, office, office_name, issued_at, expires_at, active_from, issued_by, checked, application, state, used_at`

// IssueCard writes a card issued, its account and the application it answers, at once.
func (s *Cabinet) IssueCard(ctx context.Context, ci cabinet.CardIssue, e cabinet.Effects) error {
	c := ci.Card
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if ci.Insert {
			if _, err := tx.ExecContext(ctx, insertLKAccount, lkAccountArgs(ci.Account)...); err != nil {
				return keyTaken(err)
			}
		} else if err := updateAccount(ctx, tx, ci.Account); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lk_cards SET state = $2 WHERE tin = $1 AND state <> $2`, c.TIN, string(cabinet.CardReplaced)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lk_cards (`+lkCardColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			c.ID, c.TIN, c.Name, c.Office, c.OfficeName, c.IssuedAt.UTC(), c.ExpiresAt.UTC(), nullTime(c.ActiveFrom), c.IssuedBy,
			strings.Join(c.Checked, ","), c.Application, string(c.State), nullTime(c.UsedAt)); err != nil {
			return keyTaken(err)
		}
		if ci.Application != nil {
			if err := updateApplication(ctx, tx, *ci.Application); err != nil {
				return err
			}
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// UseCard writes the account and marks its card used — or, where no card is issued (KG-1), the
// restore of access whose one-time password was replaced (cabinet_access.go).
func (s *Cabinet) UseCard(ctx context.Context, a cabinet.Account, cardID string, at time.Time, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := updateAccount(ctx, tx, a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lk_cards SET state = $2, used_at = $3 WHERE id = $1 AND state = $4`, cardID, string(cabinet.CardUsed),
			at.UTC(), string(cabinet.CardIssued)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lk_access_restores SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, cardID, at.UTC()); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

func scanLKCard(sc interface{ Scan(...any) error }) (*cabinet.Card, error) {
	var c cabinet.Card
	var issued, expires, active, used sqlTime
	var checked, state string
	if err := sc.Scan(&c.ID, &c.TIN, &c.Name, &c.Office, &c.OfficeName, &issued, &expires, &active, &c.IssuedBy, &checked, &c.Application, &state, &used); err != nil {
		return nil, notFound(err)
	}
	c.IssuedAt, c.ExpiresAt, c.ActiveFrom, c.UsedAt = issued.UTC(), expires.UTC(), active.UTC(), used.UTC()
	if checked != "" {
		c.Checked = strings.Split(checked, ",")
	}
	c.State = cabinet.CardState(state)
	return &c, nil
}

// Cards returns a person's cards, the newest first.
func (s *Cabinet) Cards(ctx context.Context, tin string) ([]cabinet.Card, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+lkCardColumns+` FROM lk_cards WHERE tin = $1 ORDER BY issued_at DESC, id`, tin)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Card
	for rows.Next() {
		c, err := scanLKCard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Card returns a card.
func (s *Cabinet) Card(ctx context.Context, id string) (*cabinet.Card, error) {
	return scanLKCard(s.q.QueryRowContext(ctx, `SELECT `+lkCardColumns+` FROM lk_cards WHERE id = $1`, id))
}

// PutCode stores a code, replacing the one of the same purpose and key; expired codes go with it.
func (s *Cabinet) PutCode(ctx context.Context, c cabinet.Code, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM lk_codes WHERE purpose = $1 AND key = $2`, string(c.Purpose), c.Key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lk_codes (purpose, key, subject, hash, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			string(c.Purpose), c.Key, c.Subject, c.Hash, c.ExpiresAt.UTC()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lk_codes WHERE expires_at < $1`, c.ExpiresAt.Add(-48*time.Hour).UTC()); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

// Code returns a code.
func (s *Cabinet) Code(ctx context.Context, p cabinet.Purpose, key string) (*cabinet.Code, error) {
	c := cabinet.Code{Purpose: p, Key: key}
	var exp sqlTime
	if err := s.q.QueryRowContext(ctx, `SELECT subject, hash, expires_at FROM lk_codes WHERE purpose = $1 AND key = $2`, string(p), key).
		Scan(&c.Subject, &c.Hash, &exp); err != nil {
		return nil, notFound(err)
	}
	c.ExpiresAt = exp.UTC()
	return &c, nil
}

// TakeCode removes and returns a code in one statement: of concurrent takers one gets it.
func (s *Cabinet) TakeCode(ctx context.Context, p cabinet.Purpose, key string) (*cabinet.Code, error) {
	c := cabinet.Code{Purpose: p, Key: key}
	var exp sqlTime
	err := s.q.QueryRowContext(ctx, `DELETE FROM lk_codes WHERE purpose = $1 AND key = $2 RETURNING subject, hash, expires_at`, string(p), key).
		Scan(&c.Subject, &c.Hash, &exp)
	if err != nil {
		return nil, notFound(err)
	}
	c.ExpiresAt = exp.UTC()
	return &c, nil
}

// DeleteCode removes a code.
func (s *Cabinet) DeleteCode(ctx context.Context, p cabinet.Purpose, key string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM lk_codes WHERE purpose = $1 AND key = $2`, string(p), key)
	return err
}

const lkApplicationColumns = `seq, key_hash, state, data, lang, created_at, decided_at, decided_by, reason, tin, card_id, version`

// InsertApplication stores a new application and returns its sequence number.
func (s *Cabinet) InsertApplication(ctx context.Context, a cabinet.Application) (int64, error) {
	data, err := json.Marshal(a.Data)
	if err != nil {
		return 0, err
	}
	var seq int64
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO lk_applications (key_hash, state, data, surname_key, lang, created_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`, a.KeyHash, string(a.State), string(data), a.SurnameKey, a.Lang, a.CreatedAt.UTC(), a.Version).Scan(&seq)
	})
	return seq, err
}

func scanLKApplication(sc interface{ Scan(...any) error }) (*cabinet.Application, error) {
	var a cabinet.Application
	var state, data string
	var created, decided sqlTime
	if err := sc.Scan(&a.Seq, &a.KeyHash, &state, &data, &a.Lang, &created, &decided, &a.DecidedBy, &a.Reason, &a.TIN, &a.CardID, &a.Version); err != nil {
		return nil, notFound(err)
	}
	a.State, a.CreatedAt, a.DecidedAt = cabinet.AppState(state), created.UTC(), decided.UTC()
	if err := json.Unmarshal([]byte(data), &a.Data); err != nil {
		return nil, err
	}
	return &a, nil
}

// Application returns an application.
func (s *Cabinet) Application(ctx context.Context, seq int64) (*cabinet.Application, error) {
	return scanLKApplication(s.q.QueryRowContext(ctx, `SELECT `+lkApplicationColumns+` FROM lk_applications WHERE seq = $1`, seq))
}

// Applications lists applications, the newest first.
func (s *Cabinet) Applications(ctx context.Context, f cabinet.ApplicationFilter) ([]cabinet.Application, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+lkApplicationColumns+` FROM lk_applications
		WHERE ($1 = '' OR state = $1) AND ($2 = '' OR surname_key LIKE $3) ORDER BY seq DESC LIMIT $4`,
		string(f.State), f.Name, likePrefix(f.Name), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Application
	for rows.Next() {
		a, err := scanLKApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// likePrefix is a LIKE pattern of the prefix p, its own % and _ taken literally.
func likePrefix(p string) string {
	return strings.NewReplacer(`\`, ``, "%", "", "_", "").Replace(p) + "%"
}

func updateApplication(ctx context.Context, q querier, a cabinet.Application) error {
	res, err := q.ExecContext(ctx, `UPDATE lk_applications SET state = $2, decided_at = $3, decided_by = $4, reason = $5, tin = $6, card_id = $7,
		version = version + 1 WHERE seq = $1 AND version = $8`, a.Seq, string(a.State), nullTime(a.DecidedAt), a.DecidedBy, a.Reason, a.TIN, a.CardID, a.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return storeerr.ErrConflict
	}
	return nil
}

// UpdateApplication writes a decided application at its version, with its effects.
func (s *Cabinet) UpdateApplication(ctx context.Context, a cabinet.Application, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := updateApplication(ctx, tx, a); err != nil {
			return err
		}
		return s.writeEffects(ctx, tx, e)
	})
}

const lkRepColumns = `id, principal, representative, kind, document, powers, valid_from, valid_until, created_at, created_by, revoked_at, revoked_by`

// InsertRepresentation stores a representation, and the principal's account when given.
func (s *Cabinet) InsertRepresentation(ctx context.Context, r cabinet.Representation, principal *cabinet.Account, e cabinet.Effects) error {
	doc, err := json.Marshal(r.Document)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if principal != nil {
			if _, err := tx.ExecContext(ctx, insertLKAccount, lkAccountArgs(*principal)...); err != nil {
				return keyTaken(err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lk_representations (`+lkRepColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.Principal, r.Representative, string(r.Kind), string(doc), strings.Join(r.Powers, ","), r.ValidFrom.Format(time.DateOnly),
			r.ValidUntil.Format(time.DateOnly), r.CreatedAt.UTC(), r.CreatedBy, nullTime(r.RevokedAt), r.RevokedBy); err != nil {
			return keyTaken(err)
		}
		return s.writeEffects(ctx, tx, e)
	})
}

func scanLKRep(sc interface{ Scan(...any) error }) (*cabinet.Representation, error) {
	var r cabinet.Representation
	var kind, doc, powers, from, until string
	var created, revoked sqlTime
	if err := sc.Scan(&r.ID, &r.Principal, &r.Representative, &kind, &doc, &powers, &from, &until, &created, &r.CreatedBy, &revoked, &r.RevokedBy); err != nil {
		return nil, notFound(err)
	}
	r.Kind, r.CreatedAt, r.RevokedAt = cabinet.RepKind(kind), created.UTC(), revoked.UTC()
	if powers != "" {
		r.Powers = strings.Split(powers, ",")
	}
	var err error
	if r.ValidFrom, err = time.Parse(time.DateOnly, from); err != nil {
		return nil, err
	}
	if r.ValidUntil, err = time.Parse(time.DateOnly, until); err != nil {
		return nil, err
	}
	return &r, json.Unmarshal([]byte(doc), &r.Document)
}

// Representations lists representations, the newest first.
func (s *Cabinet) Representations(ctx context.Context, f cabinet.RepresentationFilter) ([]cabinet.Representation, error) {
	if f.Principal == "" && f.Representative == "" {
		return nil, errors.New("store: a representation filter needs a principal or a representative")
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+lkRepColumns+` FROM lk_representations
		WHERE ($1 = '' OR principal = $1) AND ($2 = '' OR representative = $2) ORDER BY created_at DESC, id`, f.Principal, f.Representative)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cabinet.Representation
	for rows.Next() {
		r, err := scanLKRep(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Representation returns a representation.
func (s *Cabinet) Representation(ctx context.Context, id string) (*cabinet.Representation, error) {
	return scanLKRep(s.q.QueryRowContext(ctx, `SELECT `+lkRepColumns+` FROM lk_representations WHERE id = $1`, id))
}

// RevokeRepresentation marks a representation revoked if it is not yet (a Conflict otherwise).
func (s *Cabinet) RevokeRepresentation(ctx context.Context, id string, at time.Time, by string, e cabinet.Effects) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE lk_representations SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL`, id, at.UTC(), by)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storeerr.ErrConflict
		}
		return s.writeEffects(ctx, tx, e)
	})
}
