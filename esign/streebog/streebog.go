// Package streebog implements the GOST R 34.11-2012 hash function ("Streebog", RFC 6986) with
// 256- and 512-bit outputs. Digests are the byte strings that the reference tools print (the
// little-endian representation of the standard's numbers). Standard library only.
package streebog

import (
	"encoding/binary"
	"hash"
)

// Sizes in bytes.
const (
	Size256   = 32
	Size512   = 64
	BlockSize = 64
)

// lps[j][b] combines the substitution π′, the byte transposition τ and the linear map ℓ: row j's
// contribution of the byte value b to an output word.
var lps [8][256]uint64

func init() {
	for j := 0; j < 8; j++ {
		for b := 0; b < 256; b++ {
			v := uint64(pi[b])
			var r uint64
			for t := 0; t < 8; t++ {
				if v>>t&1 == 1 {
					r ^= matrixA[63-(8*j+t)]
				}
			}
			lps[j][b] = r
		}
	}
}

type block [8]uint64

// transform returns LPS(x).
func transform(x *block) block {
	var r block
	for i := 0; i < 8; i++ {
		s := uint(8 * i)
		r[i] = lps[0][byte(x[0]>>s)] ^ lps[1][byte(x[1]>>s)] ^ lps[2][byte(x[2]>>s)] ^ lps[3][byte(x[3]>>s)] ^
			lps[4][byte(x[4]>>s)] ^ lps[5][byte(x[5]>>s)] ^ lps[6][byte(x[6]>>s)] ^ lps[7][byte(x[7]>>s)]
	}
	return r
}

// compress is the compression function g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m.
func compress(h, n, m *block) {
	var k, s block
	for i := range k {
		k[i] = h[i] ^ n[i]
	}
	k = transform(&k)
	s = *m
	for r := 0; r < 12; r++ {
		for i := range s {
			s[i] ^= k[i]
		}
		s = transform(&s)
		for i := range k {
			k[i] ^= iterC[r][i]
		}
		k = transform(&k)
	}
	for i := range h {
		h[i] ^= s[i] ^ k[i] ^ m[i]
	}
}

// add512 sets a = a + b mod 2^512.
func add512(a, b *block) {
	var carry uint64
	for i := 0; i < 8; i++ {
		s := a[i] + b[i]
		c1 := s < a[i]
		s2 := s + carry
		c2 := s2 < s
		a[i] = s2
		carry = 0
		if c1 || c2 {
			carry = 1
		}
	}
}

func addLen(n *block, bits uint64) {
	add512(n, &block{bits})
}

type digest struct {
	size  int
	h     block
	n     block
	sigma block
	buf   [BlockSize]byte
	nbuf  int
}

// New256 returns a hash.Hash computing the 256-bit Streebog digest.
func New256() hash.Hash { d := &digest{size: Size256}; d.Reset(); return d }

// New512 returns a hash.Hash computing the 512-bit Streebog digest.
func New512() hash.Hash { d := &digest{size: Size512}; d.Reset(); return d }

func (d *digest) Size() int      { return d.size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Reset() {
	iv := uint64(0)
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n, d.sigma = block{}, block{}
	d.nbuf = 0
}

func load(b []byte) block {
	var m block
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return m
}

func (d *digest) stage2(b []byte) {
	m := load(b)
	compress(&d.h, &d.n, &m)
	addLen(&d.n, 512)
	add512(&d.sigma, &m)
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		c := copy(d.buf[d.nbuf:], p)
		d.nbuf += c
		p = p[c:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.stage2(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.stage2(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(in []byte) []byte {
	c := *d // Sum does not change the running state.
	var last [BlockSize]byte
	copy(last[:], c.buf[:c.nbuf])
	last[c.nbuf] = 0x01
	m := load(last[:])
	compress(&c.h, &c.n, &m)
	addLen(&c.n, uint64(c.nbuf)*8)
	add512(&c.sigma, &m)
	var zero block
	compress(&c.h, &zero, &c.n)
	compress(&c.h, &zero, &c.sigma)
	var out [Size512]byte
	for i := range c.h {
		binary.LittleEndian.PutUint64(out[8*i:], c.h[i])
	}
	if c.size == Size256 {
		return append(in, out[32:]...)
	}
	return append(in, out[:]...)
}

// Sum256 returns the 256-bit Streebog digest of data.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var r [Size256]byte
	d.Sum(r[:0])
	return r
}

// Sum512 returns the 512-bit Streebog digest of data.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var r [Size512]byte
	d.Sum(r[:0])
	return r
}
