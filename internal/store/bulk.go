package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// table names the columns of a table the bulk path inserts into, with their PostgreSQL types
// (text, timestamptz or bigint), which the engine needs to read a column sent as one array.
type table struct {
	name  string
	cols  []string
	types []string
	tail  string // appended to every INSERT, e.g. "ON CONFLICT DO NOTHING"
	// perInsert is how many rows one SQLite INSERT carries when not rowsPerInsert: more for a
	// narrow table, whose rows cost little beyond the statement.
	perInsert int
}

var (
	taxpayerTable = table{name: "reg_taxpayers",
		cols: []string{"tin", "kind", "status", "tax_office", "registered_on", "registered_at", "registered_by",
			"name", "name_norm", "birth_date", "snils", "ogrn", "kio", "data", "version", "search_words"},
		types: []string{"text", "text", "text", "text", "text", "timestamptz", "text",
			"text", "text", "text", "text", "text", "text", "text", "bigint", "text"}}
	documentTable = table{name: "reg_documents", cols: []string{"doc_key", "tin"}, types: []string{"text", "text"}}
	auditTable    = table{name: "audit_log",
		cols:  []string{"at", "actor_login", "actor_role", "action", "subject", "details", "remote_addr"},
		types: []string{"timestamptz", "text", "text", "text", "text", "text", "text"}}
	auditSubjectTable = table{name: "audit_subjects", cols: []string{"subject", "audit_id"}, types: []string{"text", "bigint"}}
)

// searchWordTable is the word index of the register's search (register_search.go), filled in the
// transaction of the records it indexes, as they are: one INSERT of unnested arrays on
// PostgreSQL, multi-row INSERTs on SQLite.
var searchWordTable = table{name: "reg_search_words", cols: []string{"word", "tin"}, types: []string{"text", "text"}, perInsert: 400}

// rowsPerInsert is how many rows one SQLite INSERT carries (well under its 32,766 variables).
const rowsPerInsert = 50

// insertRows inserts rows (one value per column of t, in order) in as few statements as the
// engine allows. PostgreSQL gets one statement whatever the number of rows: each column is sent as
// one array and unnested, so neither the statement nor its parameters grow with the batch. SQLite,
// which has no round trips to save, gets one prepared statement of rowsPerInsert rows executed per
// chunk: what a row costs there beyond its B-tree inserts is the driver's work per statement.
func insertRows(ctx context.Context, q querier, d Dialect, t table, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	into := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `) `
	if d == Postgres {
		args, casts := make([]any, len(t.cols)), make([]string, len(t.cols))
		for c, typ := range t.types {
			col, err := pgArray(typ, rows, c)
			if err != nil {
				return fmt.Errorf("store: %s.%s: %w", t.name, t.cols[c], err)
			}
			args[c], casts[c] = col, "CAST($"+strconv.Itoa(c+1)+" AS "+typ+"[])"
		}
		_, err := q.ExecContext(ctx, into+`SELECT * FROM unnest(`+strings.Join(casts, ", ")+`)`+t.tail, args...)
		return taken(err)
	}
	var st *sql.Stmt
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	per := rowsPerInsert
	if t.perInsert > 0 {
		per = t.perInsert
	}
	args := make([]any, 0, min(per, len(rows))*len(t.cols))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		query := into + `VALUES ` + regQ{dialect: d}.valuesList(len(chunk), len(t.cols)) + t.tail
		var err error
		if tx, ok := q.(*sql.Tx); ok && len(chunk) == per {
			if st == nil {
				if st, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
			}
			_, err = st.ExecContext(ctx, args...)
		} else {
			_, err = q.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return taken(err)
		}
	}
	return nil
}

// pgArray collects column c of rows into a typed slice that the driver sends as one array; nil
// values become NULL elements.
func pgArray(typ string, rows [][]any, c int) (any, error) {
	switch typ {
	case "text":
		// A column without NULLs goes as []string, which the driver encodes without reflection.
		out := make([]string, len(rows))
		var ptrs []*string
		for i, r := range rows {
			switch v := r[c].(type) {
			case nil:
				if ptrs == nil {
					ptrs = make([]*string, len(rows))
					for j := range out[:i] {
						ptrs[j] = &out[j]
					}
				}
			case string:
				out[i] = v
				if ptrs != nil {
					ptrs[i] = &out[i]
				}
			default:
				return nil, fmt.Errorf("row %d: %T for text", i, v)
			}
		}
		if ptrs != nil {
			return ptrs, nil
		}
		return out, nil
	case "timestamptz":
		return column[time.Time](typ, rows, c)
	case "bigint":
		return column[int64](typ, rows, c)
	}
	return nil, fmt.Errorf("no array of %s", typ)
}

// column collects column c of rows as values of type T, nil as NULL.
func column[T any](typ string, rows [][]any, c int) ([]*T, error) {
	out := make([]*T, len(rows))
	for i, r := range rows {
		switch v := r[c].(type) {
		case nil:
		case T:
			out[i] = &v
		default:
			return nil, fmt.Errorf("row %d: %T for %s", i, v, typ)
		}
	}
	return out, nil
}
