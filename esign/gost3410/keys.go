package gost3410

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// Algorithm and digest OIDs (RFC 9215).
var (
	OIDPublicKey2001     = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	OIDPublicKey256      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}
	OIDPublicKey512      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2}
	OIDSignWithDigest256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}
	OIDSignWithDigest512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3}
	OIDDigest256         = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	OIDDigest512         = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type keyParameters struct {
	Curve  asn1.ObjectIdentifier
	Digest asn1.ObjectIdentifier `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// ParseAlgorithm returns the curve named by a GOST public-key AlgorithmIdentifier (OID and
// parameters), as found in SubjectPublicKeyInfo and PKCS #8.
func ParseAlgorithm(oid asn1.ObjectIdentifier, params []byte) (*Curve, error) {
	var size int
	switch {
	case oid.Equal(OIDPublicKey256), oid.Equal(OIDPublicKey2001):
		size = 32
	case oid.Equal(OIDPublicKey512):
		size = 64
	default:
		return nil, fmt.Errorf("gost3410: not a GOST public key algorithm: %v", oid)
	}
	var kp keyParameters
	if rest, err := asn1.Unmarshal(params, &kp); err != nil || len(rest) != 0 {
		return nil, errors.New("gost3410: malformed key parameters")
	}
	c, ok := CurveByOID(kp.Curve)
	if !ok {
		return nil, fmt.Errorf("gost3410: unknown parameter set %v", kp.Curve)
	}
	if c.Size != size {
		return nil, fmt.Errorf("gost3410: parameter set %s does not fit a %d-bit key", c.Name, size*8)
	}
	return c, nil
}

// ParseRawPublicKey decodes the public key bytes carried in a SubjectPublicKeyInfo bit string
// (an OCTET STRING with X and Y, each little-endian).
func ParseRawPublicKey(c *Curve, bits []byte) (*PublicKey, error) {
	var raw []byte
	if rest, err := asn1.Unmarshal(bits, &raw); err != nil || len(rest) != 0 {
		return nil, errors.New("gost3410: malformed public key")
	}
	if len(raw) != 2*c.Size {
		return nil, fmt.Errorf("gost3410: public key of %d bytes, want %d", len(raw), 2*c.Size)
	}
	pub := &PublicKey{Curve: c, X: leInt(raw[:c.Size]), Y: leInt(raw[c.Size:])}
	if !c.IsOnCurve(pub.X, pub.Y) {
		return nil, ErrPublicKey
	}
	return pub, nil
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding a GOST R 34.10 key.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	var spki subjectPublicKeyInfo
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
		return nil, errors.New("gost3410: malformed SubjectPublicKeyInfo")
	}
	c, err := ParseAlgorithm(spki.Algorithm.Algorithm, spki.Algorithm.Parameters.FullBytes)
	if err != nil {
		return nil, err
	}
	return ParseRawPublicKey(c, spki.PublicKey.RightAlign())
}

func (c *Curve) algorithm() (algorithmIdentifier, error) {
	oid, dig := OIDPublicKey256, OIDDigest256
	if c.Size == 64 {
		oid, dig = OIDPublicKey512, nil
	}
	kp := keyParameters{Curve: c.OID, Digest: dig}
	params, err := asn1.Marshal(kp)
	if err != nil {
		return algorithmIdentifier{}, err
	}
	return algorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: params}}, nil
}

// MarshalPKIXPublicKey encodes pub as a DER SubjectPublicKeyInfo.
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	alg, err := pub.Curve.algorithm()
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 2*pub.Curve.Size)
	copy(raw, leBytes(pub.X, pub.Curve.Size))
	copy(raw[pub.Curve.Size:], leBytes(pub.Y, pub.Curve.Size))
	bits, err := asn1.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(subjectPublicKeyInfo{Algorithm: alg, PublicKey: asn1.BitString{Bytes: bits, BitLength: 8 * len(bits)}})
}

// ParsePKCS8PrivateKey parses a DER PKCS #8 GOST private key in the forms OpenSSL's GOST engine
// writes: the key as raw little-endian bytes, as a nested OCTET STRING, or as an INTEGER.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	var p pkcs8
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
		return nil, errors.New("gost3410: malformed PKCS #8 key")
	}
	c, err := ParseAlgorithm(p.Algorithm.Algorithm, p.Algorithm.Parameters.FullBytes)
	if err != nil {
		return nil, err
	}
	var d *big.Int
	raw := p.PrivateKey
	switch {
	case len(raw) == c.Size:
		d = leInt(raw)
	case len(raw) > 2 && raw[0] == asn1.TagOctetString:
		var inner []byte
		if rest, err := asn1.Unmarshal(raw, &inner); err != nil || len(rest) != 0 || len(inner) != c.Size {
			return nil, errors.New("gost3410: malformed private key")
		}
		d = leInt(inner)
	case len(raw) > 2 && raw[0] == asn1.TagInteger:
		if rest, err := asn1.Unmarshal(raw, &d); err != nil || len(rest) != 0 {
			return nil, errors.New("gost3410: malformed private key")
		}
	default:
		return nil, errors.New("gost3410: unsupported private key form")
	}
	d.Mod(d, c.Q)
	return NewPrivateKey(c, d)
}

// MarshalPKCS8PrivateKey encodes k as DER PKCS #8 (the key as raw little-endian bytes).
func MarshalPKCS8PrivateKey(k *PrivateKey) ([]byte, error) {
	alg, err := k.Curve.algorithm()
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pkcs8{Algorithm: alg, PrivateKey: leBytes(k.D, k.Curve.Size)})
}

func leInt(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i, x := range b {
		be[len(b)-1-i] = x
	}
	return new(big.Int).SetBytes(be)
}

func leBytes(v *big.Int, size int) []byte {
	be := v.FillBytes(make([]byte, size))
	for i, j := 0, size-1; i < j; i, j = i+1, j-1 {
		be[i], be[j] = be[j], be[i]
	}
	return be
}
