package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
			db, err := openDB(context.Background(), dsn)
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

// TestWorkerCommand runs `kabinet worker` until the periodic clean-up it schedules has run, then
// stops it as SIGTERM would.
func TestWorkerCommand(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errOut bytes.Buffer
		exit := make(chan int, 1)
		go func() {
			exit <- run(ctx, []string{"worker", "--db", dsn}, &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }})
		}()
		q := store.NewJobs(db)
		deadline := time.Now().Add(2 * time.Minute)
		for {
			done, err := q.List(context.Background(), jobs.Filter{Kind: "jobs.cleanup", State: jobs.Done})
			if err != nil {
				t.Fatal(err)
			}
			if len(done) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the clean-up job did not run: %s", errOut.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if code := <-exit; code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		if !strings.Contains(out.String(), "kinds jobs.cleanup") || !strings.Contains(out.String(), "kabinet worker stopped") {
			t.Fatalf("output %q", out.String())
		}
	})
}
