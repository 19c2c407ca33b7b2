// Package i18n is kabinet's one catalogue of messages: every text a user can see (pages, errors,
// e-mails, SMS, PDFs, labels of enumerated values) has one key, and each language is one file in
// locales/ (ru.json, en.json; adding a language is adding a file). Texts are Go format strings;
// explicit argument indexes (%[2]s) let a language reorder its arguments, and an argument that is
// Localized (a Key, a message) is itself translated into the same language first (a field's label
// inside a message).
//
// Domain packages return keys with arguments, never texts; the transports (web pages, problem+json,
// the command line, notifications) turn them into text here, in the reader's language.
//
// A language is complete (every key) or declares a fallback (Fallbacks): Kyrgyz (ky) covers what
// the Kyrgyz taxpayer sees — the cabinet's pages, its errors, field labels, enumerated values,
// notifications and the mobile API (KG-1, KG-2; the test computes that set) — and falls back to
// Russian, the official language the inspectors of the State Tax Service work in, for the rest
// (the back office, the register's API).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// Key is a message key. As an argument of a message it is translated in the message's language.
type Key string

// In returns the text of k in lang.
func (k Key) In(lang string) string { return T(lang, string(k)) }

// Field is the name of an input field (a form field, a dotted JSON name). As an argument it is
// the field's label, the catalogue's "field.<name>", or the name itself where the catalogue has
// no label for it (a name the client made up).
type Field string

// In returns the label of f in lang.
func (f Field) In(lang string) string {
	if Has(lang, "field."+string(f)) || Has(Default, "field."+string(f)) {
		return T(lang, "field."+string(f))
	}
	return string(f)
}

// Localized is an argument that has a text in each language (a Key, a problem.Message). T
// formats it in the language of the message it is an argument of.
type Localized interface{ In(lang string) string }

// Default is the language of a page before the user or the browser asks for another.
const Default = "ru"

// Fallbacks are the languages that do not have every key, each with the language whose text is
// shown for a key it lacks: Kyrgyz has every text a Kyrgyz taxpayer sees (the cabinet, its
// messages and the mobile API), and the back office's texts in Russian, the language the
// inspectors of the State Tax Service work in. Every other language has every key.
var Fallbacks = map[string]string{"ky": "ru"}

// Fallback returns the language whose texts stand in for the keys lang lacks, or "" for a
// complete language.
func Fallback(lang string) string { return Fallbacks[lang] }

// Complete reports whether lang has every key of the catalogue (no fallback).
func Complete(lang string) bool { return Supported(lang) && Fallbacks[lang] == "" }

//go:embed locales/*.json
var files embed.FS

var (
	catalogue map[string]map[string]string // lang → key → text
	languages []string                     // Default first, then the others in name order

	missingMu sync.Mutex
	missing   = map[string]bool{}
)

func init() {
	c, langs, err := load(files)
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	catalogue, languages = c, langs
}

func load(fsys fs.FS) (map[string]map[string]string, []string, error) {
	names, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, nil, err
	}
	c := map[string]map[string]string{}
	var langs []string
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, nil, fmt.Errorf("i18n: %s: %w", n, err)
		}
		lang := strings.TrimSuffix(path.Base(n), ".json")
		c[lang] = m
		langs = append(langs, lang)
	}
	slices.SortFunc(langs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == Default:
			return -1
		case b == Default:
			return 1
		}
		return strings.Compare(a, b)
	})
	return c, langs, nil
}

// Languages returns the languages of the catalogue, the default one first.
func Languages() []string { return slices.Clone(languages) }

// Supported reports whether lang is a language of the catalogue.
func Supported(lang string) bool { _, ok := catalogue[lang]; return ok }

// Has reports whether key has a text in lang: its own, or its fallback's (Fallbacks).
func Has(lang, key string) bool {
	if Own(lang, key) {
		return true
	}
	if fb := Fallbacks[lang]; fb != "" {
		return Own(fb, key)
	}
	return false
}

// Own reports whether lang's own file has a text of key.
func Own(lang, key string) bool { _, ok := catalogue[lang][key]; return ok }

// Local returns the catalogue key of a jurisdiction's own wording of key — key, a dot and the
// jurisdiction's code ("lk.hint.login.kg") — when the catalogue has one, else key: a message
// that gives an example (a TIN's length, a phone number) gives one of its jurisdiction.
func Local(key, jurisdiction string) string {
	if jurisdiction != "" {
		if k := key + "." + jurisdiction; Has(Default, k) {
			return k
		}
	}
	return key
}

// Keys returns every key of lang's file, sorted.
func Keys(lang string) []string {
	out := make([]string, 0, len(catalogue[lang]))
	for k := range catalogue[lang] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// T returns the text of key in lang formatted with args. A language the catalogue lacks falls
// back to the default one, a key a language with a fallback lacks to its fallback's text (whose
// arguments are still translated into lang where they can be); a key no language has is
// returned as is and remembered (see Missing), so a test that walks the pages catches it.
func T(lang, key string, args ...any) string {
	texts, ok := catalogue[lang]
	if !ok {
		lang, texts = Default, catalogue[Default]
	}
	s, ok := texts[key]
	if !ok {
		if fb := Fallbacks[lang]; fb != "" {
			s, ok = catalogue[fb][key]
		}
	}
	if !ok {
		missingMu.Lock()
		missing[lang+":"+key] = true
		missingMu.Unlock()
		return key
	}
	if len(args) == 0 {
		return s
	}
	cloned := false
	for i, a := range args {
		if l, ok := a.(Localized); ok {
			if !cloned {
				args, cloned = slices.Clone(args), true
			}
			args[i] = l.In(lang)
		}
	}
	return fmt.Sprintf(s, args...)
}

// Missing returns the "lang:key" pairs looked up since the start that had no text, sorted.
func Missing() []string {
	missingMu.Lock()
	defer missingMu.Unlock()
	out := make([]string, 0, len(missing))
	for k := range missing {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
