package register

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Options configure a Service.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
	// Reference is the reference data every write is checked against (ОКСМ, documents per
	// citizenship, КПП reasons per kind); the embedded directories (NewReference) when nil.
	Reference *Reference
}

// Service applies the register's rules over a Store.
type Service struct {
	store Store
	now   func() time.Time
	ref   *Reference

	officesMu     sync.Mutex
	officesLoaded bool
}

// New returns a Service over st.
func New(st Store, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Reference == nil {
		opt.Reference = NewReference()
	}
	return &Service{store: storage{st}, now: opt.Now, ref: opt.Reference}
}

// Counter scopes (REG-1, REG-8, REG-9). Person and organization serials are per office (the
// prefix); КПП serials per office and reason; КИО and extract numbers have their own counters.
const (
	scopePerson       = "person"
	scopeOrganization = "organization"
	scopeKIO          = "kio"
	scopeKPP          = "kpp:" // + reason
	scopeExtract      = "extract"
)

// КПП reason codes the register assigns by default for each ground (TIN-4, REG-5). 01 is fixed by
// the order (at the organization's location); the others follow the codes the tax service uses
// in practice: 43 for a separate subdivision (branch), 45 for real estate and vehicles, 30 for
// other grounds (e.g. a Russian organization acting as a tax agent). 50 is the first code for a
// foreign organization.
const (
	ReasonLocation    = "01"
	ReasonOther       = "30"
	ReasonSubdivision = "43"
	ReasonProperty    = "45"
	ReasonForeign     = "50"
)

// Messages the rules return.
var (
	msgTaxpayerNotFound = problem.Msg("register.not_found")
	msgReviewNotFound   = problem.Msg("register.review_not_found")
	msgKIONotFound      = problem.Msg("register.kio_not_found")
	msgNotApplied       = problem.Msg("register.not_applied")
	msgWrongKind        = problem.Msg("register.wrong_kind")
	msgReviewDecided    = problem.Msg("register.review_decided")
	msgNotCandidate     = problem.Msg("register.not_candidate")
	msgDocOther         = problem.Msg("register.document_taken")
	msgSNILSTaken       = problem.Msg("register.snils_taken")
	msgOGRNTaken        = problem.Msg("register.ogrn_taken")
	msgKeptSelf         = problem.Msg("register.kept_self")
	msgKeptNotApplied   = problem.Msg("register.kept_not_applied")
	msgKeptKind         = problem.Msg("register.kept_kind")
	msgSameOffice       = problem.Msg("register.same_office")
	msgSerialsExhausted = problem.Msg("register.serials_exhausted")
	msgOfficeExists     = problem.Msg("register.office_exists")
	msgKIOTaken         = problem.Msg("register.kio_taken")
	msgTINFormat        = problem.Msg("register.tin_format")
	msgOffsetMax        = problem.Msg("register.offset_max")
)

// update runs fn in one transaction. When a unique key was taken by a concurrent transaction it
// runs it again from the start: the new attempt sees the winner's row (REG-3 under concurrency).
func (s *Service) update(ctx context.Context, fn func(tx Tx) error) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		err = s.store.Update(ctx, fn)
		if err == nil || !errors.Is(err, storeerr.ErrKeyTaken) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

func (s *Service) entry(actor audit.Actor, action, subject, details string) audit.Entry {
	return audit.Entry{At: s.now().UTC(), Actor: actor, Action: action, Subject: subject, Details: details}
}

func notFound(tin string) error {
	return problem.New(problem.NotFound, msgTaxpayerNotFound.With(tin))
}
