package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/kabinet/kabinet/internal/register"
)

// Migration 00011 (register_search_words) creates the word index of the register's search
// (register_search.go) and the column search_words of reg_taxpayers, and fills both from the
// records already stored. It is written in Go, beside the SQL files of migrations/, because the
// words are cut by the register's own normalizer (register.SearchWordsOf: lower case, ё as е,
// quotes and punctuation dropped, legal forms), which SQL cannot reproduce alike on both engines:
// SQLite's lower() knows only ASCII, and neither engine knows the legal forms.
const searchWordsVersion = 11

// searchWordsDDL is the index's schema on each engine: its key (word, tin) is what a search scans
// by word prefix. No index on tin: a search checks a record's other words, and a change finds its
// old words, in the record's own row (search_words). No foreign key on tin: rows are written with
// their record, and records are never deleted (REG-2).
var searchWordsDDL = map[Dialect][]string{
	SQLite: {`CREATE TABLE reg_search_words (
    word TEXT NOT NULL,
    tin  TEXT NOT NULL,
    PRIMARY KEY (word, tin)
) WITHOUT ROWID`, `ALTER TABLE reg_taxpayers ADD COLUMN search_words TEXT NOT NULL DEFAULT ''`},
	Postgres: {`CREATE TABLE reg_search_words (
    word TEXT COLLATE "C" NOT NULL,
    tin  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (word, tin)
)`, `ALTER TABLE reg_taxpayers ADD COLUMN search_words TEXT NOT NULL DEFAULT ''`},
}

// searchWordsMigration returns migration 00011 for the engine d.
func searchWordsMigration(d Dialect) *goose.Migration {
	m := goose.NewGoMigration(searchWordsVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return migrateSearchWordsUp(ctx, tx, d) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DROP TABLE reg_search_words`)
			if err == nil {
				_, err = tx.ExecContext(ctx, `ALTER TABLE reg_taxpayers DROP COLUMN search_words`)
			}
			return err
		}})
	m.Source = "00011_register_search_words.go"
	return m
}

// backfillPage is how many records the backfill reads at a time.
const backfillPage = 5000

// migrateSearchWordsUp creates the index and fills it, reading the records in pages by TIN and
// writing each page's words in batches, as the bulk path does.
func migrateSearchWordsUp(ctx context.Context, tx *sql.Tx, d Dialect) error {
	for _, ddl := range searchWordsDDL[d] {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
	}
	last := ""
	for {
		rows, err := tx.QueryContext(ctx, `SELECT t.tin, t.kind, t.data, COALESCE(k.name_ru, ''), COALESCE(k.short_name_ru, ''), COALESCE(k.name_latin, '')
			FROM reg_taxpayers t LEFT JOIN reg_kio k ON k.code = t.kio WHERE t.tin > $1 ORDER BY t.tin LIMIT $2`, last, backfillPage)
		if err != nil {
			return err
		}
		var recs []register.NewTaxpayer
		var words [][]string
		for rows.Next() {
			var tin, kind, data, nameRu, shortRu, latin string
			if err := rows.Scan(&tin, &kind, &data, &nameRu, &shortRu, &latin); err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, register.NewTaxpayer{Taxpayer: register.Taxpayer{TIN: tin}})
			words = append(words, storedSearchWords(kind, data, nameRu, shortRu, latin))
			last = tin
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := insertRows(ctx, tx, d, searchWordTable, searchWordRows(recs, words)); err != nil {
			return err
		}
		if err := setSearchWords(ctx, tx, d, recs, words); err != nil {
			return err
		}
		if len(recs) < backfillPage {
			return nil
		}
	}
}

// setSearchWords writes the search_words of records, words[i] being those of recs[i]: on
// PostgreSQL in one statement (two arrays unnested), on SQLite one prepared UPDATE per record.
func setSearchWords(ctx context.Context, tx *sql.Tx, d Dialect, recs []register.NewTaxpayer, words [][]string) error {
	tins, joined := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		tins[i], joined[i] = r.TIN, strings.Join(words[i], " ")
	}
	if d == Postgres {
		_, err := tx.ExecContext(ctx, `UPDATE reg_taxpayers t SET search_words = v.words
			FROM unnest(CAST($1 AS TEXT[]), CAST($2 AS TEXT[])) AS v (tin, words) WHERE t.tin = v.tin`, tins, joined)
		return err
	}
	st, err := tx.PrepareContext(ctx, `UPDATE reg_taxpayers SET search_words = $2 WHERE tin = $1`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range tins {
		if _, err := st.ExecContext(ctx, tins[i], joined[i]); err != nil {
			return err
		}
	}
	return nil
}

// storedSearchWords returns the index words of a record as stored at schema 10: a person's and an
// organization's names in its data (written from register.Person and register.Organization,
// whose member names it reads whatever their case or underscores, so that it does not depend on
// the types of a later version), a foreign organization's in the КИО directory.
func storedSearchWords(kind, data, nameRu, shortRu, latin string) []string {
	if kind == string(register.KindForeign) {
		return register.SearchWordsOf([]string{nameRu, shortRu, latin}, nil)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal([]byte(data), &raw)
	member := map[string]json.RawMessage{}
	for k, v := range raw {
		member[strings.ToLower(strings.ReplaceAll(k, "_", ""))] = v
	}
	str := func(name string) string {
		var s string
		_ = json.Unmarshal(member[name], &s)
		return s
	}
	if kind == string(register.KindOrganization) {
		return register.SearchWordsOf([]string{str("fullname"), str("shortname")}, nil)
	}
	var docs []struct {
		Number string `json:"number"`
	}
	_ = json.Unmarshal(member["documents"], &docs)
	numbers := make([]string, len(docs))
	for i, doc := range docs {
		numbers[i] = doc.Number
	}
	return register.SearchWordsOf([]string{str("surname"), str("givenname"), str("patronymic")}, numbers)
}
