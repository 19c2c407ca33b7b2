package esign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"hash"

	"github.com/kabinet/kabinet/esign/gost3410"
	"github.com/kabinet/kabinet/esign/streebog"
)

// Algorithm OIDs beyond the GOST ones exported by gost3410.
var (
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidECDSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASHA256     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidRSASHA384     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidRSASHA512     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidGOSTKey2001   = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19}
	oidGOSTSign2001  = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 3}
)

// digestFor returns a new hash for a digest algorithm OID.
func digestFor(oid asn1.ObjectIdentifier) (hash.Hash, crypto.Hash, bool) {
	switch {
	case oid.Equal(gost3410.OIDDigest256):
		return streebog.New256(), 0, true
	case oid.Equal(gost3410.OIDDigest512):
		return streebog.New512(), 0, true
	case oid.Equal(oidSHA256):
		return sha256.New(), crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return sha512.New384(), crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return sha512.New(), crypto.SHA512, true
	}
	return nil, 0, false
}

// signatureDigest names the digest a combined signature algorithm uses ("with-digest" OIDs), or
// nil when the OID names only the key algorithm.
func signatureDigest(sigAlg asn1.ObjectIdentifier) asn1.ObjectIdentifier {
	switch {
	case sigAlg.Equal(gost3410.OIDSignWithDigest256):
		return gost3410.OIDDigest256
	case sigAlg.Equal(gost3410.OIDSignWithDigest512):
		return gost3410.OIDDigest512
	case sigAlg.Equal(oidECDSASHA256), sigAlg.Equal(oidRSASHA256):
		return oidSHA256
	case sigAlg.Equal(oidECDSASHA384), sigAlg.Equal(oidRSASHA384):
		return oidSHA384
	case sigAlg.Equal(oidECDSASHA512), sigAlg.Equal(oidRSASHA512):
		return oidSHA512
	}
	return nil
}

// publicKey parses a SubjectPublicKeyInfo of any supported algorithm.
func publicKey(spki []byte) (any, error) {
	if k, err := gost3410.ParsePKIXPublicKey(spki); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, wrap(CodeUnsupported, err, "public key")
	}
	return k, nil
}

// verifyDigest checks sig over an already computed digest with the public key pub.
func verifyDigest(pub any, h crypto.Hash, digest, sig []byte) error {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if err := k.Verify(digest, sig); err != nil {
			return wrap(CodeTampered, err, "GOST R 34.10-2012 signature")
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return fail(CodeTampered, "ECDSA signature")
		}
	case *rsa.PublicKey:
		if h == 0 {
			return fail(CodeUnsupported, "RSA with a GOST digest")
		}
		if err := rsa.VerifyPKCS1v15(k, h, digest, sig); err != nil {
			return wrap(CodeTampered, err, "RSA signature")
		}
	default:
		return fail(CodeUnsupported, "public key type %T", pub)
	}
	return nil
}

// checkKeyFitsDigest refuses mismatched pairs (e.g. a GOST key with SHA-256).
func checkKeyFitsDigest(pub any, digestAlg asn1.ObjectIdentifier) error {
	_, isGOST := pub.(*gost3410.PublicKey)
	gostDigest := digestAlg.Equal(gost3410.OIDDigest256) || digestAlg.Equal(gost3410.OIDDigest512)
	if isGOST != gostDigest {
		return fail(CodeUnsupported, "key and digest algorithms do not match (%v)", digestAlg)
	}
	if k, ok := pub.(*gost3410.PublicKey); ok {
		if (k.Curve.Size == 64) != digestAlg.Equal(gost3410.OIDDigest512) {
			return fail(CodeUnsupported, "GOST key size and digest size differ")
		}
	}
	return nil
}

// verifySigned checks a signature over data made with the signature algorithm sigAlg (a
// with-digest OID as in certificates and CRLs) by the key in spki.
func verifySigned(sigAlg asn1.ObjectIdentifier, spki, data, sig []byte) error {
	digestAlg := signatureDigest(sigAlg)
	if digestAlg == nil {
		return fail(CodeUnsupported, "signature algorithm %v", sigAlg)
	}
	return verifyWithDigest(digestAlg, spki, data, sig)
}

func verifyWithDigest(digestAlg asn1.ObjectIdentifier, spki, data, sig []byte) error {
	h, ch, ok := digestFor(digestAlg)
	if !ok {
		return fail(CodeUnsupported, "digest algorithm %v", digestAlg)
	}
	pub, err := publicKey(spki)
	if err != nil {
		return err
	}
	if err := checkKeyFitsDigest(pub, digestAlg); err != nil {
		return err
	}
	h.Write(data)
	return verifyDigest(pub, ch, h.Sum(nil), sig)
}
