package cabinet

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// LK-7, BO-3: an online application to connect the personal account. A public form with the
// required fields marked gives an application number and a printable application; the applicant
// then visits any tax office with an identity document (and the TIN certificate when it is not
// the office of registration). The inspector finds the application, checks the documents against
// the register and issues the card (the account works from the next day), or refuses it with a
// reason. The printable application is opened with the key its applicant was given.

// AppState is where an application is.
type AppState string

// The states of an application.
const (
	AppSubmitted AppState = "submitted"
	AppApproved  AppState = "approved"
	AppRefused   AppState = "refused"
)

// ApplicationData is what the applicant typed.
type ApplicationData struct {
	Surname     string    `json:"surname"`
	GivenName   string    `json:"given_name"`
	Patronymic  string    `json:"patronymic,omitempty"`
	BirthDate   time.Time `json:"birth_date"`
	TIN         string    `json:"tin,omitempty"` // when the applicant knows it
	DocType     string    `json:"document_type"` // passport_ru, passport_foreign, residence_permit
	DocSeries   string    `json:"document_series,omitempty"`
	DocNumber   string    `json:"document_number"`
	DocIssuedOn time.Time `json:"document_issued_on"`
	DocIssuedBy string    `json:"document_issued_by,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	Email       string    `json:"email,omitempty"`
	Office      string    `json:"office,omitempty"` // the office the applicant means to visit
}

// FullName is the applicant's name.
func (d ApplicationData) FullName() string {
	return strings.Join(strings.Fields(d.Surname+" "+d.GivenName+" "+d.Patronymic), " ")
}

// Application is an online application (LK-7).
type Application struct {
	Seq     int64
	KeyHash []byte // SHA-256 of the key that opens the printable application
	// SurnameKey is the surname as the office's queue finds it (lower case, ё as е); written,
	// not read back.
	SurnameKey string
	State      AppState
	Data       ApplicationData
	Lang       string
	CreatedAt  time.Time
	DecidedAt  time.Time
	DecidedBy  string
	Reason     string // of a refusal
	TIN        string // the TIN the card was issued to
	CardID     string
	Version    int64
}

// Number is the application's number: the year it was made and its sequence, "2026-000042".
func (a *Application) Number() string { return fmt.Sprintf("%d-%06d", a.CreatedAt.Year(), a.Seq) }

// ParseNumber returns the sequence of an application's number, and its year: four digits, a
// hyphen and the sequence's digits (a sign, a space or a second hyphen is not a number).
func ParseNumber(n string) (seq int64, year int, ok bool) {
	y, s, found := strings.Cut(strings.TrimSpace(n), "-")
	if !found || len(y) != 4 || len(s) < 1 || len(s) > 12 || !digits(y) || !digits(s) {
		return 0, 0, false
	}
	year, err1 := strconv.Atoi(y)
	seq, err2 := strconv.ParseInt(s, 10, 64)
	return seq, year, err1 == nil && err2 == nil && seq > 0
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// DocTypes are the identity documents an application takes.
var DocTypes = []string{"passport_ru", "passport_foreign", "residence_permit"}

// ApplicationInput is the application form as typed.
type ApplicationInput struct {
	Surname, GivenName, Patronymic string
	BirthDate                      string // YYYY-MM-DD
	TIN                            string
	DocType, DocSeries, DocNumber  string
	DocIssuedOn, DocIssuedBy       string
	Phone, Email                   string
	Office                         string
	Consent                        bool
}

var (
	msgDate         = problem.Msg("lk.date")
	msgDateFuture   = problem.Msg("lk.date_future")
	msgDateEarly    = problem.Msg("lk.date_early")
	msgDocType      = problem.Msg("lk.application.doc_type")
	msgTooLong      = problem.Msg("lk.too_long")
	msgContact      = problem.Msg("lk.application.contact")
	msgConsent      = problem.Msg("lk.application.consent")
	msgAppUnknown   = problem.Msg("lk.application.unknown")
	msgAppDecided   = problem.Msg("lk.application.decided")
	msgReason       = problem.Msg("lk.application.reason")
	msgAppMismatch  = problem.Msg("lk.application.mismatch")
	msgAppTINNeeded = problem.Msg("lk.application.tin_needed")
)

// tooLong adds to fe that field is longer than max characters, when it is.
func tooLong(fe *problem.Fields, field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		fe.Add(field, msgTooLong.With(i18n.Field(field), max))
	}
}

// checkName checks a name in any alphabet (a foreign citizen's too: names.Check), required or
// not.
func checkName(fe *problem.Fields, field, v string, req bool) {
	if !req || fe.RequiredAs(msgRequired, field, v) {
		names.Check(fe, field, v)
	}
}

// parseDate reads a required civil date that is not in the future.
func (s *Service) parseDate(fe *problem.Fields, field, v string) time.Time {
	if !fe.RequiredAs(msgRequired, field, v) {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	switch {
	case err != nil:
		fe.Add(field, msgDate)
	case t.Year() < 1900:
		fe.Add(field, msgDateEarly)
	case t.After(s.now()):
		fe.Add(field, msgDateFuture)
	}
	return t
}

// SubmitApplication checks and stores an application; it returns the application and the key
// that opens its printable page (shown to the applicant once, in the address they are sent to).
func (s *Service) SubmitApplication(ctx context.Context, in ApplicationInput, lang string) (*Application, string, error) {
	var fe problem.Fields
	checkName(&fe, "surname", in.Surname, true)
	checkName(&fe, "given_name", in.GivenName, true)
	checkName(&fe, "patronymic", in.Patronymic, false)
	d := ApplicationData{Surname: strings.TrimSpace(in.Surname), GivenName: strings.TrimSpace(in.GivenName), Patronymic: strings.TrimSpace(in.Patronymic),
		DocType: strings.TrimSpace(in.DocType), DocSeries: strings.Join(strings.Fields(in.DocSeries), ""), DocNumber: strings.Join(strings.Fields(in.DocNumber), ""),
		DocIssuedBy: strings.TrimSpace(in.DocIssuedBy), Office: strings.TrimSpace(in.Office)}
	d.BirthDate = s.parseDate(&fe, "birth_date", in.BirthDate)
	if strings.TrimSpace(in.TIN) != "" {
		t, err := s.ParseTIN(in.TIN)
		if p, ok := problem.As(err); ok {
			fe = append(fe, p.Fields...)
		}
		d.TIN = t
	}
	if fe.RequiredAs(msgRequired, "document_type", d.DocType) && !contains(DocTypes, d.DocType) {
		fe.Add("document_type", msgDocType)
	}
	tooLong(&fe, "document_series", d.DocSeries, 10)
	if fe.RequiredAs(msgRequired, "document_number", d.DocNumber) {
		tooLong(&fe, "document_number", d.DocNumber, 20)
	}
	d.DocIssuedOn = s.parseDate(&fe, "document_issued_on", in.DocIssuedOn)
	tooLong(&fe, "document_issued_by", d.DocIssuedBy, 300)
	switch {
	case strings.TrimSpace(in.Phone) == "" && strings.TrimSpace(in.Email) == "":
		fe.Add("phone", msgContact)
	default:
		if strings.TrimSpace(in.Phone) != "" {
			if d.Phone = s.phone(in.Phone); d.Phone == "" {
				fe.Add("phone", msgPhone)
			}
		}
		if strings.TrimSpace(in.Email) != "" {
			if d.Email = notify.NormalizeEmail(in.Email); d.Email == "" {
				fe.Add("email", msgEmail)
			}
		}
	}
	if d.Office != "" {
		if _, ok, err := s.o.Register.Office(ctx, d.Office); err != nil {
			return nil, "", err
		} else if !ok {
			fe.Add("office", msgOfficeUnknown.With(d.Office))
		}
	}
	if !in.Consent {
		fe.Add("consent", msgConsent)
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	key := newSecret(18)
	h := sha256.Sum256([]byte(key))
	a := Application{KeyHash: h[:], SurnameKey: names.Fold(d.Surname), State: AppSubmitted, Data: d, Lang: messageLang(lang), CreatedAt: s.now().UTC(), Version: 1}
	seq, err := s.o.Store.InsertApplication(ctx, a)
	if err != nil {
		return nil, "", err
	}
	a.Seq = seq
	return &a, key, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Application returns an application by its number (for the office).
func (s *Service) Application(ctx context.Context, number string) (*Application, error) {
	seq, year, ok := ParseNumber(number)
	if !ok {
		return nil, problem.New(problem.NotFound, msgAppUnknown)
	}
	a, err := s.o.Store.Application(ctx, seq)
	if errors.Is(err, storeerr.ErrNotFound) || err == nil && a.CreatedAt.Year() != year {
		return nil, problem.New(problem.NotFound, msgAppUnknown)
	}
	return a, err
}

// OpenApplication returns an application for its applicant, who holds its key.
func (s *Service) OpenApplication(ctx context.Context, number, key string) (*Application, error) {
	a, err := s.Application(ctx, number)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(key))
	if subtle.ConstantTimeCompare(h[:], a.KeyHash) != 1 {
		return nil, problem.New(problem.NotFound, msgAppUnknown)
	}
	return a, nil
}

// Applications lists applications for the office's queue (BO-3), the newest first.
func (s *Service) Applications(ctx context.Context, state AppState, name string) ([]Application, error) {
	return s.o.Store.Applications(ctx, ApplicationFilter{State: state, Name: names.Fold(name), Limit: 100})
}

// Approval is what the inspector checked and decided when approving an application.
type Approval struct {
	TIN    string // the applicant's TIN: typed, or the application's
	Office string // the issuing office
	Checks Checklist
}

// ApproveApplication issues the card an application asks for (BO-3, LK-7), after the inspector
// checked the documents: the register's person with the TIN must be the applicant (name and
// date of birth). The card works from the next day.
func (s *Service) ApproveApplication(ctx context.Context, actor audit.Actor, number string, ap Approval) (*IssuedCard, error) {
	a, err := s.Application(ctx, number)
	if err != nil {
		return nil, err
	}
	if a.State != AppSubmitted {
		return nil, problem.New(problem.Conflict, msgAppDecided)
	}
	tin := strings.TrimSpace(ap.TIN)
	if tin == "" {
		tin = a.Data.TIN
	}
	if tin == "" {
		return nil, problem.InvalidField("tin", msgAppTINNeeded)
	}
	t, err := s.ParseTIN(tin)
	if err != nil {
		return nil, err
	}
	p, err := s.appliedPerson(ctx, t)
	if err != nil {
		return nil, err
	}
	if names.Fold(p.Surname) != names.Fold(a.Data.Surname) || names.Fold(p.GivenName) != names.Fold(a.Data.GivenName) ||
		!p.BirthDate.IsZero() && !p.BirthDate.Equal(a.Data.BirthDate) {
		return nil, problem.InvalidField("tin", msgAppMismatch)
	}
	return s.issueCard(ctx, actor, CardRequest{TIN: t, Office: ap.Office, Checks: ap.Checks}, a)
}

// RefuseApplication refuses an application with a reason (BO-3).
func (s *Service) RefuseApplication(ctx context.Context, actor audit.Actor, number, reason string) error {
	a, err := s.Application(ctx, number)
	if err != nil {
		return err
	}
	if a.State != AppSubmitted {
		return problem.New(problem.Conflict, msgAppDecided)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return problem.InvalidField("reason", msgReason)
	}
	now := s.now().UTC()
	a.State, a.Reason, a.DecidedAt, a.DecidedBy = AppRefused, reason, now, actor.Login
	e := Effects{Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.application.refuse", Subject: "application:" + a.Number(), Details: "refusal=" + reason}}}
	if a.Data.Email != "" {
		n, err := s.notice("", "email", a.Data.Email, a.Lang, "notify.lk.application_refused", a.Number(), reason)
		if err != nil {
			return err
		}
		e.Messages = []Notice{n}
	}
	err = s.o.Store.UpdateApplication(ctx, *a, e)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return problem.New(problem.Conflict, msgStale)
	}
	return err
}
