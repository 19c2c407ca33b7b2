package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// column is a column of a live schema, with its type reduced to what both engines share.
type column struct {
	Type    string // int, text, bool, bytes, instant, json
	NotNull bool
}

// schemaDifferences are the differences between the engines' schemas that are meant: each names
// the table.column and why.
var schemaDifferences = map[string]string{
	"reg_name_locks.bucket": "PostgreSQL only: namesakes lock these rows (REG-3); SQLite runs one writer at a time",
}

// typeClass reduces an engine's type name to its class.
func typeClass(t string) string {
	t = strings.ToLower(t)
	switch {
	case t == "integer" || t == "bigint" || t == "smallint" || strings.HasPrefix(t, "int"):
		return "int"
	case t == "text" || strings.HasPrefix(t, "character") || strings.HasPrefix(t, "varchar"):
		return "text"
	case t == "boolean":
		return "bool"
	case t == "bytea" || t == "blob":
		return "bytes"
	case strings.HasPrefix(t, "timestamp"):
		return "instant"
	case t == "jsonb" || t == "json":
		return "json"
	}
	return t
}

func liveSchema(t *testing.T, db *store.DB) map[string]map[string]column {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]column{}
	add := func(table, name, typ string, notNull bool) {
		if table == "goose_db_version" {
			return
		}
		if out[table] == nil {
			out[table] = map[string]column{}
		}
		out[table][name] = column{Type: typeClass(typ), NotNull: notNull}
	}
	if db.Dialect == store.Postgres {
		rows, err := db.SQL.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO'
			FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var table, name, typ string
			var notNull bool
			if err := rows.Scan(&table, &name, &typ, &notNull); err != nil {
				t.Fatal(err)
			}
			add(table, name, typ, notNull)
		}
		return out
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT m.name, p.name, p.type, p."notnull" OR p.pk > 0
		FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, name, typ string
		var notNull bool
		if err := rows.Scan(&table, &name, &typ, &notNull); err != nil {
			t.Fatal(err)
		}
		add(table, name, typ, notNull)
	}
	return out
}

// The two engines' live schemas, after every migration, have the same tables with the same
// columns, of the same kind and nullability, but for the differences listed above.
func TestSchemasOfBothEnginesMatch(t *testing.T) {
	lite, pg := liveSchema(t, storetest.SQLite(t)), liveSchema(t, storetest.Postgres(t))
	tables := map[string]bool{}
	for n := range lite {
		tables[n] = true
	}
	for n := range pg {
		tables[n] = true
	}
	var diffs []string
	for table := range tables {
		cols := map[string]bool{}
		for c := range lite[table] {
			cols[c] = true
		}
		for c := range pg[table] {
			cols[c] = true
		}
		for c := range cols {
			l, lok := lite[table][c]
			p, pok := pg[table][c]
			var d string
			switch {
			case !lok:
				d = "only on PostgreSQL"
			case !pok:
				d = "only on SQLite"
			case l != p:
				d = fmt.Sprintf("SQLite %+v, PostgreSQL %+v", l, p)
			}
			if d == "" {
				continue
			}
			if _, meant := schemaDifferences[table+"."+c]; !meant {
				diffs = append(diffs, table+"."+c+": "+d)
			}
		}
	}
	for meant, why := range schemaDifferences {
		table, c, _ := strings.Cut(meant, ".")
		_, lok := lite[table][c]
		_, pok := pg[table][c]
		if lok && pok && lite[table][c] == pg[table][c] {
			diffs = append(diffs, meant+": listed as a difference ("+why+"), but the engines agree")
		}
	}
	slices.Sort(diffs)
	for _, d := range diffs {
		t.Error(d)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables: the schema query is broken", len(tables))
	}
}
