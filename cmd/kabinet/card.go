package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/jurisdiction"
)

const cardUsage = `usage:
  kabinet card issue --tin TIN [--office CODE] [--issued-at RFC3339] [--db …]
      issues a registration card of the personal account (LK-1) — a new one replaces the
      previous card and every credential (LK-10) — and prints it as one JSON object with
      login, temporary_password and expires_at; --issued-at dates a card carried over from an
      earlier system (its temporary password is valid one month from that date, LK-2).
      Only where tax offices issue cards (the ru profile): a kg database refuses it (KG-1)
`

// runCard implements `kabinet card`.
func runCard(ctx context.Context, e *env, args []string) int {
	if len(args) < 1 || args[0] != "issue" {
		fmt.Fprint(e.stderr, cardUsage)
		return exitUsage
	}
	fs := flag.NewFlagSet("card issue", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, cardUsage) }
	dbf := dbFlag(fs, e)
	tinFlag := fs.String("tin", "", "the person's TIN (the login)")
	office := fs.String("office", "", "the issuing tax office's code (default: the person's office)")
	issuedAt := fs.String("issued-at", "", "the date of issue of a card carried over, RFC 3339 (default: now)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *tinFlag == "" || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, cardUsage)
		return exitUsage
	}
	req := cabinet.CardRequest{TIN: *tinFlag, Office: *office, Unchecked: true}
	if *issuedAt != "" {
		t, err := time.Parse(time.RFC3339, *issuedAt)
		if err != nil {
			fmt.Fprintln(e.stderr, "kabinet card issue: --issued-at must be RFC 3339, such as 2026-11-02T10:00:00+03:00")
			return exitUsage
		}
		req.IssuedAt = t
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet card: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	a, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet card: %v\n", err)
		return exitFailure
	}
	c, err := a.Cabinet.IssueCard(ctx, cliActor, req)
	if err != nil {
		code := failed(e, "card issue", err)
		if a.Profile.Cabinet.Registration != jurisdiction.ByCard { // KG-1
			fmt.Fprintf(e.stderr, "the database belongs to the jurisdiction %q: its taxpayers register at /lk/register and an inspector approves them at "+
				"/office/registrations; kabinet kg account add creates an approved account\n", a.Profile.Code)
		}
		return code
	}
	out, _ := json.Marshal(cardJSON(c))
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}

// cardJSON is a card as the command prints it.
func cardJSON(c *cabinet.IssuedCard) map[string]any {
	out := map[string]any{"login": c.TIN, "temporary_password": c.TemporaryPassword, "expires_at": c.ExpiresAt.UTC().Format(time.RFC3339),
		"issued_at": c.IssuedAt.UTC().Format(time.RFC3339), "name": c.Name, "office": c.Office, "office_name": c.OfficeName, "card": c.ID,
		"reissue": c.Reissue}
	if !c.ActiveFrom.IsZero() {
		out["active_from"] = c.ActiveFrom.UTC().Format(time.RFC3339)
	}
	return out
}
