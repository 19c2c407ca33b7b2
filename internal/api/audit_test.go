package api_test

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// BO-5: GET /api/v1/audit filters by part of a staff member's login or name, by a range of whole
// days in Moscow time, and pages by the next cursor; a wrong filter is a 422 naming the field.
func TestAuditAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClient(t, db)
		ctx := context.Background()
		if _, err := c.staff.Add(ctx, audit.Actor{Login: "test", Role: "system"}, "ivanova", staff.RoleInspector, "Иванова Анна", "a-long-password"); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, audit.OfficeZone)
		write := func(at time.Time, login string) {
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				return store.InsertAudit(ctx, tx, audit.Entry{At: at, Actor: audit.Actor{Login: login, Role: "inspector"}, Action: "taxpayer.extract", Subject: "7707083893"})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 7; i++ {
			write(day.Add(time.Duration(i)*time.Hour), "ivanova")
			write(day.Add(time.Duration(i)*time.Hour), "insp")
		}
		write(day.Add(-time.Second), "ivanova")
		write(day.Add(24*time.Hour), "ivanova")

		seen := map[float64]bool{}
		q := "/api/v1/audit?actor=" + url.QueryEscape("ИВАНОВА") + "&from=2026-03-02&to=2026-03-02&limit=3"
		path := q
		for pages := 1; ; pages++ {
			code, body := c.do("GET", path, "/api/v1/audit", "")
			items, _ := body["items"].([]any)
			if code != 200 || len(items) == 0 || len(items) > 3 || body["limit"] != float64(3) {
				t.Fatalf("%s: %d %v", path, code, body)
			}
			for _, it := range items {
				e := it.(map[string]any)
				if e["actor"] != "ivanova" || e["actor_name"] != "Иванова Анна" || seen[e["id"].(float64)] {
					t.Fatalf("%s: %v", path, e)
				}
				seen[e["id"].(float64)] = true
			}
			next, ok := body["next"].(float64)
			if !ok {
				if body["next"] != nil || pages != 3 {
					t.Fatalf("last page %d: next %v", pages, body["next"])
				}
				break
			}
			path = q + "&before=" + strconv.FormatInt(int64(next), 10)
		}
		if len(seen) != 7 {
			t.Fatalf("paged %d entries, want 7", len(seen))
		}
		for _, c2 := range []struct{ query, field string }{
			{"from=2026-13-01", "from"},
			{"to=02.03.2026", "to"},
			{"from=2026-03-03&to=2026-03-02", "to"},
			{"before=abc", "before"},
			{"before=0", "before"},
			{"limit=0", "limit"},
		} {
			code, body := c.do("GET", "/api/v1/audit?"+c2.query, "/api/v1/audit", "")
			f := fieldsOf(body)
			if code != 422 || len(f) != 1 || f[c2.field] == "" {
				t.Errorf("%s: %d %v", c2.query, code, body)
			}
		}
	})
}
