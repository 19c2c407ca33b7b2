package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/importer"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The commands follow the database's jurisdiction, on either engine. On a kg database: `card
// issue` is refused (KG-1: taxpayers register by application, no card opens the cabinet); every
// tool of `kabinet idp` is refused saying that the jurisdiction has no identity provider; `register
// import` records the persons' own ИНН from the column tin and refuses a file without it before
// any row, exiting non-zero. A Russian database refuses a file with a tin column.
func TestKGCommandsFollowTheProfile(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			fresh := func() string {
				if engine == "postgres" {
					return storetest.URL(t)
				}
				return filepath.Join(t.TempDir(), "kabinet.db")
			}
			keys := map[string]string{"KABINET_SECRET_KEY": testSecretKey}
			dsn := fresh()
			if code, out, errOut := kabinetRun(keys, "", "migrate", "--db", dsn, "--profile", "kg"); code != 0 {
				t.Fatalf("migrate: %d %s %s", code, out, errOut)
			}
			seedKyrgyz(t, dsn, 30)
			p := demo.KyrgyzPersons(1, 30)[20]

			code, out, errOut := kabinetRun(keys, "", "card", "issue", "--tin", p.TIN, "--db", dsn)
			if code != exitFailure || out != "" || !strings.Contains(errOut, "Registration cards are not issued here") || !strings.Contains(errOut, "kabinet kg account add") {
				t.Errorf("card issue on kg: %d %q %s", code, out, errOut)
			}

			for _, args := range [][]string{
				{"idp", "account", "add", "--surname", "Асанова", "--given-name", "Айгүл", "--phone", "+996555100200", "--level", "simplified", "--password-stdin"},
				{"idp", "account", "show", "--login", "+996555100200"},
				{"idp", "client", "list"},
				{"idp", "client", "add", "--id", "svc", "--redirect-uri", "https://svc.example/cb"},
				{"idp", "keys", "rotate"},
			} {
				code, out, errOut := kabinetRun(keys, "Issyk-Kul-2026\n", append(args, "--db", dsn)...)
				if code != exitFailure || out != "" || !strings.Contains(errOut, `the jurisdiction "kg", which has no identity provider`) {
					t.Errorf("%v on kg: %d %q %s", args, code, out, errOut)
				}
			}

			// register import: the persons' own ИНН in the column tin.
			dir := t.TempDir()
			persons := demo.KyrgyzPersons(1, 35)[30:] // the demo's, after those seeded
			with, without := filepath.Join(dir, "with.csv"), filepath.Join(dir, "without.csv")
			writePersons(t, with, persons)
			bare := make([]register.PersonInput, len(persons))
			for i, q := range persons {
				q.TIN = ""
				bare[i] = q
			}
			writePersons(t, without, bare)
			code, out, errOut = kabinetRun(keys, "", "register", "import", "persons", without, "--db", dsn)
			if code != exitFailure || !strings.Contains(errOut, "first column tin") || !strings.Contains(errOut, importer.RecordedHeader) {
				t.Errorf("a kg file without ИНН: %d %s %s", code, out, errOut)
			}
			if _, err := os.Stat(filepath.Join(dir, "without.results.csv")); !os.IsNotExist(err) {
				t.Errorf("the refused file has results: %v", err)
			}
			code, out, errOut = kabinetRun(keys, "", "register", "import", "persons", with, "--db", dsn)
			if code != exitOK || !strings.Contains(errOut, "done: rows 5, created 5, existing 0, review 0, refused 0") {
				refused, _ := os.ReadFile(filepath.Join(dir, "with.errors.csv"))
				t.Fatalf("a kg file with ИНН: %d %s %s\n%s", code, out, errOut, refused)
			}
			results, _ := os.ReadFile(filepath.Join(dir, "with.results.csv"))
			if !strings.Contains(string(results), persons[3].TIN+",created") {
				t.Errorf("results: %s", results)
			}

			ru := fresh()
			if code, out, errOut := kabinetRun(keys, "", "migrate", "--db", ru); code != 0 {
				t.Fatalf("migrate ru: %d %s %s", code, out, errOut)
			}
			code, out, errOut = kabinetRun(keys, "", "register", "import", "persons", with, "--db", ru, "--results", filepath.Join(dir, "ru.csv"))
			if code != exitFailure || !strings.Contains(errOut, "assigns TINs itself") {
				t.Errorf("a file with ИНН on ru: %d %s %s", code, out, errOut)
			}
		})
	}
}

// seedKyrgyz puts n demo persons and the demo organizations in the register of the kg database.
func seedKyrgyz(t *testing.T, dsn string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := app.New(ctx, app.Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, n); err != nil {
		t.Fatal(err)
	}
}

// writePersons writes persons as an import file.
func writePersons(t *testing.T, path string, ps []register.PersonInput) {
	t.Helper()
	var b bytes.Buffer
	if err := importer.WritePersons(&b, ps); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
