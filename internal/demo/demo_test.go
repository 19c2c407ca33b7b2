package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestSeedIsCompleteAndIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := register.New(store.NewRegister(db), register.Options{})
		if err := Seed(ctx, reg, 60); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			db.SQL.QueryRow("SELECT count(*) FROM reg_taxpayers").Scan(&n)
			return n
		}
		n := count()
		if n < 60 {
			t.Fatalf("%d taxpayers", n)
		}
		if err := Seed(ctx, reg, 60); err != nil {
			t.Fatal(err)
		}
		if count() != n {
			t.Fatalf("second seed added %d taxpayers", count()-n)
		}
		notApplied, _ := reg.Search(ctx, register.SearchFilter{Status: register.StatusNotApplied, Limit: 10})
		reviews, _ := reg.Reviews(ctx, register.ReviewPending, 10)
		if len(notApplied) < 2 || len(reviews) < 1 {
			t.Fatalf("special cases: %d not applied, %d reviews", len(notApplied), len(reviews))
		}
		foreign, _ := reg.Search(ctx, register.SearchFilter{Kind: register.KindForeign, Limit: 10})
		if len(foreign) != 1 {
			t.Fatalf("foreign: %d", len(foreign))
		}
	})
}

func TestPersonsDeterministic(t *testing.T) {
	a, b := Persons(7, 50), Persons(7, 50)
	for i := range a {
		if a[i].Surname != b[i].Surname || a[i].Document.Number != b[i].Document.Number {
			t.Fatal("not deterministic")
		}
		if (a[i].Sex == register.Female) != strings.HasSuffix(a[i].Patronymic, "на") {
			t.Fatalf("patronymic form: %+v", a[i])
		}
	}
}
