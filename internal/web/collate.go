package web

import (
	"bytes"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// SortOptions orders choices by their labels in lang's alphabetical order: in Russian Ё beside
// Е, in English Åland among the A, whatever the bytes' order.
func SortOptions(opts []Option, lang string) {
	col := collate.New(language.Make(lang), collate.Loose)
	keys := make(map[string][]byte, len(opts))
	var buf collate.Buffer
	for _, o := range opts {
		keys[o.Label] = slices.Clone(col.KeyFromString(&buf, o.Label))
		buf.Reset()
	}
	slices.SortStableFunc(opts, func(a, b Option) int { return bytes.Compare(keys[a.Label], keys[b.Label]) })
}
