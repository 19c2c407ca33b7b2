package staff_test

import (
	"context"
	"os"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// BenchmarkLoginCPU measures the CPU a staff login attempt costs in the service (the limits
// counted, the member read, the argon2id hash with the default parameters checked, the counters
// reset, the audit entry written), from the browser the member signed in with before (its device
// token), as internal/cabinet's BenchmarkLoginCPU measures the taxpayer's, against one
// verification of the same hash, in turn, in the same run; KABINET_BENCH_DB=postgres runs it on
// PostgreSQL, whose server's CPU is not counted here. internal/server's BenchmarkStaffLoginCPU
// measures the whole HTTP exchange (flow, session, cookies). Reported: the CPU per login, per
// hash, and their ratio (the aim is at most 1.05).
func BenchmarkLoginCPU(b *testing.B) {
	db := storetest.SQLite(b)
	if os.Getenv("KABINET_BENCH_DB") == "postgres" {
		db = storetest.Postgres(b)
	}
	ctx := context.Background()
	h := password.NewHasherWith(password.Default, 1)
	st := store.NewStaff(db)
	svc := staff.New(st, h, limits.New(store.NewLimits(db), nil), nil)
	if _, err := svc.Add(ctx, audit.Actor{Login: "bench", Role: "system"}, "ivanova", staff.RoleInspector, "Иванова Мария", "bench-password-1"); err != nil {
		b.Fatal(err)
	}
	first, err := svc.Login(ctx, "ivanova", "bench-password-1", limits.Origin{Address: "10.0.0.1"})
	if err != nil || first.Device == "" {
		b.Fatal(err)
	}
	o := limits.Origin{Address: "10.0.0.1", Device: first.Device}
	a, err := st.Account(ctx, "ivanova")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		login, raw := apptest.InTurn(b, 40, func() {
			if _, err := svc.Login(ctx, "ivanova", "bench-password-1", o); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if ok, err := h.Verify(ctx, a.PasswordHash, "bench-password-1"); err != nil || !ok {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(login.Microseconds())/40, "µs_cpu/login")
		b.ReportMetric(float64(raw.Microseconds())/40, "µs_cpu/hash")
		b.ReportMetric(float64(login)/float64(raw), "ratio")
	}
}
