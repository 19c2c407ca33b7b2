// Package gost3410 implements GOST R 34.10-2012 digital signatures (RFC 7091) on the curves of
// RFC 4357 and RFC 7836, with the key encodings that X.509 certificates, PKCS #8 files and CMS
// use for them (RFC 4491, RFC 9215). Digests are the Streebog byte strings that package streebog
// returns; signatures are s||r, big-endian, 2·Size bytes, as carried in certificates, CRLs and
// CMS, so that they interoperate with OpenSSL's GOST engine.
//
// Arithmetic uses math/big in Jacobian coordinates. Signing runs a fixed sequence of point
// operations per scalar bit (a Montgomery ladder) so that its control flow does not depend on the
// secret nonce, but math/big itself is not constant-time: keep signing keys for demonstrations and
// tests, and use certified tokens for real qualified signatures. Standard library only.
package gost3410

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// PublicKey is a point on a curve.
type PublicKey struct {
	Curve *Curve
	X, Y  *big.Int
}

// PrivateKey is a signing key.
type PrivateKey struct {
	PublicKey
	D *big.Int
}

var one = big.NewInt(1)

// jacobian point (X:Y:Z); Z = 0 is the point at infinity.
type point struct{ x, y, z *big.Int }

func (c *Curve) infinity() point { return point{new(big.Int), new(big.Int), new(big.Int)} }

func (c *Curve) affine(p point) (x, y *big.Int, ok bool) {
	if p.z.Sign() == 0 {
		return nil, nil, false
	}
	zi := new(big.Int).ModInverse(p.z, c.P)
	zi2 := new(big.Int).Mul(zi, zi)
	zi2.Mod(zi2, c.P)
	x = new(big.Int).Mul(p.x, zi2)
	x.Mod(x, c.P)
	zi2.Mul(zi2, zi)
	y = new(big.Int).Mul(p.y, zi2)
	y.Mod(y, c.P)
	return x, y, true
}

func (c *Curve) double(p point) point {
	if p.z.Sign() == 0 || p.y.Sign() == 0 {
		return c.infinity()
	}
	P := c.P
	m := func(a, b *big.Int) *big.Int { r := new(big.Int).Mul(a, b); return r.Mod(r, P) }
	xx := m(p.x, p.x)
	yy := m(p.y, p.y)
	yyyy := m(yy, yy)
	zz := m(p.z, p.z)
	s := m(p.x, yy)
	s.Lsh(s, 2).Mod(s, P)
	mm := new(big.Int).Mul(xx, big.NewInt(3))
	mm.Add(mm, m(c.A, m(zz, zz))).Mod(mm, P)
	x3 := m(mm, mm)
	x3.Sub(x3, new(big.Int).Lsh(s, 1)).Mod(x3, P)
	y3 := new(big.Int).Sub(s, x3)
	y3 = m(mm, y3)
	y3.Sub(y3, new(big.Int).Lsh(yyyy, 3)).Mod(y3, P)
	z3 := m(p.y, p.z)
	z3.Lsh(z3, 1).Mod(z3, P)
	return point{x3, y3, z3}
}

func (c *Curve) add(p, q point) point {
	if p.z.Sign() == 0 {
		return q
	}
	if q.z.Sign() == 0 {
		return p
	}
	P := c.P
	m := func(a, b *big.Int) *big.Int { r := new(big.Int).Mul(a, b); return r.Mod(r, P) }
	z1z1 := m(p.z, p.z)
	z2z2 := m(q.z, q.z)
	u1 := m(p.x, z2z2)
	u2 := m(q.x, z1z1)
	s1 := m(p.y, m(q.z, z2z2))
	s2 := m(q.y, m(p.z, z1z1))
	if u1.Cmp(u2) == 0 {
		if s1.Cmp(s2) == 0 {
			return c.double(p)
		}
		return c.infinity()
	}
	h := new(big.Int).Sub(u2, u1)
	h.Mod(h, P)
	r := new(big.Int).Sub(s2, s1)
	r.Mod(r, P)
	hh := m(h, h)
	hhh := m(hh, h)
	v := m(u1, hh)
	x3 := m(r, r)
	x3.Sub(x3, hhh).Sub(x3, new(big.Int).Lsh(v, 1)).Mod(x3, P)
	y3 := new(big.Int).Sub(v, x3)
	y3 = m(r, y3)
	y3.Sub(y3, m(s1, hhh)).Mod(y3, P)
	z3 := m(m(p.z, q.z), h)
	return point{x3, y3, z3}
}

func (c *Curve) lift(x, y *big.Int) point {
	return point{new(big.Int).Set(x), new(big.Int).Set(y), big.NewInt(1)}
}

// ladder computes k·p with the same sequence of operations for every bit of k (up to the bit
// length of Q).
func (c *Curve) ladder(p point, k *big.Int) point {
	r0, r1 := c.infinity(), p
	for i := c.Q.BitLen(); i >= 0; i-- {
		if k.Bit(i) == 0 {
			r1 = c.add(r0, r1)
			r0 = c.double(r0)
		} else {
			r0 = c.add(r0, r1)
			r1 = c.double(r1)
		}
	}
	return r0
}

// twoMul computes a·p + b·q (Shamir's trick), for verification where nothing is secret.
func (c *Curve) twoMul(p point, a *big.Int, q point, b *big.Int) point {
	pq := c.add(p, q)
	r := c.infinity()
	n := a.BitLen()
	if b.BitLen() > n {
		n = b.BitLen()
	}
	for i := n - 1; i >= 0; i-- {
		r = c.double(r)
		switch {
		case a.Bit(i) == 1 && b.Bit(i) == 1:
			r = c.add(r, pq)
		case a.Bit(i) == 1:
			r = c.add(r, p)
		case b.Bit(i) == 1:
			r = c.add(r, q)
		}
	}
	return r
}

// IsOnCurve reports whether (x, y) satisfies the curve equation with coordinates in range.
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	l := new(big.Int).Mul(y, y)
	l.Mod(l, c.P)
	r := new(big.Int).Mul(x, x)
	r.Mul(r, x)
	r.Add(r, new(big.Int).Mul(c.A, x))
	r.Add(r, c.B)
	r.Mod(r, c.P)
	return l.Cmp(r) == 0
}

// ScalarBaseMult returns k·G in affine coordinates.
func (c *Curve) ScalarBaseMult(k *big.Int) (x, y *big.Int) {
	x, y, _ = c.affine(c.ladder(c.lift(c.X, c.Y), k))
	return x, y
}

// digestInt turns a digest into the integer e of the standard: the digest bytes read as a
// little-endian number, reduced mod q, with 0 replaced by 1.
func (c *Curve) digestInt(digest []byte) *big.Int {
	be := make([]byte, len(digest))
	for i, b := range digest {
		be[len(digest)-1-i] = b
	}
	e := new(big.Int).SetBytes(be)
	e.Mod(e, c.Q)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	return e
}

// GenerateKey creates a key on curve c.
func GenerateKey(c *Curve, rnd io.Reader) (*PrivateKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	d, err := randScalar(c, rnd)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

// NewPrivateKey returns the key with secret scalar d (0 < d < q).
func NewPrivateKey(c *Curve, d *big.Int) (*PrivateKey, error) {
	if d.Sign() <= 0 || d.Cmp(c.Q) >= 0 {
		return nil, errors.New("gost3410: private key out of range")
	}
	x, y := c.ScalarBaseMult(d)
	return &PrivateKey{PublicKey: PublicKey{Curve: c, X: x, Y: y}, D: new(big.Int).Set(d)}, nil
}

func randScalar(c *Curve, rnd io.Reader) (*big.Int, error) {
	buf := make([]byte, c.Size+8)
	for {
		if _, err := io.ReadFull(rnd, buf); err != nil {
			return nil, fmt.Errorf("gost3410: random: %w", err)
		}
		k := new(big.Int).SetBytes(buf)
		k.Mod(k, c.Q)
		if k.Sign() != 0 {
			return k, nil
		}
	}
}

// Public returns the public key.
func (k *PrivateKey) Public() crypto.PublicKey { return &k.PublicKey }

// Sign signs digest (a Streebog digest) and returns s||r; opts is ignored (crypto.Signer).
func (k *PrivateKey) Sign(rnd io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	c := k.Curve
	e := c.digestInt(digest)
	g := c.lift(c.X, c.Y)
	for {
		kk, err := randScalar(c, rnd)
		if err != nil {
			return nil, err
		}
		r, s := signWith(c, g, k.D, e, kk)
		if r != nil {
			return encodeSig(c, r, s), nil
		}
	}
}

// signWith computes (r, s) for nonce k, or nil when r or s is 0.
func signWith(c *Curve, g point, d, e, k *big.Int) (r, s *big.Int) {
	x, _, ok := c.affine(c.ladder(g, k))
	if !ok {
		return nil, nil
	}
	r = new(big.Int).Mod(x, c.Q)
	if r.Sign() == 0 {
		return nil, nil
	}
	s = new(big.Int).Mul(r, d)
	s.Add(s, new(big.Int).Mul(k, e))
	s.Mod(s, c.Q)
	if s.Sign() == 0 {
		return nil, nil
	}
	return r, s
}

func encodeSig(c *Curve, r, s *big.Int) []byte {
	out := make([]byte, 2*c.Size)
	s.FillBytes(out[:c.Size])
	r.FillBytes(out[c.Size:])
	return out
}

// Errors of Verify.
var (
	ErrSignatureLength = errors.New("gost3410: signature has the wrong length")
	ErrSignatureRange  = errors.New("gost3410: signature value out of range")
	ErrVerification    = errors.New("gost3410: signature does not match")
	ErrPublicKey       = errors.New("gost3410: public key is not a valid point of the curve")
)

// Verify checks sig (s||r) over digest; nil means valid.
func (k *PublicKey) Verify(digest, sig []byte) error {
	c := k.Curve
	if c == nil || !c.IsOnCurve(k.X, k.Y) {
		return ErrPublicKey
	}
	if len(sig) != 2*c.Size {
		return ErrSignatureLength
	}
	s := new(big.Int).SetBytes(sig[:c.Size])
	r := new(big.Int).SetBytes(sig[c.Size:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(c.Q) >= 0 || s.Cmp(c.Q) >= 0 {
		return ErrSignatureRange
	}
	e := c.digestInt(digest)
	v := new(big.Int).ModInverse(e, c.Q)
	if v == nil {
		return ErrVerification
	}
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, c.Q)
	z2 := new(big.Int).Mul(r, v)
	z2.Neg(z2).Mod(z2, c.Q)
	x, _, ok := c.affine(c.twoMul(c.lift(c.X, c.Y), z1, c.lift(k.X, k.Y), z2))
	if !ok {
		return ErrVerification
	}
	x.Mod(x, c.Q)
	if x.Cmp(r) != 0 {
		return ErrVerification
	}
	return nil
}

// Equal reports whether two public keys are the same point on the same curve.
func (k *PublicKey) Equal(o crypto.PublicKey) bool {
	p, ok := o.(*PublicKey)
	return ok && p.Curve == k.Curve && p.X.Cmp(k.X) == 0 && p.Y.Cmp(k.Y) == 0
}
