package cabinet_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// cpu is the process's CPU time so far (user and system).
func cpu(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

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
		// A login and a raw hash one after the other, 20 times, in turn first: whatever else the
		// machine does weighs on both alike (the hash's 19 MiB contend for the memory bus with
		// every other process), and so does the garbage collection each hash's memory starts,
		// which falls on whatever runs next.
		var login, raw time.Duration
		doLogin := func() {
			t0 := cpu(b)
			if _, err := svc.Login(ctx, tin, "Volga-2026!", o); err != nil {
				b.Fatal(err)
			}
			login += cpu(b) - t0
		}
		doHash := func() {
			t0 := cpu(b)
			if ok, err := h.Verify(ctx, a.PasswordHash, "Volga-2026!"); err != nil || !ok {
				b.Fatal(err)
			}
			raw += cpu(b) - t0
		}
		for j := range 20 {
			if j%2 == 0 {
				doLogin()
				doHash()
			} else {
				doHash()
				doLogin()
			}
		}
		b.ReportMetric(float64(login.Microseconds())/20, "µs_cpu/login")
		b.ReportMetric(float64(raw.Microseconds())/20, "µs_cpu/hash")
		b.ReportMetric(float64(login)/float64(raw), "ratio")
	}
}
