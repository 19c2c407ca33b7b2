package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/kabinet/kabinet/internal/jurisdiction"
)

const kgUsage = `usage:
  kabinet kg account add --tin TIN --password-stdin [--db …]
      creates an approved account of the Kyrgyz taxpayer cabinet for a taxpayer of the register, as
      an inspector's approval of a self-registration would (KG-1): a person's own account, or an
      organization's held by its head; the password (at least 8 characters) is read from the first
      line of standard input; prints the login. The database must be of the kg profile.
`

// runKG implements `kabinet kg`.
func runKG(ctx context.Context, e *env, args []string) int {
	if len(args) >= 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(e.stdout, kgUsage)
		return exitOK
	}
	if len(args) < 2 || args[0] != "account" || args[1] != "add" {
		fmt.Fprint(e.stderr, kgUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("kg account add", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, kgUsage) }
	dbf := dbFlag(fs, e)
	tinFlag := fs.String("tin", "", "the ИНН of the taxpayer whose cabinet it is (the login)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *tinFlag == "" || !*pwStdin || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, kgUsage)
		return exitUsage
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(e.stderr, "kabinet kg account add: no password on standard input")
		return exitUsage
	}
	pw := strings.TrimRight(line, "\r\n")
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet kg: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	a, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet kg: %v\n", err)
		return exitFailure
	}
	if a.Profile.Cabinet.Registration != jurisdiction.ByApplication {
		fmt.Fprintf(e.stderr, "kabinet kg account add: the database belongs to the jurisdiction %q, whose taxpayers get cards (kabinet card issue); "+
			"this command is for a database of the kg profile\n", a.Profile.Code)
		return exitFailure
	}
	acc, err := a.Cabinet.AddAccount(ctx, cliActor, *tinFlag, pw)
	if err != nil {
		return failed(e, "kg account add", err)
	}
	fmt.Fprintln(e.stdout, acc.TIN)
	fmt.Fprintf(e.stderr, "account of %s added; log in at /lk/login or from the mobile application with the login above\n", acc.Name)
	return exitOK
}
