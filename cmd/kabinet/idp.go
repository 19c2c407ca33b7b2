package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
)

const idpUsage = `usage:
  kabinet idp account add --surname S --given-name G [--patronymic P] (--phone +7… | --email E)
      [--snils N] [--inn N] [--birth-date YYYY-MM-DD] --level simplified|standard|confirmed
      [--confirmed-by service_center|mail|esign] --password-stdin [--db …]
      creates an identity-provider account and prints its id
  kabinet idp account show ID | --login L [--db …]
      prints the account as JSON, with its level and confirmation_method (flags before or
      after the ID)
  Every idp command is the ru profile's: a database of a jurisdiction without the identity
  provider (kg) refuses it.
`

// runIdp implements `kabinet idp`.
func runIdp(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "client" {
		return runIdpClient(ctx, e, args[1:]) // OpenID Connect clients (IDP-7): idp_client.go
	}
	if len(args) > 0 && args[0] == "keys" {
		return runIdpKeys(ctx, e, args[1:])
	}
	if len(args) < 2 || args[0] != "account" || (args[1] != "add" && args[1] != "show") {
		fmt.Fprint(e.stderr, idpUsage+idpClientUsage[len("usage:\n"):])
		return exitUsage
	}
	fs := flag.NewFlagSet("idp account "+args[1], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, idpUsage) }
	dbf := dbFlag(fs, e)
	var n identity.NewAccount
	var level, method, birth, login string
	fs.StringVar(&n.Surname, "surname", "", "surname")
	fs.StringVar(&n.GivenName, "given-name", "", "given name")
	fs.StringVar(&n.Patronymic, "patronymic", "", "patronymic")
	fs.StringVar(&n.Phone, "phone", "", "mobile phone, +7…")
	fs.StringVar(&n.Email, "email", "", "e-mail")
	fs.StringVar(&n.SNILS, "snils", "", "СНИЛС")
	fs.StringVar(&n.INN, "inn", "", "ИНН")
	fs.StringVar(&birth, "birth-date", "", "date of birth, YYYY-MM-DD")
	fs.StringVar(&level, "level", "", "simplified, standard or confirmed")
	fs.StringVar(&method, "confirmed-by", "", "service_center, mail or esign")
	fs.StringVar(&login, "login", "", "phone, e-mail or СНИЛС of the account to show")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	// Flags may come before or after the account's id (show ID --db F): the flag package stops
	// at the first argument that is not a flag, so parsing goes on after each.
	var positional []string
	for rest := args[2:]; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		positional, rest = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet idp: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	if !hasIdentityProvider(e, dbf.found) {
		return exitFailure
	}
	a, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet idp: %v\n", err)
		return exitFailure
	}
	if args[1] == "show" {
		var acc *identity.Account
		switch {
		case login != "" && len(positional) == 0:
			acc, err = a.Identity.AccountByLogin(ctx, login)
		case login == "" && len(positional) == 1:
			acc, err = a.Identity.Account(ctx, positional[0])
		default:
			fmt.Fprint(e.stderr, idpUsage)
			return exitUsage
		}
		if err != nil {
			return failed(e, "idp account show", err)
		}
		out, _ := json.MarshalIndent(accountJSON(acc), "", "  ")
		fmt.Fprintln(e.stdout, string(out))
		return exitOK
	}
	if len(positional) > 0 {
		fmt.Fprintf(e.stderr, "kabinet idp account add: unexpected argument %q (every value is given by a flag)\n", positional[0])
		return exitUsage
	}
	if !*pwStdin {
		fmt.Fprintln(e.stderr, "kabinet idp account add: --password-stdin is required")
		return exitUsage
	}
	sc := bufio.NewScanner(e.stdin)
	if sc.Scan() {
		n.Password = strings.TrimRight(sc.Text(), "\r")
	}
	if birth != "" {
		if n.BirthDate, err = time.Parse(time.DateOnly, birth); err != nil {
			fmt.Fprintln(e.stderr, "kabinet idp account add: --birth-date must be YYYY-MM-DD")
			return exitUsage
		}
	}
	n.Level, n.Method = identity.Level(level), identity.Method(method)
	acc, err := a.Identity.AddAccount(ctx, n)
	if err != nil {
		return failed(e, "idp account add", err)
	}
	fmt.Fprintln(e.stdout, acc.ID)
	return exitOK
}

// hasIdentityProvider reports whether the database's jurisdiction has the identity provider
// (jurisdiction.Profile.IdentityProvider), and when it has none says so: every tool of `kabinet
// idp` is the Russian Federation's.
func hasIdentityProvider(e *env, p jurisdiction.Profile) bool {
	if p.IdentityProvider {
		return true
	}
	fmt.Fprintf(e.stderr, "kabinet idp: the database belongs to the jurisdiction %q, which has no identity provider: its accounts (IDP-1..6), "+
		"their confirmation and the OpenID Connect provider (IDP-7) are the Russian Federation's (the ru profile), and /id/ and /oidc/ are not served; "+
		"taxpayers of the %s profile register for the cabinet themselves (KG-1; kabinet kg account add)\n", p.Code, p.Code)
	return false
}

// failed prints a command's error, each field named in English and Russian.
func failed(e *env, cmd string, err error) int {
	p, ok := problem.As(err)
	if !ok {
		fmt.Fprintf(e.stderr, "kabinet %s: %v\n", cmd, err)
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "kabinet %s: %s\n", cmd, p.Message.In("en"))
	for _, f := range p.Fields {
		fmt.Fprintf(e.stderr, "  %s: %s / %s\n", f.Field, f.In("en"), f.In("ru"))
	}
	return exitFailure
}

func accountJSON(a *identity.Account) map[string]any {
	out := map[string]any{"id": a.ID, "kind": a.Kind, "surname": a.Surname, "given_name": a.GivenName, "patronymic": a.Patronymic,
		"phone": a.Phone, "email": a.Email, "snils": a.SNILS, "level": a.Level, "confirmation_method": a.Method, "created_at": a.CreatedAt}
	if !a.ConfirmedAt.IsZero() {
		out["confirmed_at"] = a.ConfirmedAt
	}
	if a.Profile.INN != "" {
		out["inn"] = a.Profile.INN
	}
	if !a.Profile.BirthDate.IsZero() {
		out["birth_date"] = a.Profile.BirthDate.Format(time.DateOnly)
	}
	if !a.Organization.IsZero() {
		out["organization"] = a.Organization
	}
	return out
}
