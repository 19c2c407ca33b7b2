package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
)

// The identity provider's wiring: its registries, its post, its e-signature roots.

// Identity configures the identity provider.
type Identity struct {
	Registry identity.Registry // the external registries (IDP-3); none: every check waits
	Post     identity.Post     // registered mail (IDP-4b); none: no letter can be ordered
	// ESignRoots is a directory of the trusted roots of qualified certificates, and ESignCRLs
	// their revocation lists (IDP-4c); with CRLs given, revocation checking is required.
	ESignRoots string
	ESignCRLs  []string
}

// errNoRegistry makes a check wait when no registry is configured: the job is tried again.
var errNoRegistry = errors.New("no registry configured")

type noRegistry struct{}

func (noRegistry) Check(context.Context, identity.RegistryName, identity.PersonQuery) (identity.Answer, error) {
	return identity.Answer{}, errNoRegistry
}

type noPost struct{}

func (noPost) Send(context.Context, string, string, time.Time) (string, error) {
	return "", errNoRegistry
}
func (noPost) Track(context.Context, string, time.Time) (identity.Tracking, error) {
	return identity.Tracking{}, errNoRegistry
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
	if id.Registry == nil {
		id.Registry = noRegistry{}
	}
	if id.Post == nil {
		id.Post = noPost{}
	}
	v, err := esign.NewVerifier(esign.Config{RootsDir: id.ESignRoots, CRLFiles: id.ESignCRLs, RequireRevocation: len(id.ESignCRLs) > 0, Now: c.Now})
	if err != nil {
		return fmt.Errorf("e-signature roots: %w", err)
	}
	st := store.NewIdentity(c.DB)
	a.Identity = identity.New(identity.Options{Store: st, Hasher: c.Hasher, Limits: a.Limits, Flows: a.Flows, Registry: id.Registry,
		Taxpayers: taxpayers{a.Register}, Post: id.Post, Verifier: v, Challenges: esign.NewChallenges(st, 15*time.Minute, c.Now), Now: c.Now})
	return nil
}
