// Package registertest gives the tests of the register's rules (package register) and of its
// storage (package store) the same service on a real database, the same inspector, the same
// clock and the same made-up persons, so that both speak of one register. It holds no rule and
// is imported by tests only.
package registertest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
)

// Inspector is the staff member the tests act as.
var Inspector = audit.Actor{Login: "insp1", Role: "inspector"}

// Now is the tests' clock: 10 March 2026, 09:00 UTC.
var Now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// NewService returns the register on db, with the clock stopped at Now.
func NewService(db *store.DB) *register.Service {
	return register.New(store.NewRegister(db), register.Options{Now: func() time.Time { return Now }})
}

// NewKyrgyzService returns the register of the Kyrgyz Republic (TIN-6: it records the TINs
// taxpayers have) on db, with the clock stopped at Now.
func NewKyrgyzService(db *store.DB) *register.Service {
	return register.New(store.NewRegister(db), register.Options{Now: func() time.Time { return Now },
		Profile: jurisdiction.MustLookup(jurisdiction.KG)})
}

// KyrgyzPerson is a Kyrgyz citizen Үсөнбаев Жеңиш Өмүрбекович with the ID card number n, born
// on a day of n, with his own ИНН (TIN-6: 2 for a man, the birth date, a serial of n), registered
// with the УГНС of Ленинский район of Bishkek.
func KyrgyzPerson(n int) register.PersonInput {
	birth := time.Date(1970+n%40, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC)
	return register.PersonInput{
		TIN:     "2" + birth.Format("02012006") + fmt.Sprintf("%05d", n%100000),
		Surname: "Үсөнбаев", GivenName: "Жеңиш", Patronymic: "Өмүрбекович",
		BirthDate: birth, BirthPlace: "г. Бишкек", Sex: register.Male, Citizenship: "KGZ",
		Document: register.IdentityDocument{Type: "id_card_kg", Series: "ID", Number: fmt.Sprintf("%07d", n%10000000)},
		Ground:   register.GroundResidence, TaxOffice: "002",
		Address: register.Address{Region: "11", PostalCode: "720040", City: "Бишкек", Street: "проспект Чуй", House: "114"},
	}
}

// Person is a Russian citizen Иванов Иван Иванович with passport number n and a birth date of n;
// persons with the same n%40, n%12 and n%28 are namesakes born the same day (REG-3).
func Person(n int) register.PersonInput {
	return register.PersonInput{
		Surname: "Иванов", GivenName: "Иван", Patronymic: "Иванович",
		BirthDate:  time.Date(1970+n%40, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Москва", Sex: register.Male, Citizenship: "RUS",
		Document: register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("%04d", 4500+n/1000000), Number: fmt.Sprintf("%06d", n%1000000)},
		Ground:   register.GroundResidence, TaxOffice: "7701",
		Address: register.Address{Region: "77", City: "Москва", Street: "Тверская", House: "1"},
	}
}

// UniquePerson differs from every other UniquePerson by name too (no REG-3 review).
func UniquePerson(n int) register.PersonInput {
	in := Person(n)
	in.Surname = "Иванов" + strings.Repeat("а", 1+n%7)
	in.GivenName = "Иван" + string(rune('а'+n%32))
	in.Patronymic = ""
	in.BirthDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	return in
}

// SearchTINs runs a search and returns the TINs found, in order.
func SearchTINs(t *testing.T, s *register.Service, q string, f register.SearchFilter) []string {
	t.Helper()
	f.Query = q
	res, err := s.Search(context.Background(), f)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	out := []string{}
	for _, r := range res {
		out = append(out, r.TIN)
	}
	return out
}

// SameTINs reports whether got lists exactly want, in any order, each once.
func SameTINs(got []string, want ...string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}
