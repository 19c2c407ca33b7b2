package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/kabinet/kabinet/internal/app"
)

const workerUsage = `usage: kabinet worker [--db …] [--concurrency N] [--smtp-url URL] [--sms-url URL]
                      [--registry-url URL [--registry-cert F --registry-key F] [--registry-ca F]
                      [--registry-timeout D]] [--registry-persons FILE]
  runs the job queue's workers and the scheduler of periodic jobs until SIGINT or SIGTERM; jobs
  of kinds it has no handler for stay queued (without --smtp-url the e-mails wait in the outbox,
  without --sms-url the SMS)
    --smtp-url  smtp://user:pass@host:587?from=noreply@example.org (STARTTLS required;
                &starttls=opportunistic or &starttls=none for a local relay), or smtps://… for
                implicit TLS; env KABINET_SMTP_URL, better than the flag, which others can see
    --sms-url   https://gateway/… receiving JSON POSTs {"id","to","text"}; env KABINET_SMS_URL
` + registryUsage

// runWorker implements `kabinet worker`.
func runWorker(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, workerUsage); fs.PrintDefaults() }
	dbf := dbFlag(fs, e)
	concurrency := fs.Int("concurrency", 4, "handlers running at once")
	smtpURL, smsURL := senderFlags(fs, e)
	registries := idpFlags(fs, e)
	oidcOpts := newOIDCFlags(fs, e)
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
	snd, err := app.NewSenders(*smtpURL, *smsURL)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitUsage
	}
	ident, err := registries.identity()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	// The worker rotates the signing keys with the same secret key as serve (it makes none).
	oidcConf, err := oidcOpts.config(e, dbf.dsn, "", false)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitUsage
	}
	a, err := app.New(ctx, app.Config{DB: db, Log: log, Senders: snd, Identity: ident, OIDC: oidcConf})
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet worker: %v\n", err)
		return exitFailure
	}
	w, sched, err := a.NewWorker(*concurrency)
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
