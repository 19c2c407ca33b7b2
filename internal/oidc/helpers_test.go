package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const iss = "https://kabinet.example"

// clock is the tests' clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a provider over a real SQLite database, with accounts of the identity provider.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *clock
	p     *oidc.Provider
	ids   *identity.Provider
	key   []byte
}

func secretKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.SQLite(t)
	e := &env{t: t, ctx: context.Background(), db: db, clock: &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, key: secretKey()}
	e.ids = identity.New(identity.Options{Store: store.NewIdentity(db), Now: e.clock.Now,
		Hasher: password.NewHasherWith(password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 0)})
	e.p = e.provider(e.key)
	return e
}

// provider returns another provider (another process) on the same database.
func (e *env) provider(key []byte) *oidc.Provider {
	e.t.Helper()
	p, err := oidc.New(oidc.Options{Store: store.NewOIDC(e.db), Accounts: e.ids, SecretKey: key, Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

var phones = 0

// account adds an account at a level.
func (e *env) account(level identity.Level, method identity.Method) *identity.Account {
	e.t.Helper()
	phones++
	snils := ""
	if level != identity.Simplified {
		snils = snilsOf(100000000 + phones*7919)
	}
	a, err := e.ids.AddAccount(e.ctx, identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Patronymic: "Викторовна",
		Phone: fmt.Sprintf("+7916%07d", phones), Email: "", SNILS: snils, INN: "500100732259", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC),
		Level: level, Method: method, Password: "Volga-river-2026"})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// snilsOf returns the СНИЛС of the nine digits of n, with its check digits.
func snilsOf(n int) string {
	s, err := tin.NewSNILS(fmt.Sprintf("%09d", n))
	if err != nil {
		panic(err)
	}
	return s
}

// client registers a client.
func (e *env) client(n oidc.NewClient) (*oidc.Client, string) {
	e.t.Helper()
	if len(n.RedirectURIs) == 0 {
		n.RedirectURIs = []string{"https://rp.example/cb"}
	}
	c, secret, err := e.p.AddClient(e.ctx, n)
	if err != nil {
		e.t.Fatal(err)
	}
	return c, secret
}

// pkce returns a verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(h[:])
}

// request parses an authorization request of c with extra parameters.
func (e *env) request(c *oidc.Client, extra url.Values) *oidc.AuthRequest {
	e.t.Helper()
	q := url.Values{"client_id": {c.ID}, "redirect_uri": {c.RedirectURIs[0]}, "response_type": {"code"}, "scope": {"openid profile"}}
	for k, v := range extra {
		q[k] = v
	}
	r, err := oidc.ParseAuthRequest(c, q)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) signIn(a *identity.Account) *oidc.SignIn {
	return &oidc.SignIn{AccountID: a.ID, SessionID: "sess-1", AuthTime: e.clock.Now(), Method: session.Password}
}

// code issues a code for a request the citizen allowed.
func (e *env) code(c *oidc.Client, a *identity.Account, r *oidc.AuthRequest) string {
	e.t.Helper()
	code, err := e.p.IssueCode(e.ctx, c, r, e.signIn(a), a)
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// errCode returns the protocol error code of err, or "".
func errCode(err error) string {
	if pe, ok := oidc.AsError(err); ok {
		return pe.Code
	}
	return ""
}

// pStore returns the provider's storage.
func (e *env) pStore() oidc.Store { return store.NewOIDC(e.db) }
