// Package apptest starts the whole application (package app, the same wiring as `kabinet
// serve`) for tests and benchmarks: on a given database, with cheap password hashing unless
// asked otherwise, a clock the test can move, and a real HTTP server on 127.0.0.1.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/web"
)

// CheapHash are argon2id parameters that make tests fast; never for real passwords.
var CheapHash = password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// Clock is a clock a test moves by hand; it starts at the real time.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t (the real time when zero).
func NewClock(t time.Time) *Clock {
	if t.IsZero() {
		t = time.Now()
	}
	return &Clock{t: t}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Options change how the application is started.
type Options struct {
	Hash     *password.Params // CheapHash when nil
	Clock    *Clock           // a clock at the real time when nil
	Log      io.Writer        // the application's log (discarded when nil)
	Proxies  web.Proxies
	Demo     bool         // serve the demo pages
	Senders  app.Senders  // e-mail and SMS senders (none: messages wait in the outbox)
	Identity app.Identity // the identity provider's registries, post and e-signature roots
	// Wrap, when set, wraps the application's handler (a test mounts a site of its own beside it).
	Wrap func(http.Handler) http.Handler
	// OIDC configures the OpenID Connect provider; its secret key is TestSecretKey when none is
	// given, so that every application a test starts on one database reads the same keys.
	OIDC app.OIDC
	// PublicURL is the issuer and the base of extracts' QR codes ("": the request's).
	PublicURL string
	// LKOIDC points the personal account's login through an identity provider (LK-6) at another
	// provider than kabinet's own.
	LKOIDC app.LKOIDC
	// Profile is the jurisdiction (package jurisdiction); zero: the database's (Russia for a
	// new one).
	Profile jurisdiction.Profile
}

// TestSecretKey is the secret key of the applications tests start; never for real keys.
var TestSecretKey = []byte("kabinet-test-secret-key-32-bytes")

// App is a running application.
type App struct {
	*app.App
	URL   string // http://127.0.0.1:port
	Clock *Clock
}

// Start builds the application on db and serves it until the test ends.
func Start(t testing.TB, db *store.DB, o Options) *App {
	t.Helper()
	if o.Hash == nil {
		o.Hash = &CheapHash
	}
	if o.Clock == nil {
		o.Clock = NewClock(time.Time{})
	}
	if o.OIDC.SecretKey == nil {
		o.OIDC.SecretKey = TestSecretKey
	}
	var log *slog.Logger
	if o.Log != nil {
		log = slog.New(slog.NewTextHandler(o.Log, nil))
	} else {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := app.New(context.Background(), app.Config{DB: db, Profile: o.Profile, Log: log, Now: o.Clock.Now,
		Hasher: password.NewHasherWith(*o.Hash, 0), Proxies: o.Proxies,
		Demo: o.Demo, Senders: o.Senders, Identity: o.Identity, OIDC: o.OIDC, PublicURL: o.PublicURL, LKOIDC: o.LKOIDC})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &App{App: a, URL: "http://" + ln.Addr().String(), Clock: o.Clock}
}
