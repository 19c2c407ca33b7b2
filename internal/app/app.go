// Package app assembles kabinet: the domain services over one database, the HTTP handler with
// every site, and (next) the workers of the job queue. It is the one wiring of the application,
// used by `kabinet serve` and `kabinet worker`, the end-to-end and server tests and the
// benchmarks alike, so that what is tested is what runs. It holds no rule.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/server"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/web"
)

// Config is what the application is built from.
type Config struct {
	DB *store.DB // open and migrated
	// Profile is the jurisdiction the application serves (jurisdiction.go): the zero value is
	// the database's; another one than the database's is refused.
	Profile  jurisdiction.Profile
	Log      *slog.Logger
	Now      func() time.Time // the clock (tests move it); time.Now by default
	Hasher   *password.Hasher // argon2id with the default parameters when nil
	Proxies  web.Proxies      // whose X-Forwarded-For / X-Forwarded-Proto to believe
	Senders  Senders          // e-mail and SMS; none: messages wait in the outbox
	Demo     bool             // serve the demo pages (the outbox a newcomer reads the codes in)
	Identity Identity         // the identity provider's registries, post and e-signature roots (where it has one)
	// ExtractSigner signs extracts with the office's key (REG-9); nil: extracts are issued unsigned.
	ExtractSigner *extract.Signer
	// PublicURL is the public base address printed in extracts' QR codes and the OpenID Connect
	// issuer, exactly ("" for the request's scheme and host: tests and development only).
	PublicURL string
	// OIDC configures the OpenID Connect provider (IDP-7), where the jurisdiction has the identity
	// provider.
	OIDC OIDC
	// LKOIDC points the personal account's login through an identity provider (LK-6) at another
	// provider than kabinet's own (lkidp.go); zero: the own provider.
	LKOIDC LKOIDC
	// Terms are the versions of the offer agreement and the privacy policy a mobile login
	// accepts (KG-2); zero: cabinet.DefaultTerms.
	Terms cabinet.Terms
}

// App is the assembled application.
type App struct {
	DB       *store.DB
	Profile  jurisdiction.Profile // the jurisdiction, handed to every service and site
	Log      *slog.Logger
	Now      func() time.Time
	Hasher   *password.Hasher
	Register *register.Service
	Extracts *extract.Service
	Staff    *staff.Service
	Sessions *session.Manager
	Flows    *flow.Manager
	Limits   *limits.Limiter
	Jobs     *store.Jobs
	Notify   *notify.Service
	Identity *identity.Provider // nil where the jurisdiction has no identity provider (Profile.IdentityProvider)
	OIDC     *oidc.Provider     // likewise
	Cabinet  *cabinet.Service   // the personal accounts (SPEC section 4): cabinet.go
	Handler  http.Handler

	senders Senders
	outbox  *store.Notify
	wakeMu  sync.Mutex
	wake    []func()
}

// New builds the application over c.DB.
func New(ctx context.Context, c Config) (*App, error) {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Hasher == nil {
		c.Hasher = password.NewHasher(0)
	}
	profile, err := DatabaseProfile(ctx, c.DB, c.Profile.Code)
	if err != nil {
		return nil, err
	}
	a := &App{DB: c.DB, Profile: profile, Log: c.Log, Now: c.Now, Hasher: c.Hasher, senders: c.Senders}
	a.Register = register.New(store.NewRegister(c.DB), register.Options{Now: c.Now, Profile: profile})
	if err := a.Register.LoadOffices(ctx); err != nil {
		return nil, fmt.Errorf("load tax offices: %w", err)
	}
	a.Extracts = extract.NewService(a.Register, c.ExtractSigner, c.PublicURL)
	a.Limits = limits.New(store.NewLimits(c.DB), c.Now)
	a.Staff = staff.New(store.NewStaff(c.DB), c.Hasher, a.Limits, c.Now)
	a.Sessions = session.NewManager(store.NewSessions(c.DB), c.Now)
	a.Flows = flow.NewManager(store.NewFlows(c.DB), c.Now)
	a.Jobs = store.NewJobs(c.DB)
	a.outbox = store.NewNotify(c.DB)
	a.Notify = notify.New(a.outbox, c.Now)
	if profile.IdentityProvider {
		// IDP-1..7, BO-4: the identity provider and its OpenID Connect provider are the Russian
		// Federation's; where the jurisdiction has none (the Kyrgyz Republic) both stay nil, and
		// neither their sites, nor their pages of the back office, nor their jobs exist.
		if err := a.newIdentity(c); err != nil {
			return nil, err
		}
		if err := a.newOIDC(ctx, c); err != nil {
			return nil, err
		}
	}
	if err := a.newCabinet(c); err != nil {
		return nil, err
	}
	lkIdP, err := a.newLKIdP(ctx, c)
	if err != nil {
		return nil, err
	}
	h, err := server.New(server.Deps{DB: c.DB, Profile: profile, Register: a.Register, Extracts: a.Extracts, Staff: a.Staff, Audit: c.DB, Sessions: a.Sessions, Flows: a.Flows, Identity: a.Identity,
		Cabinet: a.Cabinet, LKIdP: lkIdP, OIDC: a.OIDC, Issuer: c.PublicURL, Proxies: c.Proxies, Log: c.Log, Collectors: []prometheus.Collector{server.NewJobsCollector(a.Jobs, c.Now)}, Outbox: outbox(c.Demo, a.Notify)})
	if err != nil {
		return nil, err
	}
	a.Handler = h
	return a, nil
}

// outbox returns the outbox the demo pages list, when they are served.
func outbox(demo bool, n *notify.Service) server.Outbox {
	if !demo {
		return nil
	}
	return n
}
