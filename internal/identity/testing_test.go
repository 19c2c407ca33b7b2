package identity_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// clock is the tests' clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time; every reading moves it on by a millisecond, so that what the
// tests make one after the other (messages in the outbox) has distinct times.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// registry is the outside world's registries as the tests want them: persons known, answers
// after a delay, or down.
type registry struct {
	mu      sync.Mutex
	down    bool
	delay   time.Duration
	asked   map[string]time.Time
	now     func() time.Time
	invalid map[string]bool // passports (series+number) declared invalid
	persons map[string]identity.PersonQuery
}

func (r *registry) Check(_ context.Context, n identity.RegistryName, q identity.PersonQuery) (identity.Answer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return identity.Answer{}, context.DeadlineExceeded
	}
	key := string(n) + q.SNILS
	if r.asked == nil {
		r.asked = map[string]time.Time{}
	}
	first, ok := r.asked[key]
	if !ok {
		first = r.now()
		r.asked[key] = first
	}
	if r.now().Before(first.Add(r.delay)) {
		return identity.Answer{RetryAt: first.Add(r.delay)}, nil
	}
	p, known := r.persons[q.SNILS]
	switch {
	case n == identity.PensionFund && !known:
		return identity.Answer{Ready: true, Reason: identity.ReasonNotFound}, nil
	case n == identity.PensionFund && (p.Surname != q.Surname || !p.BirthDate.Equal(q.BirthDate)):
		return identity.Answer{Ready: true, Reason: identity.ReasonSNILSMismatch}, nil
	case n == identity.Migration && r.invalid[q.Passport.Series+q.Passport.Number]:
		return identity.Answer{Ready: true, Reason: identity.ReasonPassportInvalid}, nil
	}
	return identity.Answer{Ready: true, OK: true}, nil
}

// taxpayers is kabinet's register as the verification of an ИНН sees it: the persons it holds
// by ИНН.
type taxpayers map[string]identity.PersonQuery

func (t taxpayers) Person(_ context.Context, inn string) (string, string, time.Time, bool, error) {
	p, ok := t[inn]
	return p.Surname, p.GivenName, p.BirthDate, ok, nil
}

// moscow is the jurisdiction's zone the tests count days in.
var moscow = func() *time.Location {
	z, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return time.FixedZone("MSK", 3*60*60)
	}
	return z
}()

type env struct {
	t     *testing.T
	db    *store.DB
	clock *clock
	reg   *registry
	tax   taxpayers
	p     *identity.Provider
	st    *store.Identity
	jobs  *store.Jobs
	flows *flow.Manager
}

func newEnv(t *testing.T, db *store.DB) *env { return newEnvWith(t, db, esign.Config{}) }

// newEnvWith makes the provider with the e-signature verifier's trusted roots and CRLs of cfg.
func newEnvWith(t *testing.T, db *store.DB, cfg esign.Config) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	reg := &registry{now: c.Now, persons: map[string]identity.PersonQuery{}, invalid: map[string]bool{}}
	st := store.NewIdentity(db)
	flows := flow.NewManager(store.NewFlows(db), c.Now)
	cfg.Now = c.Now
	v, err := esign.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tax := taxpayers{}
	p := identity.New(identity.Options{Store: st, Hasher: hasher, Limits: limiter(db, c), Flows: flows, Registry: reg, Taxpayers: tax, Now: c.Now, Verifier: v,
		Challenges: esign.NewChallenges(st, 0, c.Now), Zone: moscow, Countries: oksm})
	return &env{t: t, db: db, clock: c, reg: reg, tax: tax, p: p, st: st, jobs: store.NewJobs(db), flows: flows}
}

// messages returns the messages in the outbox to destination, the oldest first.
func (e *env) messages(to string) []notify.Message { return storetest.Sent(e.t, e.db, to) }

// oksm tells whether the register's ОКСМ has a country with an alpha-3 code.
func oksm(alpha3 string) bool {
	_, ok := register.NewReference().CountryByAlpha3(alpha3)
	return ok
}

// hasher is argon2id with parameters cheap enough for tests.
var hasher = password.NewHasherWith(password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 2)

// limiter is the attempt limits over db on the tests' clock.
func limiter(db *store.DB, c *clock) *limits.Limiter { return limits.New(store.NewLimits(db), c.Now) }

// lastCode returns the code of the newest message to destination in the outbox.
func (e *env) lastCode(to string) string { return storetest.LastCode(e.t, e.db, to) }

// runJobs runs the verification jobs that are due.
func (e *env) runJobs() int {
	e.t.Helper()
	w := jobs.NewWorker(e.jobs, map[string]jobs.Handler{identity.VerifyJob: e.p.HandleVerify}, jobs.Options{Now: e.clock.Now, Log: slog.New(slog.DiscardHandler)})
	n := 0
	for {
		ran, err := w.RunOnce(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if ran == 0 {
			return n
		}
		n += ran
	}
}
