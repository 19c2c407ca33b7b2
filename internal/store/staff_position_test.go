package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-9: a staff member has a position, which extracts give beside the member's name: it is kept
// when the member is added, read back with the member and by token, changed with an audit entry,
// and refused when too long or with control characters.
func TestStaffPosition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		svc := newStaff(db, password.NewHasherWith(cheap, 2), &now)
		admin := audit.Actor{Login: "cli", Role: "system"}
		const pos = "Главный государственный налоговый инспектор"
		if _, err := svc.AddMember(ctx, admin, staff.Member{Login: "ivanova", Role: staff.RoleInspector, Name: "Иванова Анна Сергеевна", Position: "  Главный  государственный налоговый инспектор "}, "long-enough-pass"); err != nil {
			t.Fatal(err)
		}
		if m, err := svc.Member(ctx, "ivanova"); err != nil || m.Position != pos || m.Name != "Иванова Анна Сергеевна" {
			t.Fatalf("member: %+v %v", m, err)
		}
		tok, _, err := svc.IssueToken(ctx, admin, "ivanova", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := svc.Authenticate(ctx, tok); err != nil || m.Position != pos {
			t.Fatalf("by token: %+v %v", m, err)
		}
		if err := svc.SetPosition(ctx, admin, "ivanova", "Старший государственный налоговый инспектор"); err != nil {
			t.Fatal(err)
		}
		list, err := svc.List(ctx)
		if err != nil || len(list) != 1 || list[0].Position != "Старший государственный налоговый инспектор" {
			t.Fatalf("list: %+v %v", list, err)
		}
		if got := auditActions(t, db, "ivanova"); got["staff.position"] != 1 {
			t.Fatalf("audit: %v", got)
		}
		for _, bad := range []string{strings.Repeat("я", staff.MaxPosition+1), "инспектор\x1b[31m"} {
			if err := svc.SetPosition(ctx, admin, "ivanova", bad); !problem.Is(err, problem.Invalid) {
				t.Errorf("%q: %v", bad, err)
			}
			if _, err := svc.AddMember(ctx, admin, staff.Member{Login: "petrov", Role: staff.RoleInspector, Position: bad}, "long-enough-pass"); !problem.Is(err, problem.Invalid) {
				t.Errorf("add with %q: %v", bad, err)
			}
		}
		if err := svc.SetPosition(ctx, admin, "nobody", pos); !problem.Is(err, problem.NotFound) {
			t.Errorf("position of nobody: %v", err)
		}
	})
}
