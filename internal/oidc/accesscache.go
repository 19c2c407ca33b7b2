package oidc

import (
	"crypto/sha256"
	"sync"
	"time"
)

// verifiedTokens remembers the access tokens whose signature this process has checked, until
// they expire, so that a token presented again (a service calling userinfo on each of its
// pages, a resource server introspecting on each request) costs no second ES256 verification
// — more than half of the work of a userinfo answer. Only the signature's work is saved: every use still
// checks the expiry, the issuer and the grant in the database, so a revoked grant stops its
// tokens at once. A key stays published until every token it signed has expired (KeyGrace), so
// no remembered token outlives its key.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*AccessClaims
}

// maxVerifiedTokens bounds the memory: about 1 kB a token.
const maxVerifiedTokens = 4096

// get returns the claims of raw if it was verified before and has not expired at now.
func (v *verifiedTokens) get(raw string, now time.Time) *AccessClaims {
	k := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	c := v.m[k]
	v.mu.Unlock()
	if c == nil || c.Expiry == nil || !now.Before(c.Expiry.Time()) {
		return nil
	}
	cp := *c
	return &cp
}

// put remembers the claims of a verified, unexpired token. When full, it forgets the expired
// ones, or all of them if none has expired.
func (v *verifiedTokens) put(raw string, c *AccessClaims, now time.Time) {
	if c.Expiry == nil || !now.Before(c.Expiry.Time()) {
		return
	}
	k := sha256.Sum256([]byte(raw))
	cp := *c
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[[sha256.Size]byte]*AccessClaims{}
	}
	if len(v.m) >= maxVerifiedTokens {
		for key, old := range v.m {
			if !now.Before(old.Expiry.Time()) {
				delete(v.m, key)
			}
		}
		if len(v.m) >= maxVerifiedTokens {
			clear(v.m)
		}
	}
	v.m[k] = &cp
}
