package identity_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// BenchmarkRegistrationToOutbox measures registrations (IDP-1) up to the point their code is in
// the outbox — the flow started, the contact checked, the send counted against its limit, the
// code stored and its SMS and job written, one transaction each as a citizen's request does —
// against a plain INSERT of the very rows those registrations wrote, read back and inserted again
// into the same tables with the same indexes, one transaction per registration, in the same run.
// KABINET_BENCH_DB=postgres runs it on PostgreSQL; KABINET_BENCH_REGISTRATIONS sets how many
// (2,000 by default). Reported: reg/s, plain_reg/s and their ratio.
func BenchmarkRegistrationToOutbox(b *testing.B) {
	n := 2000
	if s := os.Getenv("KABINET_BENCH_REGISTRATIONS"); s != "" {
		fmt.Sscan(s, &n)
	}
	for i := 0; i < b.N; i++ {
		db := storetest.SQLite(b)
		if os.Getenv("KABINET_BENCH_DB") == "postgres" {
			db = storetest.Postgres(b)
		}
		ctx := context.Background()
		now := time.Now
		flows := flow.NewManager(store.NewFlows(db), now)
		p := identity.New(identity.Options{Store: store.NewIdentity(db), Hasher: password.NewHasherWith(password.Default, 0),
			Limits: limits.New(store.NewLimits(db), now), Flows: flows, Now: now})
		o := identity.Origin{Address: "10.1.2.3", Lang: "ru"}
		t0 := time.Now()
		for j := range n {
			f, err := p.StartRegistration(ctx, flow.Browser, "csrf-token-of-the-browser-0123456789abcdef")
			if err != nil {
				b.Fatal(err)
			}
			c := identity.Contact{Kind: identity.RussianCitizen, Surname: "Соколова", GivenName: "Анна", Phone: fmt.Sprintf("+7916%07d", j)}
			if err := p.SubmitContact(ctx, f, c, o); err != nil {
				b.Fatal(err)
			}
		}
		kabinet := time.Since(t0)
		plain := replayRows(b, db, n, "flows", "idp_codes", "attempt_limits", "notify_messages", "jobs")
		b.ReportMetric(float64(n)/kabinet.Seconds(), "reg/s")
		b.ReportMetric(float64(n)/plain.Seconds(), "plain_reg/s")
		b.ReportMetric(plain.Seconds()/kabinet.Seconds(), "ratio")
	}
}

// replayRows reads every row of tables, deletes them, and inserts them again with plain INSERTs
// in n transactions of (nearly) equal size; it returns how long the inserts took.
func replayRows(b *testing.B, db *store.DB, n int, tables ...string) time.Duration {
	b.Helper()
	ctx := context.Background()
	type row struct {
		table string
		cols  []string
		vals  []any
	}
	var rows []row
	for _, t := range tables {
		rs, err := db.SQL.QueryContext(ctx, "SELECT * FROM "+t)
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			rows = append(rows, row{t, cols, vals})
		}
		rs.Close()
		if _, err := db.SQL.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			b.Fatal(err)
		}
	}
	// Interleave the tables, so that each transaction holds one registration's kinds of rows.
	per := map[string][]row{}
	for _, r := range rows {
		per[r.table] = append(per[r.table], r)
	}
	batches := make([][]row, n)
	for _, t := range tables {
		for i, r := range per[t] {
			batches[i*n/len(per[t])] = append(batches[i*n/len(per[t])], r)
		}
	}
	t0 := time.Now()
	for _, batch := range batches {
		err := func() error {
			tx, err := db.SQL.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for _, r := range batch {
				ph := make([]string, len(r.cols))
				for i := range ph {
					ph[i] = fmt.Sprintf("$%d", i+1)
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO "+r.table+" ("+strings.Join(r.cols, ", ")+") VALUES ("+strings.Join(ph, ", ")+")", r.vals...); err != nil {
					return err
				}
			}
			return tx.Commit()
		}()
		if err != nil && err != sql.ErrTxDone {
			b.Fatal(err)
		}
	}
	return time.Since(t0)
}
