package registry_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/registry"
)

// clock is the tests' clock: it moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func passport(series, number string) identity.Document {
	return identity.Document{Type: "passport_ru", Series: series, Number: number, IssuedOn: date("2014-03-01")}
}

// Two showcase persons of the embedded file answered at once.
var (
	fyodorov = identity.PersonQuery{Surname: "Фёдоров", GivenName: "Николай", Patronymic: "Петрович", BirthDate: date("1969-02-11"),
		SNILS: "22648150361", Passport: passport("4014", "667215")}
	zakharov = identity.PersonQuery{Surname: "Захаров", GivenName: "Сергей", Patronymic: "Олегович", BirthDate: date("1971-04-23"),
		SNILS: "21837049569", Passport: passport("4516", "118204")}
)

func newReference(t *testing.T, o registry.ReferenceOptions) (*registry.Reference, *clock) {
	t.Helper()
	c := &clock{t: t0}
	o.Now = c.Now
	r, err := registry.NewReference(o)
	if err != nil {
		t.Fatal(err)
	}
	return r, c
}

func ask(t *testing.T, r identity.Registry, n identity.RegistryName, q identity.PersonQuery) identity.Answer {
	t.Helper()
	a, err := r.Check(context.Background(), n, q)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestReferenceOutcomes(t *testing.T) {
	r, _ := newReference(t, registry.ReferenceOptions{})
	change := func(q identity.PersonQuery, f func(*identity.PersonQuery)) identity.PersonQuery { f(&q); return q }
	tests := []struct {
		name   string
		n      identity.RegistryName
		q      identity.PersonQuery
		reason string // "" passed
	}{
		{"pension fund: known", identity.PensionFund, fyodorov, ""},
		{"pension fund: е for ё, other case, dashes", identity.PensionFund, change(fyodorov, func(q *identity.PersonQuery) {
			q.Surname, q.GivenName, q.SNILS = "ФЕДОРОВ", "николай", "226-481-503 61"
		}), ""},
		{"pension fund: unknown СНИЛС", identity.PensionFund, change(fyodorov, func(q *identity.PersonQuery) { q.SNILS = "11111111145" }), identity.ReasonNotFound},
		{"pension fund: no СНИЛС", identity.PensionFund, change(fyodorov, func(q *identity.PersonQuery) { q.SNILS = "" }), identity.ReasonNotFound},
		{"pension fund: another birth date", identity.PensionFund, change(fyodorov, func(q *identity.PersonQuery) { q.BirthDate = date("1969-02-12") }), identity.ReasonSNILSMismatch},
		{"pension fund: another surname", identity.PensionFund, change(fyodorov, func(q *identity.PersonQuery) { q.Surname = "Фролов" }), identity.ReasonSNILSMismatch},
		{"pension fund: no patronymic", identity.PensionFund, change(fyodorov, func(q *identity.PersonQuery) { q.Patronymic = "" }), identity.ReasonSNILSMismatch},
		{"pension fund: invalid passport is not its business", identity.PensionFund, zakharov, ""},
		{"migration: valid passport", identity.Migration, fyodorov, ""},
		{"migration: series typed with a space", identity.Migration, change(fyodorov, func(q *identity.PersonQuery) { q.Passport.Series = "40 14" }), ""},
		{"migration: invalid passport", identity.Migration, zakharov, identity.ReasonPassportInvalid},
		{"migration: unknown passport", identity.Migration, change(fyodorov, func(q *identity.PersonQuery) { q.Passport.Number = "667216" }), identity.ReasonPassportUnknown},
		{"migration: another person's passport", identity.Migration, change(zakharov, func(q *identity.PersonQuery) { q.Passport = fyodorov.Passport }), identity.ReasonPassportUnknown},
		{"migration: unknown person", identity.Migration, change(fyodorov, func(q *identity.PersonQuery) { q.Surname = "Фролов" }), identity.ReasonPassportUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := ask(t, r, tc.n, tc.q)
			want := identity.Answer{Ready: true, OK: tc.reason == "", Reason: tc.reason}
			if a != want {
				t.Fatalf("got %+v, want %+v", a, want)
			}
		})
	}
}

func TestReferenceUnknownRegistry(t *testing.T) {
	r, _ := newReference(t, registry.ReferenceOptions{})
	if _, err := r.Check(context.Background(), identity.TaxRegister, fyodorov); err == nil {
		t.Fatal("the tax register is kabinet's own: the reference registry must not answer for it")
	}
}

// TestReferenceDelays follows questions on the test's clock: pending with the same time to ask
// again until the delay since the first asking has passed, then decided.
func TestReferenceDelays(t *testing.T) {
	vasiliev := identity.PersonQuery{Surname: "Васильев", GivenName: "Игорь", Patronymic: "Николаевич", BirthDate: date("1958-12-30"),
		SNILS: "19502736175", Passport: passport("9204", "731066")}
	ilina := identity.PersonQuery{Surname: "Ильина", GivenName: "Татьяна", Patronymic: "Юрьевна", BirthDate: date("2004-09-16"),
		SNILS: "23759816213", Passport: passport("4518", "045532")}
	orlova := identity.PersonQuery{Surname: "Орлова", GivenName: "Мария", Patronymic: "Дмитриевна", BirthDate: date("1996-07-07"),
		SNILS: "20416385734", Passport: passport("5016", "902341")}
	unknown := identity.PersonQuery{Surname: "Гусев", GivenName: "Павел", BirthDate: date("1990-01-01"), SNILS: "11111111145", Passport: passport("4500", "000001")}
	type step struct {
		after time.Duration // moved on the clock before asking
		want  identity.Answer
	}
	const def = 10 * time.Minute
	tests := []struct {
		name  string
		n     identity.RegistryName
		q     identity.PersonQuery
		steps []step
	}{
		{"five days", identity.PensionFund, vasiliev, []step{
			{0, identity.Answer{RetryAt: t0.Add(120 * time.Hour)}},
			{119 * time.Hour, identity.Answer{RetryAt: t0.Add(120 * time.Hour)}},
			{time.Hour, identity.Answer{Ready: true, OK: true}},
			{time.Hour, identity.Answer{Ready: true, OK: true}},
		}},
		{"the default delay", identity.Migration, ilina, []step{
			{0, identity.Answer{RetryAt: t0.Add(def)}},
			{def - time.Second, identity.Answer{RetryAt: t0.Add(def)}},
			{time.Second, identity.Answer{Ready: true, OK: true}},
		}},
		{"refused after two minutes", identity.Migration, orlova, []step{
			{0, identity.Answer{RetryAt: t0.Add(2 * time.Minute)}},
			{2 * time.Minute, identity.Answer{Ready: true, Reason: identity.ReasonPassportInvalid}},
		}},
		{"an unknown person takes the default delay", identity.PensionFund, unknown, []step{
			{0, identity.Answer{RetryAt: t0.Add(def)}},
			{def, identity.Answer{Ready: true, Reason: identity.ReasonNotFound}},
		}},
		{"a mismatch takes the delay of the person named", identity.PensionFund, func() identity.PersonQuery { q := orlova; q.SNILS = vasiliev.SNILS; return q }(), []step{
			{0, identity.Answer{RetryAt: t0.Add(2 * time.Minute)}},
			{2 * time.Minute, identity.Answer{Ready: true, Reason: identity.ReasonSNILSMismatch}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, c := newReference(t, registry.ReferenceOptions{Delay: def})
			for i, s := range tc.steps {
				c.Add(s.after)
				if a := ask(t, r, tc.n, tc.q); a != s.want {
					t.Fatalf("step %d: got %+v, want %+v", i, a, s.want)
				}
			}
		})
	}
	t.Run("each registry and each question has its own first asking", func(t *testing.T) {
		r, c := newReference(t, registry.ReferenceOptions{Delay: def})
		ask(t, r, identity.PensionFund, ilina)
		c.Add(5 * time.Minute)
		if a := ask(t, r, identity.Migration, ilina); a.RetryAt != t0.Add(15*time.Minute) {
			t.Fatalf("migration: %+v", a)
		}
		changed := ilina
		changed.Passport.IssuedOn = date("2019-01-01") // not part of the question: the same one
		if a := ask(t, r, identity.Migration, changed); a.RetryAt != t0.Add(15*time.Minute) {
			t.Fatalf("the same question again: %+v", a)
		}
		changed.Passport.Number = "045533"
		if a := ask(t, r, identity.Migration, changed); a.RetryAt != t0.Add(15*time.Minute) {
			t.Fatalf("another passport: %+v", a)
		}
		c.Add(5 * time.Minute)
		if a := ask(t, r, identity.PensionFund, ilina); !a.Ready {
			t.Fatalf("pension fund after its delay: %+v", a)
		}
	})
}

// TestReferenceKnowsTheDemoTaxpayers: every demo taxpayer with a СНИЛС passes both checks, so
// the embedded file is in step with package demo (run data/gen_persons.go when it is not).
func TestReferenceKnowsTheDemoTaxpayers(t *testing.T) {
	r, _ := newReference(t, registry.ReferenceOptions{})
	n := 0
	for i, p := range demo.Persons(1, 300) {
		if p.SNILS == "" || i == 0 {
			continue
		}
		n++
		q := identity.PersonQuery{Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: p.BirthDate, SNILS: p.SNILS,
			Passport: identity.Document{Type: p.Document.Type, Series: p.Document.Series, Number: p.Document.Number}}
		for _, reg := range []identity.RegistryName{identity.PensionFund, identity.Migration} {
			if a := ask(t, r, reg, q); !a.Ready || !a.OK {
				t.Errorf("demo person %d, %s: %+v", i, reg, a)
			}
		}
	}
	if n < 50 || r.Len() != n+10 {
		t.Fatalf("%d demo persons with a СНИЛС, the registry knows %d", n, r.Len())
	}
}

func TestReferenceFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "surname,given_name,patronymic,birth_date,snils,passport_series,passport_number,passport_status,delay\n"
	extra := write("extra.csv", "# test persons\n"+header+
		"Гусева,Вера,Ильинична,1990-06-01,111-111-111 45,4519,000777,,\n"+
		// Фёдоров again, his passport now invalid: replaces the embedded one.
		"Фёдоров,Николай,Петрович,1969-02-11,22648150361,4014,667215,invalid,0s\n")
	r, _ := newReference(t, registry.ReferenceOptions{Files: []string{extra}})
	gusev := identity.PersonQuery{Surname: "Гусева", GivenName: "Вера", Patronymic: "Ильинична", BirthDate: date("1990-06-01"), SNILS: "11111111145", Passport: passport("4519", "000777")}
	if a := ask(t, r, identity.Migration, gusev); !a.OK {
		t.Fatalf("a person of the extra file: %+v", a)
	}
	if a := ask(t, r, identity.Migration, fyodorov); a.Reason != identity.ReasonPassportInvalid {
		t.Fatalf("a person replaced by the extra file: %+v", a)
	}
	if err := r.Add(registry.Person{Surname: "Титов", GivenName: "Егор", BirthDate: date("2000-02-02"), SNILS: "12345678964",
		PassportSeries: "4520", PassportNumber: "100200", PassportValid: true, Delay: -1}); err != nil {
		t.Fatal(err)
	}
	if a := ask(t, r, identity.PensionFund, identity.PersonQuery{Surname: "Титов", GivenName: "Егор", BirthDate: date("2000-02-02"), SNILS: "12345678964"}); !a.OK {
		t.Fatalf("a person added: %+v", a)
	}

	bad := []struct{ name, text, want string }{
		{"no header column", "surname,given_name\nГусева,Вера\n", "lacks the column birth_date"},
		{"wrong check digits", header + "Гусева,Вера,,1990-06-01,11111111146,4519,000777,,\n", "line 2: wrong snils"},
		{"wrong date", header + "Гусева,Вера,,01.06.1990,11111111145,4519,000777,,\n", "line 2: wrong birth_date"},
		{"wrong status", header + "Гусева,Вера,,1990-06-01,11111111145,4519,000777,lost,\n", "line 2: wrong passport_status"},
		{"wrong delay", header + "Гусева,Вера,,1990-06-01,11111111145,4519,000777,,5 days\n", "line 2: wrong delay"},
		{"no passport", header + "Гусева,Вера,,1990-06-01,11111111145,4519,,,\n", "line 2: wrong passport_number"},
		{"a СНИЛС twice", header + "Гусева,Вера,,1990-06-01,11111111145,4519,000777,,\n# again\nГусева,Вера,,1990-06-01,11111111145,4519,000778,,\n", "line 4: the snils of line 2 again"},
		{"not CSV", header + "Гусева,\"Вера,,1990-06-01\n", "not CSV"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.NewReference(registry.ReferenceOptions{Files: []string{write("bad.csv", tc.text)}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Гусева") || strings.Contains(err.Error(), "11111111145") {
				t.Fatalf("the error shows personal data: %v", err)
			}
		})
	}
	if r, err := registry.NewReference(registry.ReferenceOptions{Files: []string{write("empty.csv", "")}}); err != nil || r.Len() != 111 {
		t.Fatalf("an empty file: %v", err)
	}
	if _, err := registry.NewReference(registry.ReferenceOptions{Files: []string{filepath.Join(dir, "missing.csv")}}); err == nil {
		t.Fatal("a missing file must be an error")
	}
}
