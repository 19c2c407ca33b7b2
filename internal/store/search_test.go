package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

// The register's search by words of the names, by a document number without its series, and by
// the numbers it found before (TIN, ОГРН, КИО, СНИЛС), on both engines.

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

// searchTINs runs a search and returns the TINs found, in order.
func searchTINs(t *testing.T, s *register.Service, q string, f register.SearchFilter) []string {
	t.Helper()
	f.Query = q
	res, err := s.Search(context.Background(), f)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	out := []string{}
	for _, r := range res {
		out = append(out, r.TIN)
	}
	return out
}

// sameTINs reports whether got lists exactly want, in any order, each once.
func sameTINs(got []string, want ...string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
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

// TestSearchUsesWordIndex: every statement of a search by words or by a document number probes an
// index in its order: no table scan, no sort, and the next page seeks past the last entry read.
func TestSearchUsesWordIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const cols = `SELECT t.tin, t.kind, t.status, t.name, t.tax_office, t.birth_date, t.search_words FROM reg_taxpayers t`
		tins, in := `["7701000001", "7701000002"]`, "t.tin IN (SELECT value FROM json_each($1))"
		if db.Dialect == store.Postgres {
			tins, in = `{7701000001,7701000002}`, "t.tin = ANY(CAST($1 AS TEXT[]))"
		}
		queries := map[string][]any{
			"first page": {`SELECT word, tin FROM reg_search_words WHERE word >= $1 AND word < $2 ORDER BY word, tin LIMIT 100`, "северное", "северное\U0010FFFF"},
			"next page": {`SELECT word, tin FROM reg_search_words WHERE (word, tin) > ($1, $2) AND word < $3 ORDER BY word, tin LIMIT 100`,
				"северное", "7701000001", "северное\U0010FFFF"},
			"count":   {`SELECT COUNT(*) FROM (SELECT 1 FROM reg_search_words WHERE word >= $1 AND word < $2 ORDER BY word LIMIT 1000) e`, "сияние", "сияние\U0010FFFF"},
			"records": {cols + ` WHERE ` + in + ` AND t.kind = $2`, tins, "organization"},
			"number":  {cols + ` JOIN reg_search_words w ON t.tin = w.tin WHERE w.word = $1 ORDER BY w.tin LIMIT 50`, "#000050"},
		}
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		explain := "EXPLAIN QUERY PLAN "
		if db.Dialect == store.Postgres {
			explain = "EXPLAIN "
			// A fresh table is tiny: make the planner show the plan it has for a big one, the
			// index read in its order and cut at the limit.
			for _, set := range []string{"SET enable_seqscan = off", "SET enable_bitmapscan = off", "SET enable_sort = off"} {
				if _, err := conn.ExecContext(ctx, set); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, q := range queries {
			rows, err := conn.QueryContext(ctx, explain+q[0].(string), q[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			var plan strings.Builder
			for rows.Next() {
				cols, _ := rows.Columns()
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(&plan, vals...)
			}
			rows.Close()
			p := plan.String()
			for _, line := range strings.Split(p, "\n") {
				// SQLite scans only the list of TINs bound (json_each) and the count's own subquery (e).
				scan := strings.Contains(line, "SCAN ") && !strings.Contains(line, "json_each") && !strings.HasSuffix(line, "SCAN e")
				if strings.Contains(line, "Seq Scan") || strings.Contains(line, "Sort") || scan || strings.Contains(line, "TEMP B-TREE") {
					t.Errorf("%s: a scan or a sort:\n%s", name, p)
					break
				}
			}
			if !strings.Contains(strings.ToLower(p), "index") && !strings.Contains(p, "PRIMARY KEY") {
				t.Errorf("%s: plan without an index:\n%s", name, p)
			}
		}
	})
}

// TestMigrationSearchWordsBackfill starts at schema 10, before the word index, with a person, an
// organization, a foreign organization and more persons than one page of the backfill, and checks
// that migration 00011 indexes them all: the queries of the issue find the records stored before
// it, and the index then follows their changes.
func TestMigrationSearchWordsBackfill(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, 10); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		const taxpayer = `INSERT INTO reg_taxpayers (tin, kind, status, tax_office, registered_on, registered_at, registered_by, name, name_norm, birth_date, ogrn, kio, data, version)
			VALUES ($1, $2, 'active', $3, '2025-01-02', $4, 'insp1', $5, $6, $7, $8, $9, $10, 1)`
		personData := func(surname, given, series, number string) string {
			return `{"Surname":"` + surname + `","GivenName":"` + given + `","Patronymic":"","BirthDate":"1980-02-03T00:00:00Z","BirthPlace":"г. Тверь","Sex":"male","Citizenship":"RUS",` +
				`"Documents":[{"type":"passport_ru","series":"` + series + `","number":"` + number + `"}],"SNILS":"","Ground":"residence","Address":{"region":"77"}}`
		}
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{taxpayer, []any{"770100000019", "person", "7701", at, "Семёнов Фёдор", "СЕМЕНОВ ФЕДОР", "1980-02-03", nil, nil, personData("Семёнов", "Фёдор", "4500", "000050")}},
			{`INSERT INTO reg_documents (doc_key, tin) VALUES ('passport_ru:4500000050', '770100000019')`, nil},
			{taxpayer, []any{"7701000017", "organization", "7701", at, "Общество с ограниченной ответственностью «Северное сияние»",
				"ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «СЕВЕРНОЕ СИЯНИЕ»", nil, "1027700132195", nil,
				`{"FullName":"Общество с ограниченной ответственностью «Северное сияние»","ShortName":"ООО «Северное сияние»","OGRN":"1027700132195","Ground":"creation","Address":{},"RegisteredOn":"2025-01-01T00:00:00Z"}`}},
			{`INSERT INTO reg_kio (code, assigned_on, name_ru, name_latin, short_name_ru, country, oksm, reg_number, name_norm)
				VALUES ('00001', '2025-01-02', 'Нордик Трейд Лимитед', 'Nordic Trade Limited', 'Нордик', 'Ирландия', '372', 'IE100', 'НОРДИК ТРЕЙД ЛИМИТЕД')`, nil},
			{taxpayer, []any{"9909000016", "foreign_organization", "9909", at, "Нордик Трейд Лимитед", "НОРДИК ТРЕЙД ЛИМИТЕД", nil, nil, "00001", `{}`}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
		}
		const many = 5100 // more than one page of the backfill
		for i := range many {
			tin := fmt.Sprintf("7702%08d", i)
			if _, err := tx.ExecContext(ctx, taxpayer, tin, "person", "7702", at, "Бэкфилов Бэкфил", "БЭКФИЛОВ БЭКФИЛ", "1990-01-01", nil, nil,
				personData("Бэкфилов", "Бэкфил", "4900", fmt.Sprintf("%06d", i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		s := newService(db)
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"Северное сияние", []string{"7701000017"}},
			{"ООО «Северное сияние»", []string{"7701000017"}},
			{"Nordic", []string{"9909000016"}},
			{"000050", []string{"770100000019", "770200000050"}},
			{"4500 000050", []string{"770100000019"}},
			{"семенов федор", []string{"770100000019"}},
			{fmt.Sprintf("%06d", many-1), []string{fmt.Sprintf("7702%08d", many-1)}},
		} {
			if got := searchTINs(t, s, c.q, register.SearchFilter{}); !sameTINs(got, c.want...) {
				t.Errorf("after the migration, search %q: %v, want %v", c.q, got, c.want)
			}
		}
		var rows int
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_search_words WHERE word = 'бэкфилов'`).Scan(&rows); err != nil || rows != many {
			t.Fatalf("index rows of «бэкфилов»: %d %v, want %d", rows, err, many)
		}
		surname := "Семенихин"
		if _, err := s.UpdatePerson(ctx, inspector, "770100000019", register.PersonUpdate{Surname: &surname}); err != nil {
			t.Fatal(err)
		}
		if got := searchTINs(t, s, "Семёнов Фёдор", register.SearchFilter{}); len(got) != 0 {
			t.Errorf("the old name after a change: %v", got)
		}
		if got := searchTINs(t, s, "Семенихин", register.SearchFilter{}); !sameTINs(got, "770100000019") {
			t.Errorf("the new name after a change: %v", got)
		}
	})
}
