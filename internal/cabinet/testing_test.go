package cabinet_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is the tests' clock: moved by hand, never by sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time; every reading moves it on by a millisecond, so that what a test
// makes one after the other (messages in the outbox) has distinct times.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	t      *testing.T
	db     *store.DB
	clock  *clock
	reg    *register.Service
	svc    *cabinet.Service
	hasher *password.Hasher
	serial int
}

var inspector = audit.Actor{Login: "ivanova", Role: "inspector", RemoteAddr: "10.0.0.7"}

// start is the tests' first instant: 2 December 2026, 10:00 UTC (13:00 in Moscow).
var start = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, db *store.DB) *env { return newEnvWith(t, db, esign.Config{}) }

// newEnvWith builds the personal account over the real register and storage of db, with the
// e-signature roots and CRLs of cfg and the tests' clock.
func newEnvWith(t *testing.T, db *store.DB, cfg esign.Config) *env {
	t.Helper()
	c := &clock{t: start}
	reg := register.New(store.NewRegister(db), register.Options{Now: c.Now})
	if err := reg.LoadOffices(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg.Now = c.Now
	v, err := esign.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := password.NewHasherWith(password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	svc := cabinet.New(cabinet.Options{Store: store.NewCabinet(db), Register: app.CabinetRegister(reg), Hasher: h,
		Limits: limits.New(store.NewLimits(db), c.Now), Verifier: v, Challenges: esign.NewChallenges(store.NewIdentity(db), 0, c.Now), Now: c.Now})
	return &env{t: t, db: db, clock: c, reg: reg, svc: svc, hasher: h}
}

// person registers an adult in the register with office 7736 (Moscow) and returns the TIN.
func (e *env) person(surname, given, patronymic string, birth time.Time, snils string) string {
	e.t.Helper()
	e.serial++
	in := register.PersonInput{Surname: surname, GivenName: given, Patronymic: patronymic, BirthDate: birth, BirthPlace: "г. Москва",
		Sex: register.Female, Citizenship: "RUS", SNILS: snils, Ground: register.GroundResidence, TaxOffice: "7736",
		Document: register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("45%02d", birth.AddDate(20, 0, 0).Year()%100),
			Number: fmt.Sprintf("%06d", 100000+e.serial), IssuedOn: birth.AddDate(20, 0, 10)},
		Address: register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "32"}}
	if birth.AddDate(14, 0, 0).After(e.clock.Now()) {
		in.Document = register.IdentityDocument{Type: "birth_certificate", Series: "IV-МЮ", Number: fmt.Sprintf("%06d", 500000+e.serial), IssuedOn: birth.AddDate(0, 0, 20)}
	}
	res, err := e.reg.RegisterPerson(context.Background(), audit.Actor{Login: "test", Role: "system"}, in)
	if err != nil || res.Taxpayer == nil {
		e.t.Fatalf("register %s: %+v %v", surname, res, err)
	}
	return res.Taxpayer.TIN
}

// card issues a card after the passport was checked at the person's own office.
func (e *env) card(tin string) *cabinet.IssuedCard {
	e.t.Helper()
	c, err := e.svc.IssueCard(context.Background(), inspector, cabinet.CardRequest{TIN: tin, Checks: cabinet.Checklist{PassportShown: true}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// wantCode asserts that err is a problem of code whose message (or a field's) has key.
func wantCode(t *testing.T, err error, code problem.Code, key string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Code != code {
		t.Fatalf("got %v, want a %s problem %s", err, code, key)
	}
	if key == "" {
		return
	}
	if p.Message.Key == key {
		return
	}
	for _, f := range p.Fields {
		if f.Key == key {
			return
		}
	}
	t.Fatalf("got %v, want %s", err, key)
}

// lastMessage returns the body of the newest message to an address in the outbox, "" when none.
func (e *env) lastMessage(to string) string { return storetest.LastSent(e.t, e.db, to) }

// messagesTo counts the messages to an address in the outbox.
func (e *env) messagesTo(to string) int { return len(storetest.Sent(e.t, e.db, to)) }

var origin = cabinet.Origin{Address: "192.0.2.1", UserAgent: "test", Lang: "ru"}
