package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// OIDC implements oidc.Store: the OpenID Connect provider's clients, codes, grants, refresh
// tokens, consents, signing keys, client assertions and settings (IDP-7).
type OIDC struct {
	db *DB
	q  *stmtCache
}

// NewOIDC returns the OpenID Connect provider's storage of db.
func NewOIDC(db *DB) *OIDC { return &OIDC{db: db, q: newStmtCache(db.SQL)} }

var _ oidc.Store = (*OIDC)(nil)

type scanner interface{ Scan(...any) error }

func words(s string) []string { return strings.Fields(s) }

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

const clientColumns = `id, name, redirect_uris, post_logout_uris, public, trusted, scopes, auth_method, secret_hash, jwks_url, jwks,
	subject_type, sector, alg, created_at, secret_set_at`

func clientArgs(c oidc.Client) []any {
	var secret any
	if len(c.SecretHash) > 0 {
		secret = c.SecretHash
	}
	return []any{c.ID, c.Name, jsonList(c.RedirectURIs), jsonList(c.PostLogoutURIs), c.Public, c.Trusted, strings.Join(c.Scopes, " "),
		c.AuthMethod, secret, c.JWKSURL, string(c.JWKS), c.SubjectType, c.Sector, c.Alg, c.CreatedAt.UTC(), nullTime(c.SecretSetAt)}
}

func scanClient(sc scanner) (*oidc.Client, error) {
	var c oidc.Client
	var redirects, logouts, scopes, jwks string
	var setAt sql.NullTime
	if err := sc.Scan(&c.ID, &c.Name, &redirects, &logouts, &c.Public, &c.Trusted, &scopes, &c.AuthMethod, &c.SecretHash, &c.JWKSURL, &jwks,
		&c.SubjectType, &c.Sector, &c.Alg, &c.CreatedAt, &setAt); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(redirects), &c.RedirectURIs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(logouts), &c.PostLogoutURIs); err != nil {
		return nil, err
	}
	c.Scopes = words(scopes)
	if jwks != "" {
		c.JWKS = []byte(jwks)
	}
	c.CreatedAt, c.SecretSetAt = c.CreatedAt.UTC(), timeOf(setAt)
	return &c, nil
}

// InsertClient stores a new client.
func (s *OIDC) InsertClient(ctx context.Context, c oidc.Client) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_clients (`+clientColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, clientArgs(c)...)
	return keyTaken(err)
}

// Client returns a client.
func (s *OIDC) Client(ctx context.Context, id string) (*oidc.Client, error) {
	return scanClient(s.q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM oidc_clients WHERE id = $1`, id))
}

// Clients lists the clients by id.
func (s *OIDC) Clients(ctx context.Context) ([]oidc.Client, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+clientColumns+` FROM oidc_clients ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oidc.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// UpdateClient rewrites a client.
func (s *OIDC) UpdateClient(ctx context.Context, c oidc.Client) error {
	return affected(s.q.ExecContext(ctx, `UPDATE oidc_clients SET name = $2, redirect_uris = $3, post_logout_uris = $4, public = $5,
		trusted = $6, scopes = $7, auth_method = $8, secret_hash = $9, jwks_url = $10, jwks = $11, subject_type = $12, sector = $13, alg = $14,
		created_at = $15, secret_set_at = $16 WHERE id = $1`, clientArgs(c)...))
}

// DeleteClient removes a client and all it was given.
func (s *OIDC) DeleteClient(ctx context.Context, id string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, `DELETE FROM oidc_clients WHERE id = $1`, id)); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM oidc_refresh_tokens WHERE grant_id IN (SELECT id FROM oidc_grants WHERE client_id = $1)`,
			`DELETE FROM oidc_grants WHERE client_id = $1`,
			`DELETE FROM oidc_codes WHERE client_id = $1`,
			`DELETE FROM oidc_consents WHERE client_id = $1`,
			`DELETE FROM oidc_assertions WHERE client_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const codeColumns = `hash, client_id, redirect_uri, account_id, subject, scopes, nonce, code_challenge, auth_time, acr, confirmation, amr, session_id,
	created_at, expires_at, used_at, grant_id`

// InsertCode stores a new authorization code.
func (s *OIDC) InsertCode(ctx context.Context, c oidc.Code) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_codes (`+codeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		c.Hash, c.ClientID, c.RedirectURI, c.AccountID, c.Subject, strings.Join(c.Scopes, " "), c.Nonce, c.CodeChallenge, c.AuthTime.UTC(),
		c.ACR, c.Confirmation, strings.Join(c.AMR, " "), c.SessionID, c.CreatedAt.UTC(), c.ExpiresAt.UTC(), nullTime(c.UsedAt), nullString(c.GrantID))
	return keyTaken(err)
}

// scanCode reads a row of codeColumns.
func scanCode(sc scanner) (*oidc.Code, error) {
	var c oidc.Code
	var scopes, amr string
	var used sql.NullTime
	var grant sql.NullString
	err := sc.Scan(&c.Hash, &c.ClientID, &c.RedirectURI, &c.AccountID, &c.Subject, &scopes, &c.Nonce, &c.CodeChallenge, &c.AuthTime, &c.ACR,
		&c.Confirmation, &amr, &c.SessionID, &c.CreatedAt, &c.ExpiresAt, &used, &grant)
	if err != nil {
		return nil, notFound(err)
	}
	c.Scopes, c.AMR = words(scopes), words(amr)
	c.AuthTime, c.CreatedAt, c.ExpiresAt, c.UsedAt, c.GrantID = c.AuthTime.UTC(), c.CreatedAt.UTC(), c.ExpiresAt.UTC(), timeOf(used), grant.String
	return &c, nil
}

// Code returns a code by its hash.
func (s *OIDC) Code(ctx context.Context, hash []byte) (*oidc.Code, error) {
	return scanCode(s.q.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM oidc_codes WHERE hash = $1`, hash))
}

// execer runs statements: the database, a transaction, or a preparedTx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rowQuerier reads one row: the statement cache, a transaction, or a preparedTx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// preparedTx runs the statements of a transaction through the statements the cache keeps
// prepared: the token endpoint writes in a transaction on every grant, and its SQL is parsed
// once rather than on every grant.
type preparedTx struct {
	q  *stmtCache
	tx *sql.Tx
}

// ExecContext runs query in the transaction.
func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.q.stmt(ctx, query); st != nil {
		return p.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction and returns its one row.
func (p preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.q.stmt(ctx, query); st != nil {
		return p.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
}

// RedeemCode redeems a code in one transaction: one UPDATE … RETURNING marks it used by grant
// grantID and reads it, so that of two concurrent redemptions one only gets the code (the other
// finds no unused row, under either engine's locking); open decides, and the grant and refresh
// token it returns are stored. A refusal by open is committed as a spent code without a grant.
func (s *OIDC) RedeemCode(ctx context.Context, hash []byte, clientID, grantID string, at time.Time,
	open func(*oidc.Code) (*oidc.Grant, *oidc.RefreshToken, error)) error {
	var refused error
	err := s.db.InTx(ctx, func(sqlTx *sql.Tx) error {
		refused = nil
		tx := preparedTx{s.q, sqlTx}
		code, err := scanCode(tx.QueryRowContext(ctx, `UPDATE oidc_codes SET used_at = $2, grant_id = $3
			WHERE hash = $1 AND client_id = $4 AND used_at IS NULL RETURNING `+codeColumns, hash, at.UTC(), grantID, clientID))
		if errors.Is(err, storeerr.ErrNotFound) {
			return storeerr.ErrConflict
		}
		if err != nil {
			return err
		}
		g, rt, err := open(code)
		if err != nil {
			// Spent all the same: a code is single use, whatever its first use was.
			refused = err
			_, err := tx.ExecContext(ctx, `UPDATE oidc_codes SET grant_id = NULL WHERE hash = $1`, hash)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_grants (`+grantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			grantID, g.ClientID, g.AccountID, g.Subject, strings.Join(g.Scopes, " "), g.AuthTime.UTC(), g.ACR, strings.Join(g.AMR, " "), g.SessionID,
			g.CreatedAt.UTC(), g.ExpiresAt.UTC(), nullTime(g.RevokedAt)); err != nil {
			return err
		}
		if rt == nil {
			return nil
		}
		return insertRefresh(ctx, tx, *rt)
	})
	if err == nil {
		err = refused
	}
	return err
}

func insertRefresh(ctx context.Context, q execer, rt oidc.RefreshToken) error {
	_, err := q.ExecContext(ctx, `INSERT INTO oidc_refresh_tokens (hash, grant_id, issued_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)`,
		rt.Hash, rt.GrantID, rt.IssuedAt.UTC(), rt.ExpiresAt.UTC(), nullTime(rt.UsedAt))
	return err
}

const grantColumns = `id, client_id, account_id, subject, scopes, auth_time, acr, amr, session_id, created_at, expires_at, revoked_at`

// grantFields are the destinations of a row of grantColumns and what makes the grant of them
// once scanned.
func grantFields() (*oidc.Grant, []any, func()) {
	var g oidc.Grant
	var scopes, amr string
	var revoked sql.NullTime
	return &g, []any{&g.ID, &g.ClientID, &g.AccountID, &g.Subject, &scopes, &g.AuthTime, &g.ACR, &amr, &g.SessionID, &g.CreatedAt, &g.ExpiresAt, &revoked},
		func() {
			g.Scopes, g.AMR = words(scopes), words(amr)
			g.AuthTime, g.CreatedAt, g.ExpiresAt, g.RevokedAt = g.AuthTime.UTC(), g.CreatedAt.UTC(), g.ExpiresAt.UTC(), timeOf(revoked)
		}
}

// scanGrant reads a row of grantColumns.
func scanGrant(sc scanner) (*oidc.Grant, error) {
	g, dest, done := grantFields()
	if err := sc.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	done()
	return g, nil
}

// Grant returns a grant.
func (s *OIDC) Grant(ctx context.Context, id string) (*oidc.Grant, error) {
	return scanGrant(s.q.QueryRowContext(ctx, grantByID, id))
}

// grantWithAccount reads a grant and its account in one statement.
// grantByID reads a grant; grantWithAccount reads it with its account.
const grantByID = `SELECT ` + grantColumns + ` FROM oidc_grants WHERE id = $1`

var grantWithAccount = `SELECT ` + qualified("g", grantColumns) + `, ` + qualified("a", accountColumns) +
	` FROM oidc_grants g JOIN idp_accounts a ON a.id = g.account_id WHERE g.id = $1`

// GrantWithAccount returns a grant with its account, read in the same statement; a grant whose
// account is not there comes alone.
func (s *OIDC) GrantWithAccount(ctx context.Context, id string) (*oidc.Grant, error) {
	return grantWithItsAccount(ctx, s.q, id)
}

// grantWithItsAccount reads a grant with its account by q (the store's statements, or a
// transaction's); a grant whose account is not there comes alone.
func grantWithItsAccount(ctx context.Context, q rowQuerier, id string) (*oidc.Grant, error) {
	g, dest, done := grantFields()
	a, adest, adone := accountFields()
	err := q.QueryRowContext(ctx, grantWithAccount, id).Scan(append(dest, adest...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return scanGrant(q.QueryRowContext(ctx, grantByID, id))
	}
	if err != nil {
		return nil, err
	}
	done()
	if err := adone(); err != nil {
		return nil, err
	}
	g.Account = a
	return g, nil
}

// RevokeGrant revokes a grant (a grant revoked already stays as it was).
func (s *OIDC) RevokeGrant(ctx context.Context, id string, at time.Time) error {
	_, err := s.q.ExecContext(ctx, `UPDATE oidc_grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, at.UTC())
	return err
}

const refreshColumns = `hash, grant_id, issued_at, expires_at, used_at`

// scanRefresh reads a row of refreshColumns.
func scanRefresh(sc scanner) (*oidc.RefreshToken, error) {
	var rt oidc.RefreshToken
	var used sql.NullTime
	if err := sc.Scan(&rt.Hash, &rt.GrantID, &rt.IssuedAt, &rt.ExpiresAt, &used); err != nil {
		return nil, notFound(err)
	}
	rt.IssuedAt, rt.ExpiresAt, rt.UsedAt = rt.IssuedAt.UTC(), rt.ExpiresAt.UTC(), timeOf(used)
	return &rt, nil
}

// RefreshToken returns a refresh token by its hash.
func (s *OIDC) RefreshToken(ctx context.Context, hash []byte) (*oidc.RefreshToken, error) {
	return scanRefresh(s.q.QueryRowContext(ctx, `SELECT `+refreshColumns+` FROM oidc_refresh_tokens WHERE hash = $1`, hash))
}

// RotateRefresh rotates a refresh token in one transaction: one UPDATE … RETURNING marks it
// used and reads it (of two concurrent rotations one only gets it), its grant is read in the
// same transaction, next decides, and the successor it returns is stored. A refusal by next
// rolls everything back.
func (s *OIDC) RotateRefresh(ctx context.Context, hash []byte, at time.Time,
	next func(*oidc.RefreshToken, *oidc.Grant) (*oidc.RefreshToken, error)) error {
	return s.db.InTx(ctx, func(sqlTx *sql.Tx) error {
		tx := preparedTx{s.q, sqlTx}
		rt, err := scanRefresh(tx.QueryRowContext(ctx, `UPDATE oidc_refresh_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL
			RETURNING `+refreshColumns, hash, at.UTC()))
		if errors.Is(err, storeerr.ErrNotFound) {
			return storeerr.ErrConflict
		}
		if err != nil {
			return err
		}
		g, err := grantWithItsAccount(ctx, tx, rt.GrantID)
		if err != nil {
			return err
		}
		n, err := next(rt, g)
		if err != nil {
			return err
		}
		return insertRefresh(ctx, tx, *n)
	})
}

func scanConsent(sc scanner) (*oidc.Consent, error) {
	var c oidc.Consent
	var scopes string
	if err := sc.Scan(&c.AccountID, &c.ClientID, &scopes, &c.GrantedAt); err != nil {
		return nil, notFound(err)
	}
	c.Scopes, c.GrantedAt = words(scopes), c.GrantedAt.UTC()
	return &c, nil
}

// Consent returns what an account allowed a client.
func (s *OIDC) Consent(ctx context.Context, accountID, clientID string) (*oidc.Consent, error) {
	return scanConsent(s.q.QueryRowContext(ctx, `SELECT account_id, client_id, scopes, granted_at FROM oidc_consents
		WHERE account_id = $1 AND client_id = $2`, accountID, clientID))
}

// PutConsent stores or replaces a consent.
func (s *OIDC) PutConsent(ctx context.Context, c oidc.Consent) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_consents (account_id, client_id, scopes, granted_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`,
		c.AccountID, c.ClientID, strings.Join(c.Scopes, " "), c.GrantedAt.UTC())
	return err
}

// Consents lists an account's consents, the most recent first.
func (s *OIDC) Consents(ctx context.Context, accountID string) ([]oidc.Consent, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT account_id, client_id, scopes, granted_at FROM oidc_consents WHERE account_id = $1
		ORDER BY granted_at DESC, client_id LIMIT 500`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oidc.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// RevokeConsent forgets a consent and revokes the account's grants to the client.
func (s *OIDC) RevokeConsent(ctx context.Context, accountID, clientID string, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oidc_consents WHERE account_id = $1 AND client_id = $2`, accountID, clientID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE oidc_grants SET revoked_at = $3 WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL`,
			accountID, clientID, at.UTC())
		return err
	})
}

// InsertKey stores a signing key.
func (s *OIDC) InsertKey(ctx context.Context, k oidc.Key) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_keys (id, alg, generation, public_jwk, private_enc, kek_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, k.Alg, k.Generation, string(k.Public), k.Private, k.KEKID, k.CreatedAt.UTC())
	return keyTaken(err)
}

// Keys returns every signing key.
func (s *OIDC) Keys(ctx context.Context) ([]oidc.Key, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, alg, generation, public_jwk, private_enc, kek_id, created_at FROM oidc_keys ORDER BY alg, generation`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []oidc.Key
	for rows.Next() {
		var k oidc.Key
		var pub string
		if err := rows.Scan(&k.ID, &k.Alg, &k.Generation, &pub, &k.Private, &k.KEKID, &k.CreatedAt); err != nil {
			return nil, err
		}
		k.Public, k.CreatedAt = []byte(pub), k.CreatedAt.UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeleteKey removes a signing key.
func (s *OIDC) DeleteKey(ctx context.Context, id string) error {
	return affected(s.q.ExecContext(ctx, `DELETE FROM oidc_keys WHERE id = $1`, id))
}

// UseAssertion records a client assertion's jti.
func (s *OIDC) UseAssertion(ctx context.Context, clientID, jti string, expires time.Time) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3)`, clientID, jti, expires.UTC())
	return keyTaken(err)
}

// Setting returns a setting's value.
func (s *OIDC) Setting(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.q.QueryRowContext(ctx, `SELECT value FROM oidc_settings WHERE name = $1`, name).Scan(&v)
	return v, notFound(err)
}

// InsertSetting stores a setting made once.
func (s *OIDC) InsertSetting(ctx context.Context, name string, value []byte) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO oidc_settings (name, value) VALUES ($1, $2)`, name, value)
	return keyTaken(err)
}

// DeleteExpired removes expired codes, grants with their refresh tokens, and assertions.
func (s *OIDC) DeleteExpired(ctx context.Context, now, codesBefore time.Time) (int, error) {
	total := 0
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		total = 0
		for _, q := range []struct {
			sql string
			at  time.Time
		}{
			{`DELETE FROM oidc_codes WHERE expires_at < $1 OR used_at < $1`, codesBefore},
			{`DELETE FROM oidc_refresh_tokens WHERE expires_at < $1 OR grant_id IN (SELECT id FROM oidc_grants WHERE expires_at < $1)`, now},
			{`DELETE FROM oidc_grants WHERE expires_at < $1`, now},
			{`DELETE FROM oidc_assertions WHERE expires_at < $1`, now},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.at.UTC())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, err
}
