package identity

import (
	"context"
	"errors"
	"strings"

	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Login by phone, e-mail or СНИЛС with the password, under the attempt limits of package limits
// (the same design as the staff's: per address, overall with a progressive delay, trusted
// devices). An unknown login is answered, counted and timed exactly like a wrong password.

// PasswordPolicy limits the password attempts of accounts.
var PasswordPolicy = limits.Policy{
	Scope:     "idp.password",
	PerClient: limits.StaffLogin.PerClient,
	Overall:   limits.StaffLogin.Overall,
	PerDevice: limits.StaffLogin.PerDevice,
}

var (
	msgBadLogin      = problem.Msg("idp.bad_credentials")
	msgLoginRequired = problem.Msg("idp.login.required")
)

// LoginResult is a successful login: the account, and a new device token when the attempt did
// not come from a trusted device.
type LoginResult struct {
	Account *Account
	Device  string
}

// find returns the account a login names, trying each way it can be read; nil when none.
func (s *Provider) find(ctx context.Context, login string) (*Account, error) {
	for _, l := range ParseLogin(login) {
		a, err := s.o.Store.AccountBy(ctx, l.Kind, l.Value)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, storeerr.ErrNotFound) {
			return nil, err
		}
	}
	return nil, nil
}

// limitKey is the name a login's counters are kept under: the account when the login names one,
// else the login as read, so that "+7 916…" and "8916…" share their limits whether an account
// has that phone or not.
func limitKey(a *Account, login string) string {
	if a != nil {
		return a.ID
	}
	if ls := ParseLogin(login); len(ls) > 0 {
		return ls[0].Value
	}
	return strings.ToLower(strings.Join(strings.Fields(login), ""))
}

// Login checks a password.
func (s *Provider) Login(ctx context.Context, login, pw string, o Origin) (LoginResult, error) {
	var fe problem.Fields
	if strings.TrimSpace(login) == "" { // named as the page asks it: a phone, an e-mail or a СНИЛС
		fe.Add("login", msgLoginRequired)
	}
	fe.Required("password", pw)
	if err := fe.Err(); err != nil {
		// An empty field is no attempt and says nothing about any account.
		return LoginResult{}, err
	}
	a, err := s.find(ctx, login)
	if err != nil {
		return LoginResult{}, err
	}
	t, err := s.o.Limits.Begin(ctx, PasswordPolicy, limitKey(a, login), o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return LoginResult{}, r.Problem()
	}
	if err != nil {
		return LoginResult{}, err
	}
	if a == nil {
		s.o.Hasher.Dummy(ctx, pw)
		return LoginResult{}, problem.New(problem.Unauthorized, msgBadLogin)
	}
	ok, err := s.o.Hasher.Verify(ctx, a.PasswordHash, pw)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		_ = s.o.Store.Record(ctx, Effects{Events: []Event{s.event(a.ID, "login_failed", o, "")}})
		return LoginResult{}, problem.New(problem.Unauthorized, msgBadLogin)
	}
	if err := s.o.Limits.Succeeded(ctx, t); err != nil {
		return LoginResult{}, err
	}
	if err := s.o.Store.Record(ctx, Effects{Events: []Event{s.event(a.ID, "login", o, "")}}); err != nil {
		return LoginResult{}, err
	}
	res := LoginResult{Account: a}
	if !t.Trusted {
		if res.Device, err = s.o.Limits.TrustDevice(ctx, PasswordPolicy, limitKey(a, login)); err != nil {
			return LoginResult{}, err
		}
	}
	return res, nil
}
