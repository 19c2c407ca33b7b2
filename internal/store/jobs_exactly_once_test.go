package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The tests here run workers in separate processes: the test binary started again with
// testWorkerEnv set runs a worker (runTestWorker) instead of the tests.
const (
	testWorkerEnv = "KABINET_JOBS_TEST_WORKER" // "hang" or "effect"
	testDBEnv     = "KABINET_JOBS_TEST_DB"     // the database
	testDirEnv    = "KABINET_JOBS_TEST_DIR"    // where a hanging handler says it started
)

// effectHandler records the job's side effect: one row per run in job_effects.
func effectHandler(db *store.DB) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		_, err := db.SQL.ExecContext(ctx, `INSERT INTO job_effects (job_id, pid) VALUES ($1, $2)`, j.ID, os.Getpid())
		return err
	}
}

func createEffects(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.SQL.Exec(`CREATE TABLE job_effects (job_id BIGINT NOT NULL, pid BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
}

// runTestWorker is the worker process: "hang" runs jobs whose handler writes a file named after
// the job and then blocks until the process is killed; "effect" runs them with effectHandler
// until SIGTERM.
func runTestWorker(mode string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, os.Getenv(testDBEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	h := effectHandler(db)
	if mode == "hang" {
		h = func(ctx context.Context, j jobs.Job) error {
			if err := os.WriteFile(filepath.Join(os.Getenv(testDirEnv), "started-"+strconv.FormatInt(j.ID, 10)), nil, 0o600); err != nil {
				return err
			}
			select {} // until SIGKILL
		}
	}
	w := jobs.NewWorker(store.NewJobs(db), map[string]jobs.Handler{"test.effect": h},
		jobs.Options{Poll: 20 * time.Millisecond, Log: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startWorker starts a worker process in mode on the database dsn.
func startWorker(t *testing.T, mode, dsn, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), testWorkerEnv+"="+mode, testDBEnv+"="+dsn, testDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// waitFor polls cond until it holds; the deadline is generous, only to end a broken test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dbFile opens a fresh migrated database and returns it and its name for the worker processes.
func sharedDB(t *testing.T, engine string) (*store.DB, string) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "kabinet.db")
	if engine == "postgres" {
		dsn = storetest.URL(t)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

// TestJobsSurviveKill9 kills a worker process with SIGKILL while its handler runs; once the
// lease has expired, a worker in this process runs the job, which completes exactly once.
func TestJobsSurviveKill9(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, dsn := sharedDB(t, engine)
			createEffects(t, db)
			s := store.NewJobs(db)
			if err := s.Enqueue(ctx, jobs.Spec{Kind: "test.effect"}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			child := startWorker(t, "hang", dsn, dir)
			var id int64
			waitFor(t, "the worker process to start the job", func() bool {
				m, _ := filepath.Glob(filepath.Join(dir, "started-*"))
				if len(m) == 1 {
					id, _ = strconv.ParseInt(filepath.Base(m[0])[len("started-"):], 10, 64)
				}
				return len(m) == 1
			})
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
			if j, _ := s.Job(ctx, id); j.State != jobs.Running || j.Attempts != 1 {
				t.Fatalf("job after the kill: %+v", j)
			}
			clock := newTestClock()
			w := testWorker(s, clock, map[string]jobs.Handler{"test.effect": effectHandler(db)})
			if n, err := w.RunOnce(ctx); err != nil || n != 0 {
				t.Fatalf("ran %d jobs while the dead worker's lease holds (%v)", n, err)
			}
			clock.Add(2 * time.Minute)
			for range 2 {
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
			var effects int
			if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM job_effects WHERE job_id = $1`, id).Scan(&effects); err != nil || effects != 1 {
				t.Fatalf("%d side effects (%v), want 1", effects, err)
			}
			if j, _ := s.Job(ctx, id); j.State != jobs.Done || j.Attempts != 2 {
				t.Fatalf("job: %+v", j)
			}
		})
	}
}

// TestJobsThreeProcessesRunEachOnce runs three worker processes on one PostgreSQL database
// against 1,000 jobs: each job runs exactly once.
func TestJobsThreeProcessesRunEachOnce(t *testing.T) {
	ctx := context.Background()
	db, dsn := sharedDB(t, "postgres")
	createEffects(t, db)
	var workers []*exec.Cmd
	for range 3 {
		workers = append(workers, startWorker(t, "effect", dsn, t.TempDir()))
	}
	const n = 1000
	specs := make([]jobs.Spec, n)
	for i := range specs {
		specs[i] = jobs.Spec{Kind: "test.effect", Payload: []byte(`{"i":` + strconv.Itoa(i) + `}`)}
	}
	s := store.NewJobs(db)
	for i := 0; i < n; i += 100 { // in several transactions, so the workers start on the first ones
		if err := s.Enqueue(ctx, specs[i:i+100]...); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every job to be done", func() bool {
		var done int
		_ = db.SQL.QueryRow(`SELECT COUNT(*) FROM jobs WHERE state = 'done'`).Scan(&done)
		return done == n
	})
	for _, w := range workers {
		_ = w.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		if err := w.Wait(); err != nil {
			t.Errorf("worker process: %v", err)
		}
	}
	var count, distinct, pids int
	if err := db.SQL.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT job_id), COUNT(DISTINCT pid) FROM job_effects`).Scan(&count, &distinct, &pids); err != nil {
		t.Fatal(err)
	}
	if count != n || distinct != n {
		t.Fatalf("%d runs of %d distinct jobs, want %d of %d", count, distinct, n, n)
	}
	t.Logf("%d jobs run by %d processes", n, pids)
}
