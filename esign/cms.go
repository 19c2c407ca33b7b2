package esign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/kabinet/kabinet/esign/gost3410"
)

// CMS object identifiers (RFC 5652).
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []signerInfoRaw `asn1:"set"`
}

type signerInfoRaw struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

const detailDigestMismatch = "message digest does not match the document"

// SignedData is a parsed CMS SignedData with one or more signers.
type SignedData struct {
	Content      []byte // the encapsulated content, nil when detached
	Certificates []*x509.Certificate
	sd           signedData
}

// DecodeSignature accepts a CMS signature as DER, as base64 (one line or wrapped) or as PEM.
func DecodeSignature(b []byte) ([]byte, error) {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == 0x30 {
		return b, nil
	}
	if blk := pemOrDER(t, ""); !bytes.Equal(blk, t) {
		return blk, nil
	}
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, string(t))
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, fail(CodeMalformed, "signature is neither DER nor base64")
		}
	}
	return der, nil
}

// ParseSignedData parses a DER CMS ContentInfo holding SignedData.
func ParseSignedData(der []byte) (*SignedData, error) {
	var ci contentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) != 0 {
		return nil, fail(CodeMalformed, "not a CMS ContentInfo")
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fail(CodeMalformed, "CMS content is not SignedData")
	}
	var sd signedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) != 0 {
		return nil, fail(CodeMalformed, "malformed SignedData")
	}
	if len(sd.SignerInfos) == 0 {
		return nil, fail(CodeMalformed, "SignedData has no signer")
	}
	out := &SignedData{sd: sd}
	if ec := sd.EncapContentInfo.EContent; len(ec.FullBytes) > 0 {
		content, err := octets(ec)
		if err != nil {
			return nil, err
		}
		out.Content = content
	}
	if len(sd.Certificates.Bytes) > 0 {
		certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
		if err != nil {
			return nil, wrap(CodeMalformed, err, "certificates in SignedData")
		}
		out.Certificates = certs
	}
	return out, nil
}

// VerifyDetached verifies a CMS signature (DER, base64 or PEM) over content and the signer's
// certificate, and returns who signed. An attached signature is accepted too when its content
// equals content; with content nil, the encapsulated content is verified.
func (v *Verifier) VerifyDetached(ctx context.Context, content, sig []byte) (*Signer, error) {
	der, err := DecodeSignature(sig)
	if err != nil {
		return nil, err
	}
	sd, err := ParseSignedData(der)
	if err != nil {
		return nil, err
	}
	if sd.Content != nil {
		if content != nil && !bytes.Equal(content, sd.Content) {
			return nil, fail(CodeTampered, "the signed content differs from the document")
		}
		content = sd.Content
	}
	if content == nil {
		return nil, fail(CodeMalformed, "detached signature without the document")
	}
	// Every signer must be valid; the first one is returned.
	var first *Signer
	for i := range sd.sd.SignerInfos {
		s, err := v.verifySigner(ctx, sd, &sd.sd.SignerInfos[i], content)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = s
		}
	}
	return first, nil
}

func (v *Verifier) verifySigner(ctx context.Context, sd *SignedData, si *signerInfoRaw, content []byte) (*Signer, error) {
	cert, err := findSignerCert(sd, si)
	if err != nil {
		return nil, err
	}
	digestAlg := si.DigestAlgorithm.Algorithm
	h, ch, ok := digestFor(digestAlg)
	if !ok {
		return nil, fail(CodeUnsupported, "digest algorithm %v", digestAlg)
	}
	pub, err := publicKey(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	if err := checkKeyFitsDigest(pub, digestAlg); err != nil {
		return nil, err
	}
	h.Write(content)
	contentDigest := h.Sum(nil)
	var signingTime time.Time
	signedDigest := contentDigest
	if len(si.SignedAttrs.FullBytes) > 0 {
		var attrs []attribute
		if _, err := asn1.UnmarshalWithParams(si.SignedAttrs.FullBytes, &attrs, "set,tag:0"); err != nil {
			return nil, fail(CodeMalformed, "signed attributes")
		}
		var haveDigest, haveType bool
		for _, a := range attrs {
			switch {
			case a.Type.Equal(oidMessageDigest):
				var md []byte
				if _, err := asn1.Unmarshal(a.Values.Bytes, &md); err != nil {
					return nil, fail(CodeMalformed, "message-digest attribute")
				}
				if !bytes.Equal(md, contentDigest) {
					return nil, fail(CodeTampered, detailDigestMismatch)
				}
				haveDigest = true
			case a.Type.Equal(oidContentType):
				var ct asn1.ObjectIdentifier
				if _, err := asn1.Unmarshal(a.Values.Bytes, &ct); err != nil || !ct.Equal(sd.sd.EncapContentInfo.EContentType) {
					return nil, fail(CodeTampered, "content-type attribute does not match")
				}
				haveType = true
			case a.Type.Equal(oidSigningTime):
				var t time.Time
				if _, err := asn1.Unmarshal(a.Values.Bytes, &t); err != nil {
					return nil, fail(CodeMalformed, "signing-time attribute")
				}
				signingTime = t
			}
		}
		if !haveDigest || !haveType {
			return nil, fail(CodeMalformed, "signed attributes lack message-digest or content-type")
		}
		// The signature covers the DER of the attributes as a SET (tag 0x31), not [0].
		enc := append([]byte{}, si.SignedAttrs.FullBytes...)
		enc[0] = 0x31
		h.Reset()
		h.Write(enc)
		signedDigest = h.Sum(nil)
	}
	if err := verifyDigest(pub, ch, signedDigest, si.Signature); err != nil {
		return nil, err
	}
	signer, err := v.VerifyCertificate(ctx, cert, sd.Certificates)
	if err != nil {
		return nil, err
	}
	if !signingTime.IsZero() {
		now := v.cfg.Now()
		if signingTime.After(now.Add(v.cfg.ClockSkew)) || signingTime.Before(cert.NotBefore) || signingTime.After(cert.NotAfter) {
			return nil, fail(CodeSigningTime, "signed at %s", signingTime.UTC().Format(time.RFC3339))
		}
	}
	return signer, nil
}

func findSignerCert(sd *SignedData, si *signerInfoRaw) (*x509.Certificate, error) {
	if si.SID.Class == asn1.ClassContextSpecific && si.SID.Tag == 0 {
		for _, c := range sd.Certificates {
			if bytes.Equal(c.SubjectKeyId, si.SID.Bytes) {
				return c, nil
			}
		}
		return nil, fail(CodeUntrusted, "signer certificate (by key identifier) not included")
	}
	var ias issuerAndSerial
	if _, err := asn1.Unmarshal(si.SID.FullBytes, &ias); err != nil {
		return nil, fail(CodeMalformed, "signer identifier")
	}
	for _, c := range sd.Certificates {
		if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && c.SerialNumber.Cmp(ias.Serial) == 0 {
			return c, nil
		}
	}
	return nil, fail(CodeUntrusted, "signer certificate not included in the signature")
}

// SignDetached returns a DER CMS SignedData (detached) over content, with signed attributes
// (content type, signing time, message digest) and the signer's certificate. key is a
// *gost3410.PrivateKey or an *ecdsa.PrivateKey matching cert.
func SignDetached(content []byte, cert *x509.Certificate, key crypto.Signer, now time.Time) ([]byte, error) {
	return signDetached(content, cert, key, now, true)
}

// signDetached is SignDetached; tests turn off the key check to build a signature whose
// certificate is not the signer's.
func signDetached(content []byte, cert *x509.Certificate, key crypto.Signer, now time.Time, checkKey bool) ([]byte, error) {
	var digestAlg, sigAlg asn1.ObjectIdentifier
	var sigParams asn1.RawValue
	switch k := key.(type) {
	case *gost3410.PrivateKey:
		if k.Curve.Size == 64 {
			digestAlg, sigAlg = gost3410.OIDDigest512, gost3410.OIDPublicKey512
		} else {
			digestAlg, sigAlg = gost3410.OIDDigest256, gost3410.OIDPublicKey256
		}
		sigParams = asn1.NullRawValue
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P384():
			digestAlg, sigAlg = oidSHA384, oidECDSASHA384
		case elliptic.P521():
			digestAlg, sigAlg = oidSHA512, oidECDSASHA512
		default:
			digestAlg, sigAlg = oidSHA256, oidECDSASHA256
		}
	default:
		return nil, fail(CodeUnsupported, "signing key type %T", key)
	}
	pub, err := publicKey(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, err
	}
	if checkKey && !samePublicKey(pub, key.Public()) {
		return nil, errors.New("esign: the key does not belong to the certificate")
	}
	h, ch, _ := digestFor(digestAlg)
	h.Write(content)
	md := h.Sum(nil)
	attrs, err := marshalAttributes(md, now)
	if err != nil {
		return nil, err
	}
	h.Reset()
	h.Write(attrs)
	sig, err := key.Sign(rand.Reader, h.Sum(nil), ch)
	if err != nil {
		return nil, err
	}
	signedAttrs := append([]byte{}, attrs...)
	signedAttrs[0] = 0xa0 // [0] IMPLICIT in SignerInfo
	si := signerInfoRaw{
		Version:            1,
		SID:                asn1.RawValue{FullBytes: mustMarshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: cert.SerialNumber})},
		DigestAlgorithm:    pkix.AlgorithmIdentifier{Algorithm: digestAlg},
		SignedAttrs:        asn1.RawValue{FullBytes: signedAttrs},
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: sigAlg, Parameters: sigParams},
		Signature:          sig,
	}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{{Algorithm: digestAlg}},
		EncapContentInfo: encapContentInfo{EContentType: oidData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: cert.Raw},
		SignerInfos:      []signerInfoRaw{si},
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}})
}

func marshalAttributes(md []byte, now time.Time) ([]byte, error) {
	one := func(v any) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: mustMarshal(v)}
	}
	attrs := []attribute{
		{Type: oidContentType, Values: one(oidData)},
		{Type: oidSigningTime, Values: one(now.UTC().Truncate(time.Second))},
		{Type: oidMessageDigest, Values: one(md)},
	}
	// DER orders SET OF by encoding; these three happen to be in order already
	// (…9.3 < …9.4 < …9.5 compare by OID bytes only after equal lengths): sort to be sure.
	enc := make([][]byte, len(attrs))
	for i, a := range attrs {
		enc[i] = mustMarshal(a)
	}
	sortBytes(enc)
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: bytes.Join(enc, nil)})
}

func sortBytes(b [][]byte) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && bytes.Compare(b[j-1], b[j]) > 0; j-- {
			b[j-1], b[j] = b[j], b[j-1]
		}
	}
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err) // only for values built here, never for input
	}
	return b
}

func samePublicKey(a any, b crypto.PublicKey) bool {
	switch k := a.(type) {
	case *gost3410.PublicKey:
		return k.Equal(b)
	case *ecdsa.PublicKey:
		return k.Equal(b)
	}
	return false
}

// octets returns the bytes of the encapsulated content: an OCTET STRING, possibly inside its
// [0] wrapper, possibly constructed from segments.
func octets(v asn1.RawValue) ([]byte, error) {
	for v.Class == asn1.ClassContextSpecific && v.Tag == 0 {
		var inner asn1.RawValue
		if rest, err := asn1.Unmarshal(v.Bytes, &inner); err != nil || len(rest) != 0 {
			return nil, fail(CodeMalformed, "encapsulated content")
		}
		v = inner
	}
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagOctetString {
		return nil, fail(CodeMalformed, "encapsulated content is not an OCTET STRING")
	}
	if !v.IsCompound {
		return append([]byte{}, v.Bytes...), nil
	}
	var out []byte
	rest := v.Bytes
	for depth := 0; len(rest) > 0; depth++ {
		var seg asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &seg); err != nil || depth > 1<<16 {
			return nil, fail(CodeMalformed, "encapsulated content segments")
		}
		part, err := octets(seg)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}
