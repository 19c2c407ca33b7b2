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
	"github.com/kabinet/kabinet/internal/jurisdiction"
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
//
// Who comes for the card (BO-2: "notarized power of attorney for representatives; birth or
// adoption certificate for a child"): the person, with their passport; a representative, with
// their own passport and the notarized power of attorney, valid on the day, instead of the
// person's passport; or a parent (an adoptive parent) of a child of 14 to 17 — whose legal
// representative they are until the child comes of age — with their own passport and the child's
// birth or adoption certificate. A child under 14 has no card at all, and an adult's card is never
// handed to a parent without a power of attorney. The documents checked, who came and the power
// of attorney's details are in the card's audit entry (BO-5).

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
	// Came is who received it (BO-2), Bearer their name when not the person.
	Came   Came
	Bearer string
}

// Came is who came to the tax office for a person's card (BO-2).
type Came string

// Who may come for a card.
const (
	CameSelf           Came = "self"           // the person, with their passport
	CameRepresentative Came = "representative" // a representative, with a notarized power of attorney
	CameParent         Came = "parent"         // a parent or an adoptive parent of a child of 14 to 17
)

// CameKinds lists who may come for a card, in the order the form offers them.
var CameKinds = []Came{CameSelf, CameRepresentative, CameParent}

// AdultAge is the age of majority: until it a parent is the child's legal representative and may
// receive the child's card (BO-2); an adult comes in person or sends a representative.
const AdultAge = 18

// Checklist is what an inspector checked of the documents shown in person (BO-2), and who came.
type Checklist struct {
	// Came is who came for the card; the person when "".
	Came                Came
	PassportShown       bool // the person's passport was shown and matches the register (the person came)
	TINCertificateShown bool // the certificate of registration (the TIN), when the person is not served by the office
	// BearerName is the full name of whoever came for the person (a representative, a parent);
	// BearerPassportShown that their own passport was shown.
	BearerName          string
	BearerPassportShown bool
	// A representative's notarized power of attorney: shown, its number, its notary and its last
	// day of validity (YYYY-MM-DD), which may not have passed.
	AttorneyShown                                      bool
	AttorneyNumber, AttorneyNotary, AttorneyValidUntil string
	// CertificateShown: a parent showed the child's birth or adoption certificate.
	CertificateShown bool
	Note             string
}

// came returns who came, the person when the checklist does not say.
func (c Checklist) came() Came {
	if c.Came == "" {
		return CameSelf
	}
	return c.Came
}

// documents lists the documents checked, as the card records them.
func (c Checklist) documents() []string {
	var out []string
	switch c.came() {
	case CameRepresentative:
		if c.BearerPassportShown {
			out = append(out, "representative_passport")
		}
		if c.AttorneyShown {
			out = append(out, "power_of_attorney")
		}
	case CameParent:
		if c.BearerPassportShown {
			out = append(out, "parent_passport")
		}
		if c.CertificateShown {
			out = append(out, "birth_certificate")
		}
	default:
		if c.PassportShown {
			out = append(out, "passport")
		}
	}
	if c.TINCertificateShown {
		out = append(out, "tin_certificate")
	}
	return out
}

var (
	msgCame            = problem.Msg("lk.card.came")
	msgCameAdult       = problem.Msg("lk.card.parent_adult")
	msgAttorneyExpired = problem.Msg("lk.card.attorney_expired")
	msgDocAttorney     = problem.Msg("lk.doc.power_of_attorney")
	msgDocParent       = problem.Msg("lk.doc.parent_passport")
	msgDocCertificate  = problem.Msg("lk.doc.birth_certificate")
)

// checkBearer checks the documents of whoever came for p's card (BO-2) into fe and returns what
// the audit entry says of it ("" when the person came).
func (s *Service) checkBearer(fe *problem.Fields, c Checklist, p *Person) string {
	switch c.came() {
	case CameSelf:
		if !c.PassportShown {
			fe.Add("passport_shown", msgChecklist.With(i18n.Key("lk.doc.passport")))
		}
		return ""
	case CameRepresentative:
		name := strings.Join(strings.Fields(c.BearerName), " ")
		fe.RequiredAs(msgRequired, "bearer_name", name)
		if !c.BearerPassportShown {
			fe.Add("bearer_passport_shown", msgChecklist.With(msgRepPassShown))
		}
		if !c.AttorneyShown {
			fe.Add("attorney_shown", msgChecklist.With(msgDocAttorney))
		}
		number, notary := strings.TrimSpace(c.AttorneyNumber), strings.TrimSpace(c.AttorneyNotary)
		fe.RequiredAs(msgRequired, "attorney_number", number)
		fe.RequiredAs(msgRequired, "attorney_notary", notary)
		tooLong(fe, "bearer_name", name, 200)
		tooLong(fe, "attorney_notary", notary, 200)
		tooLong(fe, "attorney_number", number, 40)
		var until time.Time
		if fe.RequiredAs(msgRequired, "attorney_valid_until", c.AttorneyValidUntil) {
			var err error
			until, err = time.Parse(time.DateOnly, strings.TrimSpace(c.AttorneyValidUntil))
			if err != nil {
				fe.Add("attorney_valid_until", msgDate)
			} else if until.Before(dateUTC(s.today())) {
				fe.Add("attorney_valid_until", msgAttorneyExpired.With(until.Format("02.01.2006")))
			}
		}
		return fmt.Sprintf(" came=representative bearer=%q attorney=%q notary=%q attorney_until=%s", name, number, notary, until.Format(time.DateOnly))
	case CameParent:
		name := strings.Join(strings.Fields(c.BearerName), " ")
		if Age(p.BirthDate, s.now(), s.zone) >= AdultAge || p.BirthDate.IsZero() {
			fe.Add("came", msgCameAdult.With(AdultAge))
		}
		fe.RequiredAs(msgRequired, "bearer_name", name)
		tooLong(fe, "bearer_name", name, 200)
		if !c.BearerPassportShown {
			fe.Add("bearer_passport_shown", msgChecklist.With(msgDocParent))
		}
		if !c.CertificateShown {
			fe.Add("certificate_shown", msgChecklist.With(msgDocCertificate))
		}
		return fmt.Sprintf(" came=parent bearer=%q", name)
	}
	fe.Add("came", msgCame)
	return ""
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
	msgCardOff       = problem.Msg("lk.card.off")
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
// every credential of an existing one (LK-10). The staff action is in the audit log. Where the
// jurisdiction's taxpayers register by application (KG-1) no card is ever issued: their login
// is handed over when an inspector approves the application, with the password they chose.
func (s *Service) IssueCard(ctx context.Context, actor audit.Actor, req CardRequest) (*IssuedCard, error) {
	return s.issueCard(ctx, actor, req, nil)
}

// byCard refuses a card where the jurisdiction issues none (KG-1).
func (s *Service) byCard() error {
	if s.o.Profile.Cabinet.Registration != jurisdiction.ByCard {
		return problem.New(problem.NotFound, msgCardOff)
	}
	return nil
}

func (s *Service) issueCard(ctx context.Context, actor audit.Actor, req CardRequest, app *Application) (*IssuedCard, error) {
	if err := s.byCard(); err != nil {
		return nil, err
	}
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
	bearer := ""
	if !req.Unchecked {
		bearer = s.checkBearer(&fe, req.Checks, p)
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
	details := fmt.Sprintf("card=%s office=%s checked=%s", c.ID, office, strings.Join(c.Checked, ",")) + bearer
	if c.Application != "" {
		details += " application=" + c.Application
	}
	if !req.IssuedAt.IsZero() {
		details += " issued_at=" + issued.Format(time.RFC3339)
	}
	evDetails := "office=" + office
	if !req.Unchecked && req.Checks.came() != CameSelf {
		evDetails += " came=" + string(req.Checks.came())
	}
	e := Effects{Events: []Event{s.event(tin, kind, Origin{Address: actor.RemoteAddr}, actor.Login, evDetails)},
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
	ic := &IssuedCard{Card: c, TemporaryPassword: pw, Reissue: reissue, Came: CameSelf}
	if !req.Unchecked && req.Checks.came() != CameSelf {
		ic.Came, ic.Bearer = req.Checks.came(), strings.Join(strings.Fields(req.Checks.BearerName), " ")
	}
	return ic, nil
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
