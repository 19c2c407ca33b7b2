package cabinet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// KG-1, LK-2, LK-10, BO-5: restoring access to a cabinet at the УГНС, where taxpayers register by
// application (the Kyrgyz Republic) and no office issues registration cards. A taxpayer who forgot
// the password (and has no online recovery), or whose cabinet a stranger used, comes to the УГНС
// with the passport: an inspector of the taxpayer's УГНС (an administrator: of any) checks it in
// person and issues a one-time password — the temporary password of a card (card.go) without the
// card: shown once, on a printable handover in the owner's language, kept only as its hash, valid
// a month from issue and replaced by the owner's own password at the first login (LK-2, Login's
// MustChange and SetOwnPassword), the account blocked once it expires unused until the УГНС
// restores access again. At once, as a new card does (LK-10), the old password, the code word of
// online recovery, every session and every login of the mobile application (KG-2) stop working.
// For an organization's account, whoever came — its head or its accountant by the register — holds
// the account from now on. The owner is told by the account's contacts, if it has any; the
// restore is in the audit log, and what the inspector noted of the passport is kept with it.

// AccessRestore is one restore of access to a cabinet: its one-time password is not kept, only
// its hash, on the account (whose CardID is the restore's ID while it is the current password).
type AccessRestore struct {
	ID     string
	TIN    string // the account, whose login it is
	Name   string // the taxpayer's name at the restore
	Office string // the taxpayer's УГНС, whose inspector restored it
	// Holder is, for an organization's account, the personal TIN of the head or the accountant who
	// came and holds the account from now on, HolderRole what they are to it; "" for a person's.
	Holder, HolderRole string
	Passport           string // what the inspector noted of the passport shown in person
	Lang               string // the language of the handover and the notice: the owner's
	IssuedBy           string // the staff login
	IssuedAt           time.Time
	ExpiresAt          time.Time // until when the one-time password may be used (LK-2)
	UsedAt             time.Time // when the owner replaced it by their own password
}

// RestoredAccess is a restore as handed over: with its one-time password, shown this once.
type RestoredAccess struct {
	AccessRestore
	OneTimePassword string
	// Notified lists the channels (sms, email) a notice of the restore was queued on; none when
	// the account has no contact.
	Notified []notify.Channel
}

// AccessRequest is what restoring access takes.
type AccessRequest struct {
	TIN           string // the account's login
	PassportShown bool   // the passport was shown in person and matches the register
	Passport      string // what the inspector notes of it (kind, series and number), optional
	// Holder is, for an organization's account, the personal TIN of whoever came: its head or its
	// accountant by the register; the account's current holder when "".
	Holder string
}

// AccessStore keeps the restores of access (access_restore.go).
type AccessStore interface {
	// RestoreAccess writes the account at its version with its new one-time password, adds the
	// restore, revokes every mobile token of the account and writes the effects, at once. A
	// restore's ID written as an account's CardID is marked used by UseCard.
	RestoreAccess(ctx context.Context, a Account, r AccessRestore, e Effects) error
	// AccessRestores returns the restores of an account, the newest first.
	AccessRestores(ctx context.Context, tin string) ([]AccessRestore, error)
	AccessRestore(ctx context.Context, id string) (*AccessRestore, error)
}

var (
	msgAccessOff       = problem.Msg("lk.access.off")
	msgAccessNoAccount = problem.Msg("lk.access.no_account")
	msgAccessOffice    = problem.Msg("lk.access.other_office")
	msgAccessPassport  = problem.Msg("lk.access.passport")
	msgAccessUnknown   = problem.Msg("lk.access.unknown")
	msgAccessUsed      = problem.Msg("lk.access.not_temporary")
	msgAccessPassword  = problem.Msg("lk.access.password")
)

// restoresAccess refuses a restore where the tax office issues a new card instead (LK-10).
func (s *Service) restoresAccess() error {
	if err := s.byApplication(); err != nil {
		return problem.New(problem.NotFound, msgAccessOff)
	}
	return nil
}

// AccessAccount returns, for the УГНС's page of restoring access, the account with login tin and
// its taxpayer as the register knows them now (a person, or an organization named in OrgName).
// An inspector of another УГНС than the taxpayer's (office; "" for an administrator) is
// Forbidden; a taxpayer without an account is NotFound.
func (s *Service) AccessAccount(ctx context.Context, office, tin string) (*Account, *Person, error) {
	if err := s.restoresAccess(); err != nil {
		return nil, nil, err
	}
	n, err := s.parseTIN("tin", tin, s.accountHolders()...)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.findAccount(ctx, n.Digits)
	if err != nil {
		return nil, nil, err
	}
	if a == nil {
		return nil, nil, problem.New(problem.NotFound, msgAccessNoAccount.With(n.Digits))
	}
	p, err := s.Subject(ctx, a.TIN)
	if err != nil {
		return nil, nil, err
	}
	if office != "" && p.Office != office {
		return nil, nil, problem.New(problem.Forbidden, msgAccessOffice.With(p.Office))
	}
	return a, p, nil
}

// AccessRestores returns the restores of access to an account, the newest first.
func (s *Service) AccessRestores(ctx context.Context, tin string) ([]AccessRestore, error) {
	return s.o.Store.AccessRestores(ctx, tin)
}

// RestoreAccess issues a one-time password to an account at the УГНС (see above): by an inspector
// of the taxpayer's УГНС (office; "" for an administrator), once the passport was shown in person.
func (s *Service) RestoreAccess(ctx context.Context, actor audit.Actor, office string, req AccessRequest) (*RestoredAccess, error) {
	a, p, err := s.AccessAccount(ctx, office, req.TIN)
	if err != nil {
		return nil, err
	}
	if !p.Applied() {
		return nil, problem.New(problem.Conflict, msgNotApplied.With(a.TIN))
	}
	var fe problem.Fields
	if !req.PassportShown {
		fe.Add("passport_shown", msgAccessPassport)
	}
	passport := strings.Join(strings.Fields(req.Passport), " ")
	if utf8.RuneCountInString(passport) > 100 {
		fe.Add("passport", msgRegPassportLen)
	}
	holder, role := "", ""
	if a.Signatory != "" || p.OrgName != "" {
		// KG-1: an organization's account, held by its head or accountant by the register now.
		holder = strings.Join(strings.Fields(req.Holder), "")
		if holder == "" {
			holder = a.Signatory
		}
		if n, err := s.parseTIN("holder", holder, jurisdiction.Person); err != nil {
			if pr, ok := problem.As(err); ok {
				fe = append(fe, pr.Fields...)
			}
		} else {
			holder = n.Digits
			o, err := s.o.Register.Organization(ctx, a.TIN)
			if err != nil {
				return nil, problem.Wrap(problem.Unavailable, msgUnavailable, err)
			}
			if role = o.SignatoryRole(holder); role == "" {
				fe.Add("holder", msgRegNotSigner.With(holder, p.FullName()))
			}
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	pw := newTemporaryPassword()
	if err := s.setPassword(ctx, a, pw); err != nil {
		return nil, err
	}
	r := AccessRestore{ID: newSecret(12), TIN: a.TIN, Name: p.FullName(), Office: p.Office, Holder: holder, HolderRole: role, Passport: passport,
		Lang: messageLang(a.Lang), IssuedBy: actor.Login, IssuedAt: now, ExpiresAt: AddMonth(now, s.zone)}
	// LK-2: the one-time password is the account's temporary one, replaced at the first login.
	a.Name, a.Temporary, a.CardID, a.CardIssuedAt, a.CardExpiresAt, a.ActiveFrom = r.Name, true, r.ID, r.IssuedAt, r.ExpiresAt, time.Time{}
	if holder != "" {
		a.Signatory, a.SignatoryRole = holder, role
	}
	// LK-10: every session and credential ends at once; online recovery (whose code word a
	// stranger may have set) is off until the owner sets it again.
	a.SessionsFrom = now
	a.CodeWordHash, a.RecoveryOn, a.RecoveryFailures, a.RecoveryOff = "", false, 0, ""
	details := fmt.Sprintf("restore=%s office=%s checked=passport", r.ID, r.Office)
	if holder != "" {
		details += " holder=" + holder + " role=" + role
	}
	e := Effects{Events: []Event{s.event(a.TIN, "access_restored", Origin{Address: actor.RemoteAddr}, actor.Login, "office="+r.Office)},
		Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.access.restore", Subject: a.TIN, Details: details}}}
	if e.Messages, err = s.contactsNotices(a, "notify.kg.access_restored", r.Office, s.OfficeName(ctx, r.Office, r.Lang)); err != nil {
		return nil, err
	}
	a.UpdatedAt = now
	err = s.o.Store.RestoreAccess(ctx, *a, r, e)
	if errors.Is(err, storeerr.ErrConflict) || errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err != nil {
		return nil, err
	}
	a.Version++
	if err := s.endSessions(ctx, a.TIN); err != nil {
		return nil, err
	}
	return &RestoredAccess{AccessRestore: r, OneTimePassword: pw, Notified: channels(e.Messages)}, nil
}

// contactsNotices prepares a message with key to each contact of the account, confirmed or not:
// an account opened by application (KG-1) has the contacts its applicant typed, unconfirmed, and
// a restore of access must reach them (a stranger may have used the account).
func (s *Service) contactsNotices(a *Account, key string, args ...string) ([]Notice, error) {
	return s.noticesTo(a.TIN, messageLang(a.Lang), []contact{{notify.SMS, a.Phone}, {notify.Email, a.Email}}, key, args...)
}

// PrintAccessRestore checks that oneTime is the one-time password of restore id, still the
// account's and not yet replaced (it is not kept: the inspector's page hands it back to print
// it as PDF), and returns the restore to print, for an inspector of its УГНС (office; "" for an
// administrator); the print is in the audit log.
func (s *Service) PrintAccessRestore(ctx context.Context, actor audit.Actor, office, id, oneTime string) (*RestoredAccess, error) {
	if err := s.restoresAccess(); err != nil {
		return nil, err
	}
	r, err := s.o.Store.AccessRestore(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgAccessUnknown)
	}
	if err != nil {
		return nil, err
	}
	if office != "" && r.Office != office {
		return nil, problem.New(problem.Forbidden, msgAccessOffice.With(r.Office))
	}
	a, err := s.Account(ctx, r.TIN)
	if err != nil {
		return nil, err
	}
	if a.CardID != r.ID || !a.Temporary {
		return nil, problem.New(problem.Conflict, msgAccessUsed)
	}
	ok, err := s.o.Hasher.Verify(ctx, a.PasswordHash, oneTime)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, problem.New(problem.Forbidden, msgAccessPassword)
	}
	e := Effects{Audit: []audit.Entry{{At: s.now().UTC(), Actor: actor, Action: "lk.access.print", Subject: r.TIN, Details: "restore=" + r.ID}}}
	if err := s.o.Store.Record(ctx, e); err != nil {
		return nil, err
	}
	return &RestoredAccess{AccessRestore: *r, OneTimePassword: oneTime}, nil
}
