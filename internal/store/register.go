package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Register is the register's storage (register.Store) on this database. It keeps rows and unique
// keys; every rule is in package register.
type Register struct {
	regQ
	db *DB
}

// NewRegister returns the register's storage on db.
func NewRegister(db *DB) *Register {
	return &Register{regQ: regQ{q: newStmtCache(db.SQL), dialect: db.Dialect}, db: db}
}

var _ register.Store = (*Register)(nil)

// Update runs fn in one transaction, run again whole on a serialization failure (see InTx) and
// when fn returns a *storeerr.KeyTaken itself: a unique key that a concurrent transaction took
// between this one's reads and its write, whose row the next attempt reads (register.Store).
func (r *Register) Update(ctx context.Context, fn func(tx register.Tx) error) error {
	return r.db.inTx(ctx, keyRace, func(tx *sql.Tx) error {
		return fn(&regTx{regQ{q: tx, dialect: r.db.Dialect, inTx: true}})
	})
}

// keyRace reports whether a transaction of the register lost a race: IsRetryable's, or a unique
// key, when its rules returned the store's *storeerr.KeyTaken as it was, not answered by a
// problem of their own.
func keyRace(err error) bool {
	_, taken := err.(*storeerr.KeyTaken)
	return taken || IsRetryable(err)
}

type regQ struct {
	q       querier
	dialect Dialect
	inTx    bool
}

type regTx struct{ regQ }

// taken translates a unique-key violation into a *storeerr.KeyTaken.
func taken(err error) error { return keyTaken(err) }

const maxRune = "\U0010FFFF" // the upper bound of a prefix range in byte order

func dateStr(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.DateOnly)
}

func datePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dateStr(*t)
}

func parseDate(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.DateOnly, s.String)
	return t
}

func parseDatePtr(s sql.NullString) *time.Time {
	t := parseDate(s)
	if t.IsZero() {
		return nil
	}
	return &t
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// valuesList returns rows groups of cols placeholders for a multi-row VALUES list. SQLite gets
// anonymous "?" placeholders: its lookup of numbered ones grows with the square of their count.
func (q regQ) valuesList(rows, cols int) string {
	var b strings.Builder
	n := 1
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := 0; j < cols; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			if q.dialect == SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			}
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// --- reads -------------------------------------------------------------------------------------

// taxpayerQuery reads a record. Most look-ups need nothing more: a person's documents are in its
// data, persons have no КПП (REG-5), and most records have not changed since their registration
// (changes = 0). The others read their КПП and history with dependentsQuery, in a second statement
// kept apart so that the first stays a plain primary-key read (on PostgreSQL even subqueries that
// are never run cost their set-up on every execution).
const taxpayerQuery = `SELECT kind, status, tax_office, registered_on, data, end_reason, end_on, kept_tin, end_note, version, kio,
	registered_at, registered_by, changes FROM reg_taxpayers WHERE tin = $1`

// dependentsQuery returns a record's КПП and its first $2 changes (as many as the record read
// counts, so that the history matches the record even if a change commits in between) as JSON
// arrays built by the engine.
func (q regQ) dependentsQuery() string {
	if q.dialect == Postgres {
		return `SELECT
	COALESCE((SELECT json_agg(json_build_array(code, ground, tax_office, reason, subdivision, address, assigned_on, closed_on) ORDER BY assigned_on, code) FROM reg_kpps k WHERE k.tin = $1), '[]'),
	COALESCE((SELECT json_agg(json_build_array(id, at, actor, action, fields, note) ORDER BY id) FROM (SELECT * FROM reg_history WHERE tin = $1 ORDER BY id LIMIT $2) h), '[]')`
	}
	return `SELECT
	(SELECT json_group_array(json_array(code, ground, tax_office, reason, subdivision, address, assigned_on, closed_on) ORDER BY assigned_on, code) FROM reg_kpps k WHERE k.tin = $1),
	(SELECT json_group_array(json_array(id, at, actor, action, fields, note) ORDER BY id) FROM (SELECT * FROM reg_history WHERE tin = $1 ORDER BY id LIMIT $2))`
}

func (q regQ) Taxpayer(ctx context.Context, tin string) (*register.Taxpayer, error) {
	var kind, status, office, data, endNote string
	var regOn, endReason, endOn, kept, kio sql.NullString
	var version, changes int64
	reg := register.Change{Action: "registered"}
	err := q.q.QueryRowContext(ctx, taxpayerQuery, tin).Scan(&kind, &status, &office, &regOn, &data, &endReason, &endOn, &kept, &endNote,
		&version, &kio, &reg.At, &reg.Actor, &changes)
	if err != nil {
		if IsNotFound(err) {
			return nil, storeerr.ErrNotFound
		}
		return nil, err
	}
	t := &register.Taxpayer{TIN: tin, Kind: register.Kind(kind), Status: register.Status(status), TaxOffice: office,
		RegisteredOn: parseDate(regOn), Version: version}
	if endReason.Valid {
		t.Ending = &register.Ending{Reason: register.EndReason(endReason.String), On: parseDate(endOn), KeptTIN: kept.String, Note: endNote}
	}
	bad := func(what string, err error) error { return fmt.Errorf("store: taxpayer %s %s: %w", tin, what, err) }
	switch t.Kind {
	case register.KindPerson:
		var p storedPerson
		if err := decodeData(data, &p); err != nil {
			return nil, bad("data", err)
		}
		t.Person = p.person()
	case register.KindOrganization:
		var o storedOrganization
		if err := decodeData(data, &o); err != nil {
			return nil, bad("data", err)
		}
		t.Organization = o.organization()
	case register.KindForeign:
		k, err := q.KIO(ctx, kio.String)
		if err != nil {
			return nil, err
		}
		t.Foreign = k
	}
	var kpps, hist string
	if t.Kind != register.KindPerson || changes > 0 {
		if err := q.q.QueryRowContext(ctx, q.dependentsQuery(), tin, changes).Scan(&kpps, &hist); err != nil {
			return nil, err
		}
	}
	if t.KPPs, err = decodeKPPs(kpps); err != nil {
		return nil, bad("kpp", err)
	}
	reg.At = reg.At.UTC()
	if t.History, err = decodeHistory(reg, hist); err != nil {
		return nil, bad("history", err)
	}
	return t, nil
}

// summaryCols are the columns of a search result (register.Summary); a foreign organization's
// Latin name is read from its КИО entry (REG-8).
const summaryCols = `t.tin, t.kind, t.status, t.name, t.tax_office, t.birth_date, COALESCE((SELECT k.name_latin FROM reg_kio k WHERE k.code = t.kio), '')`

func (q regQ) summaries(ctx context.Context, query string, args ...any) ([]register.Summary, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []register.Summary
	for rows.Next() {
		var s register.Summary
		var birth sql.NullString
		if err := rows.Scan(&s.TIN, &s.Kind, &s.Status, &s.Name, &s.TaxOffice, &birth, &s.NameLatin); err != nil {
			return nil, err
		}
		s.BirthDate = parseDatePtr(birth)
		out = append(out, s)
	}
	return out, rows.Err()
}

const reviewCols = `id, status, input, candidates, created_at, created_by, decided_at, decided_by, result_tin, reason`

func scanReview(s interface{ Scan(...any) error }) (*register.Review, error) {
	var r register.Review
	var input, cands string
	var decided sql.NullTime
	if err := s.Scan(&r.ID, &r.Status, &input, &cands, &r.CreatedAt, &r.CreatedBy, &decided, &r.DecidedBy, &r.ResultTIN, &r.Reason); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		r.DecidedAt = &t
	}
	var in storedPersonInput
	if err := json.Unmarshal([]byte(input), &in); err != nil {
		return nil, err
	}
	r.Input = in.input()
	if err := json.Unmarshal([]byte(cands), &r.Candidates); err != nil {
		return nil, err
	}
	return &r, nil
}

func (q regQ) Review(ctx context.Context, id int64) (*register.Review, error) {
	r, err := scanReview(q.q.QueryRowContext(ctx, `SELECT `+reviewCols+` FROM reg_reviews WHERE id = $1`, id))
	if IsNotFound(err) {
		return nil, storeerr.ErrNotFound
	}
	return r, err
}

func (q regQ) Reviews(ctx context.Context, status register.ReviewStatus, limit int) ([]register.Review, error) {
	query := `SELECT ` + reviewCols + ` FROM reg_reviews`
	args := []any{}
	if status != "" {
		query += ` WHERE status = $1`
		args = append(args, string(status))
	}
	args = append(args, limit)
	query += ` ORDER BY id LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []register.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

const kioCols = `code, assigned_on, changed_on, invalid_on, name_ru, name_latin, short_name_ru, address, country, oksm, reg_number, tax_code`

func scanKIO(s interface{ Scan(...any) error }) (*register.KIO, error) {
	var k register.KIO
	var assigned, changed, invalid sql.NullString
	if err := s.Scan(&k.Code, &assigned, &changed, &invalid, &k.NameRu, &k.NameLatin, &k.ShortNameRu, &k.Address, &k.Country, &k.OKSM, &k.RegNumber, &k.TaxCode); err != nil {
		return nil, err
	}
	k.AssignedOn, k.ChangedOn, k.InvalidOn = parseDate(assigned), parseDatePtr(changed), parseDatePtr(invalid)
	return &k, nil
}

func (q regQ) KIO(ctx context.Context, code string) (*register.KIO, error) {
	k, err := scanKIO(q.q.QueryRowContext(ctx, `SELECT `+kioCols+` FROM reg_kio WHERE code = $1`, code))
	if IsNotFound(err) {
		return nil, storeerr.ErrNotFound
	}
	return k, err
}

func (q regQ) ListKIO(ctx context.Context, prefix string, limit int) ([]register.KIO, error) {
	query := `SELECT ` + kioCols + ` FROM reg_kio`
	var args []any
	if prefix != "" {
		query += ` WHERE (code >= $1 AND code < $2) OR (name_norm >= $1 AND name_norm < $2)`
		args = append(args, prefix, prefix+maxRune)
	}
	args = append(args, limit)
	query += ` ORDER BY code LIMIT $` + strconv.Itoa(len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []register.KIO{}
	for rows.Next() {
		k, err := scanKIO(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

func (q regQ) Offices(ctx context.Context) ([]register.Office, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT code, name, region FROM reg_offices ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []register.Office
	for rows.Next() {
		var o register.Office
		if err := rows.Scan(&o.Code, &o.Name, &o.Region); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (q regQ) Office(ctx context.Context, code string) (*register.Office, error) {
	var o register.Office
	err := q.q.QueryRowContext(ctx, `SELECT code, name, region FROM reg_offices WHERE code = $1`, code).Scan(&o.Code, &o.Name, &o.Region)
	if IsNotFound(err) {
		return nil, storeerr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// IssuedExtract returns what an issued extract stated (REG-9), without its files.
func (q regQ) IssuedExtract(ctx context.Context, number string) (*register.IssuedExtract, error) {
	var x register.IssuedExtract
	var signed int64
	err := q.q.QueryRowContext(ctx, `SELECT number, tin, issued_at, issued_by, position, kind, name, status, end_reason, office, office_name,
		time_zone, lang, pdf_sha256, COALESCE(length(signature), 0) FROM reg_extracts WHERE number = $1`, number).
		Scan(&x.Number, &x.TIN, &x.IssuedAt, &x.IssuedBy, &x.Position, &x.Kind, &x.Name, &x.Status, &x.EndReason, &x.OfficeCode, &x.OfficeName,
			&x.TimeZone, &x.Lang, &x.SHA256, &signed)
	if IsNotFound(err) {
		return nil, storeerr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	x.IssuedAt, x.Signed = x.IssuedAt.UTC(), signed > 0
	return &x, nil
}

// ExtractFiles returns the PDF and the signature kept with an issued extract (REG-9).
func (q regQ) ExtractFiles(ctx context.Context, number string) (*register.ExtractFiles, error) {
	var f register.ExtractFiles
	err := q.q.QueryRowContext(ctx, `SELECT tin, pdf, signature FROM reg_extracts WHERE number = $1`, number).Scan(&f.TIN, &f.PDF, &f.Signature)
	if IsNotFound(err) {
		return nil, storeerr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}
