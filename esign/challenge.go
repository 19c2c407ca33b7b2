package esign

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Challenge is a random text the server asks a user to sign: single use, bound to a purpose,
// expiring in minutes (IDP-4c, LK-5, TAX-5).
type Challenge struct {
	ID        string
	Purpose   string // e.g. "login", "register", "confirm"
	Nonce     []byte
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Bytes returns the exact text to be signed. A signature over anything else does not answer the
// challenge.
func (c Challenge) Bytes() []byte {
	return []byte(fmt.Sprintf("kabinet e-signature challenge\npurpose: %s\nid: %s\nnonce: %s\nissued: %s\nexpires: %s\n",
		c.Purpose, c.ID, base64.RawURLEncoding.EncodeToString(c.Nonce),
		c.IssuedAt.UTC().Format(time.RFC3339), c.ExpiresAt.UTC().Format(time.RFC3339)))
}

// ErrNoChallenge is returned by a ChallengeStore's Take for an unknown or already taken id.
var ErrNoChallenge = errors.New("esign: no such challenge")

// ChallengeStore keeps issued challenges. Take must remove the challenge atomically so that it
// can be used once only, even by concurrent requests.
type ChallengeStore interface {
	Put(ctx context.Context, c Challenge) error
	Take(ctx context.Context, id string) (Challenge, error)
}

// MemoryChallengeStore is a ChallengeStore in memory, for one process.
type MemoryChallengeStore struct {
	mu sync.Mutex
	m  map[string]Challenge
}

// NewMemoryChallengeStore returns an empty store.
func NewMemoryChallengeStore() *MemoryChallengeStore {
	return &MemoryChallengeStore{m: map[string]Challenge{}}
}

// Put stores c and drops expired challenges.
func (s *MemoryChallengeStore) Put(_ context.Context, c Challenge) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, old := range s.m {
		if old.ExpiresAt.Before(c.IssuedAt) {
			delete(s.m, id)
		}
	}
	s.m[c.ID] = c
	return nil
}

// Take removes and returns the challenge.
func (s *MemoryChallengeStore) Take(_ context.Context, id string) (Challenge, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[id]
	if !ok {
		return Challenge{}, ErrNoChallenge
	}
	delete(s.m, id)
	return c, nil
}

// Challenges issues and checks challenges.
type Challenges struct {
	store ChallengeStore
	ttl   time.Duration
	now   func() time.Time
}

// NewChallenges returns a challenge service; ttl defaults to 5 minutes and now to time.Now.
func NewChallenges(store ChallengeStore, ttl time.Duration, now func() time.Time) *Challenges {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &Challenges{store: store, ttl: ttl, now: now}
}

// Issue creates and stores a challenge for purpose.
func (c *Challenges) Issue(ctx context.Context, purpose string) (Challenge, error) {
	id := make([]byte, 16)
	nonce := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return Challenge{}, err
	}
	if _, err := rand.Read(nonce); err != nil {
		return Challenge{}, err
	}
	now := c.now().UTC().Truncate(time.Second)
	ch := Challenge{ID: base64.RawURLEncoding.EncodeToString(id), Purpose: purpose, Nonce: nonce, IssuedAt: now, ExpiresAt: now.Add(c.ttl)}
	if err := c.store.Put(ctx, ch); err != nil {
		return Challenge{}, err
	}
	return ch, nil
}

// Verify answers challenge id for purpose with a CMS signature (detached over Challenge.Bytes(),
// or attached) and returns the verified signer. The challenge is consumed whatever the outcome.
func (c *Challenges) Verify(ctx context.Context, v *Verifier, id, purpose string, sig []byte) (*Signer, error) {
	ch, err := c.store.Take(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNoChallenge) {
			return nil, fail(CodeChallengeUnknown, "")
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(ch.Purpose), []byte(purpose)) != 1 {
		return nil, fail(CodeChallengeWrongUse, "issued for %q", ch.Purpose)
	}
	if c.now().After(ch.ExpiresAt) {
		return nil, fail(CodeChallengeExpired, "expired at %s", ch.ExpiresAt.Format(time.RFC3339))
	}
	der, err := DecodeSignature(sig)
	if err != nil {
		return nil, err
	}
	sd, err := ParseSignedData(der)
	if err != nil {
		return nil, err
	}
	want := ch.Bytes()
	if sd.Content != nil && subtle.ConstantTimeCompare(sd.Content, want) != 1 {
		return nil, fail(CodeChallengeMismatch, "")
	}
	s, err := v.VerifyDetached(ctx, want, der)
	if e, ok := AsError(err); ok && e.Code == CodeTampered && e.Detail == detailDigestMismatch {
		// A valid signature over other content: the user signed something else.
		return nil, fail(CodeChallengeMismatch, "")
	}
	return s, err
}
