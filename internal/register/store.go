package register

import (
	"context"
	"errors"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Store is the storage the register needs. Package store implements it on SQLite and PostgreSQL;
// it holds no rule, only rows, and its conformance is checked by the service-level tests.
type Store interface {
	Reader
	// Update runs fn in one transaction and commits it. The whole function is run again when the
	// engine reports a serialization failure, and when fn returns a *storeerr.KeyTaken itself: a
	// unique key that a concurrent transaction took between this one's reads and its write, whose
	// row the next attempt reads (REG-3 under concurrency). fn must therefore do all its work
	// through tx. A key taken that the rules answer they wrap in a problem of their own, which
	// ends the transaction. When a unique key is still taken, the error wraps storeerr.ErrKeyTaken.
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Reader reads the register. What it does not find is storeerr.ErrNotFound; a row that clashes
// with an existing unique key (a document, a СНИЛС, an ОГРН, a TIN, a pending review) is a
// *storeerr.KeyTaken. The service decides what each means (storage, below).
type Reader interface {
	// Taxpayer returns a record with its documents, KPPs and history.
	Taxpayer(ctx context.Context, tin string) (*Taxpayer, error)
	// Search lists taxpayers matching f; Query is already split by the service into q.
	Search(ctx context.Context, q Query) ([]Summary, error)
	// Review returns one review.
	Review(ctx context.Context, id int64) (*Review, error)
	// Reviews lists reviews with a status (all when empty), oldest first.
	Reviews(ctx context.Context, status ReviewStatus, limit int) ([]Review, error)
	// KIO returns a КИО entry.
	KIO(ctx context.Context, code string) (*KIO, error)
	// ListKIO lists КИО entries whose code or normalized name starts with prefix.
	ListKIO(ctx context.Context, prefix string, limit int) ([]KIO, error)
	// Offices lists the tax offices.
	Offices(ctx context.Context) ([]Office, error)
	// Office returns one office.
	Office(ctx context.Context, code string) (*Office, error)
	// IssuedExtract returns what the extract with a number stated when issued (REG-9).
	IssuedExtract(ctx context.Context, number string) (*IssuedExtract, error)
	// ExtractFiles returns the PDF and the signature kept with an issued extract (REG-9).
	ExtractFiles(ctx context.Context, number string) (*ExtractFiles, error)
}

// Query is a search as the store runs it: each non-empty field is one alternative (OR), the
// filters apply to all of them. The service fills it from SearchFilter.
type Query struct {
	TINPrefix   string   // digits: a TIN or its beginning
	Words       []string // query words (QueryWords): each begins a word index entry (SearchWords) of the record
	DocKeys     []string // document keys (DocumentKey) of a number under every document type
	DocNumber   string   // the word index entry of a document number without its series
	OGRN        string
	KIO         string
	SNILS       string
	Kind        Kind
	Status      Status
	Limit       int
	Offset      int
	MatchNoText bool // no text query: list everything that passes the filters
}

// PersonMatch is a person found by name and birth date, a candidate for REG-3.
type PersonMatch struct {
	TIN        string
	BirthPlace string
	Status     Status
}

// NameBirth is a normalized full name and a birth date, what REG-3 compares when no document matches.
type NameBirth struct {
	Name  string
	Birth time.Time
}

// Key identifies a NameBirth in maps.
func (n NameBirth) Key() string { return n.Name + "|" + n.Birth.Format(time.DateOnly) }

// NewTaxpayer is a row to insert: the record and the normalized keys the store indexes.
type NewTaxpayer struct {
	Taxpayer
	NameNorm string
	At       time.Time // registration instant
	Actor    string
}

// NewDocument records that a document key (DocumentKey) belongs to a person (REG-3). The
// documents themselves are part of the person's data (Person.Documents).
type NewDocument struct {
	TIN string
	Key string
}

// Tx is what the rules do inside one transaction.
type Tx interface {
	Reader
	// LockTaxpayer reads a record for update: concurrent writers of the same TIN wait (REG-6).
	LockTaxpayer(ctx context.Context, tin string) (*Taxpayer, error)
	// NextSerials takes n consecutive serials from the counter (scope, prefix), starting at
	// start (or wherever the counter is), and returns the first; the counter is created at start
	// when missing. REG-1: the counter row is updated in the transaction, so no serial is taken twice.
	NextSerials(ctx context.Context, scope, prefix string, n int, start int64) (int64, error)
	// LockNames makes registrations of persons with the same normalized name and birth date wait
	// for each other until commit (REG-3): what the rules read after it in this transaction
	// includes whatever such a registration committed. It may hold more than the names asked.
	LockNames(ctx context.Context, names []NameBirth) error
	// PersonByDocument returns the TIN holding a document key, or "" when none.
	PersonByDocument(ctx context.Context, key string) (string, error)
	// PersonsByDocuments maps each known key to its TIN (bulk REG-3).
	PersonsByDocuments(ctx context.Context, keys []string) (map[string]string, error)
	// PersonsBySNILS maps each known СНИЛС to its TIN.
	PersonsBySNILS(ctx context.Context, snils []string) (map[string]string, error)
	// PersonsByNamesBirths lists, for each (normalized name, birth date), the persons that have
	// them; the result is keyed by NameBirth.Key.
	PersonsByNamesBirths(ctx context.Context, keys []NameBirth) (map[string][]PersonMatch, error)
	// PendingReviewsByDocuments maps document keys to their pending reviews.
	PendingReviewsByDocuments(ctx context.Context, keys []string) (map[string]*Review, error)
	// InsertTaxpayers inserts new records, their KPPs and the keys of their first documents, and
	// the "registered" entry of each history (bulk-friendly: few statements for many rows).
	InsertTaxpayers(ctx context.Context, rows []NewTaxpayer, docs []NewDocument) error
	// InsertDocument records the key of one more document of a person; the document itself is
	// written with the person's data by UpdateTaxpayer.
	InsertDocument(ctx context.Context, d NewDocument) error
	// UpdateTaxpayer writes a changed record (status, office, data, ending) and bumps its version.
	UpdateTaxpayer(ctx context.Context, t *Taxpayer, nameNorm string) error
	// InsertKPP records a КПП of tin.
	InsertKPP(ctx context.Context, tin string, k KPP) error
	// AddChange appends to a taxpayer's history.
	AddChange(ctx context.Context, tin string, c Change) error
	// InsertReview stores a new review and returns its id.
	InsertReview(ctx context.Context, r *Review, docKey string) (int64, error)
	// UpdateReview records a decision.
	UpdateReview(ctx context.Context, r *Review) error
	// FindKIO returns the КИО registered under an ОКСМ code and registration number, or nil.
	FindKIO(ctx context.Context, oksm, regNumber string) (*KIO, error)
	// InsertKIO adds a КИО entry.
	InsertKIO(ctx context.Context, k *KIO, nameNorm string) error
	// UpdateKIO writes a changed КИО entry.
	UpdateKIO(ctx context.Context, k *KIO, nameNorm string) error
	// InsertOffices adds offices, leaving existing codes as they are.
	InsertOffices(ctx context.Context, offices []Office) error
	// InsertExtract records an issued extract: what it stated and its files (REG-9).
	InsertExtract(ctx context.Context, x *IssuedExtract, f ExtractFiles) error
	// Audit writes audit entries in the transaction (BO-5).
	Audit(ctx context.Context, entries ...audit.Entry) error
}

// The store reports what it did not find and which unique key was taken with the typed errors
// of package storeerr; storage turns them into the register's own problems, with the register's
// messages, at the one door between the rules and the Store.

// found returns err, or the register's NotFound problem with m when the store found nothing.
func found(err error, m problem.Message) error {
	if errors.Is(err, storeerr.ErrNotFound) {
		return problem.Wrap(problem.NotFound, m, err)
	}
	return err
}

// storage wraps a Store so that what the rules read and write speaks the register's problems.
type storage struct{ Store }

func (s storage) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	t, err := s.Store.Taxpayer(ctx, tin)
	return t, found(err, msgTaxpayerNotFound.With(tin))
}

func (s storage) Review(ctx context.Context, id int64) (*Review, error) {
	r, err := s.Store.Review(ctx, id)
	return r, found(err, msgReviewNotFound.With(id))
}

func (s storage) KIO(ctx context.Context, code string) (*KIO, error) {
	k, err := s.Store.KIO(ctx, code)
	return k, found(err, msgKIONotFound.With(code))
}

func (s storage) Office(ctx context.Context, code string) (*Office, error) {
	o, err := s.Store.Office(ctx, code)
	return o, found(err, msgOfficeUnknown.With(code))
}

// Update runs fn over a transaction that speaks the register's problems; every write of the
// rules goes through it. A unique key taken that fn did not answer with a problem of its own goes
// back to the store as the *storeerr.KeyTaken itself, so that the store runs the transaction
// again (Store.Update); one still taken when the store gives up is a Conflict.
func (s storage) Update(ctx context.Context, fn func(tx Tx) error) error {
	err := s.Store.Update(ctx, func(tx Tx) error { return unanswered(fn(txStorage{tx})) })
	if errors.Is(err, storeerr.ErrKeyTaken) {
		if _, isProblem := problem.As(err); !isProblem {
			return problem.Wrap(problem.Conflict, problem.MsgConflict, err)
		}
	}
	return err
}

// unanswered returns the *storeerr.KeyTaken in err when the rules did not answer it with a
// problem of their own, err otherwise.
func unanswered(err error) error {
	var kt *storeerr.KeyTaken
	if errors.As(err, &kt) {
		if _, isProblem := problem.As(err); !isProblem {
			return kt
		}
	}
	return err
}

type txStorage struct{ Tx }

func (t txStorage) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tp, err := t.Tx.Taxpayer(ctx, tin)
	return tp, found(err, msgTaxpayerNotFound.With(tin))
}

func (t txStorage) LockTaxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tp, err := t.Tx.LockTaxpayer(ctx, tin)
	return tp, found(err, msgTaxpayerNotFound.With(tin))
}

func (t txStorage) Review(ctx context.Context, id int64) (*Review, error) {
	r, err := t.Tx.Review(ctx, id)
	return r, found(err, msgReviewNotFound.With(id))
}

func (t txStorage) KIO(ctx context.Context, code string) (*KIO, error) {
	k, err := t.Tx.KIO(ctx, code)
	return k, found(err, msgKIONotFound.With(code))
}

func (t txStorage) Office(ctx context.Context, code string) (*Office, error) {
	o, err := t.Tx.Office(ctx, code)
	return o, found(err, msgOfficeUnknown.With(code))
}

func (t txStorage) UpdateTaxpayer(ctx context.Context, tp *Taxpayer, nameNorm string) error {
	return found(t.Tx.UpdateTaxpayer(ctx, tp, nameNorm), msgTaxpayerNotFound.With(tp.TIN))
}
