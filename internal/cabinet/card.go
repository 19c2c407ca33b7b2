package cabinet

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// LK-1, LK-2, BO-2, LK-10: a registration card. An inspector in any tax office checks the
// person's documents — the passport always, the TIN certificate when the person is not served by
// that office — and issues a card: the date of issue, the office's code and name, the person's
// name, the login (the TIN) and a random temporary password, with a short memo. The temporary
// password is shown once, on the card, and stored hashed; it is valid one month from issue and
// must be replaced at the first login; once it has expired unused the account is blocked until
// an office issues a new card. A new card replaces the previous one: its password, the own
// password, the code word of online recovery and every session stop working at once (LK-10).
// A child under 14 gets no card: a parent manages the child's account (LK-8).

// CardState is where a card is.
type CardState string

// The states of a card.
const (
	CardIssued   CardState = "issued"   // handed over, its temporary password not yet replaced
	CardUsed     CardState = "used"     // its temporary password was replaced by the owner's own
	CardReplaced CardState = "replaced" // a newer card was issued
)

// Card is a registration card (LK-1). Its temporary password is not kept: only its hash, on the
// account.
type Card struct {
	ID          string
	TIN         string // the login
	Name        string // the person's name
	Office      string // the issuing tax office's code
	OfficeName  string
	IssuedAt    time.Time
	ExpiresAt   time.Time // the temporary password's end (LK-2)
	ActiveFrom  time.Time // a card on an online application works from the next day (LK-7)
	IssuedBy    string    // the staff login, or "cli"
	Checked     []string  // the documents checked: passport, tin_certificate
	Application string    // the number of the online application it answers, if any
	State       CardState
	UsedAt      time.Time
}

// Blocked reports whether the card's temporary password expired unused at now (LK-2).
func (c Card) Blocked(now time.Time) bool { return c.State == CardIssued && !now.Before(c.ExpiresAt) }

// IssuedCard is a card as handed over: with its temporary password, shown this once.
type IssuedCard struct {
	Card
	TemporaryPassword string
	Reissue           bool // it replaced an earlier card or password (LK-10)
}

// Checklist is what an inspector checked of the documents shown in person (BO-2).
type Checklist struct {
	PassportShown       bool // the passport was shown and matches the register
	TINCertificateShown bool // the certificate of registration (the TIN), when the person is not served by the office
	Note                string
}

func (c Checklist) documents() []string {
	var out []string
	if c.PassportShown {
		out = append(out, "passport")
	}
	if c.TINCertificateShown {
		out = append(out, "tin_certificate")
	}
	return out
}

// CardRequest is what issuing a card takes.
type CardRequest struct {
	TIN    string
	Office string // the issuing office; the person's own office when ""
	// IssuedAt is the date of issue of a card carried over from an earlier system (the command
	// line); now when zero. It may not be in the future.
	IssuedAt time.Time
	Checks   Checklist
	// Unchecked marks a card issued by the command line, whose documents were checked outside
	// kabinet (a card carried over): no checklist is asked.
	Unchecked bool
}

// ChildAge is the age until which a child has no card of their own: a parent manages the
// account (LK-8).
const ChildAge = 14

var (
	msgChecklist     = problem.Msg("lk.card.checklist")
	msgOfficeUnknown = problem.Msg("lk.card.office_unknown")
	msgIssuedFuture  = problem.Msg("lk.card.issued_future")
	msgChild         = problem.Msg("lk.card.child")
	msgNotTemporary  = problem.Msg("lk.card.not_temporary")
	msgCardUnknown   = problem.Msg("lk.card.unknown")
	msgCardPassword  = problem.Msg("lk.card.password")
)

// AddMonth returns the same instant a calendar month after t in zone, the last day of the next
// month when it has no such day (31 January → 28 or 29 February).
func AddMonth(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	y, m, d := l.Date()
	first := time.Date(y, m+1, 1, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), zone)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(y, m+1, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), zone).UTC()
}

// Age returns the age in whole years on the day of now of a person born on birth.
func Age(birth, now time.Time, zone *time.Location) int {
	if birth.IsZero() {
		return 0
	}
	y, m, d := now.In(zone).Date()
	by, bm, bd := birth.Date()
	age := y - by
	if m < bm || m == bm && d < bd {
		age--
	}
	return age
}

// temporaryAlphabet holds the characters of temporary passwords: letters and digits that cannot
// be misread on paper (no 0, O, o, 1, l, I).
const temporaryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

// TemporaryLength is the length of a temporary password: 10 characters of 55, about 58 bits.
const TemporaryLength = 10

// newTemporaryPassword returns a random temporary password with letters of both cases and a digit.
func newTemporaryPassword() string {
	for {
		b := make([]byte, TemporaryLength)
		for i := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(temporaryAlphabet))))
			if err != nil {
				panic(err)
			}
			b[i] = temporaryAlphabet[n.Int64()]
		}
		s := string(b)
		if strings.ContainsAny(s, "ABCDEFGHJKLMNPQRSTUVWXYZ") && strings.ContainsAny(s, "abcdefghijkmnpqrstuvwxyz") && strings.ContainsAny(s, "23456789") {
			return s
		}
	}
}

// IssueCard issues a registration card (LK-1, BO-2): to a new account, or replacing the card and
// every credential of an existing one (LK-10). The staff action is in the audit log.
func (s *Service) IssueCard(ctx context.Context, actor audit.Actor, req CardRequest) (*IssuedCard, error) {
	return s.issueCard(ctx, actor, req, nil)
}

func (s *Service) issueCard(ctx context.Context, actor audit.Actor, req CardRequest, app *Application) (*IssuedCard, error) {
	tin, err := s.ParseTIN(req.TIN)
	if err != nil {
		return nil, err
	}
	p, err := s.appliedPerson(ctx, tin)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if a := Age(p.BirthDate, now, s.zone); a < ChildAge && !p.BirthDate.IsZero() {
		return nil, problem.New(problem.Conflict, msgChild.With(ChildAge))
	}
	var fe problem.Fields
	office := strings.TrimSpace(req.Office)
	if office == "" {
		office = p.Office
	}
	o, known, err := s.o.Register.Office(ctx, office)
	if err != nil {
		return nil, err
	}
	if !known {
		fe.Add("office", msgOfficeUnknown.With(office))
	}
	if !req.Unchecked {
		if !req.Checks.PassportShown {
			fe.Add("passport_shown", msgChecklist.With(i18n.Key("lk.doc.passport")))
		}
		// BO-2, LK-7: the TIN certificate when the person is not served by this office.
		if office != p.Office && !req.Checks.TINCertificateShown {
			fe.Add("tin_certificate_shown", msgChecklist.With(i18n.Key("lk.doc.tin_certificate")))
		}
	}
	issued := now
	if !req.IssuedAt.IsZero() {
		if req.IssuedAt.After(now) {
			fe.Add("issued_at", msgIssuedFuture)
		}
		issued = req.IssuedAt.UTC()
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	a, err := s.findAccount(ctx, tin)
	if err != nil {
		return nil, err
	}
	insert := a == nil
	if insert {
		a = &Account{TIN: tin, Source: FromCard, CreatedAt: now, Version: 1, Lang: "ru"}
	}
	reissue := !insert && (a.HasPassword() || a.CardID != "")
	if a.Source == Managed {
		a.Source = FromCard
	}
	pw := newTemporaryPassword()
	if err := s.setPassword(ctx, a, pw); err != nil {
		return nil, err
	}
	c := Card{ID: newSecret(12), TIN: tin, Name: p.FullName(), Office: office, OfficeName: o.Name, IssuedAt: issued,
		ExpiresAt: AddMonth(issued, s.zone), IssuedBy: actor.Login, State: CardIssued}
	if req.Unchecked {
		c.Checked = []string{"outside"}
	} else {
		c.Checked = req.Checks.documents()
	}
	if app != nil {
		// LK-7: the account works from the next day.
		c.Application, c.ActiveFrom = app.Number(), s.today().AddDate(0, 0, 1).UTC()
	}
	a.Name, a.Temporary, a.CardID, a.CardIssuedAt, a.CardExpiresAt, a.ActiveFrom = c.Name, true, c.ID, c.IssuedAt, c.ExpiresAt, c.ActiveFrom
	// LK-10: every session and every credential of the account ends at once; online recovery
	// (whose code word a stranger may have set) is switched off until the owner sets it again.
	a.SessionsFrom, a.UpdatedAt = now, now
	a.CodeWordHash, a.RecoveryOn, a.RecoveryFailures, a.RecoveryOff = "", false, 0, ""
	kind, action := "card_issued", "lk.card.issue"
	if reissue {
		kind, action = "card_reissued", "lk.card.reissue"
	}
	details := fmt.Sprintf("card=%s office=%s checked=%s", c.ID, office, strings.Join(c.Checked, ","))
	if c.Application != "" {
		details += " application=" + c.Application
	}
	if !req.IssuedAt.IsZero() {
		details += " issued_at=" + issued.Format(time.RFC3339)
	}
	e := Effects{Events: []Event{s.event(tin, kind, Origin{Address: actor.RemoteAddr}, actor.Login, "office="+office)},
		Audit: []audit.Entry{{At: now, Actor: actor, Action: action, Subject: tin, Details: details}}}
	if reissue {
		msgs, err := s.notices(a, "notify.lk.card_reissued", office)
		if err != nil {
			return nil, err
		}
		e.Messages = msgs
	}
	if app != nil {
		app.State, app.TIN, app.CardID, app.DecidedAt, app.DecidedBy = AppApproved, tin, c.ID, now, actor.Login
		e.Audit = append(e.Audit, audit.Entry{At: now, Actor: actor, Action: "lk.application.approve", Subject: tin, Details: "application=" + app.Number()})
		e.Events = append(e.Events, s.event(tin, "application_approved", Origin{Address: actor.RemoteAddr}, actor.Login, app.Number()))
	}
	err = s.o.Store.IssueCard(ctx, CardIssue{Account: *a, Insert: insert, Card: c, Application: app}, e)
	if _, taken := storeerr.IsKeyTaken(err); taken || errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return nil, err
	}
	if err := s.endSessions(ctx, tin); err != nil {
		return nil, err
	}
	return &IssuedCard{Card: c, TemporaryPassword: pw, Reissue: reissue}, nil
}

// Cards returns the cards issued to a person, the newest first.
func (s *Service) Cards(ctx context.Context, tin string) ([]Card, error) {
	return s.o.Store.Cards(ctx, tin)
}

// Card returns a card.
func (s *Service) Card(ctx context.Context, id string) (*Card, error) {
	c, err := s.o.Store.Card(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgCardUnknown)
	}
	return c, err
}

// PrintCard checks that temporary is the temporary password of the account's current card id
// (it is not kept: the inspector's page hands it back to print the card as PDF) and returns the
// card; the print is in the audit log.
func (s *Service) PrintCard(ctx context.Context, actor audit.Actor, id, temporary string) (*IssuedCard, error) {
	c, err := s.Card(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := s.Account(ctx, c.TIN)
	if err != nil {
		return nil, err
	}
	if a.CardID != c.ID || !a.Temporary {
		return nil, problem.New(problem.Conflict, msgNotTemporary)
	}
	ok, err := s.o.Hasher.Verify(ctx, a.PasswordHash, temporary)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, problem.New(problem.Forbidden, msgCardPassword)
	}
	e := Effects{Audit: []audit.Entry{{At: s.now().UTC(), Actor: actor, Action: "lk.card.pdf", Subject: c.TIN, Details: "card=" + c.ID}}}
	if err := s.o.Store.Record(ctx, e); err != nil {
		return nil, err
	}
	return &IssuedCard{Card: *c, TemporaryPassword: temporary}, nil
}

// useCard writes the account whose temporary password was just replaced, and marks its card used.
func (s *Service) useCard(ctx context.Context, a *Account, e Effects) error {
	a.UpdatedAt = s.now().UTC()
	err := s.o.Store.UseCard(ctx, *a, a.CardID, a.UpdatedAt, e)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return err
	}
	a.Version++
	return nil
}
