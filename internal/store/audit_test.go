package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// writeAuditEntry writes one entry of action by login at the instant at, on a record.
func writeAuditEntry(t *testing.T, db *store.DB, at time.Time, login, action string) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *sql.Tx) error {
		return store.InsertAudit(context.Background(), tx, audit.Entry{At: at, Actor: audit.Actor{Login: login, Role: "inspector"}, Action: action, Subject: "7707083893"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// auditLogins returns the logins of the entries f selects, sorted, each once.
func auditLogins(t *testing.T, db *store.DB, f audit.Filter) []string {
	t.Helper()
	f.Limit = 500
	list, err := db.ListAudit(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Actor.Login)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// BO-5: the staff filter matches part of a login or of a name, in any case (Cyrillic included,
// ё as е), and % and _ typed into it are plain characters, on both engines.
func TestAuditStaffFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		svc := newStaff(db, password.NewHasherWith(cheap, 2), &now)
		for _, m := range []struct{ login, name string }{
			{"ivan_ova", "Иванова Анна Сергеевна"}, {"ivanxova", "Сидорова Мария"}, {"elkin", "Ёлкин Пётр"},
			{"dept100", "Отдел 100% проверок"}, {"dept1000", "Отдел 1000 проверок"},
		} {
			if _, err := svc.Add(ctx, audit.Actor{Login: "cli", Role: "system"}, m.login, staff.RoleInspector, m.name, "long-enough-pass"); err != nil {
				t.Fatal(err)
			}
			writeAuditEntry(t, db, now, m.login, "test.staff")
		}
		writeAuditEntry(t, db, now, "system:import", "test.staff")
		for _, c := range []struct {
			staff string
			want  []string
		}{
			{"ivan", []string{"ivan_ova", "ivanxova"}},
			{"VAN_", []string{"ivan_ova"}},
			{"n_o", []string{"ivan_ova"}}, // not ivanxova: _ is not "any character"
			{"_", []string{"ivan_ova"}},
			{"ИВАНОВА", []string{"ivan_ova"}},
			{"анна с", []string{"ivan_ova"}},
			{"мАрИя", []string{"ivanxova"}},
			{"елкин", []string{"elkin"}},
			{"ЁЛКИН", []string{"elkin"}},
			{"петр", []string{"elkin"}},
			{"100%", []string{"dept100"}}, // not dept1000: % is not "anything"
			{"%", []string{"dept100"}},
			{"100", []string{"dept100", "dept1000"}},
			{`\`, nil},
			{"System:", []string{"system:import"}},
			{"нет такого", nil},
		} {
			if got := auditLogins(t, db, audit.Filter{Staff: c.staff, Action: "test.staff"}); !slices.Equal(got, c.want) {
				t.Errorf("staff %q: %v, want %v", c.staff, got, c.want)
			}
		}
		// The exact actor filter is still exact; entries carry the member's name.
		if got := auditLogins(t, db, audit.Filter{Actor: "ivan", Action: "test.staff"}); got != nil {
			t.Errorf("exact actor: %v", got)
		}
		list, err := db.ListAudit(ctx, audit.Filter{Staff: "ёлкин", Action: "test.staff"})
		if err != nil || len(list) != 1 || list[0].Actor.Name != "Ёлкин Пётр" {
			t.Fatalf("name: %+v %v", list, err)
		}
		list, _ = db.ListAudit(ctx, audit.Filter{Actor: "system:import"})
		if len(list) != 1 || list[0].Actor.Name != "" {
			t.Fatalf("a process has no name: %+v", list)
		}
	})
}

// BO-5: a range of days is whole days in Moscow time, its first and last day included.
func TestAuditDayRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		msk := func(d, h, m, s, ns int) time.Time { return time.Date(2026, 3, d, h, m, s, ns, audit.OfficeZone) }
		at := []time.Time{
			msk(1, 23, 59, 59, 999_000_000), // the day before
			msk(2, 0, 0, 0, 0),              // the first instant of 2 March
			msk(2, 12, 0, 0, 500_000_000),
			msk(3, 23, 59, 59, 999_000_000), // the last of 3 March
			msk(4, 0, 0, 0, 0),              // the day after
		}
		for i, t0 := range at {
			writeAuditEntry(t, db, t0, "day"+string(rune('a'+i)), "test.day")
		}
		for _, c := range []struct {
			from, to string
			want     []string
		}{
			{"2026-03-02", "2026-03-03", []string{"dayb", "dayc", "dayd"}},
			{"2026-03-02", "2026-03-02", []string{"dayb", "dayc"}},
			{"2026-03-03", "", []string{"dayd", "daye"}},
			{"", "2026-03-01", []string{"daya"}},
			{"2026-03-05", "2026-03-09", nil},
		} {
			f, err := audit.Query{From: c.from, To: c.to, Action: "test.day"}.Filter(audit.OfficeZone, 50)
			if err != nil {
				t.Fatal(err)
			}
			if got := auditLogins(t, db, f); !slices.Equal(got, c.want) {
				t.Errorf("%s – %s: %v, want %v", c.from, c.to, got, c.want)
			}
		}
		list, _ := db.ListAudit(ctx, audit.Filter{Action: "test.day", Limit: 1})
		if len(list) != 1 || !list[0].At.Equal(at[4]) {
			t.Errorf("instant kept: %+v", list)
		}
	})
}

// BO-5: the log is read a page at a time, newest first, by id: paging forward through more than
// one page, and back, loses and repeats nothing, even with entries written meanwhile.
func TestAuditPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 23; i++ {
			writeAuditEntry(t, db, t0.Add(time.Duration(i)*time.Minute), "pager", "test.page")
			writeAuditEntry(t, db, t0.Add(time.Duration(i)*time.Minute), "other", "test.other")
		}
		all, err := db.ListAudit(ctx, audit.Filter{Action: "test.page", Limit: 500})
		if err != nil || len(all) != 23 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		f := audit.Filter{Action: "test.page", Limit: 5}
		var seen []int64
		var pages []audit.Page
		for n := 0; ; n++ {
			p, err := audit.Read(ctx, db, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Entries) > 5 || (p.Next != 0 && len(p.Entries) != 5) {
				t.Fatalf("page %d: %d entries, next %d", n, len(p.Entries), p.Next)
			}
			if (n == 0) != (p.Prev == 0) {
				t.Fatalf("page %d: prev %d", n, p.Prev)
			}
			for _, e := range p.Entries {
				seen = append(seen, e.ID)
			}
			pages = append(pages, p)
			if n == 1 {
				// Written while the reader pages: newer than every page still to come.
				writeAuditEntry(t, db, t0.Add(time.Hour), "pager", "test.page")
			}
			if p.Next == 0 {
				break
			}
			f.Before = p.Next
		}
		var want []int64
		for _, e := range all {
			want = append(want, e.ID)
		}
		if len(pages) != 5 || !slices.Equal(seen, want) {
			t.Fatalf("paged %d pages, %v; want %v", len(pages), seen, want)
		}
		// Back from the last page by the newer cursors: the same pages, each with its cursors; the
		// first now has a newer one, the entry written meanwhile, alone.
		ids := func(p audit.Page) (out []int64) {
			for _, e := range p.Entries {
				out = append(out, e.ID)
			}
			return out
		}
		p := pages[len(pages)-1]
		for i := len(pages) - 2; i >= 0; i-- {
			if p, err = audit.Read(ctx, db, audit.Filter{Action: "test.page", Limit: 5, After: p.Prev}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(p), ids(pages[i])) || p.Next != pages[i].Next || (i > 0 && p.Prev != pages[i].Prev) {
				t.Fatalf("back to page %d: %v next %d prev %d, was %v next %d prev %d", i, ids(p), p.Next, p.Prev, ids(pages[i]), pages[i].Next, pages[i].Prev)
			}
		}
		if p.Prev == 0 {
			t.Fatal("no newer page after an entry was written")
		}
		p, err = audit.Read(ctx, db, audit.Filter{Action: "test.page", Limit: 5, After: p.Prev})
		if err != nil || len(p.Entries) != 1 || p.Entries[0].ID <= all[0].ID || p.Prev != 0 || p.Next != p.Entries[0].ID {
			t.Fatalf("newest page: %+v %v", p, err)
		}
	})
}
