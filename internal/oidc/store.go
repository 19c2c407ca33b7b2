package oidc

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
)

// Code is an authorization code as stored: only its SHA-256, bound to the client, the redirect
// URI, the PKCE challenge and what the authentication established (IDP-7).
type Code struct {
	Hash          []byte
	ClientID      string
	RedirectURI   string
	AccountID     string
	Subject       string // the sub the client gets (public or pairwise)
	Scopes        []string
	Nonce         string
	CodeChallenge string // S256 of the verifier; "" when the client sent none (a confidential client)
	AuthTime      time.Time
	ACR           string
	Confirmation  string // how the account was confirmed (the confirmation_method claim), at the confirmed level
	AMR           []string
	SessionID     string // the public id of the identity provider's session (the sid claim)
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        time.Time // zero until redeemed (or spent by a failed attempt)
	GrantID       string    // the grant its redemption opened
}

// Grant is what one redeemed code opened: every token issued from that code, and from the
// refresh tokens that followed, belongs to it, and revoking it revokes them all.
type Grant struct {
	ID        string
	ClientID  string
	AccountID string
	Subject   string
	Scopes    []string
	AuthTime  time.Time
	ACR       string
	AMR       []string
	SessionID string
	CreatedAt time.Time
	ExpiresAt time.Time // when its last token can expire: the access token's, or OfflineTTL
	RevokedAt time.Time // zero while live
	// Account is the grant's account when the store read it with the grant (GrantWithAccount),
	// nil otherwise.
	Account *identity.Account
}

// Live reports whether the grant may still be used at now.
func (g *Grant) Live(now time.Time) bool { return g.RevokedAt.IsZero() && now.Before(g.ExpiresAt) }

// RefreshToken is a refresh token as stored: its SHA-256, its grant, and whether it was used
// (a refresh token rotates on every use; using a used one again revokes the grant).
type RefreshToken struct {
	Hash      []byte
	GrantID   string
	IssuedAt  time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Consent is what a citizen allowed a client: the scopes, remembered until revoked.
type Consent struct {
	AccountID string
	ClientID  string
	Scopes    []string
	GrantedAt time.Time
}

// Key is a signing key as stored: the public JWK in clear, the private key (PKCS #8)
// encrypted with the secret key, and which secret key that was.
type Key struct {
	ID         string // the kid: the JWK thumbprint (RFC 7638)
	Alg        string // ES256 or RS256
	Generation int    // 1, 2 … per algorithm; the highest signs
	Public     []byte // JWK, JSON
	Private    []byte // nonce ‖ AES-256-GCM(PKCS #8)
	KEKID      string // identifies the secret key that encrypted Private
	CreatedAt  time.Time
}

// Store keeps the provider's data; implemented by package store. Missing rows are
// storeerr.ErrNotFound; a client id taken, a key generation taken, a client assertion seen
// before and a setting present are *storeerr.KeyTaken; a code or refresh token already used is
// storeerr.ErrConflict.
type Store interface {
	InsertClient(ctx context.Context, c Client) error
	Client(ctx context.Context, id string) (*Client, error)
	Clients(ctx context.Context) ([]Client, error)
	UpdateClient(ctx context.Context, c Client) error
	// DeleteClient removes a client with its codes, grants, refresh tokens and consents.
	DeleteClient(ctx context.Context, id string) error

	InsertCode(ctx context.Context, c Code) error
	Code(ctx context.Context, hash []byte) (*Code, error)
	// RedeemCode redeems the code hash for client clientID in one transaction: the code, unused
	// and the client's, is marked used by grant grantID at at, and open, given the code, returns
	// the grant it opens and the grant's first refresh token (nil for none), which are stored.
	// When open refuses (returns an error) the code stays spent, without a grant, and that error
	// is returned. Of concurrent redemptions of one code one only reaches open. A code unknown,
	// used or another client's is storeerr.ErrConflict (Code tells which).
	RedeemCode(ctx context.Context, hash []byte, clientID, grantID string, at time.Time, open func(*Code) (*Grant, *RefreshToken, error)) error

	Grant(ctx context.Context, id string) (*Grant, error)
	// GrantWithAccount is Grant with the grant's account (Grant.Account) read in the same
	// statement, for userinfo; a grant whose account is gone comes without it.
	GrantWithAccount(ctx context.Context, id string) (*Grant, error)
	RevokeGrant(ctx context.Context, id string, at time.Time) error

	RefreshToken(ctx context.Context, hash []byte) (*RefreshToken, error)
	// RotateRefresh rotates the refresh token hash in one transaction: the token, unused, is
	// marked used at at, and next, given it and its grant (with the grant's account, as
	// GrantWithAccount reads it), returns its successor, which is stored. When next refuses
	// (returns an error) nothing changes and that error is returned.
	// Of concurrent rotations of one token one only reaches next. A token unknown or used is
	// storeerr.ErrConflict (RefreshToken tells which).
	RotateRefresh(ctx context.Context, hash []byte, at time.Time, next func(*RefreshToken, *Grant) (*RefreshToken, error)) error

	Consent(ctx context.Context, accountID, clientID string) (*Consent, error)
	PutConsent(ctx context.Context, c Consent) error
	Consents(ctx context.Context, accountID string) ([]Consent, error)
	// RevokeConsent forgets a consent and revokes every grant of the account to the client.
	RevokeConsent(ctx context.Context, accountID, clientID string, at time.Time) error

	InsertKey(ctx context.Context, k Key) error
	Keys(ctx context.Context) ([]Key, error)
	DeleteKey(ctx context.Context, id string) error

	// UseAssertion records a client assertion's jti until it expires; a jti seen before is a
	// *storeerr.KeyTaken.
	UseAssertion(ctx context.Context, clientID, jti string, expires time.Time) error

	Setting(ctx context.Context, name string) ([]byte, error)
	InsertSetting(ctx context.Context, name string, value []byte) error

	// DeleteExpired removes codes redeemed or expired before codesBefore, grants (with their
	// refresh tokens) and assertions that expired before now, and returns how many rows went.
	DeleteExpired(ctx context.Context, now, codesBefore time.Time) (int, error)
}
