package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// eachDSN runs fn with the name of a fresh migrated SQLite file and of a fresh PostgreSQL database.
func eachDSN(t *testing.T, fn func(t *testing.T, dsn string, db *store.DB)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "kabinet.db")
			if engine == "postgres" {
				dsn = storetest.URL(t)
			}
			db, err := openDB(context.Background(), &dbFlags{dsn: dsn})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, dsn, db)
		})
	}
}

func TestJobsListAndRetry(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		ctx := context.Background()
		q := store.NewJobs(db)
		if err := q.Enqueue(ctx, jobs.Spec{Kind: "test.refused", Payload: []byte(`{"message":"m1"}`)}, jobs.Spec{Kind: "test.waiting"}); err != nil {
			t.Fatal(err)
		}
		w := jobs.NewWorker(q, map[string]jobs.Handler{"test.refused": func(context.Context, jobs.Job) error {
			return jobs.Permanent(errors.New("gateway: 400"))
		}}, jobs.Options{Log: slog.New(slog.DiscardHandler)})
		if n, err := w.RunOnce(ctx); n != 1 || err != nil {
			t.Fatalf("run: %d %v", n, err)
		}
		code, out, errOut := runCmd(t, "", "jobs", "list", "--db", dsn, "--state", "dead", "--json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var line jobLine
		if err := json.Unmarshal([]byte(out), &line); err != nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("list --json: %q %v", out, err)
		}
		if line.Kind != "test.refused" || line.State != "dead" || line.LastError != "gateway: 400" || line.Attempts != 1 ||
			string(line.Payload) != `{"message":"m1"}` || line.DoneAt == nil || line.LeasedUntil != nil {
			t.Fatalf("dead job: %+v", line)
		}
		code, out, _ = runCmd(t, "", "jobs", "list", "--db", dsn)
		if code != exitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, "test.waiting") || !strings.Contains(out, "gateway: 400") {
			t.Fatalf("list: %d %q", code, out)
		}
		id := strconv.FormatInt(line.ID, 10)
		if code, out, errOut := runCmd(t, "", "jobs", "retry", id, "--db", dsn); code != exitOK || !strings.Contains(out, "job "+id+" queued again") {
			t.Fatalf("retry: %d %q %q", code, out, errOut)
		}
		if code, _, errOut := runCmd(t, "", "jobs", "retry", "--db", dsn, id, "99999"); code != exitFailure ||
			!strings.Contains(errOut, "job "+id+" is not dead") || !strings.Contains(errOut, "job 99999 does not exist") {
			t.Fatalf("retry of a queued and a missing job: %d %q", code, errOut)
		}
		if code, out, _ := runCmd(t, "", "jobs", "list", "--db", dsn, "--state", "queued", "--kind", "test.refused"); code != exitOK || !strings.Contains(out, "0/8") {
			t.Fatalf("after retry: %d %q", code, out)
		}
	})
}

func TestJobsUsage(t *testing.T) {
	for _, args := range [][]string{{"jobs"}, {"jobs", "drop"}, {"jobs", "retry"}, {"jobs", "retry", "abc"}, {"jobs", "list", "--state", "lost"}, {"worker", "extra"}} {
		if code, _, _ := runCmd(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
