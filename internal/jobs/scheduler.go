package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Periodic is a job to run once in every period of Every (an hour: once in each clock hour, UTC).
type Periodic struct {
	Kind        string
	Every       time.Duration // at least a second
	Payload     []byte
	MaxAttempts int
}

// Enqueuer stores jobs; Store is one.
type Enqueuer interface {
	Enqueue(ctx context.Context, specs ...Spec) error
}

// Scheduler enqueues periodic jobs. Each period's job has the idempotency key
// "<kind>:<period start>" (e.g. "flows.cleanup:2026-12-02T08" for an hourly job), so however many
// processes run a scheduler, and however often they tick, each period's job is enqueued once.
type Scheduler struct {
	store Enqueuer
	jobs  []Periodic
	now   func() time.Time
	log   *slog.Logger
}

// NewScheduler returns a scheduler of periodic jobs over s; now is the clock (nil: time.Now).
func NewScheduler(s Enqueuer, now func() time.Time, log *slog.Logger, periodic ...Periodic) (*Scheduler, error) {
	for _, p := range periodic {
		if p.Kind == "" || p.Every < time.Second {
			return nil, fmt.Errorf("jobs: periodic job %q: needs a kind and a period of at least a second", p.Kind)
		}
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Scheduler{store: s, jobs: periodic, now: now, log: log}, nil
}

// PeriodKey returns the idempotency key of kind's job for the period of length every that holds
// at: the period's start in UTC, as precise as the period needs.
func PeriodKey(kind string, every time.Duration, at time.Time) string {
	start := at.UTC().Truncate(every)
	layout := "2006-01-02T15:04:05"
	switch {
	case every%(24*time.Hour) == 0:
		layout = "2006-01-02"
	case every%time.Hour == 0:
		layout = "2006-01-02T15"
	case every%time.Minute == 0:
		layout = "2006-01-02T15:04"
	}
	return kind + ":" + start.Format(layout)
}

// Tick enqueues the current period's job of every periodic job (a no-op for those already
// enqueued), due at the start of its period.
func (s *Scheduler) Tick(ctx context.Context) error {
	now := s.now()
	specs := make([]Spec, len(s.jobs))
	for i, p := range s.jobs {
		specs[i] = Spec{Kind: p.Kind, Payload: p.Payload, MaxAttempts: p.MaxAttempts,
			Key: PeriodKey(p.Kind, p.Every, now), RunAt: now.UTC().Truncate(p.Every)}
	}
	if len(specs) == 0 {
		return nil
	}
	return s.store.Enqueue(ctx, specs...)
}

// Run ticks at once and then every minute (or every shortest period, when shorter) until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	every := time.Minute
	for _, p := range s.jobs {
		every = min(every, p.Every)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Tick(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("jobs: schedule periodic jobs", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
