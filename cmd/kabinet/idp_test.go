package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kapp "github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// `kabinet idp account add` and `show`: the contract the checks use.
func TestIdpAccountCommand(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string, _ *store.DB) {
		code, out, errOut := runCmd(t, "Volga-river-2026\n", "idp", "account", "add", "--db", dsn, "--surname", "Соколова", "--given-name", "Елена",
			"--phone", "+79161234567", "--snils", "112-233-445 95", "--inn", "500100732259", "--birth-date", "1985-04-12", "--level", "confirmed",
			"--confirmed-by", "esign", "--password-stdin")
		id := strings.TrimSpace(out)
		if code != exitOK || len(id) != 32 {
			t.Fatalf("add: %d %q %s", code, out, errOut)
		}
		for _, args := range [][]string{{id}, {"--login", "112-233-445 95"}, {"--login", "8 916 123-45-67"}} {
			code, out, errOut = runCmd(t, "", append([]string{"idp", "account", "show", "--db", dsn}, args...)...)
			if len(args) == 1 {
				// The flags after the id work alike (show ID --db F).
				var after string
				if code, after, errOut = runCmd(t, "", "idp", "account", "show", id, "--db", dsn); code != exitOK || after != out {
					t.Fatalf("show ID --db: %d %s %s", code, after, errOut)
				}
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK {
				t.Fatalf("show %v: %d %s %s", args, code, out, errOut)
			}
			if got["id"] != id || got["level"] != "confirmed" || got["confirmation_method"] != "esign" || got["snils"] != "11223344595" || got["inn"] != "500100732259" {
				t.Fatalf("show %v: %v", args, got)
			}
		}
		// Bad input names the field; a phone taken is refused; no method for a confirmed account.
		code, _, errOut = runCmd(t, "Volga-river-2026\n", "idp", "account", "add", "--db", dsn, "--surname", "Иванова", "--given-name", "Анна",
			"--phone", "+79161234567", "--level", "confirmed", "--password-stdin")
		if code != exitFailure || !strings.Contains(errOut, "confirmed_by") || !strings.Contains(errOut, "snils") {
			t.Fatalf("bad add: %d %s", code, errOut)
		}
		code, _, errOut = runCmd(t, "Volga-river-2026\n", "idp", "account", "add", "--db", dsn, "--surname", "Иванова", "--given-name", "Анна",
			"--phone", "8 916 123 45 67", "--level", "simplified", "--password-stdin")
		if code != exitFailure || !strings.Contains(errOut, "phone:") {
			t.Fatalf("a phone taken: %d %s", code, errOut)
		}
		if code, _, _ := runCmd(t, "", "idp", "account", "show", "--db", dsn, "--login", "+79990000000"); code != exitFailure {
			t.Fatalf("unknown account: %d", code)
		}
		// A person's ИНН has 12 digits: an organization's 10-digit one is refused.
		code, _, errOut = runCmd(t, "Volga-river-2026\n", "idp", "account", "add", "--db", dsn, "--surname", "Иванова", "--given-name", "Анна",
			"--phone", "+79161234568", "--inn", "7707083893", "--level", "simplified", "--password-stdin")
		if code != exitFailure || !strings.Contains(errOut, "inn:") || !strings.Contains(errOut, "12") {
			t.Fatalf("an organization's ИНН: %d %s", code, errOut)
		}
		// A stray argument is named, not mistaken for a missing flag; an id and --login together
		// are a usage error.
		code, _, errOut = runCmd(t, "Volga-river-2026\n", "idp", "account", "add", "--db", dsn, "--surname", "Иванова", "Анна", "--given-name", "Анна",
			"--phone", "+79161234568", "--level", "simplified", "--password-stdin")
		if code != exitUsage || !strings.Contains(errOut, `unexpected argument "Анна"`) {
			t.Fatalf("a stray argument: %d %s", code, errOut)
		}
		if code, _, _ := runCmd(t, "", "idp", "account", "show", id, "--db", dsn, "--login", "+79161234567"); code != exitUsage {
			t.Fatalf("an id and --login: %d", code)
		}
	})
}

// --catalogue DIR extends the embedded catalogue of services and centres (IDP-2, IDP-5).
func TestCatalogueFlag(t *testing.T) {
	dir := t.TempDir()
	centres := `[{"id": "mfc-tver-1", "kind": "mfc", "name": "МФЦ «Мои документы» Твери", "city": "Тверь",
		"address": "170100, ул. Советская, д. 11", "services": ["confirm", "register", "recover"], "hours": ["mon-sat 09:00-20:00", "sun closed"]}]`
	if err := os.WriteFile(filepath.Join(dir, "centres.json"), []byte(centres), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f := idpFlags(fs, &env{getenv: func(string) string { return "" }})
	if err := fs.Parse([]string{"--catalogue", dir}); err != nil {
		t.Fatal(err)
	}
	id, err := f.identity()
	if err != nil || id.CatalogueDir != dir {
		t.Fatalf("%+v %v", id, err)
	}
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Identity: id})
	if c, ok := a.Identity.Catalogue().Centre("mfc-tver-1"); !ok || c.City != "Тверь" {
		t.Fatalf("the centre of --catalogue: %+v %v", c, ok)
	}
	if _, ok := a.Identity.Catalogue().Centre("mfc-moscow-1"); !ok {
		t.Fatal("the embedded centres are gone")
	}
	// A broken file stops the start with its name.
	os.WriteFile(filepath.Join(dir, "services.json"), []byte("[{"), 0o600)
	if _, err := kapp.New(context.Background(), kapp.Config{DB: storetest.SQLite(t), Identity: id}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("a broken catalogue: %v", err)
	}
}
