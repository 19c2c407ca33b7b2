package cabinet_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// BenchmarkLoginCPU measures the CPU a TIN-and-password login costs (the limits counted, the
// account read, the argon2id hash with the default parameters checked, the counters reset, the
// history written) against one raw argon2id verification with the same parameters, in the same
// run. KABINET_BENCH_DB=postgres runs it on PostgreSQL. Reported: the CPU per login, per raw
// hash, and their ratio (the aim is at most 1.05).
func BenchmarkLoginCPU(b *testing.B) {
	db := storetest.SQLite(b)
	if os.Getenv("KABINET_BENCH_DB") == "postgres" {
		db = storetest.Postgres(b)
	}
	ctx := context.Background()
	reg := register.New(store.NewRegister(db), register.Options{})
	if err := reg.LoadOffices(ctx); err != nil {
		b.Fatal(err)
	}
	h := password.NewHasherWith(password.Default, 1)
	v, _ := esign.NewVerifier(esign.Config{})
	svc := cabinet.New(cabinet.Options{Store: store.NewCabinet(db), Register: app.CabinetRegister(reg), Hasher: h, Limits: limits.New(store.NewLimits(db), nil),
		Verifier: v, Challenges: esign.NewChallenges(store.NewIdentity(db), 0, nil)})
	res, err := reg.RegisterPerson(ctx, audit.Actor{Login: "bench"}, register.PersonInput{Surname: "Соколова", GivenName: "Елена", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Москва", Sex: register.Female, Citizenship: "RUS", Ground: register.GroundResidence, TaxOffice: "7736",
		Document: register.IdentityDocument{Type: "passport_ru", Series: "4505", Number: "123456", IssuedOn: time.Date(2005, 5, 20, 0, 0, 0, 0, time.UTC)},
		Address:  register.Address{Country: "RUS", Region: "77", City: "Москва", Street: "Тверская улица", House: "1"}})
	if err != nil || res.Taxpayer == nil {
		b.Fatal(err)
	}
	tin := res.Taxpayer.TIN
	c, err := svc.IssueCard(ctx, audit.Actor{Login: "bench"}, cabinet.CardRequest{TIN: tin, Unchecked: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SetOwnPassword(ctx, tin, c.ID, "Volga-2026!", "Volga-2026!", cabinet.Origin{}); err != nil {
		b.Fatal(err)
	}
	first, err := svc.Login(ctx, tin, "Volga-2026!", cabinet.Origin{Address: "10.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	o := cabinet.Origin{Address: "10.0.0.1", Device: first.Device}
	a, _ := svc.Account(ctx, tin)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		login, raw := apptest.InTurn(b, 40, func() {
			if _, err := svc.Login(ctx, tin, "Volga-2026!", o); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if ok, err := h.Verify(ctx, a.PasswordHash, "Volga-2026!"); err != nil || !ok {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(login.Microseconds())/40, "µs_cpu/login")
		b.ReportMetric(float64(raw.Microseconds())/40, "µs_cpu/hash")
		b.ReportMetric(float64(login)/float64(raw), "ratio")
	}
}
