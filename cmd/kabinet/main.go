// Command kabinet runs the taxpayer register, the identity provider and the taxpayer personal
// account, and offers their command-line tools (number validation, e-signatures, staff, import).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0 // success; for validators: every input valid
	exitFailure = 1 // the command ran and found something wrong (invalid input, refused signature)
	exitUsage   = 2 // the command line itself is wrong
)

// env is what a subcommand may touch of the outside world; tests pass their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command runs one subcommand with the arguments after its name and returns the exit code.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands lists every subcommand; each is implemented in the file of its name.
func commands() map[string]command {
	return map[string]command{
		"tin":      {"validate taxpayer numbers (ИНН, КПП, СНИЛС, ОГРН, ОГРНИП, Kyrgyz ИНН)", runTin},
		"esign":    {"sign and verify qualified electronic signatures (GOST R 34.10-2012, CMS)", runEsign},
		"serve":    {"run the web server", runServe},
		"migrate":  {"apply database migrations", runMigrate},
		"staff":    {"manage staff members and API tokens", runStaff},
		"register": {"taxpayer register tools (bulk import)", runRegister},
		"idp":      {"identity-provider accounts, OpenID Connect clients and keys (ru profile)", runIdp},
		"card":     {"registration cards of the personal account (LK-1, ru profile)", runCard},
		"kg":       {"the Kyrgyz taxpayer cabinet: approved accounts (KG-1, kg profile)", runKG},
		"jobs":     {"list the job queue and outbox, retry dead jobs", runJobs},
		"worker":   {"run the job queue's workers (e-mail, SMS, periodic jobs)", runWorker},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "kabinet: unknown command %q\n", args[0])
		usage(e.stderr, cmds)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: kabinet <command> [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
}
