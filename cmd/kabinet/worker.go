package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
)

const workerUsage = `usage: kabinet worker [--db …] [--concurrency N]
  runs the job queue's workers and the scheduler of periodic jobs until SIGINT or SIGTERM; jobs
  of kinds it has no handler for stay queued
`

// runWorker implements `kabinet worker`.
func runWorker(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, workerUsage); fs.PrintDefaults() }
	dsn := dbFlag(fs, e)
	concurrency := fs.Int("concurrency", 4, "handlers running at once")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 || *concurrency < 1 {
		fmt.Fprint(e.stderr, workerUsage)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openDB(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	queue := store.NewJobs(db)
	handlers, periodic := jobHandlers(db)
	w := jobs.NewWorker(queue, handlers, jobs.Options{Concurrency: *concurrency, Log: log})
	sched, err := jobs.NewScheduler(queue, nil, log, periodic...)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "kabinet worker running jobs of kinds %s (database: %s)\n", strings.Join(w.Kinds(), ", "), db.Dialect)
	var wg sync.WaitGroup
	wg.Go(func() { _ = sched.Run(ctx) })
	err = w.Run(ctx)
	wg.Wait()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "kabinet worker stopped")
	return exitOK
}

// ---------------------------------------------------------------------------------------------
// The application's jobs. jobHandlers is the one list of every job kind and its handler, and of
// the periodic jobs; `kabinet worker` runs it, and `serve` will run the same list in its
// in-process worker once it moves into the application's wiring.

// keepDoneJobs is how long done jobs stay in the table for `kabinet jobs list`.
const keepDoneJobs = 7 * 24 * time.Hour

// jobHandlers returns the handler of every job kind, and the periodic jobs to schedule.
func jobHandlers(db *store.DB) (map[string]jobs.Handler, []jobs.Periodic) {
	queue := store.NewJobs(db)
	handlers := map[string]jobs.Handler{
		"jobs.cleanup": func(ctx context.Context, _ jobs.Job) error {
			_, err := queue.DeleteDone(ctx, time.Now().Add(-keepDoneJobs))
			return err
		},
	}
	periodic := []jobs.Periodic{{Kind: "jobs.cleanup", Every: time.Hour}}
	return handlers, periodic
}
