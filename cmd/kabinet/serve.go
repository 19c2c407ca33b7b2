package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/web"
)

// Demo credentials printed at start with --demo.
const (
	demoLogin    = "inspector"
	demoPassword = "demo-inspector-2026"
)

// runServe runs the web server until the context ends (SIGINT/SIGTERM), then shuts down
// gracefully.
func runServe(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	dsn := dbFlag(fs, e)
	withDemo := fs.Bool("demo", false, "seed a demo inspector and a few hundred demo taxpayers")
	workers := fs.Int("workers", 2, "job handlers run by this process at once (0: none; run `kabinet worker` instead)")
	smtpURL, smsURL := senderFlags(fs, e)
	registries := idpFlags(fs, e)
	trusted := fs.String("trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto to believe (env KABINET_TRUSTED_PROXIES)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *trusted == "" && e.getenv != nil {
		*trusted = e.getenv("KABINET_TRUSTED_PROXIES")
	}
	proxies, err := web.ParseProxies(*trusted)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: --trusted-proxies: %v\n", err)
		return exitUsage
	}
	snd, err := app.NewSenders(*smtpURL, *smsURL)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	ident, err := registries.identity()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openDB(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	a, err := app.New(ctx, app.Config{DB: db, Log: log, Proxies: proxies, Senders: snd, Demo: *withDemo, Identity: ident})
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	}
	if *withDemo {
		if err := seedDemo(ctx, e, a); err != nil {
			fmt.Fprintf(e.stderr, "kabinet serve: demo data: %v\n", err)
			return exitFailure
		}
	}
	handler := a.Handler
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(e.stdout, "kabinet listening on http://%s/ (database: %s)\n", ln.Addr(), db.Dialect)
	if *withDemo {
		fmt.Fprintf(e.stdout, "messages the demo would send (codes included): http://%s/demo/outbox\n", ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	var workDone sync.WaitGroup
	if *workers > 0 {
		workDone.Go(func() {
			if err := a.RunWorkers(workCtx, *workers); err != nil && workCtx.Err() == nil {
				log.Error("job worker stopped", "err", err)
			}
		})
	}
	select {
	case err := <-errc:
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	stopWork()
	workDone.Wait()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: shutdown: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "kabinet stopped")
	return exitOK
}

func seedDemo(ctx context.Context, e *env, a *app.App) error {
	if _, err := a.Staff.Add(ctx, cliActor, demoLogin, staff.RoleInspector, "Демо Инспектор", demoPassword); err != nil && !problem.Is(err, problem.Invalid) {
		return err
	}
	if err := demo.Seed(ctx, a.Register, 300); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo inspector: login %q, password %q\n", demoLogin, demoPassword)
	return nil
}
