package cabinet

import (
	"context"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/problem"
)

// Login by TIN and password (LK-1, LK-2) under the attempt limits of package limits (per
// address, overall with a progressive delay, trusted devices), counted before the password's
// hash is computed. An unknown TIN, a TIN without an account and a malformed login are answered,
// counted and timed exactly like a wrong password, so no answer tells whether a TIN has an
// account; what is wrong with an account (a card expired unused, a card not yet active, a TIN
// that stopped being applied) is told only to whoever typed its password right. The login
// 00000000000 opens the demonstration account with any password (LK-9, demo.go).

// LoginPolicy limits the password attempts of the personal accounts: the staff's numbers.
var LoginPolicy = limits.Policy{
	Scope:     "lk.password",
	PerClient: limits.StaffLogin.PerClient,
	Overall:   limits.StaffLogin.Overall,
	PerDevice: limits.StaffLogin.PerDevice,
}

var (
	msgBadLogin   = problem.Msg("lk.bad_credentials")
	msgBlocked    = problem.Msg("lk.login.blocked")
	msgNotYet     = problem.Msg("lk.login.not_yet")
	msgLoginStale = problem.Msg("lk.login.not_applied")
)

// LoginResult is a login whose password was right.
type LoginResult struct {
	Account *Account // nil for the demonstration account
	Demo    bool     // the demonstration account (LK-9)
	// MustChange is set when the password was the temporary one of a card: the owner sets their
	// own before anything else (LK-2); the card's id is Account.CardID.
	MustChange bool
	Device     string // a new device token, when the attempt came from an untrusted device
}

// loginKey is the name a login's counters are kept under: the TIN as typed without spaces.
func loginKey(login string) string { return strings.Join(strings.Fields(login), "") }

// Login checks a TIN and a password.
func (s *Service) Login(ctx context.Context, login, pw string, o Origin) (LoginResult, error) {
	return s.login(ctx, login, pw, o, true)
}

// login checks a login and a password under the attempt limits; a browser that gets in from an
// untrusted device is given a device token (trust), an application (KG-2) none.
func (s *Service) login(ctx context.Context, login, pw string, o Origin, trust bool) (LoginResult, error) {
	key := loginKey(login)
	if IsDemo(key) && s.o.Profile.Cabinet.Demo {
		return LoginResult{Demo: true}, nil // any password, none too (LK-9)
	}
	var fe problem.Fields
	fe.Required("login", login)
	fe.Required("password", pw)
	if err := fe.Err(); err != nil {
		// An empty field is no attempt and says nothing about any account.
		return LoginResult{}, err
	}
	var a *Account
	if n, err := s.parseTIN("login", key, s.accountHolders()...); err == nil {
		if a, err = s.findAccount(ctx, n.Digits); err != nil {
			return LoginResult{}, err
		}
	}
	t, err := s.o.Limits.Begin(ctx, LoginPolicy, key, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return LoginResult{}, r.Problem()
	}
	if err != nil {
		return LoginResult{}, err
	}
	if a == nil || !a.HasPassword() {
		s.o.Hasher.Dummy(ctx, pw)
		return LoginResult{}, problem.New(problem.Unauthorized, msgBadLogin)
	}
	ok, err := s.o.Hasher.Verify(ctx, a.PasswordHash, pw)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		_ = s.o.Store.Record(ctx, Effects{Events: []Event{s.event(a.TIN, "login_failed", o, "", "")}})
		return LoginResult{}, problem.New(problem.Unauthorized, msgBadLogin)
	}
	if err := s.o.Limits.Succeeded(ctx, t); err != nil {
		return LoginResult{}, err
	}
	if err := s.admit(ctx, a, o); err != nil {
		return LoginResult{}, err
	}
	res := LoginResult{Account: a, MustChange: a.Temporary}
	kind := "login"
	if a.Temporary {
		kind = "temporary_login"
	}
	if err := s.o.Store.Record(ctx, Effects{Events: []Event{s.event(a.TIN, kind, o, "", "")}}); err != nil {
		return LoginResult{}, err
	}
	if !t.Trusted && trust {
		if res.Device, err = s.o.Limits.TrustDevice(ctx, LoginPolicy, key); err != nil {
			return LoginResult{}, err
		}
	}
	return res, nil
}

// admit refuses an account its owner may not enter now, whatever the way in: a card's
// temporary password expired unused (LK-2), a card on an application before the next day
// (LK-7), a TIN that is not applied any more (REG-7).
func (s *Service) admit(ctx context.Context, a *Account, o Origin) error {
	now := s.now()
	if a.Blocked(now) {
		_ = s.o.Store.Record(ctx, Effects{Events: []Event{s.event(a.TIN, "login_blocked", o, "", "")}})
		// The jurisdiction's wording: where no card is issued (KG-1), the УГНС restores access.
		return problem.New(problem.Forbidden, problem.Msg(s.local(msgBlocked.Key), s.date(a.CardExpiresAt)))
	}
	if !a.ActiveFrom.IsZero() && now.Before(a.ActiveFrom) {
		return problem.New(problem.Forbidden, msgNotYet.With(s.date(a.ActiveFrom)))
	}
	if a.Signatory != "" {
		return s.admitSignatory(ctx, a)
	}
	p, err := s.o.Register.Person(ctx, a.TIN)
	if err != nil {
		return problem.Wrap(problem.Unavailable, msgUnavailable, err)
	}
	if p == nil || !p.Applied() {
		return problem.New(problem.Forbidden, problem.Msg(s.local(msgLoginStale.Key)))
	}
	if name := p.FullName(); name != a.Name {
		a.Name = name // the register's name changed (REG-6): shown from now on
		_ = s.update(ctx, a, Effects{})
	}
	return nil
}

// retireTemporary ends the temporary password of a's card when its owner has just entered the
// account another way — a qualified e-signature (LK-5) or the identity provider (LK-6) — while
// that password was still valid and not yet replaced (LK-2). The owner has proved who they are
// better than the paper card does, and the card's password is a secret on paper: it stops
// working at once rather than for the rest of its month. The card is used; the account has no
// password until its owner sets one of their own (offered at once, and in the settings). An
// expired one never gets here: it blocks every way in (admit). way names the way in, for the
// history. It reports whether a password was retired.
func (s *Service) retireTemporary(ctx context.Context, a *Account, o Origin, way string) (bool, error) {
	if !a.Temporary || a.CardID == "" || a.Blocked(s.now()) {
		return false, nil
	}
	a.PasswordHash, a.Temporary = "", false
	if o.Lang != "" {
		a.Lang = o.Lang
	}
	if err := s.useCard(ctx, a, Effects{Events: []Event{s.event(a.TIN, "temporary_retired", o, "", way)}}); err != nil {
		return false, err
	}
	return true, nil
}

// SetOwnPassword replaces the temporary password of card cardID, which the owner has just typed
// (a login flow holds that proof), by their own password (LK-2, LK-3): the card is used and the
// new password is permanent.
func (s *Service) SetOwnPassword(ctx context.Context, tin, cardID, pw, again string, o Origin) (*Account, error) {
	a, err := s.Account(ctx, tin)
	if err != nil {
		return nil, err
	}
	if !a.Temporary || a.CardID != cardID {
		// Another card was issued meanwhile, or the password was already set (another tab).
		return nil, problem.New(problem.Conflict, msgStale)
	}
	if err := s.admit(ctx, a, o); err != nil {
		return nil, err
	}
	if err := s.checkPassword("new_password", pw, again); err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, a, pw); err != nil {
		return nil, err
	}
	a.Temporary = false
	if o.Lang != "" {
		a.Lang = o.Lang
	}
	if err := s.useCard(ctx, a, Effects{Events: []Event{s.event(a.TIN, "password_set", o, "", "")}}); err != nil {
		return nil, err
	}
	return a, nil
}

// SessionAccount returns the account a session of tin that started at started opens, or an
// error that ends the session: the account gone, blocked, or given a new card or a recovered
// password since the session started (LK-10). read, when not nil, is the account as the session
// store read it with the session (session.Session.Holder); it is not read again.
func (s *Service) SessionAccount(ctx context.Context, tin string, started time.Time, read *Account) (*Account, error) {
	a := read
	if a == nil || a.TIN != tin {
		var err error
		if a, err = s.Account(ctx, tin); err != nil {
			return nil, err
		}
	}
	if started.Before(a.SessionsFrom) || a.Blocked(s.now()) {
		return nil, problem.New(problem.Unauthorized, problem.MsgUnauthorized)
	}
	return a, nil
}
