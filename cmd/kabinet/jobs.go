package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/storeerr"
)

const jobsUsage = `usage:
  kabinet jobs list [--state queued|running|done|dead] [--kind K] [--limit N] [--json] [--db …]
      lists jobs, newest first; --json prints one object per line:
      {"id","kind","state","attempts","max_attempts","key","run_at","leased_until","last_error",
       "created_at","updated_at","done_at","payload"}
  kabinet jobs retry ID... [--db …]
      queues dead jobs again with their attempts reset; exits 1 when a job does not exist or is
      not dead
`

// runJobs implements `kabinet jobs`.
func runJobs(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, jobsUsage)
		return exitUsage
	}
	switch args[0] {
	case "list":
		return runJobsList(ctx, e, args[1:])
	case "retry":
		return runJobsRetry(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, jobsUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "kabinet jobs: unknown command %q\n%s", args[0], jobsUsage)
	return exitUsage
}

// jobLine is a job as `jobs list --json` prints it.
type jobLine struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       string          `json:"state"`
	Attempts    int             `json:"attempts"`
	MaxAttempts int             `json:"max_attempts"`
	Key         string          `json:"key"`
	RunAt       time.Time       `json:"run_at"`
	LeasedUntil *time.Time      `json:"leased_until"`
	LastError   string          `json:"last_error"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	DoneAt      *time.Time      `json:"done_at"`
	Payload     json.RawMessage `json:"payload"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func runJobsList(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("jobs list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, jobsUsage) }
	dbf := dbFlag(fs, e)
	state := fs.String("state", "", "only jobs in this state: queued, running, done or dead")
	kind := fs.String("kind", "", "only jobs of this kind")
	limit := fs.Int("limit", 100, "at most this many jobs (up to 1000)")
	asJSON := fs.Bool("json", false, "print JSON lines")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "kabinet jobs list: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *state != "" && !jobs.State(*state).Valid() {
		fmt.Fprintf(e.stderr, "kabinet jobs list: unknown state %q (queued, running, done or dead)\n", *state)
		return exitUsage
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet jobs list: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	list, err := store.NewJobs(db).List(ctx, jobs.Filter{State: jobs.State(*state), Kind: *kind, Limit: *limit})
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet jobs list: %v\n", err)
		return exitFailure
	}
	enc := json.NewEncoder(e.stdout)
	for _, j := range list {
		if *asJSON {
			payload := json.RawMessage("null")
			if len(j.Payload) > 0 {
				payload = j.Payload
			}
			_ = enc.Encode(jobLine{ID: j.ID, Kind: j.Kind, State: string(j.State), Attempts: j.Attempts, MaxAttempts: j.MaxAttempts,
				Key: j.Key, RunAt: j.RunAt, LeasedUntil: optTime(j.LeasedUntil), LastError: j.LastError, CreatedAt: j.CreatedAt,
				UpdatedAt: j.UpdatedAt, DoneAt: optTime(j.DoneAt), Payload: payload})
			continue
		}
		line := fmt.Sprintf("%-8d %-8s %-24s %d/%d  %s", j.ID, j.State, j.Kind, j.Attempts, j.MaxAttempts, j.RunAt.Format(time.RFC3339))
		if j.LastError != "" {
			line += "  " + strings.ReplaceAll(j.LastError, "\n", " ")
		}
		fmt.Fprintln(e.stdout, line)
	}
	return exitOK
}

func runJobsRetry(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("jobs retry", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, jobsUsage) }
	dbf := dbFlag(fs, e)
	pos, err := splitArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) == 0 {
		fmt.Fprint(e.stderr, "kabinet jobs retry: name at least one job id\n"+jobsUsage)
		return exitUsage
	}
	ids := make([]int64, len(pos))
	for i, p := range pos {
		if ids[i], err = strconv.ParseInt(p, 10, 64); err != nil || ids[i] <= 0 {
			fmt.Fprintf(e.stderr, "kabinet jobs retry: %q is not a job id\n", p)
			return exitUsage
		}
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet jobs retry: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	s := store.NewJobs(db)
	code := exitOK
	for _, id := range ids {
		switch err := s.Retry(ctx, id, time.Now()); {
		case err == nil:
			fmt.Fprintf(e.stdout, "job %d queued again\n", id)
		case errors.Is(err, storeerr.ErrNotFound):
			fmt.Fprintf(e.stderr, "kabinet jobs retry: job %d does not exist\n", id)
			code = exitFailure
		case errors.Is(err, storeerr.ErrConflict):
			fmt.Fprintf(e.stderr, "kabinet jobs retry: job %d is not dead\n", id)
			code = exitFailure
		default:
			fmt.Fprintf(e.stderr, "kabinet jobs retry: job %d: %v\n", id, err)
			return exitFailure
		}
	}
	return code
}
