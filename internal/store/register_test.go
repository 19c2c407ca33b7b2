package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The storage of the register (register.go, register_search.go, bulk.go): what the engines do
// with its statements and what the records look like when they come back. The register's rules
// are tested beside them, in internal/register, on both engines.

// queryPlan returns the plan the engine gives for an EXPLAIN statement, a line per row.
func queryPlan(t *testing.T, conn *sql.Conn, explain string, args ...any) string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), explain, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
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
	return plan.String()
}

// TestSearchUsesIndexes checks that the TIN-prefix and name-prefix searches are index range
// scans, not full scans, whatever the table size.
func TestSearchUsesIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		queries := map[string][]any{
			"reg_taxpayers_name": {`SELECT t.tin FROM reg_taxpayers t WHERE t.name_norm >= $1 AND t.name_norm < $2 AND t.kind = $3 ORDER BY t.name_norm, t.tin LIMIT 50`, "ИВ", "ИВ\U0010FFFF", "person"},
			"tin":                {`SELECT t.tin FROM reg_taxpayers t WHERE t.tin >= $1 AND t.tin < $2 ORDER BY t.tin LIMIT 50`, "7701", "7701\U0010FFFF"},
			"reg_documents key":  {`SELECT t.tin FROM reg_taxpayers t JOIN reg_documents d ON d.tin = t.tin WHERE d.doc_key IN ($1, $2) ORDER BY t.tin LIMIT 50`, "passport_ru:4500000001", "other:4500000001"},
		}
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		explain := "EXPLAIN QUERY PLAN "
		if db.Dialect == store.Postgres {
			explain = "EXPLAIN "
			// A fresh table is tiny: make the planner show what it does on a big one.
			if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
				t.Fatal(err)
			}
		}
		for want, q := range queries {
			p := queryPlan(t, conn, explain+q[0].(string), q[1:]...)
			if strings.Contains(p, "SCAN t\n") || strings.Contains(p, "Seq Scan") || (!strings.Contains(strings.ToLower(p), "index") && !strings.Contains(p, "PRIMARY KEY")) {
				t.Errorf("%s: plan without index:\n%s", want, p)
			}
		}
	})
}

// TestRecordRoundTrip: a record with every field filled comes back from the store as it was
// registered (the data column is written by encoding/json and read by the JSON v2 decoder).
func TestRecordRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := registertest.NewService(db)
		ctx := context.Background()
		in := registertest.Person(7)
		in.SNILS = "112-233-445 95"
		in.Patronymic = "Ильич"
		in.Sex = register.Female
		in.Document.IssuedOn, in.Document.IssuedBy = time.Date(2010, 11, 12, 0, 0, 0, 0, time.UTC), "ОУФМС «Тверское» г. Москвы"
		in.Address = register.Address{Country: "RUS", Region: "77", PostalCode: "125009", City: "Москва", Street: "Тверская", House: "7", Flat: "12", Text: "вход со двора"}
		res, err := s.RegisterPerson(ctx, registertest.Inspector, in)
		if err != nil || !res.Created {
			t.Fatalf("register: %+v %v", res, err)
		}
		got, err := s.Taxpayer(ctx, res.Taxpayer.TIN)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res.Taxpayer.Person, got.Person); diff != "" {
			t.Errorf("person (-registered +read):\n%s", diff)
		}
		org, err := s.RegisterOrganization(ctx, registertest.Inspector, register.OrganizationInput{FullName: "ООО «Ромашка» \"Север\"", ShortName: "Ромашка", OGRN: "1027700132195",
			Ground: register.GroundCreation, TaxOffice: "7701", Address: register.Address{Region: "77", City: "Москва"}, RegisteredOn: time.Date(2002, 7, 30, 0, 0, 0, 0, time.UTC)})
		if err != nil || !org.Created {
			t.Fatalf("register organization: %+v %v", org, err)
		}
		gotOrg, err := s.Taxpayer(ctx, org.Taxpayer.TIN)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(org.Taxpayer.Organization, gotOrg.Organization); diff != "" {
			t.Errorf("organization (-registered +read):\n%s", diff)
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
			p := queryPlan(t, conn, explain+q[0].(string), q[1:]...)
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
		s := registertest.NewService(db)
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
			if got := registertest.SearchTINs(t, s, c.q, register.SearchFilter{}); !registertest.SameTINs(got, c.want...) {
				t.Errorf("after the migration, search %q: %v, want %v", c.q, got, c.want)
			}
		}
		var rows int
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM reg_search_words WHERE word = 'бэкфилов'`).Scan(&rows); err != nil || rows != many {
			t.Fatalf("index rows of «бэкфилов»: %d %v, want %d", rows, err, many)
		}
		surname := "Семенихин"
		if _, err := s.UpdatePerson(ctx, registertest.Inspector, "770100000019", register.PersonUpdate{Surname: &surname}); err != nil {
			t.Fatal(err)
		}
		if got := registertest.SearchTINs(t, s, "Семёнов Фёдор", register.SearchFilter{}); len(got) != 0 {
			t.Errorf("the old name after a change: %v", got)
		}
		if got := registertest.SearchTINs(t, s, "Семенихин", register.SearchFilter{}); !registertest.SameTINs(got, "770100000019") {
			t.Errorf("the new name after a change: %v", got)
		}
	})
}

// TestStoredDataFormat pins the member names of the register's data as the rows keep them
// (register_data.go): the names the rows hold since the first version, which migration 00005 and
// the Go migration 00011 read, whatever the register's own types become.
func TestStoredDataFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := registertest.NewService(db)
		ctx := context.Background()
		in := registertest.Person(7)
		in.SNILS = "112-233-445 95"
		in.Document.IssuedOn, in.Document.IssuedBy = time.Date(2010, 11, 12, 0, 0, 0, 0, time.UTC), "ОУФМС"
		in.Address = register.Address{Country: "RUS", Region: "77", PostalCode: "125009", City: "Москва", Street: "Тверская", House: "7", Flat: "12", Text: "вход"}
		res, err := s.RegisterPerson(ctx, registertest.Inspector, in)
		if err != nil {
			t.Fatal(err)
		}
		surname := "Петрова"
		if _, err := s.UpdatePerson(ctx, registertest.Inspector, res.Taxpayer.TIN, register.PersonUpdate{Surname: &surname}); err != nil {
			t.Fatal(err)
		}
		namesake := registertest.Person(8) // the same name and birth date, another passport: held for review
		namesake.BirthDate, namesake.Surname = in.BirthDate, surname
		namesake.RegisteredOn = time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
		if r, err := s.RegisterPerson(ctx, registertest.Inspector, namesake); err != nil || r.Review == nil {
			t.Fatalf("namesake: %+v %v", r, err)
		}
		if _, err := s.RegisterOrganization(ctx, registertest.Inspector, register.OrganizationInput{FullName: "ООО «Ромашка»", ShortName: "Ромашка", OGRN: "1027700132195",
			Ground: register.GroundCreation, TaxOffice: "7701", Address: register.Address{Region: "77", City: "Москва"},
			RegisteredOn: time.Date(2002, 7, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{`SELECT data FROM reg_taxpayers ORDER BY tin`, []string{
				`{"Surname":"Петрова","GivenName":"Иван","Patronymic":"Иванович","BirthDate":"1977-08-08T00:00:00Z","BirthPlace":"г. Москва","Sex":"male","Citizenship":"RUS",` +
					`"Documents":[{"type":"passport_ru","series":"4500","number":"000007","issued_on":"2010-11-12T00:00:00Z","issued_by":"ОУФМС"}],"SNILS":"11223344595",` +
					`"Ground":"residence","Address":{"country":"RUS","region":"77","postal_code":"125009","city":"Москва","street":"Тверская","house":"7","flat":"12","text":"вход"}}`,
				`{"FullName":"ООО «Ромашка»","ShortName":"Ромашка","OGRN":"1027700132195","Ground":"creation","Address":{"region":"77","city":"Москва"},` +
					`"RegisteredOn":"2002-07-30T00:00:00Z"}`}},
			{`SELECT fields FROM reg_history ORDER BY id`, []string{`[{"Field":"surname","Old":"Иванов","New":"Петрова"}]`}},
			{`SELECT input FROM reg_reviews ORDER BY id`, []string{
				`{"Surname":"Петрова","GivenName":"Иван","Patronymic":"Иванович","BirthDate":"1977-08-08T00:00:00Z","BirthPlace":"г. Москва","Sex":"male","Citizenship":"RUS",` +
					`"Document":{"type":"passport_ru","series":"4500","number":"000008"},"SNILS":"","Ground":"residence","TaxOffice":"7701",` +
					`"Address":{"region":"77","city":"Москва","street":"Тверская","house":"1"},"RegisteredOn":"2020-01-02T00:00:00Z"}`}},
			{`SELECT address FROM reg_kpps ORDER BY code`, []string{`{"region":"77","city":"Москва"}`}},
		} {
			rows, err := db.SQL.QueryContext(ctx, c.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			rows.Close()
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.query, diff)
			}
		}
	})
}

// TestUpdateRunsAgainOnKeyTaken: a transaction of the register whose rules give back a unique key
// taken, as the store returned it, is run again whole (register.Store: the winner's row is seen
// the next time); one they answered with an error of their own ends at once.
func TestUpdateRunsAgainOnKeyTaken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := store.NewRegister(db)
		runs := 0
		err := r.Update(ctx, func(tx register.Tx) error {
			if runs++; runs < 3 {
				return &storeerr.KeyTaken{Key: "reg_documents_pkey"}
			}
			return nil
		})
		if err != nil || runs != 3 {
			t.Fatalf("unanswered key taken: %d runs, %v", runs, err)
		}
		runs = 0
		err = r.Update(ctx, func(tx register.Tx) error {
			runs++
			return fmt.Errorf("answered: %w", &storeerr.KeyTaken{Key: "reg_taxpayers_snils"})
		})
		if runs != 1 || !errors.Is(err, storeerr.ErrKeyTaken) {
			t.Fatalf("answered key taken: %d runs, %v", runs, err)
		}
	})
}
