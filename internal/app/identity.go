package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/post"
	"github.com/kabinet/kabinet/internal/identity/registry"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
)

// The identity provider's wiring: its registries, its post, its e-signature roots.

// Identity configures the identity provider.
type Identity struct {
	// Registry answers for the external registries (IDP-3); when nil it is chosen from the
	// fields below: the HTTP adapter when RegistryHTTP.URL is set, else the embedded reference
	// registry with the demo (or with RegistryPersons), else none: every check waits, and a
	// verification ends as not completed after identity.VerifyDeadline (five days).
	Registry identity.Registry
	// RegistryHTTP configures the HTTP adapter to the external registries: base URL, timeout,
	// client certificate and CA (package registry documents the protocol).
	RegistryHTTP registry.HTTPOptions
	// RegistryPersons are persons files the reference registry knows besides its embedded ones;
	// given without the demo, they select the reference registry too.
	RegistryPersons []string
	// Post sends and tracks registered letters (IDP-4b); the simulated post when nil.
	Post identity.Post
	// ESignRoots is a directory of the trusted roots of qualified certificates, and ESignCRLs
	// their revocation lists (IDP-4c); with CRLs given, revocation checking is required.
	ESignRoots string
	ESignCRLs  []string
	// CatalogueDir is a directory of a deployment's own services.json and centres.json, which
	// extend the embedded catalogue (IDP-2, IDP-5): an entry with a new id is added, one with a
	// known id replaces it. Empty: the embedded catalogue alone.
	CatalogueDir string
}

// errNoRegistry makes a check wait when no registry is configured: the job is tried again.
var errNoRegistry = errors.New("no registry configured")

type noRegistry struct{}

func (noRegistry) Check(context.Context, identity.RegistryName, identity.PersonQuery) (identity.Answer, error) {
	return identity.Answer{}, errNoRegistry
}

// DemoRegistryDelay is how long the reference registry takes, with the demo, to answer about
// persons without a delay of their own: long enough to see "in progress", short enough to wait.
const DemoRegistryDelay = 2 * time.Minute

// newRegistry chooses the registries of the verification (IDP-3): the configured HTTP adapter,
// else the embedded reference registry for the demo (or when persons files are given), else
// none: checks wait, "in progress", for a registry to be configured, and a verification ends
// as not completed after five days (identity.VerifyDeadline), to be sent again.
func newRegistry(c Config) (identity.Registry, error) {
	id := c.Identity
	switch {
	case id.Registry != nil:
		return id.Registry, nil
	case id.RegistryHTTP.URL != "":
		o := id.RegistryHTTP
		o.Now = c.Now
		return registry.NewHTTP(o)
	case c.Demo || len(id.RegistryPersons) > 0:
		return registry.NewReference(registry.ReferenceOptions{Delay: DemoRegistryDelay, Now: c.Now, Files: id.RegistryPersons})
	}
	return noRegistry{}, nil
}

// taxpayers is the register as the verification of an ИНН asks it.
type taxpayers struct{ r *register.Service }

func (t taxpayers) Person(ctx context.Context, tin string) (string, string, time.Time, bool, error) {
	tp, err := t.r.Taxpayer(ctx, tin)
	if problem.Is(err, problem.NotFound) || problem.Is(err, problem.Invalid) {
		return "", "", time.Time{}, false, nil
	}
	if err != nil {
		return "", "", time.Time{}, false, err
	}
	if tp.Person == nil {
		return "", "", time.Time{}, false, nil
	}
	return tp.Person.Surname, tp.Person.GivenName, tp.Person.BirthDate, true, nil
}

func (a *App) newIdentity(c Config) error {
	id := c.Identity
	reg, err := newRegistry(c)
	if err != nil {
		return fmt.Errorf("identity registries: %w", err)
	}
	id.Registry = reg
	if id.Post == nil {
		// The simulated post (IDP-4b) is the default: the demo and a fresh installation can
		// confirm accounts by registered mail with it (its letters keep their text in memory,
		// their tracking needs none); a real post plugs in here behind identity.Post.
		id.Post = post.New()
	}
	v, err := esign.NewVerifier(esign.Config{RootsDir: id.ESignRoots, CRLFiles: id.ESignCRLs, RequireRevocation: len(id.ESignCRLs) > 0, Now: c.Now})
	if err != nil {
		return fmt.Errorf("e-signature roots: %w", err)
	}
	catalogue := identity.EmbeddedCatalogue()
	if id.CatalogueDir != "" {
		if catalogue, err = catalogue.Extend(os.DirFS(id.CatalogueDir)); err != nil {
			return fmt.Errorf("the catalogue of %s: %w", id.CatalogueDir, err)
		}
	}
	st := store.NewIdentity(c.DB)
	a.Identity = identity.New(identity.Options{Store: st, Hasher: c.Hasher, Limits: a.Limits, Flows: a.Flows, Registry: id.Registry,
		Taxpayers: taxpayers{a.Register}, Post: id.Post, Verifier: v, Challenges: esign.NewChallenges(st, 15*time.Minute, c.Now), Now: c.Now,
		Catalogue: catalogue, Zone: a.Profile.Location(), Countries: func(alpha3 string) bool {
			_, ok := a.Register.Reference().CountryByAlpha3(alpha3)
			return ok
		}})
	return nil
}
