package i18n_test

import (
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/kabinet/kabinet/internal/i18n"
)

// fieldSources are the files that name the fields users and their programs send (relative to
// the module's root): the pages' forms, and the handlers that read forms and query parameters.
var fieldSources = []string{"internal/*/templates/*.html", "internal/*/*.go"}

var (
	// A form's control, or a field of the kit's helpers ({{template "input" (.Field "name" …)}}).
	templateField = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bname="([a-z_0-9]+)"|\.Field "([a-z_0-9]+)"`)
	// A value a handler reads from a form or a query.
	handlerField = regexp.MustCompile(`(?:\.Form|FormValue|PostFormValue|Query\(\)\.Get|\bq\.Get)\("([a-z_0-9]+)"\)`)
)

// A bad value in any field — a control character, broken UTF-8 — is refused by the web kit
// before the page sees it, and its message names the field by the catalogue's label
// ("field.<name>"): every field a page has or a handler reads has a label in Russian and in
// English, so that no page shows a field's internal name ("Поле «passport_series»").
func TestEveryFieldHasALabel(t *testing.T) {
	where := map[string]string{} // field → a file that names it
	for f, text := range readSources(t, fieldSources) {
		re := handlerField
		if filepath.Ext(f) == ".html" {
			re = templateField
		}
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			for _, name := range m[1:] {
				if name != "" {
					where[name] = f
				}
			}
		}
	}
	if len(where) < 50 {
		t.Fatalf("only %d fields found: the patterns no longer match the sources", len(where))
	}
	names := make([]string, 0, len(where))
	for n := range where {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, lang := range []string{"ru", "en"} {
			if !i18n.Own(lang, "field."+n) {
				t.Errorf("field %q (%s) has no label field.%s in %s", n, where[n], n, lang)
			}
		}
	}
	// The label is what the kit's message shows.
	if got := i18n.T("ru", "input.control", i18n.Field("passport_series")); got != "Поле «Серия паспорта»: недопустимые управляющие символы" {
		t.Errorf("input.control of passport_series: %q", got)
	}
}
