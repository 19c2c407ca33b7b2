package identity

import (
	"context"
	"errors"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Site is the name of the identity provider's web site and of its sessions (package session):
// a session of the site belongs to the account whose id is its subject.
const Site = "id"

// Taxpayers is kabinet's own taxpayer register as the verification of an ИНН needs it (IDP-3):
// the name and birth date it holds for a TIN, found false when it holds none.
type Taxpayers interface {
	Person(ctx context.Context, tin string) (surname, given string, birth time.Time, found bool, err error)
}

// Options are the Provider's dependencies.
type Options struct {
	Store      Store
	Hasher     *password.Hasher
	Limits     *limits.Limiter
	Flows      *flow.Manager
	Registry   Registry
	Taxpayers  Taxpayers
	Post       Post
	Verifier   *esign.Verifier   // trusted roots and CRLs of qualified certificates (IDP-4c)
	Challenges *esign.Challenges // stored in the database: several processes share them
	Now        func() time.Time
	// Documents are the texts a registration accepts, with their versions (IDP-1).
	Documents []ConsentDoc
	// Catalogue is the directory of services and service centres (IDP-2, IDP-5); the embedded
	// one when nil. A deployment extends it: EmbeddedCatalogue().Extend(os.DirFS(dir)).
	Catalogue *Directory
	// Zone is the jurisdiction's time zone, in which days are counted: a letter is tracked
	// from the next day and a new one ordered a calendar month later (IDP-4b). UTC when nil.
	Zone *time.Location
	// Countries tells whether ОКСМ, the classifier of the world's countries, has a country
	// with an alpha-3 code: a citizenship must be one (IDP-3). Any three Latin letters when nil.
	Countries func(alpha3 string) bool
}

// ConsentDoc is a text accepted at registration: its name and the version shown.
type ConsentDoc struct{ Doc, Version string }

// DefaultDocuments are the terms of use and the consent to the processing of personal data.
var DefaultDocuments = []ConsentDoc{{"terms", "2026-11"}, {"personal_data", "2026-11"}}

// Provider applies the identity provider's rules.
type Provider struct {
	o    Options
	now  func() time.Time
	zone *time.Location
}

// New returns the provider.
func New(o Options) *Provider {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Documents == nil {
		o.Documents = DefaultDocuments
	}
	if o.Catalogue == nil {
		o.Catalogue = EmbeddedCatalogue()
	}
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	return &Provider{o: o, now: o.Now, zone: o.Zone}
}

// Documents returns the texts a registration accepts.
func (s *Provider) Documents() []ConsentDoc { return s.o.Documents }

// Origin is where a request comes from: the client's address and browser, and the device token
// it carries for the attempt limits.
type Origin struct {
	Address   string
	UserAgent string
	Device    string
	Lang      string // the language of the messages sent to the user
}

func (o Origin) limits() limits.Origin { return limits.Origin{Address: o.Address, Device: o.Device} }

func (s *Provider) event(accountID, kind string, o Origin, details string) Event {
	ua := o.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	return Event{AccountID: accountID, At: s.now().UTC(), Kind: kind, Address: o.Address, Device: ua, Details: details}
}

// message prepares a notification to a phone or an e-mail.
func (s *Provider) message(to, lang, key string, args ...string) (notify.Message, error) {
	ch := notify.Email
	if notify.IsPhone(to) {
		ch = notify.SMS
	}
	msgs, err := notify.Prepare(s.now(), notify.Message{Channel: ch, To: to, Lang: lang, Key: key, Args: args})
	if err != nil {
		return notify.Message{}, err
	}
	return msgs[0], nil
}

// notifyAccount prepares a message to the account's phone (or its e-mail when it has none).
func (s *Provider) notifyAccount(a *Account, key string, args ...string) ([]notify.Message, error) {
	lang := messageLang(a.Lang)
	to := a.Phone
	if to == "" {
		to = a.Email
	}
	if to == "" {
		return nil, nil
	}
	m, err := s.message(to, lang, key, args...)
	if err != nil {
		return nil, err
	}
	return []notify.Message{m}, nil
}

var (
	msgNoAccount = problem.Msg("idp.no_account")
	msgStale     = problem.Msg("idp.stale")
)

// Account returns an account.
func (s *Provider) Account(ctx context.Context, id string) (*Account, error) {
	a, err := s.o.Store.Account(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgNoAccount)
	}
	return a, err
}

// update writes a changed account; a concurrent change (another tab) is a Conflict.
func (s *Provider) update(ctx context.Context, a *Account, e Effects) error {
	err := s.o.Store.UpdateAccount(ctx, *a, e)
	switch {
	case errors.Is(err, storeerr.ErrConflict):
		return problem.New(problem.Conflict, msgStale)
	case err != nil:
		if key, taken := storeerr.IsKeyTaken(err); taken {
			return problem.InvalidField(takenField(key), msgTaken(key))
		}
		return err
	}
	a.Version++
	return nil
}

// takenField names the input of the identifier of a key taken.
func takenField(key string) string {
	switch key {
	case "phone", "email", "snils":
		return key
	}
	return "login"
}

func msgTaken(key string) problem.Message { return problem.Msg("idp.taken." + takenField(key)) }

func m1(m notify.Message) []notify.Message { return []notify.Message{m} }
