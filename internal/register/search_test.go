package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

// The search (search.go): by words of the names, by a document number without its series, and by
// the numbers it found before (TIN, ОГРН, КИО, СНИЛС), on both engines; and the normalizer of its
// words, on both sides: what a record is indexed by (SearchWordsOf) and what a query matches by
// (QueryWords).

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
		if got := register.QueryWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("QueryWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	org := &register.Taxpayer{Organization: &register.Organization{FullName: "Общество с ограниченной ответственностью «Северное сияние»", ShortName: "ООО «Северное сияние»"}}
	want := []string{"общество", "ограниченной", "ооо", "ответственностью", "с", "северное", "сияние"}
	if got := register.SearchWords(org); !slices.Equal(got, want) {
		t.Errorf("organization: %q, want %q", got, want)
	}
	// An abbreviation alone indexes the words it stands for.
	short := &register.Taxpayer{Organization: &register.Organization{FullName: "АО «Звезда»"}}
	if got := register.SearchWords(short); !slices.Equal(got, []string{"акционерное", "ао", "звезда", "общество"}) {
		t.Errorf("abbreviated: %q", got)
	}
	foreign := &register.Taxpayer{Foreign: &register.KIO{KIOInput: register.KIOInput{NameRu: "Нордик Трейд", ShortNameRu: "Нордик", NameLatin: "Nordic Trade"}}}
	if got := register.SearchWords(foreign); !slices.Equal(got, []string{"nordic", "trade", "нордик", "трейд"}) {
		t.Errorf("foreign (REG-8): %q", got)
	}
	person := &register.Taxpayer{Person: &register.Person{Surname: "Семёнов", GivenName: "Фёдор", Documents: []register.IdentityDocument{
		{Type: "passport_ru", Series: "45 20", Number: "123 123"}, {Type: "passport_ru", Series: "4500", Number: "000050"}}}}
	if got := register.SearchWords(person); !slices.Equal(got, []string{"#000050", "#123123", "семенов", "федор"}) {
		t.Errorf("person (REG-3): %q", got)
	}
	if got := register.SearchWords(&register.Taxpayer{}); len(got) != 0 {
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
		words := register.QueryWords(s)
		if len(words) > register.MaxQueryWords {
			t.Fatalf("%d words", len(words))
		}
		for i, w := range words {
			if w == "" || !utf8.ValidString(w) || utf8.RuneCountInString(w) > register.MaxWordRunes {
				t.Fatalf("word %q", w)
			}
			if i > 0 && len(w) > len(words[i-1]) {
				t.Fatalf("not longest first: %q", words)
			}
			for _, r := range w {
				if r == 'ё' || unicode.ToLower(r) != r || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) || register.IsApostrophe(r) {
					t.Fatalf("word %q has %q", w, r)
				}
			}
		}
		index := register.SearchWordsOf([]string{s}, nil)
		for _, w := range words {
			if !slices.ContainsFunc(index, func(e string) bool { return strings.HasPrefix(e, w) }) {
				t.Fatalf("query %q: word %q begins no index word of the same name %q", s, w, index)
			}
		}
		if !slices.IsSorted(index) || len(slices.Compact(slices.Clone(index))) != len(index) {
			t.Fatalf("index words not sorted or repeated: %q", index)
		}
		if k := register.DocumentNumberKey(s); k != "" && (!strings.HasPrefix(k, register.DocumentNumberMark) || utf8.RuneCountInString(k) > register.MaxWordRunes+1) {
			t.Fatalf("number key %q", k)
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		in := uniquePerson(1)
		in.Surname, in.GivenName = "Семёнов", "Фёдор"
		p := mustRegister(t, s, in)
		for i := 2; i < 8; i++ {
			mustRegister(t, s, uniquePerson(i))
		}
		org := mustOrg(t, s, "7801", "1027700132195")
		find := func(q string, f register.SearchFilter) []string {
			t.Helper()
			f.Query = q
			res, err := s.Search(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range res {
				out = append(out, r.TIN)
			}
			return out
		}
		for _, q := range []string{"семенов", "СЕМЁНОВ ФЁДОР", "  Семенов  ф", p.TIN, p.TIN[:11], "4500 000001", "4500000001"} {
			if got := find(q, register.SearchFilter{}); len(got) != 1 || got[0] != p.TIN {
				t.Errorf("search %q: %v", q, got)
			}
		}
		if got := find("1027700132195", register.SearchFilter{}); len(got) != 1 || got[0] != org.TIN {
			t.Errorf("by OGRN: %v", got)
		}
		if got := find("7701", register.SearchFilter{}); len(got) != 7 {
			t.Errorf("by prefix: %v", got)
		}
		if got := find("7701", register.SearchFilter{Limit: 3, Offset: 5}); len(got) != 2 {
			t.Errorf("paging: %v", got)
		}
		if got := find("", register.SearchFilter{Kind: register.KindOrganization}); len(got) != 1 || got[0] != org.TIN {
			t.Errorf("by kind: %v", got)
		}
		if got := find("иванов", register.SearchFilter{Status: register.StatusNotApplied}); len(got) != 0 {
			t.Errorf("by status: %v", got)
		}
		if got := find("Нет-Такого", register.SearchFilter{}); len(got) != 0 {
			t.Errorf("nothing: %v", got)
		}
	})
}

// searchPerson is a person with a name, a passport and a birth date of their own (no REG-3 review).
func searchPerson(n int, surname, given, patronymic, series, number string) register.PersonInput {
	return register.PersonInput{
		Surname: surname, GivenName: given, Patronymic: patronymic,
		BirthDate:  time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 97*n),
		BirthPlace: "г. Москва", Sex: register.Male, Citizenship: "RUS",
		Document: register.IdentityDocument{Type: "passport_ru", Series: series, Number: number},
		Ground:   register.GroundResidence, TaxOffice: "7701",
		Address: register.Address{Region: "77", City: "Москва", Street: "Тверская", House: "1"},
	}
}

// searchOGRN is a valid ОГРН ending in serial.
func searchOGRN(t *testing.T, serial int) string {
	t.Helper()
	s, err := tin.NewOGRN(fmt.Sprintf("10277000%04d", serial))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func searchOrg(t *testing.T, s *register.Service, serial int, full, short string) *register.Taxpayer {
	t.Helper()
	r, err := s.RegisterOrganization(context.Background(), inspector, register.OrganizationInput{
		FullName: full, ShortName: short, OGRN: searchOGRN(t, serial),
		Ground: register.GroundCreation, TaxOffice: "7701", RegisteredOn: fixedNow.AddDate(0, 0, -1),
	})
	if err != nil || !r.Created {
		t.Fatalf("organization %s: %+v %v", full, r, err)
	}
	return r.Taxpayer
}

func searchForeign(t *testing.T, s *register.Service, ru, short, latin, regNumber string) *register.Taxpayer {
	t.Helper()
	r, err := s.RegisterForeignOrganization(context.Background(), inspector, register.ForeignOrganizationInput{Identification: register.KIOInput{
		NameRu: ru, ShortNameRu: short, NameLatin: latin, Address: "1 Main St, Dublin", Country: "Ирландия", OKSM: "372", RegNumber: regNumber}})
	if err != nil || !r.Created {
		t.Fatalf("foreign organization %s: %+v %v", latin, r, err)
	}
	return r.Taxpayer
}

func TestSearchByWordsAndDocumentNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		snils, err := tin.NewSNILS("112233445")
		if err != nil {
			t.Fatal(err)
		}
		in := searchPerson(1, "Семёнов", "Фёдор", "Ильич", "4500", "000050")
		in.SNILS = snils
		semenov := mustRegister(t, s, in)
		severyanin := mustRegister(t, s, searchPerson(2, "Северянин", "Игорь", "", "4501", "000051"))
		shared1 := mustRegister(t, s, searchPerson(3, "Петров", "Пётр", "", "4600", "000777"))
		shared2 := mustRegister(t, s, searchPerson(4, "Сидоров", "Сидор", "", "4700", "000777"))
		aurora := searchOrg(t, s, 1, "Общество с ограниченной ответственностью «Северное сияние»", "ООО «Северное сияние»")
		star := searchOrg(t, s, 2, "Акционерное общество «Научно-производственное объединение «Полярная звезда»»", "АО НПО «Звезда»")
		north := searchOrg(t, s, 3, "Акционерное общество «Северное»", "АО «Северное»")
		glow := searchOrg(t, s, 4, "Общество с ограниченной ответственностью «Сияние севера»", "")
		nordic := searchForeign(t, s, "Нордик Трейд Лимитед", "Нордик", "Nordic Trade Limited", "IE100")
		global := searchForeign(t, s, "Глобал Трейд Лимитед", "", "Global Trade Limited", "IE200")

		for _, c := range []struct {
			q    string
			f    register.SearchFilter
			want []string
		}{
			// The four queries of the issue.
			{q: "Северное сияние", want: []string{aurora.TIN}},
			{q: "ООО «Северное сияние»", want: []string{aurora.TIN}},
			{q: "Nordic", want: []string{nordic.TIN}},
			{q: "000050", want: []string{semenov.TIN}},
			// Several words, in any order, each the beginning of a word; case, ё and quotes do not matter.
			{q: "сияние северное", want: []string{aurora.TIN}},
			{q: "СЕВЕРН СИЯН", want: []string{aurora.TIN}},
			{q: "\"Северное\" - 'сияние'", want: []string{aurora.TIN}},
			{q: "сияние", want: []string{aurora.TIN, glow.TIN}},
			{q: "северное", want: []string{aurora.TIN, north.TIN}},
			{q: "Северное сияние Нордик", want: nil},
			{q: "Семенов Федор Ильич", want: []string{semenov.TIN}},
			{q: "ильич семёнов", want: []string{semenov.TIN}},
			{q: "сев", f: register.SearchFilter{Kind: register.KindPerson}, want: []string{severyanin.TIN}},
			// Legal forms, abbreviated or spelled out, are the same thing, and ignored beside other words.
			{q: "Общество с ограниченной ответственностью «Северное сияние»", want: []string{aurora.TIN}},
			{q: "ООО", want: []string{aurora.TIN, glow.TIN}},
			{q: "общество с ограниченной ответственностью", want: []string{aurora.TIN, glow.TIN}},
			{q: "АО «Северное сияние»", want: []string{aurora.TIN}},
			{q: "Акционерное общество", want: []string{star.TIN, north.TIN}},
			// An organization by its short name, a foreign one by its Latin and Russian names (REG-8).
			{q: "НПО Звезда", want: []string{star.TIN}},
			{q: "nordic trade", want: []string{nordic.TIN}},
			{q: "NORDIC LTD", want: []string{nordic.TIN}},
			{q: "trade limited", want: []string{nordic.TIN, global.TIN}},
			{q: "Нордик", want: []string{nordic.TIN}},
			// A document number without its series, however typed, and with it (REG-3).
			{q: "000 050", want: []string{semenov.TIN}},
			{q: "4500 000050", want: []string{semenov.TIN}},
			{q: "000777", want: []string{shared1.TIN, shared2.TIN}},
			{q: "000051", f: register.SearchFilter{Kind: register.KindOrganization}, want: nil},
			// The numbers it found before.
			{q: semenov.TIN, want: []string{semenov.TIN}},
			{q: searchOGRN(t, 1), want: []string{aurora.TIN}},
			{q: nordic.Foreign.Code, want: []string{nordic.TIN}},
			{q: snils[:3] + "-" + snils[3:6] + "-" + snils[6:9] + " " + snils[9:], want: []string{semenov.TIN}},
			{q: snils, want: []string{semenov.TIN}},
			// The beginning of the full name, as before.
			{q: "Общество с ограниченной", want: []string{aurora.TIN, glow.TIN}},
			{q: "  Семенов  ф", want: []string{semenov.TIN}},
		} {
			if got := searchTINs(t, s, c.q, c.f); !sameTINs(got, c.want...) {
				t.Errorf("search %q %+v: %v, want %v", c.q, c.f, got, c.want)
			}
		}

		// A foreign organization is listed with its Latin name beside the Russian one, by whichever
		// it was found (REG-8); others have none. Both search paths (words, numbers) give it.
		for _, q := range []string{"Nordic", "Нордик", nordic.Foreign.Code, "trade", "сияние"} {
			list, err := s.Search(ctx, register.SearchFilter{Query: q})
			if err != nil || len(list) == 0 {
				t.Fatalf("search %q: %v %v", q, list, err)
			}
			for _, r := range list {
				want := ""
				switch r.TIN {
				case nordic.TIN:
					want = "Nordic Trade Limited"
				case global.TIN:
					want = "Global Trade Limited"
				}
				if r.NameLatin != want {
					t.Errorf("search %q: %s listed with the Latin name %q, want %q", q, r.TIN, r.NameLatin, want)
				}
			}
		}

		// The index follows every change, in the change's transaction: a new name, a new passport
		// (the old one still finds the person), a renamed organization and КИО.
		surname := "Семенихин"
		if _, err := s.UpdatePerson(ctx, inspector, semenov.TIN, register.PersonUpdate{Surname: &surname,
			Document: &register.IdentityDocument{Type: "passport_ru", Series: "4520", Number: "123123"}}); err != nil {
			t.Fatal(err)
		}
		full := "Общество с ограниченной ответственностью «Северное сияние плюс»"
		if _, err := s.UpdateOrganization(ctx, inspector, aurora.TIN, register.OrganizationUpdate{FullName: &full}); err != nil {
			t.Fatal(err)
		}
		k := *nordic.Foreign
		k.NameLatin = "Nordlys Trade Limited"
		if _, err := s.UpdateKIO(ctx, inspector, k.Code, k.KIOInput); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"Семенихин Федор", []string{semenov.TIN}},
			{"Семёнов", nil},
			{"123123", []string{semenov.TIN}},
			{"000050", []string{semenov.TIN}},
			{"сияние плюс", []string{aurora.TIN}},
			{"ООО «Северное сияние»", []string{aurora.TIN}},
			{"Nordlys", []string{nordic.TIN}},
			{"Nordic", nil},
			{"Нордик", []string{nordic.TIN}},
		} {
			if got := searchTINs(t, s, c.q, register.SearchFilter{}); !sameTINs(got, c.want...) {
				t.Errorf("after the changes, search %q: %v, want %v", c.q, got, c.want)
			}
		}
		var words int
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_search_words WHERE tin = $1 AND word = $2`, aurora.TIN, "плюс").Scan(&words); err != nil || words != 1 {
			t.Fatalf("index rows of the new word: %d %v", words, err)
		}
	})
}

// TestSearchPagesDistinctRecords pages through a query whose first word begins several words of
// each record («с» begins «с», «северное», «сияние»): every record comes once, on one page.
func TestSearchPagesDistinctRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		var want []string
		for i := range 6 {
			want = append(want, searchOrg(t, s, 10+i, fmt.Sprintf("Общество с ограниченной ответственностью «Северное сияние %d»", i), "").TIN)
		}
		var got []string
		for off := 0; off < 10; off += 2 {
			got = append(got, searchTINs(t, s, "с", register.SearchFilter{Limit: 2, Offset: off})...)
		}
		if !sameTINs(got, want...) {
			t.Fatalf("pages: %v, want each of %v once", got, want)
		}
		if all := searchTINs(t, s, "с", register.SearchFilter{Limit: 4}); len(all) != 4 {
			t.Fatalf("a page of 4: %v", all)
		}
		if _, err := s.Search(context.Background(), register.SearchFilter{Query: "с", Offset: register.MaxSearchOffset + 1}); err == nil {
			t.Fatal("paging beyond the bound")
		}
	})
}

// TestSearchRegisterPersonsFillsIndex: the bulk path (RegisterPersons) indexes what it inserts.
func TestSearchRegisterPersonsFillsIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		batch := make([]register.PersonInput, 120)
		for i := range batch {
			batch[i] = searchPerson(i, fmt.Sprintf("Пакетов%c", 'а'+rune(i%30)), "Пакет", "", fmt.Sprintf("%04d", 4000+i), fmt.Sprintf("%06d", 900000+i))
		}
		res, err := s.RegisterPersons(context.Background(), inspector, batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil || !r.Created {
				t.Fatalf("row %d: %+v", i, r)
			}
		}
		if got := searchTINs(t, s, fmt.Sprintf("%06d", 900042), register.SearchFilter{}); !sameTINs(got, res[42].Taxpayer.TIN) {
			t.Fatalf("by number: %v, want %s", got, res[42].Taxpayer.TIN)
		}
		if got := searchTINs(t, s, "пакет пакетовб", register.SearchFilter{Limit: 500}); len(got) != 4 {
			t.Fatalf("by words: %d records, want 4: %v", len(got), got)
		}
		// «пакет» begins 240 entries (given name and surname of each): deep pages read the index
		// page after page and list every record once, in the same order as one long page.
		all := searchTINs(t, s, "пакет", register.SearchFilter{Limit: 500})
		if len(all) != len(batch) || len(slices.Compact(slices.Sorted(slices.Values(all)))) != len(batch) {
			t.Fatalf("all: %d records, want %d distinct", len(all), len(batch))
		}
		for _, off := range []int{0, 37, 99, 110, 119} {
			if got := searchTINs(t, s, "пакет", register.SearchFilter{Limit: 1, Offset: off}); !slices.Equal(got, all[off:off+1]) {
				t.Errorf("offset %d: %v, want %v", off, got, all[off:off+1])
			}
		}
		if got := searchTINs(t, s, "пакет", register.SearchFilter{Kind: register.KindOrganization}); len(got) != 0 {
			t.Errorf("organizations: %v", got)
		}
	})
}
