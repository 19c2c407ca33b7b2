package cabinet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// KG-1, BO-3, BO-5: self-registration in the taxpayer cabinet where the jurisdiction registers
// by application (jurisdiction.ByApplication: the Kyrgyz Republic, seed 004). The taxpayer picks
// the person type — an individual (also an individual entrepreneur) or a legal entity — types
// their own ИНН, whose search fills the full name and the code of the tax office (УГНС) from the
// register; for a legal entity also the organization's ИНН, whose search fills its name, and
// only the organization's head or accountant, as the register knows them, may register it. The
// password (the jurisdiction's rule: at least eight characters) is typed twice; every field is
// required and nothing is saved while one is empty or wrong. The application goes to the
// inspectors of the УГНС — the applicant's, for a legal entity the organization's — who grant
// access once the applicant has shown the passport in person, or refuse with a reason; the
// applicant is told either way by SMS or e-mail when a contact was given, and sees the decision
// on the application's status page by its number and their ИНН in any case
// (registration_status.go). The account exists
// only once granted: its login is the ИНН of the taxpayer whose cabinet it is (one cabinet per
// taxpayer, as a card's, LK-1) and its password the one set at registration. Every decision is in
// the audit log.

// PersonType is who registers (the form's «Тип лица»).
type PersonType string

// The person types of KG-1.
const (
	Individual  PersonType = "individual" // физическое лицо, also an individual entrepreneur
	LegalEntity PersonType = "legal"      // юридическое лицо, through its head or accountant
)

// PersonTypes lists the person types in the order the form offers them.
var PersonTypes = []PersonType{Individual, LegalEntity}

// Registration is an application for the cabinet (KG-1).
type Registration struct {
	Seq    int64
	Type   PersonType
	TIN    string // the applicant's own ИНН
	Name   string // the applicant's full name, from the register
	Office string // the УГНС whose inspectors decide: the applicant's, for a legal entity the organization's
	// OrgTIN, OrgName and Role are the organization a legal entity's application registers, its
	// name from the register, and what the applicant is to it (head, accountant).
	OrgTIN, OrgName, Role string
	PasswordHash          string // the argon2id hash of the password set at registration
	Phone, Email          string // the contacts the decision is sent to, optional
	Lang                  string
	State                 AppState
	CreatedAt             time.Time
	DecidedAt             time.Time
	DecidedBy             string
	Reason                string // of a refusal
	Passport              string // what the inspector noted of the passport shown in person
	Version               int64
	// Notified lists the channels (sms, email) a notice of the decision just taken was queued on;
	// not stored. None when the application gave no contact: the applicant learns the decision
	// on the status page (registration_status.go).
	Notified []notify.Channel
}

// Number is the application's number: the year it was made and its sequence, "2026-000042".
func (r *Registration) Number() string { return fmt.Sprintf("%d-%06d", r.CreatedAt.Year(), r.Seq) }

// Login is the login of the account the application asks for: the ИНН of the taxpayer whose
// cabinet it is — the organization's for a legal entity.
func (r *Registration) Login() string {
	if r.Type == LegalEntity {
		return r.OrgTIN
	}
	return r.TIN
}

// RegistrationInput is the form as typed.
type RegistrationInput struct {
	Type            string
	TIN, OrgTIN     string
	Password, Again string
	Phone, Email    string
	Lang            string // the page's language, in which Found names the УГНС
	// Address is the applicant's client address, under which the look-ups of the register are
	// counted (searchLookups); empty for a staff member's, which are not.
	Address string
}

// searchLookups limits the look-ups of the register one client address makes through the
// registration form (each answers with a name and a УГНС), so that walking the ИНН costs the
// walker; an applicant needs a few.
var searchLookups = limits.Rule{Max: 30, Window: time.Hour}

// countSearch counts a look-up of the register for the applicant's address (searchLookups).
func (s *Service) countSearch(ctx context.Context, in RegistrationInput) error {
	if in.Address == "" {
		return nil
	}
	return s.count(ctx, "lk.registration_search.client", in.Address, searchLookups)
}

// Found is what the form's searches («Поиск») found in the register.
type Found struct {
	Name       string // the applicant's full name
	Office     string // the УГНС of the application
	OfficeName string
	OrgName    string // the organization's name (a legal entity)
	Role       string // what the applicant is to the organization: head, accountant
}

// RegistrationFilter selects applications for an office's queue (BO-3), the newest first.
type RegistrationFilter struct {
	Office string   // "" for every office
	State  AppState // "" for any
	Limit  int
}

var (
	msgRegOff         = problem.Msg("lk.reg.off")
	msgRegType        = problem.Msg("lk.reg.type")
	msgRegNoPerson    = problem.Msg("lk.reg.no_person")
	msgRegNoOrg       = problem.Msg("lk.reg.no_organization")
	msgRegEnded       = problem.Msg("lk.reg.not_applied")
	msgRegNotSigner   = problem.Msg("lk.reg.not_signatory")
	msgRegAccount     = problem.Msg("lk.reg.account_exists")
	msgRegPending     = problem.Msg("lk.reg.pending")
	msgRegUnknown     = problem.Msg("lk.reg.unknown")
	msgRegDecided     = problem.Msg("lk.reg.decided")
	msgRegOffice      = problem.Msg("lk.reg.other_office")
	msgRegPassport    = problem.Msg("lk.reg.passport")
	msgRegPassportLen = problem.Msg("lk.reg.passport_note")
	msgSignatoryGone  = problem.Msg("lk.reg.signatory_gone")
)

// byApplication refuses a registration where the jurisdiction issues cards instead (LK-1).
func (s *Service) byApplication() error {
	if s.o.Profile.Cabinet.Registration != jurisdiction.ByApplication {
		return problem.New(problem.NotFound, msgRegOff)
	}
	return nil
}

// Search finds in the register what the form's «Поиск» fills (KG-1): the applicant's name and
// УГНС by the ИНН typed into "tin"; with org, also the organization's name by "org_tin", its УГНС
// taking the application, and what the applicant is to it — a person who is neither its head
// nor its accountant is refused with that reason.
func (s *Service) Search(ctx context.Context, in RegistrationInput, org bool) (Found, error) {
	if err := s.byApplication(); err != nil {
		return Found{}, err
	}
	if err := s.countSearch(ctx, in); err != nil {
		return Found{}, err
	}
	var fe problem.Fields
	f, _, _ := s.search(ctx, &fe, in, org)
	return f, fe.Err()
}

// search looks the applicant (and with org the organization) up, adding the errors of field tin
// and org_tin to fe; it returns what it found and the TINs as the register keeps them.
func (s *Service) search(ctx context.Context, fe *problem.Fields, in RegistrationInput, org bool) (f Found, tin, orgTIN string) {
	if fe.RequiredAs(msgRequired, "tin", in.TIN) {
		n, err := s.parseTIN("tin", in.TIN, jurisdiction.Person)
		if p, ok := problem.As(err); ok {
			*fe = append(*fe, p.Fields...)
		} else {
			tin = n.Digits
			p, err := s.o.Register.Person(ctx, tin)
			switch {
			case err != nil:
				fe.Add("tin", msgUnavailable)
			case p == nil:
				fe.Add("tin", msgRegNoPerson.With(tin))
			case !p.Applied():
				fe.Add("tin", msgRegEnded.With(tin))
			default:
				f.Name, f.Office = p.FullName(), p.Office
			}
		}
	}
	if org && fe.RequiredAs(msgRequired, "org_tin", in.OrgTIN) {
		n, err := s.parseTIN("org_tin", in.OrgTIN, jurisdiction.Organization)
		if p, ok := problem.As(err); ok {
			*fe = append(*fe, p.Fields...)
		} else {
			orgTIN = n.Digits
			o, err := s.o.Register.Organization(ctx, orgTIN)
			switch {
			case err != nil:
				fe.Add("org_tin", msgUnavailable)
			case o == nil:
				fe.Add("org_tin", msgRegNoOrg.With(orgTIN))
			case !o.Applied():
				fe.Add("org_tin", msgRegEnded.With(orgTIN))
			default:
				f.OrgName, f.Office = o.Name, o.Office
				// KG-1: a legal entity registers through its head or accountant.
				if f.Role = o.SignatoryRole(tin); tin != "" && f.Role == "" && !fe.Has("tin") {
					fe.Add("org_tin", msgRegNotSigner.With(tin, o.Name))
				}
			}
		}
	}
	if f.Office != "" {
		f.OfficeName = s.OfficeName(ctx, f.Office, in.Lang)
	}
	return f, tin, orgTIN
}

// SubmitRegistration checks and stores an application for the cabinet (KG-1): every field of
// the form required and checked — the person type, the ИНН found in the register, for a legal
// entity the organization's ИНН with the applicant its head or accountant, the password by the
// jurisdiction's rules typed twice — and the contacts, if given. A taxpayer who has an account
// already, or an application waiting, is told so. Nothing is stored while anything is wrong. It
// returns what the register gave for the form's read-only fields, also when it refuses.
func (s *Service) SubmitRegistration(ctx context.Context, in RegistrationInput, lang string) (_ *Registration, f Found, _ error) {
	if err := s.byApplication(); err != nil {
		return nil, f, err
	}
	if in.Lang == "" {
		in.Lang = lang
	}
	var fe problem.Fields
	typ := PersonType(strings.TrimSpace(in.Type))
	if fe.RequiredAs(msgRequired, "person_type", in.Type) && !slices.Contains(PersonTypes, typ) {
		fe.Add("person_type", msgRegType)
	}
	if err := s.countSearch(ctx, in); err != nil {
		return nil, f, err
	}
	var tin, orgTIN string
	f, tin, orgTIN = s.search(ctx, &fe, in, typ == LegalEntity)
	if err := s.checkPasswordPair("password", "password_repeat", in.Password, in.Again); err != nil {
		if p, ok := problem.As(err); ok {
			fe = append(fe, p.Fields...)
		}
	}
	r := Registration{Type: typ, TIN: tin, Name: f.Name, Office: f.Office, Lang: messageLang(lang), State: AppSubmitted, Version: 1}
	if typ == LegalEntity {
		r.OrgTIN, r.OrgName, r.Role = orgTIN, f.OrgName, f.Role
	}
	if v := strings.TrimSpace(in.Phone); v != "" {
		if r.Phone = s.phone(v); r.Phone == "" {
			fe.Add("phone", problem.Msg(s.local(msgPhone.Key)))
		}
	}
	if v := strings.TrimSpace(in.Email); v != "" {
		if r.Email = notify.NormalizeEmail(v); r.Email == "" {
			fe.Add("email", msgEmail)
		}
	}
	loginField := "tin"
	if typ == LegalEntity {
		loginField = "org_tin"
	}
	if login := r.Login(); login != "" && !fe.Has(loginField) {
		if err := s.checkNew(ctx, &fe, loginField, login); err != nil {
			return nil, f, err
		}
	}
	if err := fe.Err(); err != nil {
		return nil, f, err
	}
	hash, err := s.o.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, f, err
	}
	r.PasswordHash, r.CreatedAt = hash, s.now().UTC()
	seq, err := s.o.Store.InsertRegistration(ctx, r)
	if _, taken := storeerr.IsKeyTaken(err); taken {
		// Another application for the same login was saved meanwhile (a second tab): say which.
		if err := s.checkNew(ctx, &fe, loginField, r.Login()); err != nil {
			return nil, f, err
		}
		if len(fe) == 0 {
			return nil, f, problem.New(problem.Conflict, msgStale)
		}
		return nil, f, fe.Err()
	}
	if err != nil {
		return nil, f, err
	}
	r.Seq = seq
	return &r, f, nil
}

// checkNew refuses a login that has an account already or an application waiting.
func (s *Service) checkNew(ctx context.Context, fe *problem.Fields, field, login string) error {
	a, err := s.findAccount(ctx, login)
	if err != nil {
		return err
	}
	if a != nil {
		fe.Add(field, msgRegAccount.With(login))
		return nil
	}
	_, err = s.o.Store.PendingRegistration(ctx, login)
	switch {
	case errors.Is(err, storeerr.ErrNotFound):
	case err != nil:
		return err
	default:
		// Its number is not told: with the ИНН it opens the application's state, which is for
		// its applicant, who was given it (RegistrationStatus).
		fe.Add(field, msgRegPending.With(login))
	}
	return nil
}

// Registration returns an application by its number.
func (s *Service) Registration(ctx context.Context, number string) (*Registration, error) {
	seq, year, ok := ParseNumber(number)
	if !ok {
		return nil, problem.New(problem.NotFound, msgRegUnknown)
	}
	r, err := s.o.Store.Registration(ctx, seq)
	if errors.Is(err, storeerr.ErrNotFound) || err == nil && r.CreatedAt.Year() != year {
		return nil, problem.New(problem.NotFound, msgRegUnknown)
	}
	return r, err
}

// Registrations lists the applications of an office's queue (BO-3) in a state ("" any), the
// newest first; office "" lists every office's.
func (s *Service) Registrations(ctx context.Context, office string, state AppState) ([]Registration, error) {
	return s.o.Store.Registrations(ctx, RegistrationFilter{Office: office, State: state, Limit: 200})
}

// decidable returns the application number waiting for a decision of an inspector of office
// ("" for a member of any office: an administrator).
func (s *Service) decidable(ctx context.Context, office, number string) (*Registration, error) {
	r, err := s.Registration(ctx, number)
	if err != nil {
		return nil, err
	}
	if office != "" && r.Office != office {
		return nil, problem.New(problem.Forbidden, msgRegOffice.With(r.Office))
	}
	if r.State != AppSubmitted {
		return nil, problem.New(problem.Conflict, msgRegDecided)
	}
	return r, nil
}

// ApproveRegistration grants access on an application (KG-1, BO-3): the inspector of its УГНС
// (office; "" for an administrator) records that the applicant showed the passport in person —
// passport says what was checked, shown when true — and the account is created with the password
// set at registration; the register is read again (the person's ИНН still applied, the
// organization's head or accountant still the applicant). The applicant is told the login by
// SMS or e-mail when a contact was given (Notified says whether); the decision is in the audit
// log.
func (s *Service) ApproveRegistration(ctx context.Context, actor audit.Actor, office, number string, shown bool, passport string) (*Registration, error) {
	r, err := s.decidable(ctx, office, number)
	if err != nil {
		return nil, err
	}
	passport = strings.Join(strings.Fields(passport), " ")
	var fe problem.Fields
	if !shown {
		fe.Add("passport_shown", msgRegPassport)
	}
	if utf8.RuneCountInString(passport) > 100 {
		fe.Add("passport", msgRegPassportLen)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	in := RegistrationInput{Type: string(r.Type), TIN: r.TIN, OrgTIN: r.OrgTIN}
	f, _, _ := s.search(ctx, &fe, in, r.Type == LegalEntity)
	if err := fe.Err(); err != nil {
		// The register changed since the application: the inspector refuses it with the reason.
		return nil, problem.New(problem.Conflict, fe[0].Message)
	}
	now := s.now().UTC()
	login := r.Login()
	a := Account{TIN: login, Name: f.Name, Source: FromRegistration, PasswordHash: r.PasswordHash, PasswordSetAt: r.CreatedAt,
		SessionsFrom: now, Email: r.Email, Phone: r.Phone, Lang: r.Lang, CreatedAt: now, UpdatedAt: now, Version: 1}
	if r.Type == LegalEntity {
		a.Name, a.Signatory, a.SignatoryRole = f.OrgName, r.TIN, f.Role
		r.OrgName, r.Role = f.OrgName, f.Role
	}
	r.State, r.DecidedAt, r.DecidedBy, r.Passport = AppApproved, now, actor.Login, passport
	details := fmt.Sprintf("application=%s office=%s type=%s applicant=%s passport=shown", r.Number(), r.Office, r.Type, r.TIN)
	if r.Role != "" {
		details += " role=" + r.Role
	}
	e := Effects{Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.registration.approve", Subject: login, Details: details}},
		Events: []Event{s.event(login, "registration_approved", Origin{Address: actor.RemoteAddr}, actor.Login, r.Number())}}
	if e.Messages, err = s.contactNotices(r, login, "notify.kg.registration_approved", r.Number(), login, s.OfficeName(ctx, r.Office, r.Lang)); err != nil {
		return nil, err
	}
	r.Notified = channels(e.Messages)
	err = s.o.Store.DecideRegistration(ctx, *r, &a, e)
	if _, taken := storeerr.IsKeyTaken(err); taken {
		return nil, problem.New(problem.Conflict, msgRegAccount.With(login))
	}
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return nil, err
	}
	r.Version++
	return r, nil
}

// RefuseRegistration refuses an application with a reason (KG-1, BO-3) and returns it refused;
// the applicant is told it by SMS or e-mail when a contact was given (Notified says whether), sees
// it on the status page in any case, and may apply again.
func (s *Service) RefuseRegistration(ctx context.Context, actor audit.Actor, office, number, reason string) (*Registration, error) {
	r, err := s.decidable(ctx, office, number)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, problem.InvalidField("reason", msgReason)
	}
	now := s.now().UTC()
	r.State, r.Reason, r.DecidedAt, r.DecidedBy = AppRefused, reason, now, actor.Login
	e := Effects{Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.registration.refuse", Subject: r.Login(),
		Details: fmt.Sprintf("application=%s office=%s refusal=%s", r.Number(), r.Office, reason)}}}
	if e.Messages, err = s.contactNotices(r, "", "notify.kg.registration_refused", r.Number(), reason); err != nil {
		return nil, err
	}
	err = s.o.Store.DecideRegistration(ctx, *r, nil, e)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return nil, err
	}
	r.Version++
	r.Notified = channels(e.Messages)
	return r, nil
}

// channels lists the channels of the messages prepared.
func channels(msgs []Notice) []notify.Channel {
	var out []notify.Channel
	for _, n := range msgs {
		out = append(out, n.Message.Channel)
	}
	return out
}

// PrintRegistration returns an approved application to print the login handed over with it
// (KG-1); the print is in the audit log.
func (s *Service) PrintRegistration(ctx context.Context, actor audit.Actor, office, number string) (*Registration, error) {
	r, err := s.Registration(ctx, number)
	if err != nil {
		return nil, err
	}
	if office != "" && r.Office != office {
		return nil, problem.New(problem.Forbidden, msgRegOffice.With(r.Office))
	}
	if r.State != AppApproved {
		return nil, problem.New(problem.Conflict, msgRegDecided)
	}
	e := Effects{Audit: []audit.Entry{{At: s.now().UTC(), Actor: actor, Action: "lk.registration.print", Subject: r.Login(), Details: "application=" + r.Number()}}}
	return r, s.o.Store.Record(ctx, e)
}

// contactNotices prepares a message about an application to each contact it gives (they are not
// confirmed: the applicant typed them), listed among the notifications of the account tin when
// one exists.
func (s *Service) contactNotices(r *Registration, tin, key string, args ...string) ([]Notice, error) {
	return s.noticesTo(tin, r.Lang, []contact{{notify.SMS, r.Phone}, {notify.Email, r.Email}}, key, args...)
}

// admitSignatory refuses an organization's account (KG-1) whose organization stopped being
// applied, or whose holder is no longer its head or accountant by the register.
func (s *Service) admitSignatory(ctx context.Context, a *Account) error {
	o, err := s.o.Register.Organization(ctx, a.TIN)
	if err != nil {
		return problem.Wrap(problem.Unavailable, msgUnavailable, err)
	}
	if o == nil || !o.Applied() {
		return problem.New(problem.Forbidden, problem.Msg(s.local(msgLoginStale.Key)))
	}
	if o.SignatoryRole(a.Signatory) == "" {
		return problem.New(problem.Forbidden, msgSignatoryGone.With(a.Signatory))
	}
	if o.Name != a.Name {
		a.Name = o.Name // renamed (REG-6): shown from now on
		_ = s.update(ctx, a, Effects{})
	}
	return nil
}

// AddAccount creates an approved account for a taxpayer of the register as an inspector's
// approval would (KG-1; `kabinet kg account add`): a person's own account, or an organization's
// held by its head; the password keeps the jurisdiction's rules. It returns the account, whose
// TIN is the login.
func (s *Service) AddAccount(ctx context.Context, actor audit.Actor, tin, pw string) (*Account, error) {
	if err := s.byApplication(); err != nil {
		return nil, err
	}
	n, err := s.parseTIN("tin", tin, s.accountHolders()...)
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword("password", pw, pw); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	a := Account{TIN: n.Digits, Source: FromRegistration, SessionsFrom: now, Lang: messageLang(""), CreatedAt: now, UpdatedAt: now, Version: 1}
	if n.Holder == jurisdiction.Organization {
		o, err := s.o.Register.Organization(ctx, n.Digits)
		if err != nil {
			return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
		}
		if o == nil {
			return nil, problem.InvalidField("tin", msgRegNoOrg.With(n.Digits))
		}
		if !o.Applied() || o.Head == "" {
			return nil, problem.InvalidField("tin", msgRegEnded.With(n.Digits))
		}
		a.Name, a.Signatory, a.SignatoryRole = o.Name, o.Head, "head"
	} else {
		p, err := s.appliedPerson(ctx, n.Digits)
		if err != nil {
			return nil, err
		}
		a.Name = p.FullName()
	}
	if err := s.setPassword(ctx, &a, pw); err != nil {
		return nil, err
	}
	e := Effects{Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.account.add", Subject: a.TIN, Details: "source=" + string(a.Source)}},
		Events: []Event{s.event(a.TIN, "registration_approved", Origin{Address: actor.RemoteAddr}, actor.Login, "")}}
	err = s.o.Store.InsertAccount(ctx, a, e)
	if _, taken := storeerr.IsKeyTaken(err); taken {
		return nil, problem.New(problem.Conflict, msgRegAccount.With(a.TIN))
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}
