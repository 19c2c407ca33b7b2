package register

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The normalizer of the search's words, on both sides: what a record is indexed by (SearchWordsOf)
// and what a query matches by (QueryWords). The search itself is tested on both engines in
// internal/store (search_test.go).

func TestQueryWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Северное сияние", []string{"северное", "сияние"}},
		{"ООО «Северное сияние»", []string{"северное", "сияние"}},
		{"Общество с ограниченной ответственностью \"Северное сияние\"", []string{"северное", "сияние"}},
		{"  сияние,  СЕВЕРНОЕ!! ", []string{"северное", "сияние"}},
		{"Семёнов Фёдор", []string{"семенов", "федор"}},
		{"Nordic", []string{"nordic"}},
		{"Nordic Trade Ltd.", []string{"nordic", "trade"}},
		{"O'Brien", []string{"obrien"}},
		{"Римский-Корсаков", []string{"корсаков", "римский"}},
		{"сев северное", []string{"северное"}},
		{"северное северное", []string{"северное"}},
		{"ООО", []string{"ооо"}},
		{"общество с ограниченной ответственностью", []string{"ооо"}},
		{"Общество с ограниченной", []string{"ограниченной", "общество", "с"}},
		{"ИП Иванов", []string{"иванов"}},
		{"АО", []string{"ао"}},
		{"«»—", nil},
		{"", nil},
		{"а б в г д е ж з и к", []string{"а", "б", "в", "г", "д", "е", "ж", "з"}},
	} {
		if got := QueryWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("QueryWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	org := &Taxpayer{Organization: &Organization{FullName: "Общество с ограниченной ответственностью «Северное сияние»", ShortName: "ООО «Северное сияние»"}}
	want := []string{"общество", "ограниченной", "ооо", "ответственностью", "с", "северное", "сияние"}
	if got := SearchWords(org); !slices.Equal(got, want) {
		t.Errorf("organization: %q, want %q", got, want)
	}
	// An abbreviation alone indexes the words it stands for.
	short := &Taxpayer{Organization: &Organization{FullName: "АО «Звезда»"}}
	if got := SearchWords(short); !slices.Equal(got, []string{"акционерное", "ао", "звезда", "общество"}) {
		t.Errorf("abbreviated: %q", got)
	}
	foreign := &Taxpayer{Foreign: &KIO{KIOInput: KIOInput{NameRu: "Нордик Трейд", ShortNameRu: "Нордик", NameLatin: "Nordic Trade"}}}
	if got := SearchWords(foreign); !slices.Equal(got, []string{"nordic", "trade", "нордик", "трейд"}) {
		t.Errorf("foreign (REG-8): %q", got)
	}
	person := &Taxpayer{Person: &Person{Surname: "Семёнов", GivenName: "Фёдор", Documents: []IdentityDocument{
		{Type: "passport_ru", Series: "45 20", Number: "123 123"}, {Type: "passport_ru", Series: "4500", Number: "000050"}}}}
	if got := SearchWords(person); !slices.Equal(got, []string{"#000050", "#123123", "семенов", "федор"}) {
		t.Errorf("person (REG-3): %q", got)
	}
	if got := SearchWords(&Taxpayer{}); len(got) != 0 {
		t.Errorf("empty: %q", got)
	}
}

// FuzzQueryWords checks the normalizer on any text: words are lower case letters, digits and
// marks only, no ё, never empty, cut at maxWordRunes, at most MaxQueryWords, longest first; and,
// what the search relies on, a record is found by its own name: each word of a query typed as a
// name begins a word the record with that name is indexed by.
func FuzzQueryWords(f *testing.F) {
	for _, s := range []string{"Северное сияние", "ООО «Северное сияние»", "Общество с ограниченной ответственностью «Ёлка»", "Nordic Trade Ltd",
		"O'Brien", "ИП", "индивидуальный предприниматель", "общество ООО с ограниченной ответственностью", "\xff\xfe", "a\u0301b", "ǅemal İstanbul",
		strings.Repeat("я", 100), "1 2 3 4 5 6 7 8 9 10 11"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := QueryWords(s)
		if len(words) > MaxQueryWords {
			t.Fatalf("%d words", len(words))
		}
		for i, w := range words {
			if w == "" || !utf8.ValidString(w) || utf8.RuneCountInString(w) > maxWordRunes {
				t.Fatalf("word %q", w)
			}
			if i > 0 && len(w) > len(words[i-1]) {
				t.Fatalf("not longest first: %q", words)
			}
			for _, r := range w {
				if r == 'ё' || unicode.ToLower(r) != r || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) || isApostrophe(r) {
					t.Fatalf("word %q has %q", w, r)
				}
			}
		}
		index := SearchWordsOf([]string{s}, nil)
		for _, w := range words {
			if !slices.ContainsFunc(index, func(e string) bool { return strings.HasPrefix(e, w) }) {
				t.Fatalf("query %q: word %q begins no index word of the same name %q", s, w, index)
			}
		}
		if !slices.IsSorted(index) || len(slices.Compact(slices.Clone(index))) != len(index) {
			t.Fatalf("index words not sorted or repeated: %q", index)
		}
		if k := documentNumberKey(s); k != "" && (!strings.HasPrefix(k, documentNumberMark) || utf8.RuneCountInString(k) > maxWordRunes+1) {
			t.Fatalf("number key %q", k)
		}
	})
}
