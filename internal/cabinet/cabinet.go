// Package cabinet is the taxpayer's personal account (SPEC section 4, like lkfl.nalog.ru): the
// accounts of persons keyed by their TIN, registration cards with a temporary password issued by
// a tax office (LK-1, LK-2, BO-2), the account's own password and its rules (LK-3), the login by
// TIN and password under the platform's attempt limits, online recovery by e-mail with a code
// word (LK-4), the re-issue of a card that ends every credential and session (LK-10) — or, where
// no card is issued, a one-time password issued at the УГНС (access_restore.go) — login and
// registration with a qualified e-signature (LK-5), online applications an inspector reviews
// (LK-7, BO-3), representatives and parents of children under 14 (LK-8), the read-only
// demonstration account (LK-9), the history of logins and the notifications sent. A login
// through the identity provider (LK-6) enters by SignIn (provider.go).
//
// It holds the rules only: it declares the Store and the Register it needs and imports no SQL
// driver and no net/http. Passwords and code words go through package password (argon2id),
// attempts through package limits (counted before the hash is computed), messages through package
// notify's outbox, and every change is written with its effects (events, messages, audit entries
// of staff actions, BO-5) in the change's own transaction. The tax data themselves (SPEC section
// 5) are not here.
package cabinet

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Source is how an account came to be.
type Source string

// The sources of accounts.
const (
	FromCard     Source = "card"    // a registration card issued by a tax office (LK-1)
	FromESign    Source = "esign"   // registered with a qualified e-signature (LK-5)
	FromProvider Source = "idp"     // first entered through the identity provider (LK-6)
	Managed      Source = "managed" // a principal's or a child's account with no credentials of its own (LK-8)
	// FromRegistration: the taxpayer registered themselves and an inspector of their tax office
	// granted access after seeing the passport (KG-1, registration.go).
	FromRegistration Source = "registration"
)

// RecoveryOffCodeWord is why online recovery was switched off by the rules: three wrong code
// words (LK-4). Only a tax office switches it back (a new card, or Restore).
const RecoveryOffCodeWord = "code_word"

// Account is a taxpayer's personal account. Its key is the TIN, which is also the login (LK-1).
type Account struct {
	TIN    string
	Name   string // the person's full name as the register had it when last read
	Source Source
	// PasswordHash is the argon2id hash of the temporary password of the current card while
	// Temporary, of the owner's own password after (LK-2); "" for an account without credentials.
	PasswordHash string
	Temporary    bool
	// CardID is the current card, "" when none was issued; where no card is issued (KG-1) the
	// restore of access at the УГНС whose one-time password is the temporary one
	// (access_restore.go), with its day of issue and its end in the two fields below.
	CardID        string
	CardIssuedAt  time.Time // the current card's date of issue
	CardExpiresAt time.Time // until when its temporary password may be used (LK-2)
	ActiveFrom    time.Time // a card issued on an online application works from the next day (LK-7)
	PasswordSetAt time.Time
	// SessionsFrom ends every session started before it: a new card (LK-10) and a recovered
	// password end them at once, whichever process serves them.
	SessionsFrom     time.Time
	Email            string
	EmailConfirmed   bool
	Phone            string
	PhoneConfirmed   bool
	CodeWordHash     string // argon2id of the code word of online recovery (LK-4)
	RecoveryOn       bool
	RecoveryFailures int    // wrong code words in a row
	RecoveryOff      string // RecoveryOffCodeWord when the rules switched recovery off
	Lang             string // the language of the messages sent to the owner
	// Signatory is, for an organization's account (KG-1), the personal TIN of the head or the
	// accountant who registered it and holds its password; SignatoryRole what they are to it
	// (head, accountant) as the register knew them. "" for a person's own account.
	Signatory     string
	SignatoryRole string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// HasPassword reports whether the account can be entered with a password.
func (a *Account) HasPassword() bool { return a.PasswordHash != "" }

// Blocked reports whether the account is blocked at now: the temporary password of its card was
// not replaced within a month of issue (LK-2), until a tax office issues a new card.
func (a *Account) Blocked(now time.Time) bool {
	return a.Temporary && !a.CardExpiresAt.IsZero() && !now.Before(a.CardExpiresAt)
}

// Person is a person as the register knows them: what the account shows and what its rules
// check (an applied TIN, the name on a certificate, a child's age).
type Person struct {
	TIN          string
	Surname      string
	GivenName    string
	Patronymic   string
	BirthDate    time.Time
	SNILS        string
	Office       string // the tax office the person is registered with
	Status       string // active, deregistered, not_applied (the register's statuses)
	RegisteredOn time.Time
	// OrgName is set when the taxpayer is an organization whose account this is (KG-1): its
	// name, which FullName returns; the names of a person are empty then.
	OrgName string
}

// StatusNotApplied is the register's status of a TIN that stopped being applied (REG-7).
const StatusNotApplied = "not_applied"

// FullName is the person's name as shown (an organization's name for an organization).
func (p *Person) FullName() string {
	if p.OrgName != "" {
		return p.OrgName
	}
	return strings.Join(strings.Fields(p.Surname+" "+p.GivenName+" "+p.Patronymic), " ")
}

// Applied reports whether the person's TIN is applied (REG-7).
func (p *Person) Applied() bool { return p.Status != StatusNotApplied }

// Office is a tax office as a card names it.
type Office struct {
	Code, Name string
	Region     string // the code of its region
	// Names are its names in other languages than the directory's own, by language (a УГНС in
	// Kyrgyz); a page or a message in such a language names the office so.
	Names map[string]string
}

// In returns the office's name in lang, else the directory's own.
func (o Office) In(lang string) string {
	if n := o.Names[lang]; n != "" {
		return n
	}
	return o.Name
}

// Organization is an organization as the register knows it, where organizations have accounts of
// their own registered by their head or accountant (KG-1).
type Organization struct {
	TIN          string
	Name         string // the short name, else the full name
	Office       string
	Status       string // the register's statuses, as Person's
	RegisteredOn time.Time
	Head         string // the head's personal TIN
	Accountant   string // the accountant's personal TIN, "" when none
}

// SignatoryRole returns what the person with a TIN is to the organization: "head",
// "accountant", or "" when neither (KG-1: only they may register its account).
func (o *Organization) SignatoryRole(tin string) string {
	switch {
	case o == nil || tin == "":
		return ""
	case o.Head == tin:
		return "head"
	case o.Accountant == tin:
		return "accountant"
	}
	return ""
}

// Applied reports whether the organization's TIN is applied (REG-7).
func (o *Organization) Applied() bool { return o.Status != StatusNotApplied }

// Site is the name of the personal account's site, whose sessions are the accounts'.
const Site = "lk"

// Sessions ends sessions (package session's Manager).
type Sessions interface {
	EndAll(ctx context.Context, site, subject, keepToken string) (int, error)
}

// endSessions ends every session of the account tin.
func (s *Service) endSessions(ctx context.Context, tin string) error {
	if s.o.Sessions == nil {
		return nil
	}
	_, err := s.o.Sessions.EndAll(ctx, Site, tin, "")
	return err
}

// Register is the taxpayer register as the personal account reads it; implemented over package
// register by the application's wiring. A person it does not hold is nil with no error.
type Register interface {
	Person(ctx context.Context, tin string) (*Person, error)
	PersonBySNILS(ctx context.Context, snils string) (*Person, error)
	// Organization returns an organization with its signatories (KG-1); nil with no error when
	// the register holds none (or a person) under the TIN.
	Organization(ctx context.Context, tin string) (*Organization, error)
	// Office returns a tax office of the directory; ok is false for an unknown code.
	Office(ctx context.Context, code string) (o Office, ok bool, err error)
	// Offices lists the directory of tax offices by code.
	Offices(ctx context.Context) ([]Office, error)
	// RegionName names one of the jurisdiction's regions ("" for an unknown code).
	RegionName(code string) string
}

// Options are the Service's dependencies.
type Options struct {
	Store      Store
	Register   Register
	Hasher     *password.Hasher
	Limits     *limits.Limiter
	Verifier   *esign.Verifier   // trusted roots and CRLs of qualified certificates (LK-5)
	Challenges *esign.Challenges // stored in the database: several processes share them
	Zone       *time.Location    // the zone of the tax administration's days; Moscow time when nil
	// Profile is the jurisdiction (package jurisdiction): its TIN rules read the logins, its
	// cabinet rules say how taxpayers get an account and what their password must be; Russia's
	// when zero.
	Profile jurisdiction.Profile
	// Terms are the versions of the documents a mobile login accepts (KG-2, terms.go);
	// DefaultTerms when zero.
	Terms Terms
	// Sessions ends the sessions of an account at once when its credentials are replaced (a new
	// card, a recovered password: LK-10); the sessions' start is checked against the account's
	// SessionsFrom as well, so that a process that missed the end refuses them too.
	Sessions Sessions
	// Staff names the staff members who acted on an account in its history (history.go); the
	// history names every one alike when nil.
	Staff StaffDirectory
	Now   func() time.Time
}

// Service applies the personal account's rules.
type Service struct {
	o    Options
	now  func() time.Time
	zone *time.Location
}

// New returns the service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Profile = o.Profile.OrDefault()
	if o.Terms == (Terms{}) {
		o.Terms = DefaultTerms
	}
	z := o.Zone
	if z == nil {
		z = moscow
	}
	return &Service{o: o, now: o.Now, zone: z}
}

// moscow is Moscow time, UTC+3 all year, the zone of the Russian tax administration's days.
var moscow = func() *time.Location {
	if z, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return z
	}
	return time.FixedZone("MSK", 3*60*60)
}()

// Now returns the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Profile returns the jurisdiction the accounts belong to.
func (s *Service) Profile() jurisdiction.Profile { return s.o.Profile }

// Rules returns the jurisdiction's rules of the personal account.
func (s *Service) Rules() jurisdiction.CabinetRules { return s.o.Profile.Cabinet }

// local is the jurisdiction's own wording of a message key, when the catalogue has one
// ("lk.tin_format.kg": a Kyrgyz ИНН has 14 digits).
func (s *Service) local(key string) string { return i18n.Local(key, string(s.o.Profile.Code)) }

// phone reads a phone number as the jurisdiction's people type it (a Kyrgyz one also as at
// home: 0555 123 456), "" when it is none.
func (s *Service) phone(v string) string {
	r := s.o.Profile.Phone
	return notify.NormalizePhoneIn(v, notify.National{CallingCode: r.CallingCode, Trunk: r.Trunk, Digits: r.Digits})
}

// Origin is where a request comes from: the client's address and browser, the device token it
// carries for the attempt limits, and the language of the messages sent to the user.
type Origin struct {
	Address   string
	UserAgent string
	Device    string
	Lang      string
}

func (o Origin) limits() limits.Origin { return limits.Origin{Address: o.Address, Device: o.Device} }

// event makes a line of the account's history.
func (s *Service) event(tin, kind string, o Origin, actor, details string) Event {
	ua := o.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	return Event{TIN: tin, At: s.now().UTC(), Kind: kind, Address: o.Address, Device: ua, Actor: actor, Details: details}
}

var (
	msgNoAccount   = problem.Msg("lk.no_account")
	msgStale       = problem.Msg("lk.stale")
	msgTINFormat   = problem.Msg("lk.tin_format")
	msgTINUnknown  = problem.Msg("lk.tin_unknown")
	msgNotApplied  = problem.Msg("lk.tin_not_applied")
	msgRequired    = problem.Msg("lk.required")
	msgUnavailable = problem.Msg("lk.register_unavailable")
)

// ParseTIN reads a person's TIN as typed (spaces allowed) by the jurisdiction's rules and returns
// its digits (12 in Russia, 14 in the Kyrgyz Republic); a TIN of another jurisdiction is refused
// saying so, an organization's saying that a person's is needed.
func (s *Service) ParseTIN(v string) (string, error) {
	n, err := s.parseTIN("tin", v, jurisdiction.Person)
	return n.Digits, err
}

var (
	msgTINJurisdiction    = problem.Msg("lk.tin_jurisdiction")
	msgTINNotOrganization = problem.Msg("lk.tin_not_organization")
)

// parseTIN reads the TIN typed into field by the jurisdiction's rules: one of holders (any when
// none is given), else an Invalid problem on field that says what is wrong.
func (s *Service) parseTIN(field, v string, holders ...jurisdiction.Holder) (jurisdiction.Number, error) {
	d := strings.Join(strings.Fields(v), "")
	p := s.o.Profile
	n, err := p.TIN.Parse(d, s.now())
	if err != nil {
		if o, other := p.Other(d, s.now()); other && d != "" {
			return n, problem.InvalidField(field, msgTINJurisdiction.With(d, i18n.Key(o.Words.TIN), i18n.Key(p.Words.TIN)))
		}
		return n, problem.InvalidField(field, problem.Number(err))
	}
	if len(holders) > 0 && !slices.Contains(holders, n.Holder) {
		if slices.Contains(holders, jurisdiction.Person) {
			return n, problem.InvalidField(field, problem.Msg(s.local(msgTINFormat.Key)))
		}
		return n, problem.InvalidField(field, msgTINNotOrganization.With(d))
	}
	return n, nil
}

// accountHolders are whose TINs open accounts: persons, and organizations where they register
// accounts of their own through their head or accountant (KG-1).
func (s *Service) accountHolders() []jurisdiction.Holder {
	if s.o.Profile.Register.Signatories {
		return []jurisdiction.Holder{jurisdiction.Person, jurisdiction.Organization}
	}
	return []jurisdiction.Holder{jurisdiction.Person}
}

// Account returns an account.
func (s *Service) Account(ctx context.Context, tin string) (*Account, error) {
	a, err := s.o.Store.Account(ctx, tin)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgNoAccount)
	}
	return a, err
}

// findAccount returns an account, or nil when there is none.
func (s *Service) findAccount(ctx context.Context, tin string) (*Account, error) {
	a, err := s.o.Store.Account(ctx, tin)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

// Person returns the register's person with tin: NotFound when it holds none.
func (s *Service) Person(ctx context.Context, tin string) (*Person, error) {
	p, err := s.o.Register.Person(ctx, tin)
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
	}
	if p == nil {
		return nil, problem.New(problem.NotFound, msgTINUnknown.With(tin))
	}
	return p, nil
}

// Subject returns the taxpayer whose account tin is as the account's pages show it: the
// register's person, or where organizations have accounts (KG-1) the organization, its name in
// OrgName. NotFound when the register holds neither.
func (s *Service) Subject(ctx context.Context, tin string) (*Person, error) {
	p, err := s.o.Register.Person(ctx, tin)
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
	}
	if p != nil || !s.o.Profile.Register.Signatories {
		if p == nil {
			return nil, problem.New(problem.NotFound, msgTINUnknown.With(tin))
		}
		return p, nil
	}
	o, err := s.o.Register.Organization(ctx, tin)
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
	}
	if o == nil {
		return nil, problem.New(problem.NotFound, msgTINUnknown.With(tin))
	}
	return &Person{TIN: o.TIN, OrgName: o.Name, Office: o.Office, Status: o.Status, RegisteredOn: o.RegisteredOn}, nil
}

// appliedPerson returns the register's person with tin whose TIN is applied.
func (s *Service) appliedPerson(ctx context.Context, tin string) (*Person, error) {
	p, err := s.Person(ctx, tin)
	if err != nil {
		return nil, err
	}
	if !p.Applied() {
		return nil, problem.New(problem.Conflict, msgNotApplied.With(tin))
	}
	return p, nil
}

// Offices lists the tax offices of the directory by code, for an applicant to choose the one
// they will visit (LK-7).
func (s *Service) Offices(ctx context.Context) ([]Office, error) { return s.o.Register.Offices(ctx) }

// RegionName names one of the jurisdiction's regions ("" for an unknown code).
func (s *Service) RegionName(code string) string { return s.o.Register.RegionName(code) }

// OfficeName returns the name of a tax office in lang (the directory's own name when it has none
// in lang), or "" when the directory lacks the office.
func (s *Service) OfficeName(ctx context.Context, code, lang string) string {
	o, ok, err := s.o.Register.Office(ctx, code)
	if err != nil || !ok {
		return ""
	}
	return o.In(lang)
}

// update writes a changed account; a concurrent change is a Conflict.
func (s *Service) update(ctx context.Context, a *Account, e Effects) error {
	a.UpdatedAt = s.now().UTC()
	err := s.o.Store.UpdateAccount(ctx, *a, e)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return err
	}
	a.Version++
	return nil
}

// notices prepares a message with key to each confirmed contact of the account (its e-mail and
// its phone).
func (s *Service) notices(a *Account, key string, args ...string) ([]Notice, error) {
	var to []contact
	if a.EmailConfirmed {
		to = append(to, contact{notify.Email, a.Email})
	}
	if a.PhoneConfirmed {
		to = append(to, contact{notify.SMS, a.Phone})
	}
	return s.noticesTo(a.TIN, messageLang(a.Lang), to, key, args...)
}

// contact is an address to send a notice to, on its channel.
type contact struct {
	ch   notify.Channel
	addr string
}

// noticesTo prepares a message with key about the account tin, in lang, to each of the contacts
// that has an address.
func (s *Service) noticesTo(tin, lang string, to []contact, key string, args ...string) ([]Notice, error) {
	var out []Notice
	for _, c := range to {
		if c.addr == "" {
			continue
		}
		n, err := s.notice(tin, c.ch, c.addr, lang, key, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// notice prepares one message to an address about the account tin.
func (s *Service) notice(tin string, ch notify.Channel, to, lang, key string, args ...string) (Notice, error) {
	if k := key + "." + string(s.o.Profile.Code); i18n.Has(i18n.Default, k+".body") {
		key = k // the jurisdiction's own wording ("….kg": turn to the УГНС, not to a card's inspection)
	}
	msgs, err := notify.Prepare(s.now(), notify.Message{Channel: ch, To: to, Lang: messageLang(lang), Key: key, Args: args})
	if err != nil {
		return Notice{}, err
	}
	return Notice{TIN: tin, Message: msgs[0]}, nil
}

// messageLang is the language messages are sent in: the owner's, Russian by default.
func messageLang(lang string) string {
	if lang == "" {
		return "ru"
	}
	return lang
}

// date formats a day as the tax office writes it.
func (s *Service) date(t time.Time) string { return t.In(s.zone).Format("02.01.2006") }

// today is the start of the day of now in the tax administration's zone.
func (s *Service) today() time.Time {
	y, m, d := s.now().In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.zone)
}
