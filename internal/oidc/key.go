package oidc

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/kabinet/kabinet/internal/storeerr"
)

// Signing keys (IDP-7). They live in the database so that every process signs and publishes
// the same ones; the private halves are encrypted with AES-256-GCM under the secret key, which
// never enters the database. Each algorithm has generations: the newest signs; a replaced key
// stays published for KeyGrace, until every token it signed has expired. A process keeps what
// it read for KeyCacheTTL, and reads again at once when asked to check a token whose key it
// does not know.

// ErrSecretKeyMismatch is returned when the signing keys in the database were encrypted with
// another secret key than this process has.
var ErrSecretKeyMismatch = errors.New("oidc: the signing keys in the database were encrypted with another secret key: give every process the same KABINET_SECRET_KEY or --secret-key-file")

// Token types in the JOSE header: an ID token is a plain JWT, an access token at+jwt (RFC 9068),
// so neither can stand for the other.
const (
	typID     = "JWT"
	typAccess = "at+jwt"
)

// loadedKey is a stored key as a process uses it.
type loadedKey struct {
	Key
	pub    jose.JSONWebKey
	priv   crypto.Signer // nil when it cannot be decrypted here
	signID jose.Signer
	signAT jose.Signer
}

type keyring struct {
	st     Store
	kek    []byte
	kekID  string
	now    func() time.Time
	mu     sync.Mutex
	keys   []*loadedKey // newest generation first within each algorithm
	loaded time.Time    // by the provider's clock
	missAt time.Time    // by the wall clock: the last reload for an unknown kid
}

func newKeyring(st Store, kek []byte, now func() time.Time) *keyring {
	k := &keyring{st: st, kek: kek, now: now}
	if kek != nil {
		m := hmac.New(sha256.New, kek)
		m.Write([]byte("kabinet.oidc.kek-id"))
		k.kekID = base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:16]
	}
	return k
}

// load returns the keys, read again when the cache is stale or force is set.
func (k *keyring) load(ctx context.Context, force bool) ([]*loadedKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if !force && k.keys != nil && now.Sub(k.loaded) < KeyCacheTTL && !now.Before(k.loaded) {
		return k.keys, nil
	}
	stored, err := k.st.Keys(ctx)
	if err != nil {
		return nil, err
	}
	old := map[string]*loadedKey{}
	for _, l := range k.keys {
		old[l.ID] = l
	}
	out := make([]*loadedKey, 0, len(stored))
	for _, s := range stored {
		if l, ok := old[s.ID]; ok {
			out = append(out, l)
			continue
		}
		l := &loadedKey{Key: s}
		if err := l.pub.UnmarshalJSON(s.Public); err != nil {
			return nil, fmt.Errorf("oidc: key %s: %w", s.ID, err)
		}
		if k.kek != nil && s.KEKID == k.kekID {
			if err := k.open(l); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *loadedKey) int {
		if a.Alg != b.Alg {
			return cmpString(a.Alg, b.Alg)
		}
		return b.Generation - a.Generation
	})
	k.keys, k.loaded = out, now
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// open decrypts a key's private half and prepares its signers.
func (k *keyring) open(l *loadedKey) error {
	gcm, err := k.gcm()
	if err != nil {
		return err
	}
	if len(l.Private) < gcm.NonceSize() {
		return fmt.Errorf("oidc: key %s: truncated", l.ID)
	}
	der, err := gcm.Open(nil, l.Private[:gcm.NonceSize()], l.Private[gcm.NonceSize():], []byte(l.ID+"|"+l.Alg))
	if err != nil {
		return fmt.Errorf("oidc: key %s cannot be decrypted: %w", l.ID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return fmt.Errorf("oidc: key %s: %w", l.ID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return fmt.Errorf("oidc: key %s: not a signing key", l.ID)
	}
	l.priv = signer
	sk := jose.SigningKey{Algorithm: jose.SignatureAlgorithm(l.Alg), Key: jose.JSONWebKey{Key: signer, KeyID: l.ID, Algorithm: l.Alg}}
	if l.signID, err = jose.NewSigner(sk, (&jose.SignerOptions{}).WithType(typID)); err != nil {
		return err
	}
	l.signAT, err = jose.NewSigner(sk, (&jose.SignerOptions{}).WithType(typAccess))
	return err
}

func (k *keyring) gcm() (cipher.AEAD, error) {
	if k.kek == nil {
		return nil, ErrNoSecretKey
	}
	b, err := aes.NewCipher(k.kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// published reports whether key l is still published at now: the newest of its algorithm, or
// replaced less than KeyGrace ago.
func published(keys []*loadedKey, l *loadedKey, now time.Time) bool {
	var successor *loadedKey
	for _, o := range keys {
		if o.Alg == l.Alg && o.Generation > l.Generation && (successor == nil || o.Generation < successor.Generation) {
			successor = o
		}
	}
	return successor == nil || now.Before(successor.CreatedAt.Add(KeyGrace))
}

// signer returns the key that signs tokens of alg, making the first one when there is none.
func (k *keyring) signer(ctx context.Context, alg string) (*loadedKey, error) {
	for range 2 {
		keys, err := k.load(ctx, false)
		if err != nil {
			return nil, err
		}
		for _, l := range keys {
			if l.Alg != alg {
				continue
			}
			if l.priv == nil {
				if k.kek == nil {
					return nil, ErrNoSecretKey
				}
				return nil, ErrSecretKeyMismatch
			}
			return l, nil
		}
		if _, err := k.create(ctx, alg, 1); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("oidc: no signing key")
}

// create makes and stores a key of alg at generation gen; another process having made that
// generation first is no error (its key is used).
func (k *keyring) create(ctx context.Context, alg string, gen int) (*Key, error) {
	gcm, err := k.gcm()
	if err != nil {
		return nil, err
	}
	var priv crypto.Signer
	switch alg {
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("oidc: unknown algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	pub := jose.JSONWebKey{Key: priv.Public(), Algorithm: alg, Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	pubJSON, err := pub.MarshalJSON()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	sealed := gcm.Seal(nonce, nonce, der, []byte(pub.KeyID+"|"+alg))
	key := Key{ID: pub.KeyID, Alg: alg, Generation: gen, Public: pubJSON, Private: sealed, KEKID: k.kekID, CreatedAt: k.now().UTC()}
	err = k.st.InsertKey(ctx, key)
	if _, taken := storeerr.IsKeyTaken(err); taken {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if _, err := k.load(ctx, true); err != nil {
		return nil, err
	}
	return &key, nil
}

// verificationKey returns the published key kid names, reading the keys again (at most once a
// second) when this process does not know it: another process may have just made it.
func (k *keyring) verificationKey(ctx context.Context, kid string) (*loadedKey, error) {
	find := func(keys []*loadedKey) *loadedKey {
		for _, l := range keys {
			if l.ID == kid {
				if published(keys, l, k.now()) {
					return l
				}
				return nil
			}
		}
		return nil
	}
	keys, err := k.load(ctx, false)
	if err != nil {
		return nil, err
	}
	if l := find(keys); l != nil {
		return l, nil
	}
	k.mu.Lock()
	again := time.Since(k.missAt) > time.Second
	if again {
		k.missAt = time.Now()
	}
	k.mu.Unlock()
	if !again {
		return nil, nil
	}
	if keys, err = k.load(ctx, true); err != nil {
		return nil, err
	}
	return find(keys), nil
}

// JWKS returns the published public keys (the jwks_uri document). It reads the database each
// time, so that a key another process has just made is published here at once.
func (p *Provider) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	keys, err := p.keys.load(ctx, true)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, l := range keys {
		if published(keys, l, p.now()) {
			set.Keys = append(set.Keys, l.pub)
		}
	}
	return set, nil
}

// RotateKeys replaces the signing key of every algorithm in use (ES256 always, and the default
// algorithm) whose key is older than KeyRotation, or every one when force is set, and returns
// the new keys. The replaced keys stay published for KeyGrace. Several processes may run it at
// once: each generation is made once.
func (p *Provider) RotateKeys(ctx context.Context, force bool) ([]Key, error) {
	if p.o.SecretKey == nil {
		return nil, ErrNoSecretKey
	}
	// A process with another secret key must not add keys the others cannot read.
	if err := p.CheckSecretKey(ctx); err != nil {
		return nil, err
	}
	keys, err := p.keys.load(ctx, false)
	if err != nil {
		return nil, err
	}
	algs := []string{ES256}
	if p.o.DefaultAlg != ES256 {
		algs = append(algs, p.o.DefaultAlg)
	}
	for _, l := range keys {
		if !slices.Contains(algs, l.Alg) {
			algs = append(algs, l.Alg)
		}
	}
	var made []Key
	now := p.now()
	for _, alg := range algs {
		var newest *loadedKey
		for _, l := range keys {
			if l.Alg == alg {
				newest = l
				break
			}
		}
		if newest != nil && !force && now.Sub(newest.CreatedAt) < KeyRotation {
			continue
		}
		gen := 1
		if newest != nil {
			gen = newest.Generation + 1
		}
		k, err := p.keys.create(ctx, alg, gen)
		if err != nil {
			return made, err
		}
		made = append(made, *k)
	}
	return made, nil
}

// CheckSecretKey makes sure this process can read the signing keys in the database: a process
// started with another secret key than the one that encrypted them is refused at start,
// rather than failing at its first login (ErrSecretKeyMismatch).
func (p *Provider) CheckSecretKey(ctx context.Context) error {
	keys, err := p.keys.load(ctx, true)
	if err != nil {
		return err
	}
	for _, l := range keys {
		if published(keys, l, p.now()) && l.KEKID != p.keys.kekID {
			if p.o.SecretKey == nil {
				return ErrNoSecretKey
			}
			return ErrSecretKeyMismatch
		}
	}
	return nil
}

// deleteRetiredKeys removes the keys no longer published.
func (p *Provider) deleteRetiredKeys(ctx context.Context) (int, error) {
	keys, err := p.keys.load(ctx, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range keys {
		if !published(keys, l, p.now()) {
			if err := p.o.Store.DeleteKey(ctx, l.ID); err != nil && !errors.Is(err, storeerr.ErrNotFound) {
				return n, err
			}
			n++
		}
	}
	if n > 0 {
		_, err = p.keys.load(ctx, true)
	}
	return n, err
}
