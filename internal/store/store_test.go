package store_test

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(testWorkerEnv); mode != "" { // a worker process started by a test
		os.Exit(runTestWorker(mode))
	}
	storetest.Main(m)
}

func TestAuditRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, action := range []string{"person.register", "taxpayer.update"} {
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				return store.InsertAudit(ctx, tx, audit.Entry{Actor: audit.Actor{Login: "insp", Role: "inspector"}, Action: action, Subject: "7707083893", Details: "n" + string(rune('0'+i))})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ListAudit(ctx, audit.Filter{Subject: "7707083893"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Action != "taxpayer.update" || got[1].Action != "person.register" || got[0].Actor.Login != "insp" {
			t.Fatalf("audit entries: %+v", got)
		}
		if got, _ := db.ListAudit(ctx, audit.Filter{Action: "person.register"}); len(got) != 1 {
			t.Fatalf("filter by action: %+v", got)
		}
	})
}

// TestInTxRetriesAndUnique checks that concurrent transactions touching one row all commit (the
// retry absorbs busy/serialization failures) and that a unique violation is recognised.
func TestInTxRetriesAndUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE counter_t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, `INSERT INTO counter_t VALUES ('a', 0)`); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.InTx(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE counter_t SET n = n + 1 WHERE k = 'a'`)
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, `SELECT n FROM counter_t WHERE k = 'a'`).Scan(&n); err != nil || n != 40 {
			t.Fatalf("counter = %d, %v; want 40", n, err)
		}
		_, err := db.SQL.ExecContext(ctx, `INSERT INTO counter_t VALUES ('a', 1)`)
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate key: got %v, want a unique violation", err)
		}
	})
}
