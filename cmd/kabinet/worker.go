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
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/notify/smsgateway"
	"github.com/kabinet/kabinet/internal/notify/smtpmail"
	"github.com/kabinet/kabinet/internal/store"
)

const workerUsage = `usage: kabinet worker [--db …] [--concurrency N] [--smtp-url URL] [--sms-url URL]
  runs the job queue's workers and the scheduler of periodic jobs until SIGINT or SIGTERM; jobs
  of kinds it has no handler for stay queued (without --smtp-url the e-mails wait in the outbox,
  without --sms-url the SMS)
    --smtp-url  smtp://user:pass@host:587?from=noreply@example.org (STARTTLS required;
                &starttls=opportunistic or &starttls=none for a local relay), or smtps://… for
                implicit TLS; env KABINET_SMTP_URL, better than the flag, which others can see
    --sms-url   https://gateway/… receiving JSON POSTs {"id","to","text"}; env KABINET_SMS_URL
`

// runWorker implements `kabinet worker`.
func runWorker(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, workerUsage); fs.PrintDefaults() }
	dsn := dbFlag(fs, e)
	concurrency := fs.Int("concurrency", 4, "handlers running at once")
	smtpURL, smsURL := senderFlags(fs, e)
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
	snd, err := newSenders(*smtpURL, *smsURL)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
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
	handlers, periodic := jobHandlers(db, snd)
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
// the periodic jobs; newSenders builds the notification senders from their URLs. `kabinet worker`
// runs them; `serve` will run the same in its in-process worker once they move into the
// application's wiring.

// Retention of finished work.
const (
	keepDoneJobs     = 7 * 24 * time.Hour  // done jobs, for `kabinet jobs list`
	keepSentMessages = 30 * 24 * time.Hour // sent messages: a person's texts, kept no longer than needed
)

// senders are the notification senders of this process; a nil one leaves its channel's messages
// queued in the outbox.
type senders struct {
	email notify.EmailSender
	sms   notify.SMSSender
}

// senderFlags adds --smtp-url and --sms-url to fs, their defaults from KABINET_SMTP_URL and
// KABINET_SMS_URL.
func senderFlags(fs *flag.FlagSet, e *env) (smtpURL, smsURL *string) {
	get := func(name string) string {
		if e.getenv == nil {
			return ""
		}
		return e.getenv(name)
	}
	smtpURL = fs.String("smtp-url", get("KABINET_SMTP_URL"), "SMTP server for e-mails, smtp:// or smtps:// with ?from= (env KABINET_SMTP_URL)")
	smsURL = fs.String("sms-url", get("KABINET_SMS_URL"), "SMS gateway, https:// (env KABINET_SMS_URL)")
	return smtpURL, smsURL
}

// newSenders builds the senders named by their URLs; an empty URL means no sender. Its errors
// never quote a URL, which may hold a password.
func newSenders(smtpURL, smsURL string) (senders, error) {
	var s senders
	if smtpURL != "" {
		m, err := smtpmail.New(smtpURL, nil)
		if err != nil {
			return s, fmt.Errorf("--smtp-url: %w", err)
		}
		s.email = m
	}
	if smsURL != "" {
		g, err := smsgateway.New(smsURL, nil)
		if err != nil {
			return s, fmt.Errorf("--sms-url: %w", err)
		}
		s.sms = g
	}
	return s, nil
}

// jobHandlers returns the handler of every job kind, and the periodic jobs to schedule.
func jobHandlers(db *store.DB, snd senders) (map[string]jobs.Handler, []jobs.Periodic) {
	queue, outbox := store.NewJobs(db), store.NewNotify(db)
	handlers := notify.New(outbox, nil).Handlers(snd.email, snd.sms)
	handlers["jobs.cleanup"] = func(ctx context.Context, _ jobs.Job) error {
		_, err := queue.DeleteDone(ctx, time.Now().Add(-keepDoneJobs))
		return err
	}
	handlers["notify.cleanup"] = func(ctx context.Context, _ jobs.Job) error {
		_, err := outbox.DeleteSent(ctx, time.Now().Add(-keepSentMessages))
		return err
	}
	periodic := []jobs.Periodic{{Kind: "jobs.cleanup", Every: time.Hour}, {Kind: "notify.cleanup", Every: time.Hour}}
	return handlers, periodic
}
