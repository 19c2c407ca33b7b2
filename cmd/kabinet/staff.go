package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
)

const staffUsage = `usage:
  kabinet staff add --login L --role inspector|operator|admin [--name N] [--position P] [--office CODE] [--password-stdin] [--db …]
      creates a staff member; the password is read from standard input, or generated and printed once;
      extracts the member issues give the full name and the position; --office is the tax office the
      member works in (a УГНС of the kg profile: its inspectors decide its self-registrations, KG-1)
  kabinet staff token --login L [--ttl 24h] [--db …]
      prints a new API token for L (only the token, on standard output)
  kabinet staff list [--db …]
`

var cliActor = audit.Actor{Login: "cli", Role: "system"}

// runStaff implements `kabinet staff`.
func runStaff(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, staffUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("staff "+args[0], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, staffUsage) }
	dbf := dbFlag(fs, e)
	login := fs.String("login", "", "staff login")
	role := fs.String("role", "", "inspector, operator or admin")
	name := fs.String("name", "", "full name")
	position := fs.String("position", "", "position, given on the extracts the member issues (REG-9)")
	office := fs.String("office", "", "the code of the tax office the member works in (a УГНС: its queue of self-registrations, KG-1, BO-3)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	ttl := fs.Duration("ttl", 24*time.Hour, "token lifetime")
	switch args[0] {
	case "add", "token", "list":
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, staffUsage)
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "kabinet staff: unknown command %q\n%s", args[0], staffUsage)
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if args[0] != "list" && *login == "" {
		fmt.Fprintln(e.stderr, "kabinet staff: --login is required")
		return exitUsage
	}
	if args[0] == "add" && *role == "" {
		fmt.Fprintln(e.stderr, "kabinet staff add: --role is required (inspector, operator or admin)")
		return exitUsage
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet staff: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	svc, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet staff: %v\n", err)
		return exitFailure
	}
	fail := func(err error) int {
		if p, ok := problem.As(err); ok {
			fmt.Fprintf(e.stderr, "kabinet staff %s: %s\n", args[0], p.Message.In("en"))
			for _, f := range p.Fields {
				fmt.Fprintf(e.stderr, "  %s: %s / %s\n", f.Field, f.In("en"), f.In("ru"))
			}
		} else {
			fmt.Fprintf(e.stderr, "kabinet staff %s: %v\n", args[0], err)
		}
		return exitFailure
	}
	switch args[0] {
	case "add":
		pw := ""
		generated := false
		if *pwStdin {
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				fmt.Fprintln(e.stderr, "kabinet staff add: no password on standard input")
				return exitUsage
			}
			pw = strings.TrimRight(line, "\r\n")
		} else {
			pw, generated = generatePassword(), true
		}
		if *office != "" {
			// The directory of the database's jurisdiction knows the office (its code's length too).
			if _, err := svc.Register.OfficeCard(ctx, *office); err != nil {
				fmt.Fprintf(e.stderr, "kabinet staff add: --office %s: no such tax office in the directory of the jurisdiction %s\n", *office, svc.Profile.Code)
				return exitFailure
			}
		}
		m, err := svc.Staff.AddMember(ctx, cliActor, staff.Member{Login: *login, Role: staff.Role(*role), Name: *name, Position: *position, Office: *office}, pw)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stdout, "staff member %s (%s) added\n", m.Login, m.Role)
		if generated {
			fmt.Fprintf(e.stdout, "password (shown once): %s\n", pw)
		}
	case "token":
		tok, exp, err := svc.Staff.IssueToken(ctx, cliActor, *login, *ttl)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(e.stdout, tok)
		fmt.Fprintf(e.stderr, "token for %s valid until %s\n", *login, exp.Format(time.RFC3339))
	case "list":
		list, err := svc.Staff.List(ctx)
		if err != nil {
			return fail(err)
		}
		for _, m := range list {
			state := ""
			if m.Disabled {
				state = " (disabled)"
			}
			who := m.Name
			if m.Position != "" {
				who += " — " + m.Position
			}
			if m.Office != "" {
				who += " [" + m.Office + "]"
			}
			fmt.Fprintf(e.stdout, "%-20s %-10s %s%s\n", m.Login, m.Role, who, state)
		}
	}
	return exitOK
}

// generatePassword returns 20 random characters from an alphabet without look-alikes.
func generatePassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
