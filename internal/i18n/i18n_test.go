package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
)

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs returns the format verbs of s, in order of their argument (explicit indexes sorted).
func verbs(s string) []string {
	out := verb.FindAllString(s, -1)
	slices.Sort(out)
	return out
}

// Every key has a text in every complete language, none is empty, and each language's text
// takes the same arguments. A language with a fallback (Kyrgyz: TestKyrgyzCoverage says which
// keys it must have) has no key its fallback lacks.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	langs := i18n.Languages()
	if len(langs) < 2 || langs[0] != i18n.Default || !i18n.Complete(langs[0]) {
		t.Fatalf("languages %v", langs)
	}
	all := map[string]bool{}
	for _, l := range langs {
		for _, k := range i18n.Keys(l) {
			all[k] = true
		}
		if fb := i18n.Fallback(l); fb != "" {
			if !i18n.Complete(fb) {
				t.Errorf("%s falls back to %s, which is not complete", l, fb)
			}
			for _, k := range i18n.Keys(l) {
				if !i18n.Own(fb, k) {
					t.Errorf("%s: a %s text, but none in %s, its fallback", k, l, fb)
				}
			}
		}
	}
	for k := range all {
		ref := ""
		for _, l := range langs {
			if !i18n.Own(l, k) {
				if i18n.Complete(l) {
					t.Errorf("%s: no %s text", k, l)
				}
				continue
			}
			s := i18n.T(l, k)
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: empty %s text", k, l)
			}
			v := strings.Join(verbs(s), " ")
			if l == langs[0] {
				ref = v
			} else if v != ref {
				t.Errorf("%s: %s takes %q, %s takes %q", k, langs[0], ref, l, v)
			}
		}
	}
}

// usedPatterns find the catalogue keys a Go file or a template uses literally.
var usedPatterns = []*regexp.Regexp{
	regexp.MustCompile(`problem\.Msg\("([a-z0-9_.]+)"`),
	regexp.MustCompile(`\bMsg\("([a-z0-9_.]+)"`),
	regexp.MustCompile(`i18n\.(?:Key|T)\((?:(?:[a-zA-Z.]+|"[a-z]{2}"), )?"([a-z0-9_]+\.[a-z0-9_.]+)"`),
	regexp.MustCompile(`\bboth\("([a-z0-9_.]+)"`),
	regexp.MustCompile(`\.T "([a-z0-9_.]+)"`),
	regexp.MustCompile(`\.T\("([a-z0-9_]+\.[a-z0-9_.]+)"`),
	regexp.MustCompile(`"((?:office|lk|id|kg)\.flash\.[a-z_]+)"`),
	regexp.MustCompile(`Tagline: "([a-z0-9_.]+)"`),
}

// Every key the code and the templates use is in the catalogue.
func TestEveryUsedKeyExists(t *testing.T) {
	patterns := usedPatterns
	enumLit := regexp.MustCompile(`\.Enum "([a-z_]+)" "([a-z_.]+)"`)
	extractWord := regexp.MustCompile(`\bw\((?:lang|d\.Lang), "([a-z_]+)"\)`)
	root := filepath.Join("..", "..")
	used := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = path
			}
		}
		for _, m := range extractWord.FindAllStringSubmatch(string(b), -1) {
			used["extract."+m[1]] = path
		}
		for _, m := range enumLit.FindAllStringSubmatch(string(b), -1) {
			used["enum."+m[1]+"."+m[2]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for k, path := range used {
		if strings.HasSuffix(k, ".") {
			continue // the prefix of keys made at run time, checked by TestEveryEnumerationHasLabels
		}
		if !i18n.Has(i18n.Default, k) {
			t.Errorf("%s uses %q, which the catalogue lacks", path, k)
		}
	}
}

// Every enumerated value a page can show has a label, and every refusal of the libraries a text.
func TestEveryEnumerationHasLabels(t *testing.T) {
	enums := register.Enumerations()
	for _, r := range staff.Roles {
		enums["role"] = append(enums["role"], string(r))
	}
	enums["audit"] = append(enums["audit"], staff.AuditActions...)
	enums["audit"] = append(enums["audit"], identity.AuditActions...)
	enums["event"] = identity.EventKinds
	for _, l := range identity.Levels {
		enums["level"] = append(enums["level"], string(l))
	}
	for name, codes := range enums {
		for _, c := range codes {
			if k := "enum." + name + "." + c; !i18n.Has(i18n.Default, k) {
				t.Errorf("no label %s", k)
			}
		}
	}
	for _, c := range []esign.Code{esign.CodeMalformed, esign.CodeUnsupported, esign.CodeTampered, esign.CodeUntrusted, esign.CodeExpired,
		esign.CodeNotYetValid, esign.CodeRevoked, esign.CodeCRLStale, esign.CodeCRLUnavailable, esign.CodeKeyUsage, esign.CodeBadAttribute,
		esign.CodeSigningTime, esign.CodeChallengeUnknown, esign.CodeChallengeExpired, esign.CodeChallengeWrongUse, esign.CodeChallengeMismatch} {
		if !i18n.Has(i18n.Default, "esign."+string(c)) {
			t.Errorf("no text for esign.%s", c)
		}
	}
}

func TestFormat(t *testing.T) {
	if got := i18n.T("ru", "register.required", i18n.Key("field.surname")); got != "Поле «Фамилия» обязательно" {
		t.Errorf("a label argument: %q", got)
	}
	if got := i18n.T("en", "register.required", i18n.Field("made_up")); got != "made_up is required" {
		t.Errorf("a field without a label: %q", got)
	}
	if got := i18n.T("xx", "error.404"); got != i18n.T(i18n.Default, "error.404") {
		t.Errorf("unknown language: %q", got)
	}
	if got := i18n.T("ru", "no.such.key"); got != "no.such.key" || !slices.Contains(i18n.Missing(), "ru:no.such.key") {
		t.Errorf("missing key: %q %v", got, i18n.Missing())
	}
}
