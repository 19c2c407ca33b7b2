package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/store"
)

// KG-1: `kabinet kg account add --tin TIN --password-stdin` creates an approved account of the
// Kyrgyz taxpayer cabinet for a taxpayer of the register and prints its login, once; the
// password keeps the jurisdiction's rule; a Russian database refuses it. `kabinet staff add
// --office CODE` gives a member a УГНС of the directory (BO-3), which `staff list` shows.
func TestKGAccountAdd(t *testing.T) {
	keys := map[string]string{"KABINET_SECRET_KEY": testSecretKey}
	dsn := filepath.Join(t.TempDir(), "kabinet.db")
	if code, out, errOut := kabinetRun(keys, "", "migrate", "--db", dsn, "--profile", "kg"); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, 30); err != nil {
		t.Fatal(err)
	}
	db.Close()
	p := demo.KyrgyzPersons(1, 30)[20]
	code, out, errOut := kabinetRun(keys, "Issyk-Kul-2026\n", "kg", "account", "add", "--tin", p.TIN, "--password-stdin", "--db", dsn)
	if code != 0 || out != p.TIN+"\n" || !strings.Contains(errOut, p.Surname) {
		t.Fatalf("kg account add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := kabinetRun(keys, "Issyk-Kul-2026\n", "kg", "account", "add", "--tin", p.TIN, "--password-stdin", "--db", dsn); code != exitFailure ||
		!strings.Contains(errOut, "has a cabinet already") {
		t.Errorf("twice: %d %s", code, errOut)
	}
	q := demo.KyrgyzPersons(1, 30)[21]
	if code, _, errOut := kabinetRun(keys, "short\n", "kg", "account", "add", "--tin", q.TIN, "--password-stdin", "--db", dsn); code != exitFailure ||
		!strings.Contains(errOut, "at least 8 characters") {
		t.Errorf("a short password: %d %s", code, errOut)
	}
	if code, _, errOut := kabinetRun(keys, "Issyk-Kul-2026\n", "kg", "account", "add", "--tin", "500100732259", "--password-stdin", "--db", dsn); code != exitFailure ||
		!strings.Contains(errOut, "a Russian TIN") {
		t.Errorf("a Russian ИНН: %d %s", code, errOut)
	}
	if code, _, _ := kabinetRun(keys, "", "kg", "account", "add", "--tin", q.TIN, "--db", dsn); code != exitUsage {
		t.Errorf("without --password-stdin: %d", code)
	}
	if code, _, _ := kabinetRun(keys, "", "kg", "account"); code != exitUsage {
		t.Errorf("no subcommand: %d", code)
	}
	if code, out, _ := kabinetRun(keys, "", "kg", "--help"); code != 0 || !strings.Contains(out, "kg account add") {
		t.Errorf("help: %d %s", code, out)
	}
	// The inspector's УГНС.
	if code, _, errOut := kabinetRun(keys, "inspector-password\n", "staff", "add", "--db", dsn, "--login", "asanova", "--role", "inspector", "--office", "999",
		"--password-stdin"); code != exitFailure || !strings.Contains(errOut, "--office 999") {
		t.Errorf("an unknown УГНС: %d %s", code, errOut)
	}
	if code, _, errOut := kabinetRun(keys, "inspector-password\n", "staff", "add", "--db", dsn, "--login", "asanova", "--role", "inspector", "--office", "002",
		"--name", "Асанова Айгүл", "--password-stdin"); code != 0 {
		t.Fatalf("staff add --office: %d %s", code, errOut)
	}
	if code, out, _ := kabinetRun(keys, "", "staff", "list", "--db", dsn); code != 0 || !strings.Contains(out, "Асанова Айгүл [002]") {
		t.Errorf("staff list: %d %s", code, out)
	}
	// A Russian database has cards, not self-registration.
	ru := filepath.Join(t.TempDir(), "ru.db")
	if code, _, errOut := kabinetRun(keys, "Issyk-Kul-2026\n", "kg", "account", "add", "--tin", "500100732259", "--password-stdin", "--db", ru); code != exitFailure ||
		!strings.Contains(errOut, `jurisdiction "ru"`) {
		t.Errorf("a Russian database: %d %s", code, errOut)
	}
}
