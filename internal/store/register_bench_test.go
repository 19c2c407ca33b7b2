package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// benchEnv reads a positive number from the environment, def when unset.
func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkRegisterPersons compares the bulk registration path (REG-1/REG-3 checks, serials,
// documents, history and audit, one transaction per batch) with a plain INSERT of the same rows (the
// values the bulk path stored, read back) into a table with the same columns and indexes as
// reg_taxpayers, with the same statements (PostgreSQL: one INSERT of unnested arrays; SQLite:
// prepared multi-row INSERTs), one transaction per batch of the same size. Each iteration
// registers KABINET_BENCH_ROWS persons (1,000 by default) in batches of KABINET_BENCH_BATCH (5,000
// by default, as the importer commits), alternating bulk and plain batches so that both tables
// grow alike. It reports both as rows/s and their ratio
// (bulk/plain; the aim is ≥ 0.5).
//
//	CI=true KABINET_BENCH_ROWS=100000 go test ./internal/store -run '^$' -bench RegisterPersons -benchtime 1x
func BenchmarkRegisterPersons(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			benchRegister(b, db)
		})
	}
}

func benchRegister(b *testing.B, db *store.DB) {
	ctx := context.Background()
	n := benchEnv("KABINET_BENCH_ROWS", 1000)
	batch := min(n, benchEnv("KABINET_BENCH_BATCH", 5000))
	s := registertest.NewService(db)
	if _, err := s.Offices(ctx); err != nil { // load the directory outside the timing
		b.Fatal(err)
	}
	// The baseline table is a copy of reg_taxpayers with the same columns, keys and indexes.
	if db.Dialect == store.Postgres {
		if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE bench_plain (LIKE reg_taxpayers INCLUDING ALL)`); err != nil {
			b.Fatal(err)
		}
	} else {
		rows, err := db.SQL.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE tbl_name = 'reg_taxpayers' AND sql IS NOT NULL ORDER BY type DESC`)
		if err != nil {
			b.Fatal(err)
		}
		var ddls []string
		for rows.Next() {
			var ddl string
			if err := rows.Scan(&ddl); err != nil {
				b.Fatal(err)
			}
			ddl = strings.ReplaceAll(ddl, "reg_taxpayers", "bench_plain")
			ddl = strings.ReplaceAll(ddl, "REFERENCES reg_kio (code)", "")
			ddls = append(ddls, ddl)
		}
		rows.Close()
		if len(ddls) < 4 {
			b.Fatalf("copy of reg_taxpayers: %v", ddls)
		}
		for _, ddl := range ddls {
			if _, err := db.SQL.ExecContext(ctx, ddl); err != nil {
				b.Fatal(err)
			}
		}
	}
	plainCols := store.TaxpayerColumns
	readBack := `SELECT ` + strings.Join(plainCols, ", ") + ` FROM reg_taxpayers WHERE tin = ANY($1)`
	if db.Dialect == store.SQLite {
		readBack = strings.Replace(readBack, "= ANY($1)", "IN (SELECT value FROM json_each($1))", 1)
	}
	var bulk, plain time.Duration
	next := 0
	b.ResetTimer()
	for range b.N {
		for done := 0; done < n; done += batch {
			ins := make([]register.PersonInput, min(batch, n-done))
			for i := range ins {
				ins[i] = registertest.UniquePerson(next)
				// distinct (name, birth date) pairs up to 2,240,000 persons, all born in the past
				ins[i].BirthDate = time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, next%40000)
				ins[i].Document.Series = fmt.Sprintf("%04d", 1000+next/1000000)
				// six-digit serials allow 999,999 persons per office: spread them over ten offices
				ins[i].TaxOffice = fmt.Sprintf("77%02d", 1+next%10)
				// beyond 280,000 the patronymic tells the blocks apart
				ins[i].Patronymic = []string{"", "Петрович", "Сергеевич", "Андреевич", "Олегович", "Игоревич", "Павлович", "Юрьевич"}[(next/280000)%8]
				next++
			}
			start := time.Now()
			out, err := s.RegisterPersons(ctx, registertest.Inspector, ins)
			if err != nil {
				b.Fatal(err)
			}
			bulk += time.Since(start)
			for _, r := range out {
				if r.Err != nil || !r.Created {
					b.Fatalf("row not created: %+v %v", r.Result, r.Err)
				}
			}
			// The same rows, plainly: read back (untimed) exactly as the bulk path stored them and
			// inserted the way the bulk path inserts rows, with nothing else around them.
			tins := make([]string, len(out))
			for i, r := range out {
				tins[i] = r.Taxpayer.TIN
			}
			var arg any = tins
			if db.Dialect == store.SQLite {
				js, _ := json.Marshal(tins)
				arg = string(js)
			}
			rows, err := db.SQL.QueryContext(ctx, readBack, arg)
			if err != nil {
				b.Fatal(err)
			}
			stored := map[string][]any{}
			for rows.Next() {
				row := make([]any, len(plainCols))
				ptrs := make([]any, len(row))
				for k := range row {
					ptrs[k] = &row[k]
				}
				if err := rows.Scan(ptrs...); err != nil {
					b.Fatal(err)
				}
				stored[row[0].(string)] = row
			}
			rows.Close()
			plainRows := make([][]any, 0, len(out)) // in the order the bulk path inserted them
			for _, t := range tins {
				if stored[t] == nil {
					b.Fatalf("row %s not read back", t)
				}
				plainRows = append(plainRows, stored[t])
			}
			start = time.Now()
			err = db.InTx(ctx, func(tx *sql.Tx) error {
				return store.InsertTaxpayerRows(ctx, tx, db.Dialect, "bench_plain", plainRows)
			})
			if err != nil {
				b.Fatal(err)
			}
			plain += time.Since(start)
		}
	}
	b.StopTimer()
	rows := float64(n * b.N)
	b.ReportMetric(rows/bulk.Seconds(), "bulk_rows/s")
	b.ReportMetric(rows/plain.Seconds(), "plain_rows/s")
	b.ReportMetric(plain.Seconds()/bulk.Seconds(), "bulk/plain")
}
