package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/notify/smsgateway"
	"github.com/kabinet/kabinet/internal/notify/smtpmail"
	"github.com/kabinet/kabinet/internal/oidc"
)

// The application's jobs: jobHandlers is the one list of every job kind and its handler, and of
// the periodic jobs. `kabinet serve` runs them in its own worker, `kabinet worker` in a process of
// its own; any number of both may share one database.

// Retention of finished work.
const (
	keepDoneJobs     = 7 * 24 * time.Hour  // done jobs, for `kabinet jobs list`
	keepSentMessages = 30 * 24 * time.Hour // sent messages: a person's texts, kept no longer than needed
)

// Senders are the notification senders of this process; a nil one leaves its channel's messages
// queued in the outbox (the embedded default: nothing leaves the machine).
type Senders struct {
	Email notify.EmailSender
	SMS   notify.SMSSender
}

// NewSenders builds the senders named by their URLs (--smtp-url, --sms-url); an empty URL means
// no sender. Its errors never quote a URL, which may hold a password.
func NewSenders(smtpURL, smsURL string) (Senders, error) {
	var s Senders
	if smtpURL != "" {
		m, err := smtpmail.New(smtpURL, nil)
		if err != nil {
			return s, fmt.Errorf("--smtp-url: %w", err)
		}
		s.Email = m
	}
	if smsURL != "" {
		g, err := smsgateway.New(smsURL, nil)
		if err != nil {
			return s, fmt.Errorf("--sms-url: %w", err)
		}
		s.SMS = g
	}
	return s, nil
}

// mobileCleanupJob removes the mobile application's expired tokens (KG-2).
const mobileCleanupJob = "lk.mobile.cleanup"

// jobHandlers returns the handler of every job kind, and the periodic jobs to schedule.
func (a *App) jobHandlers() (map[string]jobs.Handler, []jobs.Periodic) {
	handlers := a.Notify.Handlers(a.senders.Email, a.senders.SMS)
	cleanup := func(f func(context.Context) error) jobs.Handler {
		return func(ctx context.Context, _ jobs.Job) error { return f(ctx) }
	}
	handlers["jobs.cleanup"] = cleanup(func(ctx context.Context) error {
		_, err := a.Jobs.DeleteDone(ctx, a.Now().Add(-keepDoneJobs))
		return err
	})
	handlers["notify.cleanup"] = cleanup(func(ctx context.Context) error {
		_, err := a.outbox.DeleteSent(ctx, a.Now().Add(-keepSentMessages))
		return err
	})
	handlers["flows.cleanup"] = cleanup(func(ctx context.Context) error { _, err := a.Flows.Cleanup(ctx); return err })
	handlers["sessions.cleanup"] = cleanup(func(ctx context.Context) error { _, err := a.Sessions.Cleanup(ctx); return err })
	handlers["limits.cleanup"] = cleanup(func(ctx context.Context) error { _, err := a.Limits.Cleanup(ctx); return err })
	kinds := []string{"jobs.cleanup", "notify.cleanup", "flows.cleanup", "sessions.cleanup", "limits.cleanup"}
	if a.Identity != nil { // IDP-3: the registries' checks
		handlers[identity.VerifyJob] = a.Identity.HandleVerify
	}
	if a.OIDC != nil { // IDP-7: expired grants, and the signing keys' rotation
		handlers[oidc.CleanupJob] = cleanup(func(ctx context.Context) error { _, err := a.OIDC.Cleanup(ctx); return err })
		handlers[oidc.RotateJob] = cleanup(func(ctx context.Context) error {
			// Keys are replaced once KeyRotation old; without a secret key this process cannot.
			_, err := a.OIDC.RotateKeys(ctx, false)
			if errors.Is(err, oidc.ErrNoSecretKey) {
				return nil
			}
			return err
		})
		kinds = append(kinds, oidc.CleanupJob, oidc.RotateJob)
	}
	if a.Profile.Cabinet.Mobile { // KG-2: the mobile application's expired tokens
		handlers[mobileCleanupJob] = cleanup(func(ctx context.Context) error { _, err := a.Cabinet.CleanupMobile(ctx); return err })
		kinds = append(kinds, mobileCleanupJob)
	}
	var periodic []jobs.Periodic
	for _, k := range kinds {
		periodic = append(periodic, jobs.Periodic{Kind: k, Every: time.Hour})
	}
	return handlers, periodic
}

// NewWorker returns a worker of every job kind with concurrency handlers at once, and the
// scheduler of the periodic jobs.
func (a *App) NewWorker(concurrency int) (*jobs.Worker, *jobs.Scheduler, error) {
	handlers, periodic := a.jobHandlers()
	w := jobs.NewWorker(a.Jobs, handlers, jobs.Options{Concurrency: concurrency, Now: a.Now, Log: a.Log})
	s, err := jobs.NewScheduler(a.Jobs, a.Now, a.Log, periodic...)
	if err != nil {
		return nil, nil, err
	}
	return w, s, nil
}

// RunWorkers runs a worker and the scheduler until ctx ends; it wakes the worker whenever this
// process enqueues a job (Notify).
func (a *App) RunWorkers(ctx context.Context, concurrency int) error {
	w, s, err := a.NewWorker(concurrency)
	if err != nil {
		return err
	}
	a.wakeMu.Lock()
	a.wake = append(a.wake, w.Notify)
	a.wakeMu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.Run(ctx) })
	err = w.Run(ctx)
	wg.Wait()
	return err
}

// Wake tells the workers of this process that a job was committed.
func (a *App) Wake() {
	a.wakeMu.Lock()
	defer a.wakeMu.Unlock()
	for _, f := range a.wake {
		f()
	}
}
