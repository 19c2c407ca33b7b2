package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/store"
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
	})
}
