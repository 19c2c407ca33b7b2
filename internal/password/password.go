// Package password hashes and checks passwords with argon2id, encoded as PHC strings, under a
// bound on concurrent hashes so that a burst of logins cannot exhaust memory (each hash takes
// 19 MiB). Used by staff accounts now and by the identity provider and the personal account later.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// Default is the recommended baseline: 19 MiB, two passes, one lane.
var Default = Params{Memory: 19456, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Hasher hashes with bounded concurrency.
type Hasher struct {
	p      Params
	sem    chan struct{}
	hashes atomic.Int64 // argon2id computations done (Hash, Verify and Dummy)
}

// NewHasher returns a Hasher allowing maxConcurrent hashes at once (0: the number of CPUs).
func NewHasher(maxConcurrent int) *Hasher { return NewHasherWith(Default, maxConcurrent) }

// NewHasherWith is NewHasher with explicit parameters (tests use cheap ones).
func NewHasherWith(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	return &Hasher{p: p, sem: make(chan struct{}, maxConcurrent)}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		h.hashes.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string of pw: $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	h.release()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("password: malformed hash")

// Decode parses a PHC argon2id string.
func Decode(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformed
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 ||
		p.Memory < 8 || p.Memory > 1<<22 || p.Time < 1 || p.Time > 100 || threads < 1 || threads > 255 {
		return p, nil, nil, ErrMalformed
	}
	p.Threads = uint8(threads)
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, ErrMalformed
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, ErrMalformed
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// Verify reports whether pw matches encoded, comparing in constant time.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	p, salt, key, err := Decode(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	h.release()
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// Dummy spends the time of one verification, so that an unknown login takes as long as a wrong
// password (no user enumeration by timing).
func (h *Hasher) Dummy(ctx context.Context, pw string) {
	if err := h.acquire(ctx); err != nil {
		return
	}
	argon2.IDKey([]byte(pw), []byte("kabinet-dummy-salt"), h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	h.release()
}

// Computed returns how many argon2id hashes the hasher has computed (a test counts what a burst
// of attempts cost).
func (h *Hasher) Computed() int64 { return h.hashes.Load() }

// InUse returns how many hashes are running now (for tests and metrics).
func (h *Hasher) InUse() int { return len(h.sem) }
