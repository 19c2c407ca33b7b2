package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"hash/fnv"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The register's transactions (register.Tx): the look-ups of REG-3 for a whole batch, the
// allocation of serials (REG-1) and every write, inside Register.Update.

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
		var p struct {
			BirthPlace string `json:"BirthPlace"` // of storedPerson
		}
		_ = json.Unmarshal([]byte(data), &p)
		m.BirthPlace = p.BirthPlace
		k := name + "|" + birth
		out[k] = append(out[k], m)
	}
	return out, rows.Err()
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
	addr, err := json.Marshal(storeAddress(k.Address))
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO reg_kpps (code, tin, ground, tax_office, reason, subdivision, address, assigned_on, closed_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, k.Code, tin, string(k.Ground), k.TaxOffice, k.Reason, k.Subdivision, string(addr), dateStr(k.AssignedOn), datePtr(k.ClosedOn))
	return taken(err)
}

func (t *regTx) AddChange(ctx context.Context, tin string, c register.Change) error {
	fields, err := json.Marshal(storeFieldChanges(c.Fields))
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
	input, err := json.Marshal(storePersonInput(r.Input))
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
	_, err := t.q.ExecContext(ctx, `UPDATE reg_reviews SET status = $2, decided_at = $3, decided_by = $4, result_tin = $5, reason = $6 WHERE id = $1`,
		r.ID, string(r.Status), decided, r.DecidedBy, r.ResultTIN, r.Reason)
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

func (t *regTx) Audit(ctx context.Context, entries ...audit.Entry) error {
	return writeAudit(ctx, t.q, t.dialect, entries)
}
