package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// Options configure a Worker; the zero value of each field means its default.
type Options struct {
	Concurrency int              // handlers running at once; default 4
	Batch       int              // jobs leased at once and held at most; default 64 (and at least Concurrency)
	Lease       time.Duration    // how long a lease lasts before another worker may take the job; default 1 min
	Poll        time.Duration    // how often an idle worker looks for due jobs; default 1 s
	Grace       time.Duration    // how long Run waits for running handlers after its context ends; default 30 s
	Now         func() time.Time // the clock; default time.Now
	Log         *slog.Logger     // default slog.Default()
}

// Worker runs the jobs of the kinds it has handlers for; jobs of other kinds stay queued for a
// process that has their handler (no SMTP configured here: the e-mails wait in the outbox).
type Worker struct {
	store    Store
	handlers map[string]Handler
	kinds    []string
	opt      Options
	wake     chan struct{}
	freed    chan struct{}
	turn     atomic.Uint64 // which kind leads the next lease, so that no kind starves the others

	mu       sync.Mutex
	inflight map[int64]*flight
}

// flight is a job a worker holds: leased, and perhaps started.
type flight struct {
	ticket Ticket
	cancel context.CancelFunc // nil until its handler starts
	lost   bool               // its lease was found taken by another worker
}

// NewWorker returns a worker over s running handlers, a handler per job kind.
func NewWorker(s Store, handlers map[string]Handler, o Options) *Worker {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Batch <= 0 {
		o.Batch = 64 // fewer, larger statements: a lease or a completion of 64 jobs costs little more than of one
	}
	o.Batch = max(o.Batch, o.Concurrency)
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	h := maps.Clone(handlers)
	maps.DeleteFunc(h, func(_ string, f Handler) bool { return f == nil })
	w := &Worker{store: s, handlers: h, kinds: slices.Sorted(maps.Keys(h)), opt: o,
		wake: make(chan struct{}, 1), freed: make(chan struct{}, 1), inflight: map[int64]*flight{}}
	return w
}

// Kinds returns the job kinds the worker runs, sorted.
func (w *Worker) Kinds() []string { return slices.Clone(w.kinds) }

// rotated returns the kinds starting from the next in turn.
func (w *Worker) rotated() []string {
	i := int(w.turn.Add(1) % uint64(len(w.kinds)))
	return append(slices.Clone(w.kinds[i:]), w.kinds[:i]...)
}

// Notify wakes an idle worker to look for due jobs now, instead of at its next poll: call it after
// committing a transaction that enqueued a job this process runs.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// RunOnce leases the due jobs it can (up to the batch size), runs them, records their outcomes
// (the successes in one statement), and returns how many it ran. Its error is a storage failure;
// a handler's failure is recorded on its job and is not an error of RunOnce.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if len(w.kinds) == 0 {
		return 0, nil
	}
	now := w.opt.Now()
	leases, err := w.store.Lease(ctx, w.rotated(), w.opt.Batch, now, now.Add(w.opt.Lease))
	if err != nil || len(leases) == 0 {
		return 0, err
	}
	stop := w.extendLeases()
	defer stop()
	sem := make(chan struct{}, w.opt.Concurrency)
	outs := make([]outcome, len(leases))
	var wg sync.WaitGroup
	for i, l := range leases {
		w.hold(l)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			outs[i] = w.runJob(l)
		})
	}
	wg.Wait()
	return len(leases), w.record(ctx, outs)
}

// Run runs jobs until ctx ends: it leases due jobs whenever half its batch is free, wakes on
// Notify or every Poll when idle, and keeps extending the leases of the jobs it holds. When ctx
// ends it leases no more, puts the jobs it has not started back in the queue, and waits up to
// Grace for the running handlers, whose contexts it then cancels.
func (w *Worker) Run(ctx context.Context) error {
	if len(w.kinds) == 0 {
		<-ctx.Done()
		return nil
	}
	stopExtending := w.extendLeases()
	defer stopExtending()
	queue := make(chan Lease, w.opt.Batch)
	results := make(chan outcome, w.opt.Batch)
	var wg, recording sync.WaitGroup
	for range w.opt.Concurrency {
		wg.Go(func() {
			for l := range queue {
				results <- w.runJob(l)
			}
		})
	}
	// One goroutine records the outcomes: those that finish while it writes are written together.
	recording.Go(func() {
		for o := range results {
			outs := []outcome{o}
			for more := true; more; {
				select {
				case o, ok := <-results:
					if ok {
						outs = append(outs, o)
					} else {
						more = false
					}
				default:
					more = false
				}
			}
			_ = w.record(context.WithoutCancel(ctx), outs) // logged by record
		}
	})
	poll := time.NewTimer(0)
	defer poll.Stop()
	for ctx.Err() == nil {
		free := w.opt.Batch - w.held()
		full := free*2 < w.opt.Batch // busy: wait until half the batch is free
		if !full {
			now := w.opt.Now()
			leases, err := w.store.Lease(ctx, w.rotated(), free, now, now.Add(w.opt.Lease))
			if err != nil && ctx.Err() == nil {
				w.opt.Log.Error("jobs: lease", "error", err)
			}
			for _, l := range leases {
				w.hold(l)
				queue <- l
			}
			full = err == nil && len(leases) == free // more may be due: lease again when slots free up
		}
		if full {
			select {
			case <-ctx.Done():
			case <-w.freed:
			}
			continue
		}
		poll.Reset(w.opt.Poll)
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-poll.C:
		}
	}
	w.shutdown(queue, &wg)
	close(results)
	recording.Wait()
	return nil
}

// shutdown releases the queued leases, then waits for the running handlers.
func (w *Worker) shutdown(queue chan Lease, wg *sync.WaitGroup) {
	var unstarted []Ticket
	for len(queue) > 0 {
		select {
		case l := <-queue:
			unstarted = append(unstarted, l.Ticket())
			w.drop(l.ID)
		default:
		}
	}
	close(queue)
	if len(unstarted) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := w.store.Release(ctx, unstarted, w.opt.Now()); err != nil {
			w.opt.Log.Error("jobs: release unstarted jobs", "jobs", len(unstarted), "error", err)
		}
		cancel()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
		return
	case <-time.After(w.opt.Grace):
	}
	w.mu.Lock()
	for _, f := range w.inflight {
		if f.cancel != nil {
			f.cancel()
		}
	}
	w.mu.Unlock()
	<-finished
}

// hold records a leased job, so that its lease is extended until it is dropped.
func (w *Worker) hold(l Lease) {
	w.mu.Lock()
	w.inflight[l.ID] = &flight{ticket: l.Ticket()}
	w.mu.Unlock()
}

// held returns how many jobs the worker holds.
func (w *Worker) held() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.inflight)
}

// drop forgets a job and tells Run a slot is free.
func (w *Worker) drop(id int64) {
	w.mu.Lock()
	delete(w.inflight, id)
	w.mu.Unlock()
	select {
	case w.freed <- struct{}{}:
	default:
	}
}

// start gives a held job's handler its context, cancelled when the lease is lost.
func (w *Worker) start(id int64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	if f := w.inflight[id]; f != nil {
		f.cancel = cancel
		if f.lost {
			cancel()
		}
	}
	w.mu.Unlock()
	return ctx, cancel
}

// extendLeases extends the leases of the held jobs every third of a lease until stopped, and
// cancels the handlers of the jobs whose lease was lost.
func (w *Worker) extendLeases() (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(w.opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				w.extend()
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}

func (w *Worker) extend() {
	w.mu.Lock()
	tickets := make([]Ticket, 0, len(w.inflight))
	for _, f := range w.inflight {
		if !f.lost {
			tickets = append(tickets, f.ticket)
		}
	}
	w.mu.Unlock()
	if len(tickets) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.opt.Lease/3)
	defer cancel()
	ids, err := w.store.Extend(ctx, tickets, w.opt.Now().Add(w.opt.Lease))
	if err != nil {
		w.opt.Log.Error("jobs: extend leases", "jobs", len(tickets), "error", err)
		return
	}
	still := make(map[int64]bool, len(ids))
	for _, id := range ids {
		still[id] = true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range tickets {
		if f := w.inflight[t.ID]; f != nil && f.ticket == t && !still[t.ID] {
			f.lost = true
			if f.cancel != nil {
				f.cancel()
			}
		}
	}
}

// outcome is how a run of a job ended.
type outcome struct {
	lease Lease
	err   error
}

// runJob runs a held job's handler.
func (w *Worker) runJob(l Lease) outcome {
	hctx, cancel := w.start(l.ID)
	err := w.call(hctx, l.Job)
	cancel()
	return outcome{lease: l, err: err}
}

// record writes outcomes: the successes in one statement, each failure on its own, and then
// frees their slots. Its error is a storage failure, already logged.
func (w *Worker) record(ctx context.Context, outs []outcome) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	defer func() {
		for _, o := range outs {
			w.drop(o.lease.ID)
		}
	}()
	var errs []error
	var done []Ticket
	for _, o := range outs {
		if o.err == nil {
			done = append(done, o.lease.Ticket())
		} else if err := w.fail(ctx, o); err != nil {
			errs = append(errs, err)
		}
	}
	if len(done) == 0 {
		return errors.Join(errs...)
	}
	ids, err := w.store.Complete(ctx, done, w.opt.Now())
	if err != nil {
		w.opt.Log.Error("jobs: mark done", "jobs", len(done), "error", err)
		return errors.Join(append(errs, err)...)
	}
	if len(ids) < len(done) {
		ok := make(map[int64]bool, len(ids))
		for _, id := range ids {
			ok[id] = true
		}
		for _, o := range outs {
			if o.err == nil && !ok[o.lease.ID] {
				w.opt.Log.Warn("jobs: lease lost before the job was marked done; it will run again", "kind", o.lease.Kind, "job", o.lease.ID)
			}
		}
	}
	return errors.Join(errs...)
}

// fail records a failed run: back-off and retry, or dead.
func (w *Worker) fail(ctx context.Context, o outcome) error {
	l := o.lease
	log := w.opt.Log.With("kind", l.Kind, "job", l.ID, "attempt", l.Attempts)
	now := w.opt.Now()
	f := Failure{At: now, Error: ErrorText(o.err)}
	dead := IsPermanent(o.err) || l.Attempts >= l.MaxAttempts
	if !dead {
		f.RetryAt = now.Add(Backoff(l.Attempts))
	}
	if err := w.store.Fail(ctx, l.Ticket(), f); err != nil {
		if errors.Is(err, storeerr.ErrConflict) {
			log.Warn("jobs: lease lost before the failure was recorded", "error", f.Error)
			return nil
		}
		log.Error("jobs: record failure", "error", err)
		return err
	}
	if dead {
		log.Error("jobs: job dead", "error", f.Error, "permanent", IsPermanent(o.err))
	} else {
		log.Warn("jobs: job failed, will retry", "error", f.Error, "retry_at", f.RetryAt)
	}
	return nil
}

// call runs the job's handler, turning a panic into an error (without its value, which may hold
// personal data).
func (w *Worker) call(ctx context.Context, j Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("jobs: handler of %s panicked", j.Kind)
		}
	}()
	h := w.handlers[j.Kind]
	if h == nil { // cannot happen: the worker leases only the kinds it has
		return Permanent(fmt.Errorf("jobs: no handler for %s", j.Kind))
	}
	return h(ctx, j)
}
