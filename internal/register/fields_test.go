package register

import (
	"strings"
	"testing"
	"unicode"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// What every field is checked against and how names are compared (fields.go).

func TestNormalizeName(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"  петров  Пётр "}, "ПЕТРОВ ПЕТР"},
		{[]string{"Семёнов", "Фёдор", ""}, "СЕМЕНОВ ФЕДОР"},
		{[]string{"Ёлкина-Иванова", " Анна  Мария "}, "ЕЛКИНА-ИВАНОВА АННА МАРИЯ"},
		{nil, ""},
	} {
		if got := NormalizeName(c.in...); got != c.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzNormalize checks the fast forms of NormalizeName and collapse against their plain
// definitions: words split at Unicode spaces, joined by one space, upper case, ё as е.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"  петров  Пётр ", "Ёлкина-Иванова", "a\u00a0b", "a\u3000 b", "\t\n", "\xff\xfe x", "x\u2028y", "Анна Мария"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		words := strings.Fields(a + " " + b)
		want := strings.NewReplacer("Ё", "Е").Replace(strings.Map(unicode.ToUpper, strings.Join(words, " ")))
		if got := NormalizeName(a, b); got != want {
			t.Fatalf("NormalizeName(%q, %q) = %q, want %q", a, b, got, want)
		}
		if got, want := collapse(a), strings.Join(strings.Fields(a), " "); got != want {
			t.Fatalf("collapse(%q) = %q, want %q", a, got, want)
		}
	})
}

// checkMessages fails when a field error has no text in a language of the catalogue, or a label
// or argument that did not resolve.
func checkMessages(t *testing.T, name string, fe problem.Fields) {
	t.Helper()
	for _, m := range fe {
		for _, lang := range []string{"ru", "en"} {
			text := m.In(lang)
			if m.Key == "" || !i18n.Has(lang, m.Key) || strings.Contains(text, "%!") || strings.Contains(text, "field.") || strings.Contains(text, "enum.") {
				t.Errorf("%s: %s message %q: %q", name, lang, m.Key, text)
			}
		}
	}
}
