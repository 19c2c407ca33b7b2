package web

import (
	"slices"
	"testing"
)

// Choices are ordered as a reader of the language expects, not by the bytes of their labels.
func TestSortOptions(t *testing.T) {
	for lang, c := range map[string]struct{ in, want []string }{
		"ru": {[]string{"Жуки", "Ёлки", "Ежи", "Азия", "Ялта"}, []string{"Азия", "Ежи", "Ёлки", "Жуки", "Ялта"}},
		"en": {[]string{"Zambia", "Åland Islands", "Albania", "Afghanistan", "Côte d'Ivoire", "Croatia"},
			[]string{"Afghanistan", "Åland Islands", "Albania", "Côte d'Ivoire", "Croatia", "Zambia"}},
	} {
		opts := make([]Option, len(c.in))
		for i, l := range c.in {
			opts[i] = Option{Value: l, Label: l}
		}
		SortOptions(opts, lang)
		var got []string
		for _, o := range opts {
			got = append(got, o.Label)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", lang, got, c.want)
		}
	}
}
