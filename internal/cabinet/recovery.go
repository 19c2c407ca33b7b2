package cabinet

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// LK-4: online recovery by e-mail. The owner switches it on in the settings with a confirmed
// e-mail, a confirmed phone (each by a code sent to it) and a code word (kept hashed like a
// password). Then the TIN and the code word send a single-use link that expires in LinkTTL to the
// confirmed e-mail, and the link lets a new own password be set (LK-3), which ends every session.
// Three wrong code words in a row switch online recovery off until a tax office restores it (a
// new card, or Restore); the owner is told. The answer to a recovery request is the same whether
// the TIN has an account, recovery is on, or the code word is right, and the attempts are
// counted and hashed alike. Without online recovery, or when a stranger used the account, a tax
// office issues a new card (LK-10, card.go).

// MaxCodeWordFailures is how many wrong code words in a row switch online recovery off.
const MaxCodeWordFailures = 3

// CodeWordPolicy limits the tries of code words per TIN (before the hash is computed); the rule
// of three wrong ones in a row is the account's own (RecoveryFailures).
var CodeWordPolicy = limits.Policy{
	Scope:     "lk.code_word",
	PerClient: limits.Rule{Max: 5, Window: time.Hour},
	Overall:   limits.Throttle{Budget: 10, Window: 24 * time.Hour, Step: time.Hour, MaxDelay: 24 * time.Hour},
	PerDevice: limits.Rule{Max: 5, Window: time.Hour},
}

var (
	msgEmail          = problem.Msg("lk.email")
	msgPhone          = problem.Msg("lk.phone")
	msgCodeWord       = problem.Msg("lk.code_word.short")
	msgCodeWordRepeat = problem.Msg("lk.code_word.repeat")
	msgNeedEmail      = problem.Msg("lk.recovery.need_email")
	msgNeedPhone      = problem.Msg("lk.recovery.need_phone")
	msgRecoveryOff    = problem.Msg("lk.recovery.switched_off")
	msgLinkInvalid    = problem.Msg("lk.recovery.link_invalid")
	msgNotOff         = problem.Msg("lk.recovery.not_off")
)

// SendContactCode sends a code confirming a new e-mail (ForEmail) or phone (ForPhone) of the
// account; the contact becomes the account's when the code is typed (ConfirmContact).
func (s *Service) SendContactCode(ctx context.Context, tin string, p Purpose, value string, o Origin) error {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return err
	}
	ch, field, to := notify.Email, "email", notify.NormalizeEmail(value)
	if p == ForPhone {
		ch, field, to = notify.SMS, "phone", s.phone(value)
	}
	if strings.TrimSpace(value) == "" { // left empty: asked for, not called wrong
		return problem.InvalidField(field, msgRequired.With(i18n.Field(field)))
	}
	if to == "" {
		if p == ForPhone {
			return problem.InvalidField(field, problem.Msg(s.local(msgPhone.Key)))
		}
		return problem.InvalidField(field, msgEmail)
	}
	if err := s.countSend(ctx, to); err != nil {
		return err
	}
	code := newCode()
	n, err := s.notice(a.TIN, ch, to, o.Lang, "notify.lk.code", code)
	if err != nil {
		return err
	}
	c := Code{Purpose: p, Key: a.TIN, Subject: to, Hash: codeHash(p, a.TIN, code), ExpiresAt: s.now().UTC().Add(CodeTTL)}
	return s.o.Store.PutCode(ctx, c, Effects{Messages: []Notice{n}})
}

// PendingContact returns the e-mail or phone a code was sent to and not yet typed, or "".
func (s *Service) PendingContact(ctx context.Context, tin string, p Purpose) string {
	c, err := s.o.Store.Code(ctx, p, tin)
	if err != nil || !s.now().Before(c.ExpiresAt) {
		return ""
	}
	return c.Subject
}

// ConfirmContact takes the code sent to a new e-mail or phone: it becomes the account's,
// confirmed.
func (s *Service) ConfirmContact(ctx context.Context, tin string, p Purpose, typed string, o Origin) error {
	field := "email_code"
	if p == ForPhone {
		field = "phone_code"
	}
	to, err := s.checkCode(ctx, p, tin, typed, field, o)
	if err != nil {
		return err
	}
	a, err := s.Account(ctx, tin)
	if err != nil {
		return err
	}
	kind := "email_confirmed"
	if p == ForPhone {
		a.Phone, a.PhoneConfirmed, kind = to, true, "phone_confirmed"
	} else {
		a.Email, a.EmailConfirmed = to, true
	}
	return s.update(ctx, a, Effects{Events: []Event{s.event(a.TIN, kind, o, "", "")}})
}

// EnableRecovery switches online recovery on with a code word typed twice: the account needs a
// confirmed e-mail and a confirmed phone, and recovery switched off by three wrong code words
// stays off until a tax office restores it.
func (s *Service) EnableRecovery(ctx context.Context, tin, codeWord, again string, o Origin) error {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return err
	}
	if a.RecoveryOff == RecoveryOffCodeWord {
		return problem.New(problem.Conflict, problem.Msg(s.local(msgRecoveryOff.Key)))
	}
	var fe problem.Fields
	if !a.EmailConfirmed {
		fe.Add("email", msgNeedEmail)
	}
	if !a.PhoneConfirmed {
		fe.Add("phone", msgNeedPhone)
	}
	w := names.Fold(codeWord)
	switch {
	case utf8.RuneCountInString(w) < 3 || utf8.RuneCountInString(w) > 64:
		fe.Add("code_word", msgCodeWord)
	case w != names.Fold(again):
		fe.Add("code_word_confirm", msgCodeWordRepeat)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := s.o.Hasher.Hash(ctx, w)
	if err != nil {
		return err
	}
	a.CodeWordHash, a.RecoveryOn, a.RecoveryFailures = hash, true, 0
	return s.update(ctx, a, Effects{Events: []Event{s.event(a.TIN, "recovery_on", o, "", "")}})
}

// DisableRecovery switches online recovery off at the owner's wish.
func (s *Service) DisableRecovery(ctx context.Context, tin string, o Origin) error {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return err
	}
	a.RecoveryOn, a.CodeWordHash = false, ""
	return s.update(ctx, a, Effects{Events: []Event{s.event(a.TIN, "recovery_off", o, "", "")}})
}

// RequestRecovery takes a TIN and a code word (LK-4). It returns nil whatever it found — no
// account, recovery off, a wrong code word — and sends the link only when all is right; a third
// wrong code word in a row switches online recovery off and tells the owner. base is the site's
// public address the link starts with (https://host/lk/recovery/link).
func (s *Service) RequestRecovery(ctx context.Context, login, codeWord, base string, o Origin) error {
	// A field left empty is named, whoever the TIN is, and is no try: empty words sent three
	// times do not switch recovery off.
	var fe problem.Fields
	fe.RequiredAs(msgRequired, "login", login)
	fe.RequiredAs(msgRequired, "code_word", codeWord)
	if err := fe.Err(); err != nil {
		return err
	}
	key := loginKey(login)
	var a *Account
	if n, err := s.parseTIN("login", key, s.accountHolders()...); err == nil {
		if a, err = s.findAccount(ctx, n.Digits); err != nil {
			return err
		}
	}
	t, err := s.o.Limits.Begin(ctx, CodeWordPolicy, key, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return r.Problem()
	}
	if err != nil {
		return err
	}
	w := names.Fold(codeWord)
	if a == nil || !a.RecoveryOn || a.CodeWordHash == "" || !a.EmailConfirmed {
		s.o.Hasher.Dummy(ctx, w)
		return nil
	}
	ok, err := s.o.Hasher.Verify(ctx, a.CodeWordHash, w)
	if err != nil {
		return err
	}
	if !ok {
		return s.codeWordFailed(ctx, a.TIN, o)
	}
	_ = s.o.Limits.Succeeded(ctx, t)
	id, secret := newSecret(12), newSecret(24)
	link := strings.TrimRight(base, "/") + "?l=" + id + "." + secret
	n, err := s.notice(a.TIN, notify.Email, a.Email, a.Lang, "notify.lk.recovery_link", link, s.now().Add(LinkTTL).In(s.zone).Format("15:04 02.01.2006"))
	if err != nil {
		return err
	}
	a.RecoveryFailures = 0
	e := Effects{Events: []Event{s.event(a.TIN, "recovery_link_sent", o, "", "")}, Messages: []Notice{n}}
	if err := s.update(ctx, a, e); err != nil {
		return err
	}
	return s.o.Store.PutCode(ctx, Code{Purpose: ForRecovery, Key: id, Subject: a.TIN, Hash: codeHash(ForRecovery, id, secret),
		ExpiresAt: s.now().UTC().Add(LinkTTL)}, Effects{})
}

// codeWordFailed counts a wrong code word; the third in a row switches recovery off (retried on
// a concurrent change, so that parallel wrong tries are all counted).
func (s *Service) codeWordFailed(ctx context.Context, tin string, o Origin) error {
	for try := 0; try < 10; try++ {
		a, err := s.Account(ctx, tin)
		if err != nil {
			return err
		}
		if !a.RecoveryOn {
			return nil
		}
		a.RecoveryFailures++
		e := Effects{Events: []Event{s.event(a.TIN, "recovery_code_word_wrong", o, "", "")}}
		if a.RecoveryFailures >= MaxCodeWordFailures {
			a.RecoveryOn, a.RecoveryOff = false, RecoveryOffCodeWord
			e.Events = append(e.Events, s.event(a.TIN, "recovery_blocked", o, "", ""))
			msgs, err := s.notices(a, "notify.lk.recovery_blocked")
			if err != nil {
				return err
			}
			e.Messages = msgs
		}
		err = s.update(ctx, a, e)
		if p, ok := problem.As(err); ok && p.Code == problem.Conflict {
			continue
		}
		return err
	}
	return problem.New(problem.Conflict, msgStale)
}

// parseLink splits a link's parameter into its id and secret.
func parseLink(l string) (id, secret string, ok bool) {
	id, secret, ok = strings.Cut(strings.TrimSpace(l), ".")
	return id, secret, ok && len(id) > 0 && len(id) < 40 && len(secret) > 0 && len(secret) < 80
}

// CheckLink reports whether a recovery link is live (the page of the new password shows its form
// only then); it does not use it.
func (s *Service) CheckLink(ctx context.Context, l string) error {
	_, err := s.link(ctx, l)
	return err
}

func (s *Service) link(ctx context.Context, l string) (*Code, error) {
	id, secret, ok := parseLink(l)
	if !ok {
		return nil, problem.New(problem.NotFound, msgLinkInvalid)
	}
	c, err := s.o.Store.Code(ctx, ForRecovery, id)
	if errors.Is(err, storeerr.ErrNotFound) || err == nil && (!s.now().Before(c.ExpiresAt) || !c.matches(secret)) {
		return nil, problem.New(problem.NotFound, msgLinkInvalid)
	}
	return c, err
}

// ResetPassword sets a new own password with a recovery link (LK-4): the link is used once, and
// every session of the account ends.
func (s *Service) ResetPassword(ctx context.Context, l, pw, again string, o Origin) (*Account, error) {
	c, err := s.link(ctx, l)
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword("new_password", pw, again); err != nil {
		return nil, err // the link stays usable
	}
	if _, err := s.o.Store.TakeCode(ctx, ForRecovery, c.Key); errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.New(problem.NotFound, msgLinkInvalid) // used meanwhile
	} else if err != nil {
		return nil, err
	}
	a, err := s.Account(ctx, c.Subject)
	if err != nil {
		return nil, err
	}
	if err := s.admitRecovered(a); err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, a, pw); err != nil {
		return nil, err
	}
	a.Temporary, a.SessionsFrom = false, s.now().UTC()
	msgs, err := s.notices(a, "notify.lk.password_changed")
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, a, Effects{Events: []Event{s.event(a.TIN, "recovered", o, "", "")}, Messages: msgs}); err != nil {
		return nil, err
	}
	return a, s.endSessions(ctx, a.TIN)
}

// admitRecovered refuses a recovery of an account that recovery may not open: one whose online
// recovery was switched off after the link was sent.
func (s *Service) admitRecovered(a *Account) error {
	if !a.RecoveryOn {
		return problem.New(problem.Conflict, problem.Msg(s.local(msgRecoveryOff.Key)))
	}
	return nil
}

// RestoreRecovery switches online recovery back on after three wrong code words, at a tax
// office, once the inspector checked the passport (LK-4, BO-5).
func (s *Service) RestoreRecovery(ctx context.Context, actor audit.Actor, tin string, passportShown bool) error {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return err
	}
	if a.RecoveryOff != RecoveryOffCodeWord {
		return problem.New(problem.Conflict, msgNotOff)
	}
	if !passportShown {
		return problem.InvalidField("passport_shown", msgChecklist.With(i18n.Key("lk.doc.passport")))
	}
	a.RecoveryOff, a.RecoveryFailures = "", 0
	a.RecoveryOn = a.CodeWordHash != "" && a.EmailConfirmed && a.PhoneConfirmed
	now := s.now().UTC()
	e := Effects{Events: []Event{s.event(a.TIN, "recovery_restored", Origin{Address: actor.RemoteAddr}, actor.Login, "")},
		Audit: []audit.Entry{{At: now, Actor: actor, Action: "lk.recovery.restore", Subject: a.TIN, Details: "checked=passport"}}}
	return s.update(ctx, a, e)
}
