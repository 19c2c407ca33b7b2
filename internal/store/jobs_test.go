package store_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// testClock is a clock that moves only when told.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// newTestClock starts a clock at the real time, so that jobs enqueued now are due on it.
func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func testWorker(s jobs.Store, c *testClock, handlers map[string]jobs.Handler) *jobs.Worker {
	return jobs.NewWorker(s, handlers, jobs.Options{Now: c.Now, Log: slog.New(slog.DiscardHandler)})
}

func listJobs(t *testing.T, s *store.Jobs, f jobs.Filter) []jobs.Job {
	t.Helper()
	js, err := s.List(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// TestJobsEnqueuedInTransaction checks the outbox's promise: a job enqueued in a transaction
// that rolls back never exists and never runs; one enqueued in a committed transaction does.
func TestJobsEnqueuedInTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		rollback := errors.New("the business change failed")
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := store.EnqueueJobsTx(ctx, tx, db.Dialect, jobs.Spec{Kind: "test.run", Payload: []byte(`{"n":1}`)}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("rolled-back transaction: %v", err)
		}
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			return store.EnqueueJobsTx(ctx, tx, db.Dialect, jobs.Spec{Kind: "test.run", Payload: []byte(`{"n":2}`)})
		}); err != nil {
			t.Fatal(err)
		}
		var ran []string
		w := testWorker(s, newTestClock(), map[string]jobs.Handler{"test.run": func(_ context.Context, j jobs.Job) error {
			ran = append(ran, string(j.Payload))
			return nil
		}})
		for range 2 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if len(ran) != 1 || ran[0] != `{"n":2}` {
			t.Fatalf("ran %q, want only the committed job", ran)
		}
		all := listJobs(t, s, jobs.Filter{})
		if len(all) != 1 || all[0].State != jobs.Done || all[0].Attempts != 1 || all[0].DoneAt.IsZero() {
			t.Fatalf("jobs: %+v", all)
		}
	})
}

// TestJobsFailUntilDead checks that a handler that keeps failing is retried with back-off (the
// clock skips it) and ends dead with its last error after MaxAttempts, and that a permanent
// error kills a job at its first attempt.
func TestJobsFailUntilDead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		if err := s.Enqueue(ctx, jobs.Spec{Kind: "test.flaky", MaxAttempts: 3}, jobs.Spec{Kind: "test.refused"}); err != nil {
			t.Fatal(err)
		}
		clock := newTestClock()
		var runs atomic.Int32
		w := testWorker(s, clock, map[string]jobs.Handler{
			"test.flaky": func(context.Context, jobs.Job) error {
				runs.Add(1)
				return errors.New("gateway: 503 " + strings.Repeat("x", 2000))
			},
			"test.refused": func(context.Context, jobs.Job) error { return jobs.Permanent(errors.New("gateway: 400")) },
		})
		if n, err := w.RunOnce(ctx); err != nil || n != 2 {
			t.Fatalf("first run: %d %v", n, err)
		}
		flaky := listJobs(t, s, jobs.Filter{Kind: "test.flaky"})[0]
		if flaky.State != jobs.Queued || flaky.Attempts != 1 || len(flaky.LastError) != jobs.MaxErrorBytes || !strings.HasPrefix(flaky.LastError, "gateway: 503") {
			t.Fatalf("after one failure: %+v", flaky)
		}
		if d := flaky.RunAt.Sub(clock.Now()); d < time.Second || d > 1200*time.Millisecond {
			t.Fatalf("first back-off %v, want 1 s plus at most a fifth", d)
		}
		refused := listJobs(t, s, jobs.Filter{Kind: "test.refused"})[0]
		if refused.State != jobs.Dead || refused.Attempts != 1 || refused.LastError != "gateway: 400" {
			t.Fatalf("permanent failure: %+v", refused)
		}
		if n, _ := w.RunOnce(ctx); n != 0 {
			t.Fatalf("ran %d jobs during the back-off", n)
		}
		for range 4 {
			clock.Add(2 * time.Hour)
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		flaky = listJobs(t, s, jobs.Filter{Kind: "test.flaky"})[0]
		if runs.Load() != 3 || flaky.State != jobs.Dead || flaky.Attempts != 3 || !strings.HasPrefix(flaky.LastError, "gateway: 503") {
			t.Fatalf("after %d runs: %+v", runs.Load(), flaky)
		}
		if dead := listJobs(t, s, jobs.Filter{State: jobs.Dead}); len(dead) != 2 {
			t.Fatalf("dead jobs: %+v", dead)
		}

		// Retry brings a dead job back with its attempts reset; it then runs again.
		if err := s.Retry(ctx, flaky.ID, clock.Now()); err != nil {
			t.Fatal(err)
		}
		if j, _ := s.Job(ctx, flaky.ID); j.State != jobs.Queued || j.Attempts != 0 {
			t.Fatalf("retried: %+v", j)
		}
		if err := s.Retry(ctx, flaky.ID, clock.Now()); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("retry of a queued job: %v, want ErrConflict", err)
		}
		if err := s.Retry(ctx, 999999, clock.Now()); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("retry of a missing job: %v, want ErrNotFound", err)
		}
		if n, _ := w.RunOnce(ctx); n != 1 || runs.Load() != 4 {
			t.Fatalf("retried job ran %d (runs %d)", n, runs.Load())
		}
	})
}

// TestJobsIdempotencyKey checks that a key enqueued twice, in one call or two, gives one job,
// and that the scheduler enqueues a periodic job once per period however often it ticks.
func TestJobsIdempotencyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		spec := jobs.Spec{Kind: "test.once", Key: "registration:42"}
		if err := s.Enqueue(ctx, spec, spec, jobs.Spec{Kind: "test.once"}, jobs.Spec{Kind: "test.once"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Enqueue(ctx, spec); err != nil {
			t.Fatalf("enqueueing an existing key: %v", err)
		}
		if got := listJobs(t, s, jobs.Filter{Kind: "test.once"}); len(got) != 3 {
			t.Fatalf("%d jobs, want the keyed one once and two without a key", len(got))
		}
		clock := &testClock{t: time.Date(2026, 12, 2, 8, 15, 0, 0, time.UTC)}
		sched, err := jobs.NewScheduler(s, clock.Now, nil, jobs.Periodic{Kind: "flows.cleanup", Every: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 { // three processes, or three ticks, in the same hour
			if err := sched.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Add(10 * time.Minute)
		}
		clock.Add(time.Hour)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		got := listJobs(t, s, jobs.Filter{Kind: "flows.cleanup"})
		if len(got) != 2 || got[1].Key != "flows.cleanup:2026-12-02T08" || got[0].Key != "flows.cleanup:2026-12-02T09" ||
			!got[1].RunAt.Equal(time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)) {
			t.Fatalf("periodic jobs: %+v", got)
		}
	})
}

// TestJobsLeaseFencing checks that a lease that expired is taken by the next worker, and that
// the first worker can then neither complete, fail, extend nor release the job.
func TestJobsLeaseFencing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		if err := s.Enqueue(ctx, jobs.Spec{Kind: "test.slow"}); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		kinds := []string{"test.slow"}
		first, err := s.Lease(ctx, kinds, 5, t0, t0.Add(time.Minute))
		if err != nil || len(first) != 1 || first[0].Attempts != 1 || first[0].State != jobs.Running || first[0].Token == "" {
			t.Fatalf("first lease: %+v %v", first, err)
		}
		if again, _ := s.Lease(ctx, kinds, 5, t0.Add(30*time.Second), t0.Add(90*time.Second)); len(again) != 0 {
			t.Fatalf("leased a job whose lease holds: %+v", again)
		}
		second, err := s.Lease(ctx, kinds, 5, t0.Add(2*time.Minute), t0.Add(3*time.Minute))
		if err != nil || len(second) != 1 || second[0].Attempts != 2 || second[0].Token == first[0].Token {
			t.Fatalf("lease after expiry: %+v %v", second, err)
		}
		old := first[0].Ticket()
		if ids, err := s.Extend(ctx, []jobs.Ticket{old}, t0.Add(time.Hour)); err != nil || len(ids) != 0 {
			t.Fatalf("extend with the lost lease: %v %v", ids, err)
		}
		if err := s.Fail(ctx, old, jobs.Failure{At: t0, Error: "late"}); !errors.Is(err, storeerr.ErrConflict) {
			t.Fatalf("fail with the lost lease: %v, want ErrConflict", err)
		}
		if err := s.Release(ctx, []jobs.Ticket{old}, t0); err != nil {
			t.Fatal(err)
		}
		if ids, err := s.Complete(ctx, []jobs.Ticket{old}, t0); err != nil || len(ids) != 0 {
			t.Fatalf("complete with the lost lease: %v %v", ids, err)
		}
		if j, _ := s.Job(ctx, old.ID); j.State != jobs.Running || j.Attempts != 2 {
			t.Fatalf("the lost lease changed the job: %+v", j)
		}
		if ids, err := s.Extend(ctx, []jobs.Ticket{second[0].Ticket()}, t0.Add(4*time.Minute)); err != nil || len(ids) != 1 {
			t.Fatalf("extend with the current lease: %v %v", ids, err)
		}
		if ids, err := s.Complete(ctx, []jobs.Ticket{second[0].Ticket()}, t0); err != nil || len(ids) != 1 {
			t.Fatalf("complete with the current lease: %v %v", ids, err)
		}
	})
}

// TestJobsWorkerLosesLease runs a job in a worker whose handler hangs past its lease; a second
// worker, later on the clock, runs the job again and completes it; the first worker's late
// success is refused, and the job stays done once.
func TestJobsWorkerLosesLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		if err := s.Enqueue(ctx, jobs.Spec{Kind: "test.hang"}); err != nil {
			t.Fatal(err)
		}
		started, release := make(chan struct{}), make(chan struct{})
		a := testWorker(s, newTestClock(), map[string]jobs.Handler{"test.hang": func(context.Context, jobs.Job) error {
			close(started)
			<-release
			return nil
		}})
		var runsB atomic.Int32
		later := newTestClock()
		later.Add(2 * time.Minute)
		b := testWorker(s, later, map[string]jobs.Handler{"test.hang": func(context.Context, jobs.Job) error {
			runsB.Add(1)
			return nil
		}})
		done := make(chan error, 1)
		go func() { _, err := a.RunOnce(ctx); done <- err }()
		<-started
		if n, err := b.RunOnce(ctx); err != nil || n != 1 || runsB.Load() != 1 {
			t.Fatalf("second worker: %d %v", n, err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		j := listJobs(t, s, jobs.Filter{})[0]
		if j.State != jobs.Done || j.Attempts != 2 {
			t.Fatalf("job: %+v", j)
		}
	})
}

// TestJobsKindsWithoutHandler checks that a worker leaves jobs of kinds it has no handler for
// queued (the outbox keeps e-mails while no SMTP server is configured).
func TestJobsKindsWithoutHandler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		if err := s.Enqueue(ctx, jobs.Spec{Kind: "notify.email"}, jobs.Spec{Kind: "test.here"}); err != nil {
			t.Fatal(err)
		}
		clock := newTestClock()
		w := testWorker(s, clock, map[string]jobs.Handler{"test.here": func(context.Context, jobs.Job) error { return nil }})
		for range 3 {
			clock.Add(2 * time.Hour)
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got := listJobs(t, s, jobs.Filter{Kind: "notify.email"}); len(got) != 1 || got[0].State != jobs.Queued || got[0].Attempts != 0 {
			t.Fatalf("unhandled kind: %+v", got)
		}
		if got := listJobs(t, s, jobs.Filter{Kind: "test.here", State: jobs.Done}); len(got) != 1 {
			t.Fatalf("handled kind: %+v", got)
		}
	})
}

// TestJobsStatsAndCleanup checks the counts per kind and state, the oldest queued job, and the
// removal of old done jobs (dead ones stay).
func TestJobsStatsAndCleanup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := store.NewJobs(db)
		before := time.Now().Add(-time.Second)
		if err := s.Enqueue(ctx, jobs.Spec{Kind: "a"}, jobs.Spec{Kind: "a"}, jobs.Spec{Kind: "b"}, jobs.Spec{Kind: "c"}); err != nil {
			t.Fatal(err)
		}
		clock := newTestClock()
		w := testWorker(s, clock, map[string]jobs.Handler{
			"b": func(context.Context, jobs.Job) error { return nil },
			"c": func(context.Context, jobs.Job) error { return jobs.Permanent(errors.New("no")) },
		})
		if n, err := w.RunOnce(ctx); err != nil || n != 2 {
			t.Fatalf("run: %d %v", n, err)
		}
		stats, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(stats) != 3 {
			t.Fatalf("stats: %+v", stats)
		}
		a, b, c := stats[0], stats[1], stats[2]
		if a.Kind != "a" || a.State != jobs.Queued || a.Count != 2 || a.Oldest.Before(before) || a.Oldest.After(time.Now()) {
			t.Fatalf("queued stat: %+v", a)
		}
		if b.Kind != "b" || b.State != jobs.Done || b.Count != 1 || !b.Oldest.IsZero() || c.Kind != "c" || c.State != jobs.Dead {
			t.Fatalf("stats: %+v", stats)
		}
		if n, err := s.DeleteDone(ctx, clock.Now().Add(-time.Minute)); err != nil || n != 0 {
			t.Fatalf("delete recent done jobs: %d %v", n, err)
		}
		if n, err := s.DeleteDone(ctx, clock.Now().Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("delete done jobs: %d %v", n, err)
		}
		if got := listJobs(t, s, jobs.Filter{}); len(got) != 3 {
			t.Fatalf("left after cleanup: %+v", got)
		}
		if page := listJobs(t, s, jobs.Filter{Limit: 2}); len(page) != 2 || len(listJobs(t, s, jobs.Filter{BeforeID: page[1].ID})) != 1 {
			t.Fatalf("pages: %+v", page)
		}
	})
}

// TestJobsRunStopsAndReleases runs Run until every job is done, then cancels it: Run returns,
// and jobs leased but not started would be back in the queue.
func TestJobsRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := store.NewJobs(db)
		var ran atomic.Int32
		all := make(chan struct{})
		w := jobs.NewWorker(s, map[string]jobs.Handler{"test.run": func(context.Context, jobs.Job) error {
			if ran.Add(1) == 50 {
				close(all)
			}
			return nil
		}}, jobs.Options{Concurrency: 3, Batch: 8, Log: slog.New(slog.DiscardHandler)})
		stopped := make(chan error, 1)
		go func() { stopped <- w.Run(ctx) }()
		specs := make([]jobs.Spec, 50)
		for i := range specs {
			specs[i] = jobs.Spec{Kind: "test.run"}
		}
		if err := s.Enqueue(ctx, specs...); err != nil {
			t.Fatal(err)
		}
		w.Notify()
		<-all
		cancel()
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if got := listJobs(t, s, jobs.Filter{State: jobs.Done, Limit: 1000}); len(got) != 50 || ran.Load() != 50 {
			t.Fatalf("%d done, %d runs", len(got), ran.Load())
		}
	})
}
