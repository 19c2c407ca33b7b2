package cabinet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// KG-2: the mobile application's login (the Salyk.kg app, seed 004) with the login and the
// password of the cabinet — the same attempt limits, hashing and admission as every login of the
// personal account (Login) — and the documents it must accept (terms.go). A login gives an access
// token (15 minutes) and a refresh token (30 days); a refresh token is used once and replaced by
// a new pair, and one presented again revokes its whole chain (a stolen copy and the owner's meet
// there). Logout revokes the chain. Tokens are random; only their SHA-256 is stored. A new
// password, a recovery or a new card ends the tokens issued before it, like the sessions
// (Account.SessionsFrom).

// Lifetimes of the mobile tokens.
const (
	MobileAccessTTL  = 15 * time.Minute
	MobileRefreshTTL = 30 * 24 * time.Hour
)

// The kinds of mobile tokens.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// Prefixes of the tokens, so that a token found somewhere says what it is.
const (
	accessPrefix  = "kma_"
	refreshPrefix = "kmr_"
)

// MobileToken is a mobile token as stored: its hash, never the token.
type MobileToken struct {
	Hash      []byte
	Kind      string // TokenAccess, TokenRefresh
	Family    string // the chain of a login: every token its refreshes issued
	TIN       string // the account
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // a refresh token exchanged
	RevokedAt time.Time // the chain revoked (logout, reuse)
}

// MobileLogin is what the application sends to log in.
type MobileLogin struct {
	Login         string
	Password      string
	AcceptOffer   bool
	AcceptPrivacy bool
}

// MobileTokens are the tokens a login or a refresh hands to the application.
type MobileTokens struct {
	Access    string
	Refresh   string
	ExpiresIn time.Duration // of the access token
	Account   *Account
}

var (
	msgMobileOff       = problem.Msg("lk.mobile.off")
	msgMobileToken     = problem.Msg("lk.mobile.token")
	msgMobileTemporary = problem.Msg("lk.mobile.temporary")
)

// mobileOn refuses the mobile API where the jurisdiction has none.
func (s *Service) mobileOn() error {
	if !s.o.Profile.Cabinet.Mobile {
		return problem.New(problem.NotFound, msgMobileOff)
	}
	return nil
}

// LoginMobile logs the application in (KG-2): the login and password under the attempt limits
// (a wrong one is 401, like every login), the account admitted as on the site, then the
// documents accepted (terms.go; 403 naming what is missing); the acceptances, the tokens and the
// line of the account's history are written at once.
func (s *Service) LoginMobile(ctx context.Context, in MobileLogin, o Origin) (*MobileTokens, error) {
	if err := s.mobileOn(); err != nil {
		return nil, err
	}
	res, err := s.login(ctx, in.Login, in.Password, o, false)
	if err != nil {
		return nil, err
	}
	a := res.Account
	if a == nil || res.MustChange {
		// A card's temporary password is replaced on the site first (LK-2).
		return nil, problem.New(problem.Forbidden, problem.Msg(s.local(msgMobileTemporary.Key)))
	}
	now := s.now().UTC()
	acc, err := s.accept(ctx, a.TIN, map[string]bool{DocOffer: in.AcceptOffer, DocPrivacy: in.AcceptPrivacy}, now, o.Address)
	if err != nil {
		return nil, err
	}
	e := Effects{Events: []Event{s.event(a.TIN, "mobile_login", o, "", "")}}
	if len(acc) > 0 {
		var parts []string
		for _, x := range acc {
			parts = append(parts, x.Document+"="+x.Version)
		}
		e.Events = append(e.Events, s.event(a.TIN, "terms_accepted", o, "", strings.Join(parts, " ")))
	}
	return s.issueMobile(ctx, a, newFamily(), acc, e)
}

// issueMobile stores a new pair of tokens of family for account a with what comes with it.
func (s *Service) issueMobile(ctx context.Context, a *Account, family string, acc []Acceptance, e Effects) (*MobileTokens, error) {
	now := s.now().UTC()
	access, refresh := accessPrefix+newToken(), refreshPrefix+newToken()
	toks := []MobileToken{
		{Hash: tokenHash(access), Kind: TokenAccess, Family: family, TIN: a.TIN, CreatedAt: now, ExpiresAt: now.Add(MobileAccessTTL)},
		{Hash: tokenHash(refresh), Kind: TokenRefresh, Family: family, TIN: a.TIN, CreatedAt: now, ExpiresAt: now.Add(MobileRefreshTTL)},
	}
	if err := s.o.Store.IssueMobileTokens(ctx, toks, acc, e); err != nil {
		return nil, err
	}
	return &MobileTokens{Access: access, Refresh: refresh, ExpiresIn: MobileAccessTTL, Account: a}, nil
}

// RefreshMobile exchanges a refresh token for a new pair (KG-2). A token used before revokes its
// chain (reuse: a copy in other hands); an unknown, expired or revoked one, an account that may
// not log in any more, and tokens older than a new password are 401; documents of a new version
// not yet accepted are 403 as at login, and the application logs in again accepting them.
func (s *Service) RefreshMobile(ctx context.Context, refresh string, o Origin) (*MobileTokens, error) {
	if err := s.mobileOn(); err != nil {
		return nil, err
	}
	bad := problem.New(problem.Unauthorized, msgMobileToken)
	t, err := s.mobileToken(ctx, refresh, TokenRefresh)
	if err != nil || t == nil {
		return nil, orBad(err, bad)
	}
	now := s.now().UTC()
	if !t.UsedAt.IsZero() {
		return nil, s.reused(ctx, t, o, bad)
	}
	if !t.RevokedAt.IsZero() || !now.Before(t.ExpiresAt) {
		return nil, bad
	}
	if err := s.o.Store.UseMobileToken(ctx, t.Hash, now); errors.Is(err, storeerr.ErrConflict) {
		return nil, s.reused(ctx, t, o, bad) // used by a concurrent request a moment ago
	} else if err != nil {
		return nil, err
	}
	a, err := s.mobileAccount(ctx, t, o)
	if err != nil {
		return nil, err
	}
	acc, err := s.accept(ctx, a.TIN, nil, now, o.Address)
	if err != nil {
		return nil, err
	}
	return s.issueMobile(ctx, a, t.Family, acc, Effects{})
}

// reused revokes the chain of a refresh token presented a second time, and records it.
func (s *Service) reused(ctx context.Context, t *MobileToken, o Origin, bad error) error {
	e := Effects{Events: []Event{s.event(t.TIN, "mobile_token_reused", o, "", "")}}
	if err := s.o.Store.RevokeMobileFamily(ctx, t.Family, s.now().UTC(), e); err != nil {
		return err
	}
	return bad
}

// MobileAccount returns the account of an access token (KG-2): 401 for an unknown, expired or
// revoked token and for one issued before the account's credentials were replaced.
func (s *Service) MobileAccount(ctx context.Context, access string) (*Account, error) {
	if err := s.mobileOn(); err != nil {
		return nil, err
	}
	bad := problem.New(problem.Unauthorized, msgMobileToken)
	t, err := s.mobileToken(ctx, access, TokenAccess)
	if err != nil || t == nil {
		return nil, orBad(err, bad)
	}
	if !t.RevokedAt.IsZero() || !s.now().Before(t.ExpiresAt) {
		return nil, bad
	}
	a, err := s.Account(ctx, t.TIN)
	if err != nil || t.CreatedAt.Before(a.SessionsFrom) || a.Blocked(s.now()) {
		return nil, bad
	}
	return a, nil
}

// mobileAccount returns the account of a refresh token if it may still log in.
func (s *Service) mobileAccount(ctx context.Context, t *MobileToken, o Origin) (*Account, error) {
	bad := problem.New(problem.Unauthorized, msgMobileToken)
	a, err := s.findAccount(ctx, t.TIN)
	if err != nil {
		return nil, err
	}
	if a == nil || t.CreatedAt.Before(a.SessionsFrom) {
		return nil, bad
	}
	if err := s.admit(ctx, a, o); err != nil {
		return nil, err
	}
	return a, nil
}

// LogoutMobile revokes the chain of the tokens given (the access token of the request, the
// refresh token of the body, either); unknown tokens are ignored.
func (s *Service) LogoutMobile(ctx context.Context, access, refresh string, o Origin) error {
	if err := s.mobileOn(); err != nil {
		return err
	}
	for _, c := range []struct{ tok, kind string }{{access, TokenAccess}, {refresh, TokenRefresh}} {
		if c.tok == "" {
			continue
		}
		t, err := s.mobileToken(ctx, c.tok, c.kind)
		if err != nil {
			return err
		}
		if t == nil || !t.RevokedAt.IsZero() {
			continue
		}
		e := Effects{Events: []Event{s.event(t.TIN, "mobile_logout", o, "", "")}}
		if err := s.o.Store.RevokeMobileFamily(ctx, t.Family, s.now().UTC(), e); err != nil {
			return err
		}
	}
	return nil
}

// revokeMobile ends the application's logins of the account tin when its owner changes the
// password (a new card or a recovery end them by Account.SessionsFrom).
func (s *Service) revokeMobile(ctx context.Context, tin string) error {
	if !s.o.Profile.Cabinet.Mobile {
		return nil
	}
	return s.o.Store.RevokeMobileTokensOf(ctx, tin, s.now().UTC())
}

// SignedOutEverywhere records that the owner signed out on every device (the site ends the
// sessions) and ends the mobile application's logins as well (KG-2).
func (s *Service) SignedOutEverywhere(ctx context.Context, tin string, o Origin) error {
	if err := s.RecordEvent(ctx, tin, "signed_out_everywhere", "", "", o); err != nil {
		return err
	}
	return s.revokeMobile(ctx, tin)
}

// CleanupMobile removes the tokens that expired (a periodic job).
func (s *Service) CleanupMobile(ctx context.Context) (int, error) {
	return s.o.Store.DeleteExpiredMobileTokens(ctx, s.now().UTC())
}

// mobileToken returns the stored token of kind for tok, or nil when there is none.
func (s *Service) mobileToken(ctx context.Context, tok, kind string) (*MobileToken, error) {
	prefix := accessPrefix
	if kind == TokenRefresh {
		prefix = refreshPrefix
	}
	if !strings.HasPrefix(tok, prefix) || len(tok) > 100 {
		return nil, nil
	}
	t, err := s.o.Store.MobileToken(ctx, tokenHash(tok))
	if errors.Is(err, storeerr.ErrNotFound) || err == nil && t.Kind != kind {
		return nil, nil
	}
	return t, err
}

// orBad returns err, or bad when err is nil.
func orBad(err, bad error) error {
	if err != nil {
		return err
	}
	return bad
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newFamily() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// MobileSubject returns what the application shows of an account: the taxpayer (a person, or an
// organization of its head or accountant, KG-1) and its tax office's name in lang.
func (s *Service) MobileSubject(ctx context.Context, a *Account, lang string) (*Person, string, error) {
	p, err := s.Subject(ctx, a.TIN)
	if err != nil {
		return nil, "", err
	}
	return p, s.OfficeName(ctx, p.Office, lang), nil
}

// Holder returns whose a TIN is by the jurisdiction's rules (a person's, an organization's).
func (s *Service) Holder(tin string) jurisdiction.Holder {
	n, err := s.o.Profile.TIN.Parse(tin, s.now())
	if err != nil {
		return ""
	}
	return n.Holder
}
