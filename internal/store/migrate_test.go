package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// TestMigrationDocumentsIntoData starts from the schema before migration 5, where documents had
// their own rows, and checks that after it a person has the same documents (the current one
// first, with their dates) and history, is found by an old document's number, and keeps REG-3:
// registering with either document again gives the same TIN. The audit log survives with its new
// indexes.
func TestMigrationDocumentsIntoData(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, 4); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO reg_taxpayers (tin, kind, status, tax_office, registered_on, registered_at, registered_by, name, name_norm, birth_date, data, version)
			VALUES ('770100000019', 'person', 'active', '7701', '2025-01-02', $1, 'insp1', 'Петров Пётр', 'ПЕТРОВ ПЕТР', '1980-02-03',
			'{"Surname":"Петров","GivenName":"Пётр","BirthDate":"1980-02-03T00:00:00Z","BirthPlace":"г. Тверь","Sex":"male","Citizenship":"RUS","Documents":null,"Ground":"residence","Address":{"region":"77"}}', 2)`, []any{at}},
			{`INSERT INTO reg_documents (doc_key, tin, type, series, number, number_norm, issued_on, issued_by, seq)
			VALUES ('passport_ru:4501111111', '770100000019', 'passport_ru', '4501', '111111', '4501111111', '2000-03-04', 'ОВД', 1)`, nil},
			{`INSERT INTO reg_documents (doc_key, tin, type, series, number, number_norm, issued_on, issued_by, seq)
			VALUES ('passport_ru:4520222222', '770100000019', 'passport_ru', '4520', '222222', '4520222222', NULL, '', 2)`, nil},
			{`INSERT INTO reg_history (tin, at, actor, action, fields, note) VALUES ('770100000019', $1, 'insp1', 'updated', '[{"Field":"address","Old":"","New":"77"}]', '')`, []any{at}},
			{`INSERT INTO audit_log (at, actor_login, actor_role, action, subject, details) VALUES ($1, 'insp1', 'inspector', 'person.register', '770100000019', '')`, []any{at}},
		} {
			if _, err := db.SQL.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		s := registertest.NewService(db)
		tp, err := s.Taxpayer(ctx, "770100000019")
		if err != nil {
			t.Fatal(err)
		}
		want := []register.IdentityDocument{
			{Type: "passport_ru", Series: "4520", Number: "222222"},
			{Type: "passport_ru", Series: "4501", Number: "111111", IssuedOn: time.Date(2000, 3, 4, 0, 0, 0, 0, time.UTC), IssuedBy: "ОВД"},
		}
		if diff := cmp.Diff(want, tp.Person.Documents); diff != "" {
			t.Fatalf("documents after the migration (-want +got):\n%s", diff)
		}
		if tp.Person.BirthPlace != "г. Тверь" || tp.Version != 2 {
			t.Fatalf("record after the migration: %+v", tp)
		}
		if len(tp.History) != 2 || tp.History[0].Action != "registered" || tp.History[1].Action != "updated" || tp.History[1].Fields[0].Field != "address" {
			t.Fatalf("history after the migration: %+v", tp.History)
		}
		found, err := s.Search(ctx, register.SearchFilter{Query: "45 01 111111"})
		if err != nil || len(found) != 1 || found[0].TIN != "770100000019" {
			t.Fatalf("search by the old document: %+v %v", found, err)
		}
		for _, d := range want {
			in := registertest.Person(1)
			in.Surname, in.GivenName, in.Patronymic, in.BirthDate = "Петров", "Пётр", "", time.Date(1980, 2, 3, 0, 0, 0, 0, time.UTC)
			in.Document = register.IdentityDocument{Type: d.Type, Series: d.Series, Number: d.Number}
			res, err := s.RegisterPerson(ctx, registertest.Inspector, in)
			if err != nil || res.Created || res.Taxpayer == nil || res.Taxpayer.TIN != "770100000019" {
				t.Fatalf("REG-3 by %s %s after the migration: %+v %v", d.Series, d.Number, res, err)
			}
		}
		if got, err := db.ListAudit(ctx, audit.Filter{Subject: "770100000019"}); err != nil || len(got) != 1 {
			t.Fatalf("audit after the migration: %+v %v", got, err)
		}
	})
}

// TestMigrationsSkipReservedNumbers checks that goose applies every embedded migration although
// numbers 6 and 7 are left free (reserved for the web layer's migrations): gaps are allowed in
// a database that has never seen the missing numbers.
func TestMigrationsSkipReservedNumbers(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var v int64
		if err := db.SQL.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&v); err != nil || v < 8 {
			t.Fatalf("version %d (%v), want at least 8", v, err)
		}
		if _, err := db.SQL.ExecContext(ctx, `SELECT COUNT(*) FROM jobs`); err != nil {
			t.Fatal(err)
		}
	})
}
