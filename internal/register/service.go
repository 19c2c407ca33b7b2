package register

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// Options configure a Service.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
}

// Service applies the register's rules over a Store.
type Service struct {
	store Store
	now   func() time.Time
}

// Store is the storage the register needs. Implemented by package store; see its conformance tests.
type Store interface{}

// New returns a Service over st.
func New(st Store, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{store: st, now: opt.Now}
}

var errTODO = problem.New(problem.Unavailable, problem.Msg("todo", "Ещё не реализовано", "Not implemented yet"))

// RegisterPerson registers an individual and assigns a TIN (REG-1, REG-4), or returns the TIN the
// person already has (REG-3: Created false), or holds the request for an inspector's review when
// only the name and birth data match (Result.Review set).
func (s *Service) RegisterPerson(ctx context.Context, actor audit.Actor, in PersonInput) (Result, error) {
	return Result{}, errTODO
}

// BatchResult is the outcome of one row of RegisterPersons.
type BatchResult struct {
	Result
	Err error // a *problem.Error for a refused row; the other rows are unaffected
}

// RegisterPersons registers many persons with the same rules as RegisterPerson, committing them
// together (used by the bulk import). Rows refused for bad input get Err and do not stop the others.
func (s *Service) RegisterPersons(ctx context.Context, actor audit.Actor, ins []PersonInput) ([]BatchResult, error) {
	return nil, errTODO
}

// RegisterOrganization registers a Russian organization: TIN and the КПП at its location (REG-5).
func (s *Service) RegisterOrganization(ctx context.Context, actor audit.Actor, in OrganizationInput) (Result, error) {
	return Result{}, errTODO
}

// RegisterForeignOrganization registers a foreign organization: 9909 + КИО + check digit, reusing
// an existing КИО or creating one (TIN-3, REG-8), and a КПП on its ground.
func (s *Service) RegisterForeignOrganization(ctx context.Context, actor audit.Actor, in ForeignOrganizationInput) (Result, error) {
	return Result{}, errTODO
}

// AssignKPP registers an organization on a further ground and returns the new КПП (REG-5).
func (s *Service) AssignKPP(ctx context.Context, actor audit.Actor, tin string, in KPPInput) (KPP, error) {
	return KPP{}, errTODO
}

// PersonUpdate changes an individual's data; nil fields stay as they are. The TIN never changes (REG-6).
type PersonUpdate struct {
	Surname, GivenName, Patronymic, BirthPlace, Citizenship, SNILS *string
	BirthDate                                                      *time.Time
	Sex                                                            *Sex
	Address                                                        *Address
	Document                                                       *IdentityDocument // a new current document; the old one stays on record
	TaxOffice                                                      *string           // a move to another office
	Note                                                           string
}

// UpdatePerson changes an individual's data and records the change in the history (REG-6).
func (s *Service) UpdatePerson(ctx context.Context, actor audit.Actor, tin string, u PersonUpdate) (*Taxpayer, error) {
	return nil, errTODO
}

// OrganizationUpdate changes an organization's data; nil fields stay as they are.
type OrganizationUpdate struct {
	FullName, ShortName, OGRN *string
	Address                   *Address
	Note                      string
}

// UpdateOrganization changes an organization's data and records it in the history (REG-6).
func (s *Service) UpdateOrganization(ctx context.Context, actor audit.Actor, tin string, u OrganizationUpdate) (*Taxpayer, error) {
	return nil, errTODO
}

// Deregister ends a registration. Death and liquidation (and reorganization, redomiciliation) stop
// the TIN being applied (REG-7); other reasons keep it applied (REG-6).
func (s *Service) Deregister(ctx context.Context, actor audit.Actor, tin string, e Ending) (*Taxpayer, error) {
	return nil, errTODO
}

// MarkDuplicate stops applying duplicateTIN, which then points to keptTIN (REG-7).
func (s *Service) MarkDuplicate(ctx context.Context, actor audit.Actor, duplicateTIN, keptTIN, note string) (*Taxpayer, error) {
	return nil, errTODO
}

// Reviews lists possible-duplicate reviews with the given status (all when empty), oldest first.
func (s *Service) Reviews(ctx context.Context, status ReviewStatus, limit int) ([]Review, error) {
	return nil, errTODO
}

// Review returns one review.
func (s *Service) Review(ctx context.Context, id int64) (*Review, error) { return nil, errTODO }

// DecideReview closes a review: sameAs is the TIN of the candidate the person turned out to be
// (that TIN is applied and the new document added to it), or "" for a different person (a new TIN
// is assigned).
func (s *Service) DecideReview(ctx context.Context, actor audit.Actor, id int64, sameAs string) (Result, error) {
	return Result{}, errTODO
}

// Taxpayer returns the record with its KPPs and history (FindTaxpayerByTIN).
func (s *Service) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) { return nil, errTODO }

// Search finds taxpayers.
func (s *Service) Search(ctx context.Context, f SearchFilter) ([]Summary, error) { return nil, errTODO }

// KIO returns a КИО directory entry.
func (s *Service) KIO(ctx context.Context, code string) (*KIO, error) { return nil, errTODO }

// ListKIO lists the КИО directory, filtered by a name or code prefix.
func (s *Service) ListKIO(ctx context.Context, query string, limit int) ([]KIO, error) {
	return nil, errTODO
}

// UpdateKIO changes a КИО's identification block by application (REG-8).
func (s *Service) UpdateKIO(ctx context.Context, actor audit.Actor, code string, in KIOInput) (*KIO, error) {
	return nil, errTODO
}

// Offices lists the tax offices of the directory (embedded reference data plus additions).
func (s *Service) Offices(ctx context.Context) ([]Office, error) { return nil, errTODO }

// AddOffice extends the directory of tax offices.
func (s *Service) AddOffice(ctx context.Context, actor audit.Actor, o Office) error { return errTODO }

// Extract issues an extract confirming the TIN (REG-9); issuing it is recorded in the audit log.
func (s *Service) Extract(ctx context.Context, actor audit.Actor, tin string) (*Extract, error) {
	return nil, errTODO
}
