package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"runtime"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/internal/audit"
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

// Update runs fn in one transaction (retried whole on serialization failures, see InTx).
func (r *Register) Update(ctx context.Context, fn func(tx register.Tx) error) error {
	return r.db.InTx(ctx, func(tx *sql.Tx) error {
		return fn(&regTx{regQ{q: tx, dialect: r.db.Dialect, inTx: true}})
	})
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
		t.Person = &register.Person{}
		if err := decodeData(data, t.Person); err != nil {
			return nil, bad("data", err)
		}
	case register.KindOrganization:
		t.Organization = &register.Organization{}
		if err := decodeData(data, t.Organization); err != nil {
			return nil, bad("data", err)
		}
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

// decodeData decodes a record's data column (written by taxpayerData with encoding/json, or by a
// migration in the engine) with the faster decoder of JSON v2: a look-up spends more time here
// than anywhere else outside the engine. Unknown members are ignored, as encoding/json does.
func decodeData(data string, v any) error {
	return jsonv2.Unmarshal([]byte(data), v)
}

// jsonRows decodes an engine-built JSON array of rows, each an array of width values.
func jsonRows(s string, width int) ([][]json.RawMessage, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if len(r) != width {
			return nil, fmt.Errorf("a row of %d values, want %d", len(r), width)
		}
	}
	return rows, nil
}

// cells decodes the values of one row of jsonRows into dest.
func cells(row []json.RawMessage, dest ...any) error {
	for i, d := range dest {
		if err := json.Unmarshal(row[i], d); err != nil {
			return err
		}
	}
	return nil
}

func optDate(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// jsonTime parses a timestamp as the engines write it into JSON: PostgreSQL in RFC 3339, SQLite
// as the driver stored it (Go's time.Time.String).
func jsonTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q", s)
}

func decodeKPPs(s string) ([]register.KPP, error) {
	rows, err := jsonRows(s, 8)
	if err != nil {
		return nil, err
	}
	var out []register.KPP
	for _, r := range rows {
		var k register.KPP
		var addr string
		var assigned, closed *string
		if err := cells(r, &k.Code, &k.Ground, &k.TaxOffice, &k.Reason, &k.Subdivision, &addr, &assigned, &closed); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(addr), &k.Address)
		k.AssignedOn, k.ClosedOn = parseDate(optDate(assigned)), parseDatePtr(optDate(closed))
		out = append(out, k)
	}
	return out, nil
}

// decodeHistory returns the changes, the registration first (it is the taxpayer row itself).
func decodeHistory(reg register.Change, s string) ([]register.Change, error) {
	rows, err := jsonRows(s, 6)
	if err != nil {
		return nil, err
	}
	out := make([]register.Change, 0, 1+len(rows))
	out = append(out, reg)
	for _, r := range rows {
		var c register.Change
		var at, fields string
		if err := cells(r, &c.Seq, &at, &c.Actor, &c.Action, &fields, &c.Note); err != nil {
			return nil, err
		}
		if c.At, err = jsonTime(at); err != nil {
			return nil, err
		}
		if fields != "" && fields != "[]" && fields != "null" {
			if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}

const summaryCols = `t.tin, t.kind, t.status, t.name, t.tax_office, t.birth_date`

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
		if err := rows.Scan(&s.TIN, &s.Kind, &s.Status, &s.Name, &s.TaxOffice, &birth); err != nil {
			return nil, err
		}
		s.BirthDate = parseDatePtr(birth)
		out = append(out, s)
	}
	return out, rows.Err()
}

const reviewCols = `id, status, input, candidates, created_at, created_by, decided_at, decided_by, result_tin`

func scanReview(s interface{ Scan(...any) error }) (*register.Review, error) {
	var r register.Review
	var input, cands string
	var decided sql.NullTime
	if err := s.Scan(&r.ID, &r.Status, &input, &cands, &r.CreatedAt, &r.CreatedBy, &decided, &r.DecidedBy, &r.ResultTIN); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		r.DecidedAt = &t
	}
	if err := json.Unmarshal([]byte(input), &r.Input); err != nil {
		return nil, err
	}
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

// --- writes (inside Update) --------------------------------------------------------------------

func (t *regTx) LockTaxpayer(ctx context.Context, tin string) (*register.Taxpayer, error) {
	if t.dialect == Postgres {
		var x string
		if err := t.q.QueryRowContext(ctx, `SELECT tin FROM reg_taxpayers WHERE tin = $1 FOR UPDATE`, tin).Scan(&x); err != nil && !IsNotFound(err) {
			return nil, err
		}
	}
	return t.Taxpayer(ctx, tin)
}

func (t *regTx) NextSerials(ctx context.Context, scope, prefix string, n int, start int64) (int64, error) {
	var first int64
	err := t.q.QueryRowContext(ctx, `INSERT INTO reg_counters (scope, prefix, next) VALUES ($1, $2, CAST($3 AS BIGINT) + CAST($4 AS BIGINT))
		ON CONFLICT (scope, prefix) DO UPDATE SET next = reg_counters.next + CAST($4 AS BIGINT)
		RETURNING next - CAST($4 AS BIGINT)`, scope, prefix, start, n).Scan(&first)
	return first, err
}

// nameBuckets is how many rows reg_name_locks has: namesakes share a bucket, and so do a few
// unrelated names, which only wait for each other a little.
const nameBuckets = 4096

// LockNames locks, in a fixed order, the rows of reg_name_locks for the names' buckets (PostgreSQL:
// SELECT … FOR UPDATE, portable to distributed engines, unlike advisory locks). The lock is held
// to commit; the rules' reads that follow see what a namesake's registration committed meanwhile.
// SQLite runs one write transaction at a time (BEGIN IMMEDIATE), which already gives that.
func (t *regTx) LockNames(ctx context.Context, names []register.NameBirth) error {
	if t.dialect != Postgres || len(names) == 0 {
		return nil
	}
	seen := map[int32]bool{}
	buckets := make([]int32, 0, min(len(names), nameBuckets))
	h := fnv.New32a()
	for _, n := range names {
		h.Reset()
		h.Write([]byte(n.Key()))
		b := int32(h.Sum32() % nameBuckets)
		if !seen[b] {
			seen[b] = true
			buckets = append(buckets, b)
		}
	}
	_, err := t.q.ExecContext(ctx, `SELECT bucket FROM reg_name_locks WHERE bucket = ANY($1) ORDER BY bucket FOR UPDATE`, buckets)
	return err
}

func (t *regTx) PersonByDocument(ctx context.Context, key string) (string, error) {
	var tin string
	err := t.q.QueryRowContext(ctx, `SELECT tin FROM reg_documents WHERE doc_key = $1`, key).Scan(&tin)
	if IsNotFound(err) {
		return "", nil
	}
	return tin, err
}

// inList runs query for all keys at once and hands each row to scan. The query's "IN %s" takes the
// keys as one parameter: on PostgreSQL "= ANY($1)" with a text array, on SQLite "IN (SELECT value
// FROM json_each($1))" with a JSON array. Either way the engine probes the index once per key
// however large the table grows, and the driver binds one value, not thousands.
func (t *regTx) inList(ctx context.Context, query string, keys []string, scan func(*sql.Rows) error) error {
	if len(keys) == 0 {
		return nil
	}
	var arg any = keys
	if t.dialect == Postgres {
		query = strings.Replace(query, "IN %s", "= ANY($1)", 1)
	} else {
		b, err := json.Marshal(keys)
		if err != nil {
			return err
		}
		query, arg = strings.Replace(query, "IN %s", "IN (SELECT value FROM json_each($1))", 1), string(b)
	}
	rows, err := t.q.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *regTx) PersonsByDocuments(ctx context.Context, keys []string) (map[string]string, error) {
	out := map[string]string{}
	err := t.inList(ctx, `SELECT doc_key, tin FROM reg_documents WHERE doc_key IN %s`, keys, func(r *sql.Rows) error {
		var k, tin string
		err := r.Scan(&k, &tin)
		out[k] = tin
		return err
	})
	return out, err
}

func (t *regTx) PersonsBySNILS(ctx context.Context, snils []string) (map[string]string, error) {
	out := map[string]string{}
	err := t.inList(ctx, `SELECT snils, tin FROM reg_taxpayers WHERE snils IN %s`, snils, func(r *sql.Rows) error {
		var k, tin string
		err := r.Scan(&k, &tin)
		out[k] = tin
		return err
	})
	return out, err
}

func (t *regTx) PendingReviewsByDocuments(ctx context.Context, keys []string) (map[string]*register.Review, error) {
	out := map[string]*register.Review{}
	err := t.inList(ctx, `SELECT doc_key, `+reviewCols+` FROM reg_reviews WHERE status = 'pending' AND doc_key IN %s`, keys, func(r *sql.Rows) error {
		var k string
		rv, err := scanReview(prefixScanner{r, &k})
		if err == nil {
			out[k] = rv
		}
		return err
	})
	return out, err
}

// prefixScanner scans a leading column into first, then the rest as the wrapped scanner would.
type prefixScanner struct {
	r     *sql.Rows
	first *string
}

func (p prefixScanner) Scan(dest ...any) error { return p.r.Scan(append([]any{p.first}, dest...)...) }

// PersonsByNamesBirths joins the pairs on the (birth_date, name_norm) index in one query: on
// PostgreSQL two arrays unnested side by side, on SQLite a JSON array of [birth, name] pairs.
func (t *regTx) PersonsByNamesBirths(ctx context.Context, keys []register.NameBirth) (map[string][]register.PersonMatch, error) {
	out := map[string][]register.PersonMatch{}
	if len(keys) == 0 {
		return out, nil
	}
	const cols = `SELECT t.tin, t.status, t.data, t.birth_date, t.name_norm FROM `
	var query string
	var args []any
	if t.dialect == Postgres {
		births, names := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			births[i], names[i] = k.Birth.UTC().Format(time.DateOnly), k.Name
		}
		query = cols + `unnest(CAST($1 AS TEXT[]), CAST($2 AS TEXT[])) AS v (birth, name)
			JOIN reg_taxpayers t ON t.birth_date = v.birth AND t.name_norm = v.name WHERE t.kind = 'person' ORDER BY t.tin`
		args = []any{births, names}
	} else {
		pairs := make([][2]string, len(keys))
		for i, k := range keys {
			pairs[i] = [2]string{k.Birth.UTC().Format(time.DateOnly), k.Name}
		}
		b, err := json.Marshal(pairs)
		if err != nil {
			return nil, err
		}
		query = cols + `json_each($1) AS v
			JOIN reg_taxpayers t ON t.birth_date = v.value ->> 0 AND t.name_norm = v.value ->> 1 WHERE t.kind = 'person' ORDER BY t.tin`
		args = []any{string(b)}
	}
	rows, err := t.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m register.PersonMatch
		var data, birth, name string
		if err := rows.Scan(&m.TIN, &m.Status, &data, &birth, &name); err != nil {
			return nil, err
		}
		var p struct{ BirthPlace string }
		_ = json.Unmarshal([]byte(data), &p)
		m.BirthPlace = p.BirthPlace
		k := name + "|" + birth
		out[k] = append(out[k], m)
	}
	return out, rows.Err()
}

// taxpayerData is what goes into the data column: the record's details (a person's with its
// documents; reg_documents holds only their keys).
func taxpayerData(tp *register.Taxpayer) (string, error) {
	var v any = struct{}{}
	switch {
	case tp.Person != nil:
		v = tp.Person
	case tp.Organization != nil:
		v = tp.Organization
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func taxpayerArgs(tp *register.Taxpayer) (name, snils, ogrn, kio, birth any) {
	switch {
	case tp.Person != nil:
		p := tp.Person
		return strings.Join(strings.Fields(p.Surname+" "+p.GivenName+" "+p.Patronymic), " "), nullStr(p.SNILS), nil, nil, dateStr(p.BirthDate)
	case tp.Organization != nil:
		return tp.Organization.FullName, nil, nullStr(tp.Organization.OGRN), nil, nil
	case tp.Foreign != nil:
		return tp.Foreign.NameRu, nil, nil, tp.Foreign.Code, nil
	}
	return "", nil, nil, nil, nil
}

// InsertTaxpayers inserts the records, their KPPs and documents. The "registered" entry of the
// history is the row itself (registered_at, registered_by): see history.
func (t *regTx) InsertTaxpayers(ctx context.Context, rows []register.NewTaxpayer, docs []register.NewDocument) error {
	vals := make([][]any, len(rows))
	words := make([][]string, len(rows)) // their entries in the search's word index
	// Encoding the records' data is the one CPU-heavy step of the batch: a large batch is encoded
	// on every CPU.
	parts := min(runtime.GOMAXPROCS(0), len(rows)/512+1)
	var g errgroup.Group
	for p := range parts {
		g.Go(func() error {
			for i := p * len(rows) / parts; i < (p+1)*len(rows)/parts; i++ {
				r := &rows[i]
				data, err := taxpayerData(&r.Taxpayer)
				if err != nil {
					return err
				}
				name, snils, ogrn, kio, birth := taxpayerArgs(&r.Taxpayer)
				words[i] = register.SearchWords(&r.Taxpayer)
				vals[i] = []any{r.TIN, string(r.Kind), string(r.Status), r.TaxOffice, dateStr(r.RegisteredOn), r.At.UTC(), r.Actor,
					name, r.NameNorm, birth, snils, ogrn, kio, data, int64(1), strings.Join(words[i], " ")}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := insertRows(ctx, t.q, t.dialect, taxpayerTable, vals); err != nil {
		return err
	}
	for i := range rows {
		for _, k := range rows[i].KPPs {
			if err := t.InsertKPP(ctx, rows[i].TIN, k); err != nil {
				return err
			}
		}
	}
	vals = vals[:0]
	for _, d := range docs {
		vals = append(vals, []any{d.Key, d.TIN})
	}
	if err := insertRows(ctx, t.q, t.dialect, documentTable, vals); err != nil {
		return err
	}
	return insertRows(ctx, t.q, t.dialect, searchWordTable, searchWordRows(rows, words))
}

func (t *regTx) InsertDocument(ctx context.Context, d register.NewDocument) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO reg_documents (doc_key, tin) VALUES ($1, $2)`, d.Key, d.TIN)
	return taken(err)
}

func (t *regTx) UpdateTaxpayer(ctx context.Context, tp *register.Taxpayer, nameNorm string) error {
	data, err := taxpayerData(tp)
	if err != nil {
		return err
	}
	name, snils, ogrn, _, birth := taxpayerArgs(tp)
	var reason, on, kept any
	note := ""
	if e := tp.Ending; e != nil {
		reason, on, kept, note = string(e.Reason), dateStr(e.On), nullStr(e.KeptTIN), e.Note
	}
	res, err := t.q.ExecContext(ctx, `UPDATE reg_taxpayers SET status = $2, tax_office = $3, name = $4, name_norm = $5, birth_date = $6,
		snils = $7, ogrn = $8, data = $9, end_reason = $10, end_on = $11, kept_tin = $12, end_note = $13, version = version + 1 WHERE tin = $1`,
		tp.TIN, string(tp.Status), tp.TaxOffice, name, nameNorm, birth, snils, ogrn, data, reason, on, kept, note)
	if err != nil {
		return taken(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return storeerr.ErrNotFound
	}
	tp.Version++
	return t.syncSearchWords(ctx, tp)
}

func (t *regTx) InsertKPP(ctx context.Context, tin string, k register.KPP) error {
	addr, err := json.Marshal(k.Address)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO reg_kpps (code, tin, ground, tax_office, reason, subdivision, address, assigned_on, closed_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, k.Code, tin, string(k.Ground), k.TaxOffice, k.Reason, k.Subdivision, string(addr), dateStr(k.AssignedOn), datePtr(k.ClosedOn))
	return taken(err)
}

func (t *regTx) AddChange(ctx context.Context, tin string, c register.Change) error {
	fields, err := json.Marshal(c.Fields)
	if err != nil {
		return err
	}
	if _, err = t.q.ExecContext(ctx, `INSERT INTO reg_history (tin, at, actor, action, fields, note) VALUES ($1, $2, $3, $4, $5, $6)`,
		tin, c.At.UTC(), c.Actor, c.Action, string(fields), c.Note); err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, `UPDATE reg_taxpayers SET changes = changes + 1 WHERE tin = $1`, tin)
	return err
}

func (t *regTx) InsertReview(ctx context.Context, r *register.Review, docKey string) (int64, error) {
	input, err := json.Marshal(r.Input)
	if err != nil {
		return 0, err
	}
	cands, err := json.Marshal(r.Candidates)
	if err != nil {
		return 0, err
	}
	var id int64
	err = t.q.QueryRowContext(ctx, `INSERT INTO reg_reviews (status, doc_key, input, candidates, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		string(r.Status), docKey, string(input), string(cands), r.CreatedAt.UTC(), r.CreatedBy).Scan(&id)
	return id, taken(err)
}

func (t *regTx) UpdateReview(ctx context.Context, r *register.Review) error {
	var decided any
	if r.DecidedAt != nil {
		decided = r.DecidedAt.UTC()
	}
	_, err := t.q.ExecContext(ctx, `UPDATE reg_reviews SET status = $2, decided_at = $3, decided_by = $4, result_tin = $5 WHERE id = $1`,
		r.ID, string(r.Status), decided, r.DecidedBy, r.ResultTIN)
	return taken(err)
}

func (t *regTx) FindKIO(ctx context.Context, oksm, regNumber string) (*register.KIO, error) {
	k, err := scanKIO(t.q.QueryRowContext(ctx, `SELECT `+kioCols+` FROM reg_kio WHERE oksm = $1 AND reg_number = $2 AND reg_number <> ''`, oksm, regNumber))
	if IsNotFound(err) {
		return nil, nil
	}
	return k, err
}

func (t *regTx) InsertKIO(ctx context.Context, k *register.KIO, nameNorm string) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO reg_kio (code, assigned_on, changed_on, invalid_on, name_ru, name_latin, short_name_ru, address, country, oksm, reg_number, tax_code, name_norm)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, k.Code, dateStr(k.AssignedOn), datePtr(k.ChangedOn), datePtr(k.InvalidOn),
		k.NameRu, k.NameLatin, k.ShortNameRu, k.Address, k.Country, k.OKSM, k.RegNumber, k.TaxCode, nameNorm)
	return taken(err)
}

func (t *regTx) UpdateKIO(ctx context.Context, k *register.KIO, nameNorm string) error {
	_, err := t.q.ExecContext(ctx, `UPDATE reg_kio SET changed_on = $2, invalid_on = $3, name_ru = $4, name_latin = $5, short_name_ru = $6, address = $7,
		country = $8, oksm = $9, reg_number = $10, tax_code = $11, name_norm = $12 WHERE code = $1`, k.Code, datePtr(k.ChangedOn), datePtr(k.InvalidOn),
		k.NameRu, k.NameLatin, k.ShortNameRu, k.Address, k.Country, k.OKSM, k.RegNumber, k.TaxCode, nameNorm)
	return taken(err)
}

func (t *regTx) InsertOffices(ctx context.Context, offices []register.Office) error {
	const perInsert = 400 // offices per INSERT statement
	for start := 0; start < len(offices); start += perInsert {
		chunk := offices[start:min(len(offices), start+perInsert)]
		args := make([]any, 0, len(chunk)*3)
		for _, o := range chunk {
			args = append(args, o.Code, o.Name, o.Region)
		}
		if _, err := t.q.ExecContext(ctx, `INSERT INTO reg_offices (code, name, region) VALUES `+t.valuesList(len(chunk), 3)+` ON CONFLICT (code) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}

// InsertExtract records an issued extract: what it stated, its PDF and signature (REG-9).
func (t *regTx) InsertExtract(ctx context.Context, x *register.IssuedExtract, f register.ExtractFiles) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO reg_extracts (number, tin, issued_at, issued_by, position, kind, name, status, end_reason,
		office, office_name, time_zone, lang, pdf_sha256, pdf, signature) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		x.Number, x.TIN, x.IssuedAt.UTC(), x.IssuedBy, x.Position, string(x.Kind), x.Name, string(x.Status), string(x.EndReason),
		x.OfficeCode, x.OfficeName, x.TimeZone, x.Lang, x.SHA256, nilIfEmpty(f.PDF), nilIfEmpty(f.Signature))
	return taken(err)
}

// nilIfEmpty stores an empty byte slice as NULL.
func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
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

func (t *regTx) Audit(ctx context.Context, entries ...audit.Entry) error {
	return writeAudit(ctx, t.q, t.dialect, entries)
}
