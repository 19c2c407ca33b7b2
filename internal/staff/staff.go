// Package staff holds the tax office's staff members — inspectors, service-centre operators and
// administrators — their roles, password login under the attempt limits of package limits, and
// API tokens. Every staff action
// it performs is written to the audit log (BO-5) by its store in the same transaction. It declares
// the Store it needs and imports no database driver and no net/http.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Role is what a staff member may do.
type Role string

// Roles.
const (
	RoleInspector Role = "inspector" // registers and changes taxpayers, decides reviews (BO-1, BO-3)
	RoleOperator  Role = "operator"  // service-centre operator: reads the register, confirms accounts (BO-4)
	RoleAdmin     Role = "admin"     // everything, plus staff management and the audit log
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleInspector || r == RoleOperator || r == RoleAdmin }

// CanWriteRegister reports whether the role may change the register.
func (r Role) CanWriteRegister() bool { return r == RoleInspector || r == RoleAdmin }

// CanReadAudit reports whether the role may read the audit log.
func (r Role) CanReadAudit() bool { return r == RoleInspector || r == RoleAdmin }

// CanManageStaff reports whether the role may add staff and issue tokens for others.
func (r Role) CanManageStaff() bool { return r == RoleAdmin }

// Member is a staff member.
type Member struct {
	ID    int64
	Login string
	Name  string
	// Position is the member's position («Главный государственный налоговый инспектор»), which an
	// extract gives beside the issuing officer's name (REG-9).
	Position string
	// Office is the code of the tax office the member works in ("" for none): an inspector of a
	// УГНС decides the self-registrations of its queue (KG-1, BO-3).
	Office    string
	Role      Role
	CreatedAt time.Time
	Disabled  bool
}

// Actor returns the audit actor for the member at remote address addr.
func (m Member) Actor(addr string) audit.Actor {
	return audit.Actor{Login: m.Login, Role: string(m.Role), RemoteAddr: addr}
}

// Account is a member with its password hash, as the store keeps it.
type Account struct {
	Member
	PasswordHash string
}

// Store is the storage the staff service needs.
type Store interface {
	InsertMember(ctx context.Context, a Account, e audit.Entry) (Member, error)
	Account(ctx context.Context, login string) (*Account, error) // storeerr.ErrNotFound when missing
	ListMembers(ctx context.Context) ([]Member, error)
	// LogEvent writes an audit entry of a login (a success, the start of a lock).
	LogEvent(ctx context.Context, e audit.Entry) error
	SetPosition(ctx context.Context, login, position string, e audit.Entry) error
	SetDisabled(ctx context.Context, login string, disabled bool, e audit.Entry) error
	InsertToken(ctx context.Context, hash []byte, login string, expires time.Time, e audit.Entry) error
	TokenMember(ctx context.Context, hash []byte) (*Member, time.Time, error) // member and expiry; storeerr.ErrNotFound when unknown or revoked
}

// Rules of staff credentials.
const (
	MinPassword = 12
	TokenPrefix = "kbt_"
)

// Service manages staff.
type Service struct {
	st     Store
	hasher *password.Hasher
	lim    *limits.Limiter
	now    func() time.Time

	// tokens caches authenticated tokens for TokenCacheTTL, so that an API call costs no
	// database round trip for its token. A revocation in this process clears the cache at once;
	// one made by another instance takes effect here within TokenCacheTTL.
	mu     sync.Mutex
	tokens map[[32]byte]cachedToken
	// members caches the members that pages are shown to, for TokenCacheTTL like tokens: a
	// page of a signed-in member costs no look-up of the member. Disable clears it here at once.
	members map[string]cachedMember
}

type cachedMember struct {
	m     Member
	until time.Time
}

type cachedToken struct {
	m       Member
	expires time.Time // the token's own expiry
	until   time.Time // end of the cache entry
}

// TokenCacheTTL bounds how long an authenticated token is trusted without the database.
const TokenCacheTTL = 30 * time.Second

const maxCachedTokens = 10000

// New returns a Service; its logins are limited by lim (limits.StaffLogin).
func New(st Store, h *password.Hasher, lim *limits.Limiter, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, hasher: h, lim: lim, now: now, tokens: map[[32]byte]cachedToken{}, members: map[string]cachedMember{}}
}

var (
	msgLogin       = problem.Msg("staff.login")
	msgRole        = problem.Msg("staff.role")
	msgPasswordLen = problem.Msg("staff.password_len")
	msgLoginTaken  = problem.Msg("staff.login_taken")
	msgBadLogin    = problem.Msg("staff.bad_credentials")
	msgBadToken    = problem.Msg("staff.bad_token")
	msgTTL         = problem.Msg("staff.ttl")
	msgNoMember    = problem.Msg("staff.not_found")
	msgPosition    = problem.Msg("staff.position")
	msgOffice      = problem.Msg("staff.office")
	reLogin        = regexp.MustCompile(`^[A-Za-z0-9._-]{3,32}$`)
)

// Add creates a staff member.
func (s *Service) Add(ctx context.Context, actor audit.Actor, login string, role Role, name, pw string) (Member, error) {
	return s.AddMember(ctx, actor, Member{Login: login, Role: role, Name: name}, pw)
}

// AddMember creates the staff member m (its login, role, name and position) with the password pw.
func (s *Service) AddMember(ctx context.Context, actor audit.Actor, m Member, pw string) (Member, error) {
	login, role, name := m.Login, m.Role, m.Name
	position := strings.Join(strings.Fields(m.Position), " ")
	var fe problem.Fields
	if !reLogin.MatchString(login) {
		fe.Add("login", msgLogin)
	}
	if !role.Valid() {
		fe.Add("role", msgRole)
	}
	checkPosition(&fe, position)
	office := strings.TrimSpace(m.Office)
	if office != "" && !isOfficeCode(office) {
		fe.Add("office", msgOffice)
	}
	if len([]rune(pw)) < MinPassword {
		fe.Add("password", msgPasswordLen)
	}
	if err := fe.Err(); err != nil {
		return Member{}, err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return Member{}, err
	}
	now := s.now().UTC()
	details := "role=" + string(role)
	if position != "" {
		details += " position=" + position
	}
	if office != "" {
		details += " office=" + office
	}
	m, err = s.st.InsertMember(ctx, Account{Member: Member{Login: login, Name: name, Position: position, Office: office, Role: role, CreatedAt: now}, PasswordHash: hash},
		audit.Entry{At: now, Actor: actor, Action: "staff.add", Subject: login, Details: details})
	if errors.Is(err, storeerr.ErrKeyTaken) {
		return Member{}, problem.InvalidField("login", msgLoginTaken)
	}
	return m, err
}

// LoginResult is a successful login: the member, and a new device token when the attempt did
// not come from a trusted device (to keep in the browser for later logins).
type LoginResult struct {
	Member Member
	Device string
}

// Login checks a password under the attempt limits (limits.StaffLogin): the attempt is counted
// before the password is hashed, and refused without hashing when a limit holds. A wrong
// password and an unknown login give the same error, are counted the same way and take the same
// time. The start of a lock is one audit entry.
func (s *Service) Login(ctx context.Context, login, pw string, o limits.Origin) (LoginResult, error) {
	var fe problem.Fields
	fe.Required("login", login)
	fe.Required("password", pw)
	if err := fe.Err(); err != nil {
		// An empty field is no attempt and says nothing about any login.
		return LoginResult{}, err
	}
	now := s.now().UTC()
	login = strings.TrimSpace(login)
	actor := audit.Actor{Login: login, Role: "staff", RemoteAddr: o.Address}
	t, err := s.lim.Begin(ctx, limits.StaffLogin, login, o)
	if r, refused := limits.AsRefusal(err); refused {
		if r.Started {
			if err := s.st.LogEvent(ctx, audit.Entry{At: now, Actor: actor, Action: "staff.login_locked", Subject: login, Details: "by=" + r.Which}); err != nil {
				return LoginResult{}, err
			}
		}
		return LoginResult{}, r.Problem()
	}
	if err != nil {
		return LoginResult{}, err
	}
	if t.DelayStarted {
		if err := s.st.LogEvent(ctx, audit.Entry{At: now, Actor: actor, Action: "staff.login_throttled", Subject: login}); err != nil {
			return LoginResult{}, err
		}
	}
	var a *Account
	if reLogin.MatchString(login) {
		a, err = s.st.Account(ctx, login)
		if err != nil && !errors.Is(err, storeerr.ErrNotFound) {
			return LoginResult{}, err
		}
	}
	if a == nil {
		s.hasher.Dummy(ctx, pw)
		return LoginResult{}, problem.New(problem.Unauthorized, msgBadLogin)
	}
	ok, err := s.hasher.Verify(ctx, a.PasswordHash, pw)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok || a.Disabled {
		return LoginResult{}, problem.New(problem.Unauthorized, msgBadLogin)
	}
	if err := s.lim.Succeeded(ctx, t); err != nil {
		return LoginResult{}, err
	}
	actor.Role = string(a.Role)
	if err := s.st.LogEvent(ctx, audit.Entry{At: now, Actor: actor, Action: "staff.login", Subject: login}); err != nil {
		return LoginResult{}, err
	}
	res := LoginResult{Member: a.Member}
	if !t.Trusted {
		if res.Device, err = s.lim.TrustDevice(ctx, limits.StaffLogin, login); err != nil {
			return LoginResult{}, err
		}
	}
	return res, nil
}

// known turns the store's "not found" into the staff's own problem.
func known(err error) error {
	if errors.Is(err, storeerr.ErrNotFound) {
		return problem.New(problem.NotFound, msgNoMember)
	}
	return err
}

// Member returns the member with login (for TokenCacheTTL from memory: see Service.members).
func (s *Service) Member(ctx context.Context, login string) (Member, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.members[login]
	s.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.m, nil
	}
	a, err := s.st.Account(ctx, login)
	if err != nil {
		return Member{}, known(err)
	}
	s.mu.Lock()
	if len(s.members) >= maxCachedTokens {
		clear(s.members)
	}
	s.members[login] = cachedMember{m: a.Member, until: now.Add(TokenCacheTTL)}
	s.mu.Unlock()
	return a.Member, nil
}

// List returns all members.
func (s *Service) List(ctx context.Context) ([]Member, error) { return s.st.ListMembers(ctx) }

// isOfficeCode reports whether v looks like a tax office's code: 3 or 4 digits (a УГНС, an ИФНС).
// Whether the directory knows it is the caller's check (the command line asks the register).
func isOfficeCode(v string) bool {
	if len(v) < 3 || len(v) > 4 {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MaxPosition bounds the length of a position, in characters.
const MaxPosition = 200

// checkPosition refuses a position that is too long or holds control characters.
func checkPosition(fe *problem.Fields, position string) {
	if utf8.RuneCountInString(position) > MaxPosition || strings.IndexFunc(position, unicode.IsControl) >= 0 || !utf8.ValidString(position) {
		fe.Add("position", msgPosition)
	}
}

// SetPosition gives a member a position (REG-9: extracts name it beside the member's name); an
// empty one clears it.
func (s *Service) SetPosition(ctx context.Context, actor audit.Actor, login, position string) error {
	position = strings.Join(strings.Fields(position), " ")
	var fe problem.Fields
	checkPosition(&fe, position)
	if err := fe.Err(); err != nil {
		return err
	}
	s.forget(login)
	return known(s.st.SetPosition(ctx, login, position, audit.Entry{At: s.now().UTC(), Actor: actor, Action: "staff.position", Subject: login, Details: "position=" + position}))
}

// Disable stops a member from logging in and revokes the member's tokens.
func (s *Service) Disable(ctx context.Context, actor audit.Actor, login string) error {
	s.forget(login)
	return known(s.st.SetDisabled(ctx, login, true, audit.Entry{At: s.now().UTC(), Actor: actor, Action: "staff.disable", Subject: login}))
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// IssueToken creates an API token for login, valid for ttl; it is returned once and stored only
// as a hash.
func (s *Service) IssueToken(ctx context.Context, actor audit.Actor, login string, ttl time.Duration) (string, time.Time, error) {
	if ttl < time.Minute || ttl > 90*24*time.Hour {
		return "", time.Time{}, problem.InvalidField("ttl", msgTTL)
	}
	a, err := s.st.Account(ctx, login)
	if err != nil {
		return "", time.Time{}, known(err)
	}
	if a.Disabled {
		return "", time.Time{}, problem.New(problem.Forbidden, problem.MsgForbidden)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now().UTC()
	exp := now.Add(ttl)
	if err := s.st.InsertToken(ctx, tokenHash(token), login, exp, audit.Entry{At: now, Actor: actor, Action: "staff.token", Subject: login, Details: "expires=" + exp.Format(time.RFC3339)}); err != nil {
		return "", time.Time{}, err
	}
	return token, exp, nil
}

// Authenticate returns the member a bearer token belongs to. The token is looked up by its
// SHA-256, so no comparison of secrets happens in the application.
func (s *Service) Authenticate(ctx context.Context, token string) (Member, error) {
	if len(token) < len(TokenPrefix)+20 || len(token) > 200 {
		return Member{}, problem.New(problem.Unauthorized, msgBadToken)
	}
	key := sha256.Sum256([]byte(token))
	now := s.now()
	s.mu.Lock()
	c, ok := s.tokens[key]
	s.mu.Unlock()
	if ok && now.Before(c.until) && now.Before(c.expires) {
		return c.m, nil
	}
	m, exp, err := s.st.TokenMember(ctx, key[:])
	if err != nil {
		if errors.Is(err, storeerr.ErrNotFound) {
			return Member{}, problem.New(problem.Unauthorized, msgBadToken)
		}
		return Member{}, err
	}
	if now.After(exp) || m.Disabled {
		return Member{}, problem.New(problem.Unauthorized, msgBadToken)
	}
	s.mu.Lock()
	if len(s.tokens) >= maxCachedTokens {
		clear(s.tokens)
	}
	s.tokens[key] = cachedToken{m: *m, expires: exp, until: now.Add(TokenCacheTTL)}
	s.mu.Unlock()
	return *m, nil
}

// forget drops the cached tokens of login.
func (s *Service) forget(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.tokens {
		if c.m.Login == login {
			delete(s.tokens, k)
		}
	}
	delete(s.members, login)
}

// Roles lists every role.
var Roles = []Role{RoleInspector, RoleOperator, RoleAdmin}

// AuditActions are the staff's actions in the audit log (BO-5).
var AuditActions = []string{"staff.add", "staff.login", "staff.login_locked", "staff.login_throttled", "staff.password", "staff.disable",
	"staff.token", "staff.revoke", "staff.position"}
