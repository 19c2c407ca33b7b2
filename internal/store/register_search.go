package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/internal/register"
)

// The register's search (register.Query) and its word index, reg_search_words: one row (word,
// tin) for each word of a record's names and each number of its documents (register.SearchWords),
// written in the transaction that writes the record (InsertTaxpayers, UpdateTaxpayer). The record
// keeps the same words in its own row (reg_taxpayers.search_words): a search checks a record's
// other words there, and a change finds there what to re-index, with reads of the primary key
// instead of a second index of every word. Every statement of a search is a range or equality
// probe of an index, cut at the offset+limit records asked for (register.MaxSearchOffset bounds
// the offset).

// Search runs each alternative of s on its own index, limited to offset+limit records, and merges
// them: TIN matches first, then documents (series and number, then the number alone), СНИЛС,
// ОГРН, КИО, and last the words of the names.
func (q regQ) Search(ctx context.Context, s register.Query) ([]register.Summary, error) {
	want := s.Offset + s.Limit
	const taxpayers = ` FROM reg_taxpayers t`
	var alts []searchAlt
	if s.MatchNoText {
		alts = append(alts, searchAlt{from: taxpayers, where: "1 = 1", order: "t.tin"})
	}
	if s.TINPrefix != "" {
		alts = append(alts, searchAlt{from: taxpayers, where: "t.tin >= $1 AND t.tin < $2", order: "t.tin", args: []any{s.TINPrefix, s.TINPrefix + maxRune}})
	}
	if len(s.DocKeys) > 0 {
		in := make([]string, len(s.DocKeys))
		args := make([]any, len(s.DocKeys))
		for i, k := range s.DocKeys {
			in[i], args[i] = "$"+strconv.Itoa(i+1), k
		}
		alts = append(alts, searchAlt{from: taxpayers + ` JOIN reg_documents d ON d.tin = t.tin`, where: "d.doc_key IN (" + strings.Join(in, ", ") + ")", order: "t.tin", args: args})
	}
	if s.DocNumber != "" { // REG-3: a document typed without its series
		alts = append(alts, searchAlt{from: ` FROM reg_search_words w JOIN reg_taxpayers t ON t.tin = w.tin`, where: "w.word = $1", order: "w.tin", args: []any{s.DocNumber}})
	}
	if s.SNILS != "" {
		alts = append(alts, searchAlt{from: taxpayers, where: "t.snils = $1", order: "t.tin", args: []any{s.SNILS}})
	}
	if s.OGRN != "" {
		alts = append(alts, searchAlt{from: taxpayers, where: "t.ogrn = $1", order: "t.tin", args: []any{s.OGRN}})
	}
	if s.KIO != "" {
		alts = append(alts, searchAlt{from: taxpayers, where: "t.kio = $1", order: "t.tin", args: []any{s.KIO}})
	}
	seen := map[string]bool{}
	var out []register.Summary
	add := func(rows []register.Summary) {
		for _, r := range rows {
			if !seen[r.TIN] {
				seen[r.TIN] = true
				out = append(out, r)
			}
		}
	}
	for _, a := range alts {
		rows, err := q.searchRows(ctx, a, s, want)
		if err != nil {
			return nil, err
		}
		add(rows)
	}
	if len(s.Words) > 0 {
		rows, err := q.searchWords(ctx, s, want)
		if err != nil {
			return nil, err
		}
		add(rows)
	}
	if s.Offset >= len(out) {
		return nil, nil
	}
	out = out[s.Offset:]
	if len(out) > s.Limit {
		out = out[:s.Limit]
	}
	return out, nil
}

// searchAlt is one alternative of a search: FROM (with t for reg_taxpayers), WHERE with $1… in
// args, and the ORDER BY its index gives.
type searchAlt struct {
	from, where, order string
	args               []any
}

// searchRows returns the first want distinct records of an alternative, with the filters of s. A
// record can come more than once (a person holding the same number under two document types):
// then the cut is doubled until want distinct records or the end of the alternative are reached.
func (q regQ) searchRows(ctx context.Context, a searchAlt, s register.Query, want int) ([]register.Summary, error) {
	args := append([]any(nil), a.args...)
	where := a.where
	if s.Kind != "" {
		args = append(args, string(s.Kind))
		where += " AND t.kind = $" + strconv.Itoa(len(args))
	}
	if s.Status != "" {
		args = append(args, string(s.Status))
		where += " AND t.status = $" + strconv.Itoa(len(args))
	}
	query := `SELECT ` + summaryCols + a.from + ` WHERE ` + where + ` ORDER BY ` + a.order + ` LIMIT $` + strconv.Itoa(len(args)+1)
	for limit := want; ; limit *= 2 {
		rows, err := q.summaries(ctx, query, append(args, limit)...)
		if err != nil {
			return nil, err
		}
		seen := make(map[string]bool, len(rows))
		out := rows[:0]
		for _, r := range rows {
			if !seen[r.TIN] {
				seen[r.TIN] = true
				out = append(out, r)
			}
		}
		if len(rows) < limit || len(out) >= want {
			return out[:min(len(out), want)], nil
		}
	}
}

// wordScanCap bounds the entries of the word index one search reads for its first word. The
// rarest word of the query is read (rarestFirst), so the result is complete whenever one of its
// words begins fewer entries than this; a query whose words are all common (a surname most persons
// share and a given name none of them has), or a common word with a filter few of its records
// pass, stops there with what it found instead of reading the whole index.
const wordScanCap = 20_000

// searchWords returns the first want records having, for each query word, an index word it
// begins (register.QueryWords), in the order of the rarest word's entries (word, TIN), with the
// filters of s. It reads that word's entries in pages (each one range of the key (word, tin),
// twice as long as the one before), reads their records by TIN with the filters, and keeps those
// whose index words (their search_words) also hold the other query words, until it has want
// records, the entries end or wordScanCap is reached.
func (q regQ) searchWords(ctx context.Context, s register.Query, want int) ([]register.Summary, error) {
	words, err := q.rarestFirst(ctx, s.Words)
	if err != nil {
		return nil, err
	}
	first, page := words[0], min(max(2*want, 100), 5000)
	seen := map[string]bool{}
	var out []register.Summary
	var lastWord, lastTIN string
	for scanned := 0; scanned < wordScanCap && len(out) < want; page = min(2*page, 5000) {
		// The next page starts after the last entry read: a row-value bound both engines seek to.
		query, args := `SELECT word, tin FROM reg_search_words WHERE word >= $1 AND word < $2`, []any{first, first + maxRune}
		if scanned > 0 {
			query, args = `SELECT word, tin FROM reg_search_words WHERE (word, tin) > ($1, $2) AND word < $3`, []any{lastWord, lastTIN, first + maxRune}
		}
		args = append(args, page)
		rows, err := q.q.QueryContext(ctx, query+` ORDER BY word, tin LIMIT $`+strconv.Itoa(len(args)), args...)
		if err != nil {
			return nil, err
		}
		n := 0
		var tins []string
		for rows.Next() {
			if err := rows.Scan(&lastWord, &lastTIN); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			if !seen[lastTIN] {
				seen[lastTIN] = true
				tins = append(tins, lastTIN)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		scanned += n
		found, err := q.recordsWithWords(ctx, tins, words[1:], s)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
		if n < page {
			break
		}
	}
	return out[:min(len(out), want)], nil
}

// rarestFirst orders the words of a query by how many index entries begin with each (the longest
// first among equals): the rarest is read, the others checked in the records found. Each is
// counted only as far as the rarest so far, and none beyond wordScanCap: the counts cost less
// than the reading they spare.
func (q regQ) rarestFirst(ctx context.Context, words []string) ([]string, error) {
	if len(words) < 2 {
		return words, nil
	}
	counts := make(map[string]int, len(words))
	rarest := wordScanCap
	for _, w := range words { // the longest first: most often the rarest
		var n int
		if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM reg_search_words WHERE word >= $1 AND word < $2 ORDER BY word LIMIT $3) e`,
			w, w+maxRune, rarest).Scan(&n); err != nil {
			return nil, err
		}
		counts[w], rarest = n, min(rarest, n)
	}
	out := slices.Clone(words)
	slices.SortStableFunc(out, func(a, b string) int { return counts[a] - counts[b] })
	return out, nil
}

// inTINs is the condition "column is one of the TINs" with the TINs as parameter $n: on
// PostgreSQL "= ANY($n)" with a text array, on SQLite "IN (SELECT value FROM json_each($n))" with a
// JSON array; either way one index probe per TIN, and one value bound.
func (q regQ) inTINs(column string, tins []string, n int) (string, any, error) {
	if q.dialect == Postgres {
		return column + " = ANY($" + strconv.Itoa(n) + ")", tins, nil
	}
	b, err := json.Marshal(tins)
	return column + " IN (SELECT value FROM json_each($" + strconv.Itoa(n) + "))", string(b), err
}

// recordsWithWords reads the records of tins that pass the filters of s (one probe of the primary
// key each, all in one statement) and returns, in the order of tins, those whose index words
// hold, for each of words, one it begins.
func (q regQ) recordsWithWords(ctx context.Context, tins, words []string, s register.Query) ([]register.Summary, error) {
	if len(tins) == 0 {
		return nil, nil
	}
	in, arg, err := q.inTINs("t.tin", tins, 1)
	if err != nil {
		return nil, err
	}
	args := []any{arg}
	if s.Kind != "" {
		args = append(args, string(s.Kind))
		in += " AND t.kind = $" + strconv.Itoa(len(args))
	}
	if s.Status != "" {
		args = append(args, string(s.Status))
		in += " AND t.status = $" + strconv.Itoa(len(args))
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+summaryCols+`, t.search_words FROM reg_taxpayers t WHERE `+in, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byTIN := map[string]register.Summary{}
	for rows.Next() {
		var r register.Summary
		var birth sql.NullString
		var indexed string
		if err := rows.Scan(&r.TIN, &r.Kind, &r.Status, &r.Name, &r.TaxOffice, &birth, &r.NameLatin, &indexed); err != nil {
			return nil, err
		}
		if hasWords(indexed, words) {
			r.BirthDate = parseDatePtr(birth)
			byTIN[r.TIN] = r
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]register.Summary, 0, len(byTIN))
	for _, tin := range tins {
		if r, ok := byTIN[tin]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// hasWords reports whether the index words of a record (search_words: separated by spaces) hold,
// for each of words, one it begins.
func hasWords(indexed string, words []string) bool {
	for _, w := range words {
		if !strings.HasPrefix(indexed, w) && !strings.Contains(indexed, " "+w) {
			return false
		}
	}
	return true
}

// syncSearchWords keeps the word index of a changed record in step with it, in the transaction
// that changes it (the record's row is already locked by its UPDATE): it compares the record's
// words with those it was indexed by (search_words) and writes only what differs. Most changes
// (status, КПП, address) change no word and cost one read of the row.
func (t *regTx) syncSearchWords(ctx context.Context, tp *register.Taxpayer) error {
	var indexed string
	if err := t.q.QueryRowContext(ctx, `SELECT search_words FROM reg_taxpayers WHERE tin = $1`, tp.TIN).Scan(&indexed); err != nil {
		return err
	}
	words := register.SearchWords(tp)
	joined := strings.Join(words, " ")
	if joined == indexed {
		return nil
	}
	stale := map[string]bool{}
	for _, w := range strings.Fields(indexed) {
		stale[w] = true
	}
	var add [][]any
	for _, w := range words {
		if stale[w] {
			delete(stale, w)
		} else {
			add = append(add, []any{w, tp.TIN})
		}
	}
	for w := range stale {
		if _, err := t.q.ExecContext(ctx, `DELETE FROM reg_search_words WHERE word = $1 AND tin = $2`, w, tp.TIN); err != nil {
			return err
		}
	}
	if err := insertRows(ctx, t.q, t.dialect, searchWordTable, add); err != nil {
		return err
	}
	_, err := t.q.ExecContext(ctx, `UPDATE reg_taxpayers SET search_words = $2 WHERE tin = $1`, tp.TIN, joined)
	return err
}

// searchWordRows returns the word index rows of new records, words[i] being those of rows[i],
// in the order of the index's key (word, tin): inserted in that order, consecutive rows go to
// neighbouring index pages.
func searchWordRows(rows []register.NewTaxpayer, words [][]string) [][]any {
	type entry struct{ word, tin string }
	var entries []entry
	for i, ws := range words {
		for _, w := range ws {
			entries = append(entries, entry{w, rows[i].TIN})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if c := strings.Compare(a.word, b.word); c != 0 {
			return c
		}
		return strings.Compare(a.tin, b.tin)
	})
	out := make([][]any, len(entries))
	cells := make([]any, 2*len(entries)) // one allocation for all the rows' cells
	for i, e := range entries {
		out[i] = cells[2*i : 2*i+2 : 2*i+2]
		out[i][0], out[i][1] = e.word, e.tin
	}
	return out
}
