package store_test

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// countingJobs is the real job store, counting the jobs it marks done so that the benchmark
// knows when the last one is.
type countingJobs struct {
	*store.Jobs
	done   atomic.Int64
	target int64
	all    chan struct{}
}

func (c *countingJobs) Complete(ctx context.Context, ts []jobs.Ticket, at time.Time) ([]int64, error) {
	ids, err := c.Jobs.Complete(ctx, ts, at)
	if c.done.Add(int64(len(ids))) == c.target {
		close(c.all)
	}
	return ids, err
}

// BenchmarkJobsThroughput measures the queue from enqueue to done — KABINET_BENCH_JOBS jobs
// (10,000 by default) enqueued, then run by one worker with its default options and a handler
// that does nothing, until the last is marked done — against a plain INSERT of the same rows,
// with the same statements, into a table with the same columns and indexes. "batch" enqueues
// them in one transaction (and the baseline inserts them in one); "single" enqueues each in a
// transaction of its own, as a business transaction enqueues its job (and the baseline inserts
// each row in its own). It reports jobs/s, rows/s and their ratio (queue/plain; the aim is ≥ 0.3).
//
//	CI=true go test ./internal/store -run '^$' -bench JobsThroughput -benchtime 1x
func BenchmarkJobsThroughput(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, mode := range []string{"batch", "single"} {
			b.Run(engine+"/"+mode, func(b *testing.B) {
				var db *store.DB
				if engine == "sqlite" {
					db = storetest.SQLite(b)
				} else {
					db = storetest.Postgres(b)
				}
				benchJobs(b, db, mode == "single")
			})
		}
	}
}

func benchJobs(b *testing.B, db *store.DB, single bool) {
	ctx := context.Background()
	n := benchEnv("KABINET_BENCH_JOBS", 10000)
	copyTable(b, db, "jobs", "bench_jobs_plain")
	specs := make([]jobs.Spec, n)
	for i := range specs {
		specs[i] = jobs.Spec{Kind: "bench.noop", Payload: []byte(`{"message":"0123456789abcdef0123456789abcdef"}`)}
	}
	var queue, plain time.Duration
	b.ResetTimer()
	for range b.N {
		q := &countingJobs{Jobs: store.NewJobs(db), target: int64(n), all: make(chan struct{})}
		start := time.Now()
		if single {
			for i := range specs {
				if err := q.Enqueue(ctx, specs[i]); err != nil {
					b.Fatal(err)
				}
			}
		} else if err := q.Enqueue(ctx, specs...); err != nil {
			b.Fatal(err)
		}
		w := jobs.NewWorker(q, map[string]jobs.Handler{"bench.noop": func(context.Context, jobs.Job) error { return nil }},
			jobs.Options{Log: slog.New(slog.DiscardHandler)})
		runCtx, stop := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		go func() { stopped <- w.Run(runCtx) }()
		<-q.all
		queue += time.Since(start)
		stop()
		if err := <-stopped; err != nil {
			b.Fatal(err)
		}

		start = time.Now()
		insert := func(s []jobs.Spec) error {
			return db.InTx(ctx, func(tx *sql.Tx) error { return store.InsertJobRows(ctx, tx, db.Dialect, "bench_jobs_plain", s) })
		}
		if single {
			for i := range specs {
				if err := insert(specs[i : i+1]); err != nil {
					b.Fatal(err)
				}
			}
		} else if err := insert(specs); err != nil {
			b.Fatal(err)
		}
		plain += time.Since(start)
	}
	b.StopTimer()
	total := float64(n * b.N)
	b.ReportMetric(total/queue.Seconds(), "jobs/s")
	b.ReportMetric(total/plain.Seconds(), "plain_rows/s")
	b.ReportMetric(plain.Seconds()/queue.Seconds(), "queue/plain")
}

// copyTable creates table to with the columns, keys and indexes of table from.
func copyTable(b *testing.B, db *store.DB, from, to string) {
	ctx := context.Background()
	if db.Dialect == store.Postgres {
		if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE `+to+` (LIKE `+from+` INCLUDING ALL)`); err != nil {
			b.Fatal(err)
		}
		return
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE tbl_name = $1 AND sql IS NOT NULL ORDER BY type DESC`, from)
	if err != nil {
		b.Fatal(err)
	}
	var ddls []string
	for rows.Next() {
		var ddl string
		if err := rows.Scan(&ddl); err != nil {
			b.Fatal(err)
		}
		ddl = strings.ReplaceAll(ddl, from+"_", to+"_") // index names
		ddl = strings.Replace(ddl, "TABLE "+from, "TABLE "+to, 1)
		ddl = strings.Replace(ddl, " ON "+from, " ON "+to, 1)
		ddls = append(ddls, ddl)
	}
	rows.Close()
	for _, ddl := range ddls {
		if _, err := db.SQL.ExecContext(ctx, ddl); err != nil {
			b.Fatalf("%s: %v", ddl, err)
		}
	}
}
