package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
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

// TestSeedIsConsistent: the demo data pass the register's own checks of dates: no registration
// ends before it began (nor before the birth or the state registration), no document is issued
// before its holder's birth, a Russian passport not before 14 (REG-6, REG-7, REG-3).
func TestSeedIsConsistent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := register.New(store.NewRegister(db), register.Options{})
		if err := Seed(ctx, reg, 60); err != nil {
			t.Fatal(err)
		}
		list, err := reg.Search(ctx, register.SearchFilter{Limit: 500})
		if err != nil || len(list) < 60 {
			t.Fatalf("%d taxpayers: %v", len(list), err)
		}
		checkDocs := func(who string, birth time.Time, docs []register.IdentityDocument) {
			for _, d := range docs {
				if d.IssuedOn.IsZero() {
					continue
				}
				if d.IssuedOn.Before(birth) || d.IssuedOn.After(time.Now()) || d.Type == "passport_ru" && d.IssuedOn.Before(birth.AddDate(14, 0, 0)) {
					t.Errorf("%s: document %s %s issued %v, born %v", who, d.Series, d.Number, d.IssuedOn, birth)
				}
			}
		}
		ended := 0
		for _, s := range list {
			tp, err := reg.Taxpayer(ctx, s.TIN)
			if err != nil {
				t.Fatal(err)
			}
			if tp.RegisteredOn.IsZero() || tp.RegisteredOn.After(time.Now()) {
				t.Errorf("%s registered on %v", tp.TIN, tp.RegisteredOn)
			}
			if p := tp.Person; p != nil {
				checkDocs(tp.TIN, p.BirthDate, p.Documents)
				if tp.RegisteredOn.Before(p.BirthDate) {
					t.Errorf("%s registered on %v, before the birth on %v", tp.TIN, tp.RegisteredOn, p.BirthDate)
				}
			}
			if e := tp.Ending; e != nil {
				ended++
				if e.On.Before(tp.RegisteredOn) || tp.Person != nil && e.On.Before(tp.Person.BirthDate) ||
					tp.Organization != nil && e.On.Before(tp.Organization.RegisteredOn) {
					t.Errorf("%s: %s on %v, registered on %v", tp.TIN, e.Reason, e.On, tp.RegisteredOn)
				}
			}
		}
		if ended < 2 {
			t.Fatalf("%d endings: the deceased person and the duplicate are missing", ended)
		}
		reviews, _ := reg.Reviews(ctx, "", 100)
		for _, rv := range reviews {
			checkDocs(fmt.Sprint("review ", rv.ID), rv.Input.BirthDate, []register.IdentityDocument{rv.Input.Document})
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

// The Kyrgyz demo: persons with their own valid ИНН and Kyrgyz letters in their names, the
// organizations with their head and accountant; seeding twice adds nothing.
func TestSeedKyrgyz(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := register.New(store.NewRegister(db), register.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
		if err := SeedKyrgyz(ctx, reg, 40); err != nil {
			t.Fatal(err)
		}
		var n int
		db.SQL.QueryRow("SELECT count(*) FROM reg_taxpayers").Scan(&n)
		if n != 40+len(KyrgyzOrganizations) {
			t.Fatalf("%d taxpayers", n)
		}
		if err := SeedKyrgyz(ctx, reg, 40); err != nil {
			t.Fatal(err)
		}
		letters := ""
		for _, p := range KyrgyzPersons(1, 40) {
			if _, err := tin.ParseKG(p.TIN); err != nil || (p.Sex == register.Male) != (p.TIN[0] == '2') || p.TIN[1:9] != p.BirthDate.Format("02012006") {
				t.Errorf("%s %s: ИНН %s %v", p.Surname, p.GivenName, p.TIN, err)
			}
			letters += p.Surname + p.GivenName + p.Patronymic
		}
		if !strings.ContainsAny(letters, "Ңң") || !strings.ContainsAny(letters, "Өө") || !strings.ContainsAny(letters, "Үү") {
			t.Errorf("no Kyrgyz letters in %s", letters)
		}
		for _, o := range KyrgyzOrganizations {
			tp, err := reg.Taxpayer(ctx, o.TIN)
			if err != nil || tp.Organization.Head == nil || tp.Organization.Head.Name == "" || (o.Accountant >= 0) != (tp.Organization.Accountant != nil) {
				t.Errorf("organization %s: %+v %v", o.TIN, tp, err)
			}
		}
	})
}
