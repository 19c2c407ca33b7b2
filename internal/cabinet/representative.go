package cabinet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// LK-8, BO-2: representatives. A representative acts in the principal's personal account with a
// notarized power of attorney (its notary, number, date, validity and powers) for as long as it is
// valid; a parent or an adoptive parent, with the child's birth or adoption certificate, manages
// the account of a child under 14 until the child's 14th birthday, after which the child needs a
// card of their own. An inspector records either after checking the documents (the
// representative's passport, the power of attorney or the certificate); the principal's account
// is created then if it has none (without credentials of its own). The representative signs in
// with their own account and switches to the principal's; every page says who acts for whom, and
// what they do is recorded that way.

// RepKind is the ground of a representation.
type RepKind string

// The grounds of representations.
const (
	PowerOfAttorney RepKind = "power_of_attorney" // a notarized power of attorney
	Parent          RepKind = "parent"            // a parent, with the child's birth certificate
	AdoptiveParent  RepKind = "adoptive_parent"   // an adoptive parent, with the adoption certificate
)

// RepKinds lists the grounds.
var RepKinds = []RepKind{PowerOfAttorney, Parent, AdoptiveParent}

// Powers a power of attorney may give in the personal account; a parent has all of them.
const (
	PowerView     = "view"     // see the account's data
	PowerExtracts = "extracts" // obtain extracts and documents
	PowerAppeals  = "appeals"  // send appeals to the tax authority (the tax data, coming)
	PowerPayments = "payments" // pay taxes (the tax data, coming)
)

// Powers lists the powers.
var Powers = []string{PowerView, PowerExtracts, PowerAppeals, PowerPayments}

// RepDocument is the document a representation rests on.
type RepDocument struct {
	Notary   string    `json:"notary,omitempty"` // a power of attorney's notary
	Series   string    `json:"series,omitempty"` // a certificate's series
	Number   string    `json:"number"`
	IssuedOn time.Time `json:"issued_on"`
}

// Representation is a right to act in another person's account (LK-8).
type Representation struct {
	ID             string
	Principal      string // the TIN whose account is acted in
	Representative string // the TIN of who acts
	Kind           RepKind
	Document       RepDocument
	Powers         []string
	ValidFrom      time.Time // the first day
	ValidUntil     time.Time // the last day of a power of attorney; a child's 14th birthday (the first day without)
	CreatedAt      time.Time
	CreatedBy      string
	RevokedAt      time.Time
	RevokedBy      string
}

// Can reports whether the representation gives power.
func (r *Representation) Can(power string) bool { return slices.Contains(r.Powers, power) }

// RepInput is what an inspector records.
type RepInput struct {
	Principal, Representative string
	Kind                      RepKind
	Notary, Series, Number    string
	IssuedOn, ValidUntil      string // YYYY-MM-DD
	Powers                    []string
	PassportShown             bool // the representative's passport (the parent's identity)
	DocumentShown             bool // the power of attorney, the birth or the adoption certificate
}

var (
	msgRepKind      = problem.Msg("lk.rep.kind")
	msgRepSelf      = problem.Msg("lk.rep.self")
	msgRepUntil     = problem.Msg("lk.rep.until")
	msgRepPowers    = problem.Msg("lk.rep.powers")
	msgRepAdult     = problem.Msg("lk.rep.adult")
	msgRepNone      = problem.Msg("lk.acting.none")
	msgRepExpired   = problem.Msg("lk.acting.expired")
	msgRepNotYet    = problem.Msg("lk.acting.not_yet")
	msgRepGrown     = problem.Msg("lk.acting.grown")
	msgRepRevoked   = problem.Msg("lk.acting.revoked")
	msgRepPower     = problem.Msg("lk.acting.power")
	msgRepUnknown   = problem.Msg("lk.rep.unknown")
	msgRepDocShown  = problem.Msg("lk.doc.representation")
	msgRepPassShown = problem.Msg("lk.doc.representative_passport")
)

// AddRepresentation records a representation after the inspector checked the documents (LK-8,
// BO-2). The staff action is in the audit log and in both accounts' histories.
func (s *Service) AddRepresentation(ctx context.Context, actor audit.Actor, in RepInput) (*Representation, error) {
	var fe problem.Fields
	principal, err := s.ParseTIN(in.Principal)
	if err != nil {
		return nil, err
	}
	// The representative's TIN is told what is wrong with it (a check digit, a length, an
	// organization's number), as any TIN typed is.
	n, err := s.parseTIN("representative", in.Representative, jurisdiction.Person)
	if err != nil {
		return nil, err
	}
	rep := n.Digits
	if rep == principal {
		return nil, problem.InvalidField("representative", msgRepSelf)
	}
	if !slices.Contains(RepKinds, in.Kind) {
		fe.Add("kind", msgRepKind)
	}
	p, err := s.appliedPerson(ctx, principal)
	if err != nil {
		return nil, err
	}
	if _, err := s.appliedPerson(ctx, rep); err != nil {
		if pe, ok := problem.As(err); ok && pe.Code != problem.Internal && pe.Code != problem.Unavailable {
			return nil, problem.InvalidField("representative", pe.Message)
		}
		return nil, err
	}
	if !in.PassportShown {
		fe.Add("passport_shown", msgChecklist.With(msgRepPassShown))
	}
	if !in.DocumentShown {
		fe.Add("document_shown", msgChecklist.With(msgRepDocShown))
	}
	today := s.today()
	r := Representation{ID: newSecret(12), Principal: principal, Representative: rep, Kind: in.Kind, CreatedAt: s.now().UTC(), CreatedBy: actor.Login,
		ValidFrom: dateUTC(today),
		Document:  RepDocument{Notary: strings.TrimSpace(in.Notary), Series: strings.Join(strings.Fields(in.Series), ""), Number: strings.TrimSpace(in.Number)}}
	fe.RequiredAs(msgRequired, "number", r.Document.Number)
	tooLong(&fe, "number", r.Document.Number, 40)
	tooLong(&fe, "notary", r.Document.Notary, 200)
	r.Document.IssuedOn = s.parseDate(&fe, "issued_on", in.IssuedOn)
	switch in.Kind {
	case PowerOfAttorney:
		fe.RequiredAs(msgRequired, "notary", r.Document.Notary)
		if fe.RequiredAs(msgRequired, "valid_until", in.ValidUntil) {
			until, err := time.Parse(time.DateOnly, strings.TrimSpace(in.ValidUntil))
			if err != nil || until.Before(dateUTC(today)) || !r.Document.IssuedOn.IsZero() && until.Before(r.Document.IssuedOn) {
				fe.Add("valid_until", msgRepUntil)
			}
			r.ValidUntil = until
		}
		for _, pw := range in.Powers {
			if slices.Contains(Powers, pw) && !slices.Contains(r.Powers, pw) {
				r.Powers = append(r.Powers, pw)
			}
		}
		if len(r.Powers) == 0 {
			fe.Add("powers", msgRepPowers)
		} else if !r.Can(PowerView) {
			r.Powers = append([]string{PowerView}, r.Powers...) // acting in an account is seeing it
		}
	case Parent, AdoptiveParent:
		// The child's account until the 14th birthday, all powers.
		if Age(p.BirthDate, s.now(), s.zone) >= ChildAge || p.BirthDate.IsZero() {
			fe.Add("kind", msgRepAdult.With(ChildAge))
		}
		r.ValidUntil = p.BirthDate.AddDate(ChildAge, 0, 0)
		r.Powers = slices.Clone(Powers)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var account *Account
	if a, err := s.findAccount(ctx, principal); err != nil {
		return nil, err
	} else if a == nil {
		now := s.now().UTC()
		account = &Account{TIN: principal, Name: p.FullName(), Source: Managed, CreatedAt: now, UpdatedAt: now, Version: 1, Lang: "ru"}
	}
	details := fmt.Sprintf("id=%s kind=%s representative=%s until=%s powers=%s", r.ID, r.Kind, rep, r.ValidUntil.Format(time.DateOnly), strings.Join(r.Powers, ","))
	o := Origin{Address: actor.RemoteAddr}
	e := Effects{Events: []Event{s.event(principal, "representative_added", o, actor.Login, rep), s.event(rep, "representative_added", o, actor.Login, principal)},
		Audit: []audit.Entry{{At: r.CreatedAt, Actor: actor, Action: "lk.representative.add", Subject: principal, Details: details}}}
	err = s.o.Store.InsertRepresentation(ctx, r, account, e)
	if _, taken := storeerr.IsKeyTaken(err); taken {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// dateUTC is the civil date of t (a day of the tax administration) at midnight UTC, as dates are
// kept.
func dateUTC(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// validity says why r does not let its representative act today, or nil.
func (s *Service) validity(ctx context.Context, r *Representation) error {
	today := dateUTC(s.today())
	switch {
	case !r.RevokedAt.IsZero():
		return problem.New(problem.Forbidden, msgRepRevoked.With(s.date(r.RevokedAt)))
	case today.Before(r.ValidFrom):
		return problem.New(problem.Forbidden, msgRepNotYet.With(r.ValidFrom.Format("02.01.2006")))
	case r.Kind == PowerOfAttorney && today.After(r.ValidUntil):
		return problem.New(problem.Forbidden, msgRepExpired.With(r.ValidUntil.Format("02.01.2006")))
	case r.Kind != PowerOfAttorney:
		// A child's 14th birthday is read from the register now: a corrected birth date counts.
		until := r.ValidUntil
		if p, err := s.o.Register.Person(ctx, r.Principal); err == nil && p != nil && !p.BirthDate.IsZero() {
			until = p.BirthDate.AddDate(ChildAge, 0, 0)
		}
		if !today.Before(until) {
			return problem.New(problem.Forbidden, msgRepGrown.With(until.Format("02.01.2006"), ChildAge))
		}
	}
	return nil
}

// Acting is a representative acting in a principal's account.
type Acting struct {
	Representation Representation
	Principal      *Person
}

// Act checks that the owner of account self may act in principal's account now and returns the
// representation that allows it; the refusal says why (LK-8): none, revoked, expired, not yet
// valid, the child turned 14.
func (s *Service) Act(ctx context.Context, self, principal string) (*Acting, error) {
	rs, err := s.o.Store.Representations(ctx, RepresentationFilter{Principal: principal, Representative: self})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, problem.New(problem.Forbidden, msgRepNone)
	}
	var last error
	for i := range rs {
		if last = s.validity(ctx, &rs[i]); last == nil {
			if !rs[i].Can(PowerView) {
				last = problem.New(problem.Forbidden, msgRepPower)
				continue
			}
			p, err := s.Person(ctx, principal)
			if err != nil {
				return nil, err
			}
			return &Acting{Representation: rs[i], Principal: p}, nil
		}
	}
	return nil, last
}

// StartActing records in the principal's history that the representative self began to act
// there, once the representation allows it.
func (s *Service) StartActing(ctx context.Context, self, principal string, o Origin) (*Acting, error) {
	act, err := s.Act(ctx, self, principal)
	if err != nil {
		return nil, err
	}
	e := Effects{Events: []Event{s.event(principal, "acting", o, self, string(act.Representation.Kind))}}
	return act, s.o.Store.Record(ctx, e)
}

// RepresentationView is a representation with what it means today.
type RepresentationView struct {
	Representation
	Name  string // the other person's name: the principal's for a representative, and back
	Valid bool
	Why   string // the catalogue key of why it is not valid
	Until time.Time
}

// Representations lists the representations where tin is the principal (who may act for them)
// and where tin is the representative (for whom they may act), each with its validity today.
func (s *Service) Representations(ctx context.Context, tin string) (asPrincipal, asRepresentative []RepresentationView, err error) {
	for _, side := range []struct {
		f   RepresentationFilter
		out *[]RepresentationView
	}{{RepresentationFilter{Principal: tin}, &asPrincipal}, {RepresentationFilter{Representative: tin}, &asRepresentative}} {
		rs, err := s.o.Store.Representations(ctx, side.f)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rs {
			v := RepresentationView{Representation: r, Until: r.ValidUntil}
			other := r.Principal
			if side.f.Principal != "" {
				other = r.Representative
			}
			if p, err := s.o.Register.Person(ctx, other); err == nil && p != nil {
				v.Name = p.FullName()
			}
			if err := s.validity(ctx, &r); err != nil {
				if pe, ok := problem.As(err); ok {
					v.Why = pe.Message.Key
				}
			} else {
				v.Valid = true
			}
			*side.out = append(*side.out, v)
		}
	}
	return asPrincipal, asRepresentative, nil
}

// RevokeRepresentation ends a representation at a tax office (the principal's statement, LK-8).
func (s *Service) RevokeRepresentation(ctx context.Context, actor audit.Actor, id string) (*Representation, error) {
	r, err := s.o.Store.Representation(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgRepUnknown)
	}
	if err != nil {
		return nil, err
	}
	if !r.RevokedAt.IsZero() {
		return nil, problem.New(problem.Conflict, msgRepRevoked.With(s.date(r.RevokedAt)))
	}
	now := s.now().UTC()
	o := Origin{Address: actor.RemoteAddr}
	e := Effects{Events: []Event{s.event(r.Principal, "representative_revoked", o, actor.Login, r.Representative)},
		Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.representative.revoke", Subject: r.Principal, Details: "id=" + r.ID}}}
	err = s.o.Store.RevokeRepresentation(ctx, id, now, actor.Login, e)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return nil, err
	}
	r.RevokedAt, r.RevokedBy = now, actor.Login
	return r, nil
}
