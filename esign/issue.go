package esign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"

	"github.com/kabinet/kabinet/esign/gost3410"
)

// Subject describes the holder of a certificate to issue, with the Russian attributes that
// qualified certificates carry.
type Subject struct {
	CommonName   string
	Surname      string
	GivenName    string
	Organization string
	Title        string
	Country      string
	Locality     string
	SNILS        string
	INN          string
	INNLE        string
	OGRN         string
	OGRNIP       string
	Email        string
}

// Template is what IssueCertificate needs besides the keys.
type Template struct {
	Subject   Subject
	Serial    *big.Int
	NotBefore time.Time
	NotAfter  time.Time
	IsCA      bool
}

// name encodes the subject; numbers go as NumericString, e-mail as IA5String, the rest UTF8String.
func (s Subject) name() ([]byte, error) {
	var rdn pkix.RDNSequence
	add := func(oid asn1.ObjectIdentifier, v string, tag int) {
		if v == "" {
			return
		}
		raw := asn1.RawValue{Tag: tag, Bytes: []byte(v)}
		rdn = append(rdn, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: raw}})
	}
	add(asn1.ObjectIdentifier{2, 5, 4, 6}, s.Country, asn1.TagPrintableString)
	add(asn1.ObjectIdentifier{2, 5, 4, 7}, s.Locality, asn1.TagUTF8String)
	add(asn1.ObjectIdentifier{2, 5, 4, 10}, s.Organization, asn1.TagUTF8String)
	add(oidTitle, s.Title, asn1.TagUTF8String)
	add(oidSurname, s.Surname, asn1.TagUTF8String)
	add(oidGivenName, s.GivenName, asn1.TagUTF8String)
	add(OIDSNILS, s.SNILS, asn1.TagNumericString)
	add(OIDINN, s.INN, asn1.TagNumericString)
	add(OIDINNLE, s.INNLE, asn1.TagNumericString)
	add(OIDOGRN, s.OGRN, asn1.TagNumericString)
	add(OIDOGRNIP, s.OGRNIP, asn1.TagNumericString)
	add(oidEmail, s.Email, asn1.TagIA5String)
	add(asn1.ObjectIdentifier{2, 5, 4, 3}, s.CommonName, asn1.TagUTF8String)
	return asn1.Marshal(rdn)
}

type tbsCertificate struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	Signature  pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type validity struct {
	NotBefore, NotAfter time.Time
}

type certificateDER struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

// signatureAlgorithm returns the with-digest algorithm a signing key signs certificates and CRLs with.
func signatureAlgorithm(key crypto.Signer) (pkix.AlgorithmIdentifier, error) {
	switch k := key.(type) {
	case *gost3410.PrivateKey:
		if k.Curve.Size == 64 {
			return pkix.AlgorithmIdentifier{Algorithm: gost3410.OIDSignWithDigest512}, nil
		}
		return pkix.AlgorithmIdentifier{Algorithm: gost3410.OIDSignWithDigest256}, nil
	case *ecdsa.PrivateKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSASHA256}, nil
	}
	return pkix.AlgorithmIdentifier{}, errors.New("esign: unsupported issuing key")
}

// signData signs data with key under signatureAlgorithm(key).
func signData(key crypto.Signer, data []byte) (pkix.AlgorithmIdentifier, []byte, error) {
	alg, err := signatureAlgorithm(key)
	if err != nil {
		return alg, nil, err
	}
	h, ch, _ := digestFor(signatureDigest(alg.Algorithm))
	h.Write(data)
	sig, err := key.Sign(rand.Reader, h.Sum(nil), ch)
	return alg, sig, err
}

func spkiOf(pub crypto.PublicKey) ([]byte, error) {
	if k, ok := pub.(*gost3410.PublicKey); ok {
		return gost3410.MarshalPKIXPublicKey(k)
	}
	return x509.MarshalPKIXPublicKey(pub)
}

// IssueCertificate creates a certificate for pub, signed by issuerKey; issuer nil makes it
// self-signed. Used by the demo certification centre and by tests; real qualified certificates
// come from accredited centres.
func IssueCertificate(t Template, pub crypto.PublicKey, issuer *x509.Certificate, issuerKey crypto.Signer) (*x509.Certificate, error) {
	subject, err := t.Subject.name()
	if err != nil {
		return nil, err
	}
	spki, err := spkiOf(pub)
	if err != nil {
		return nil, err
	}
	issuerName := subject
	var aki []byte
	if issuer != nil {
		issuerName = issuer.RawSubject
		aki = issuer.SubjectKeyId
	}
	ski := sha1.Sum(spki)
	alg, err := signatureAlgorithm(issuerKey)
	if err != nil {
		return nil, err
	}
	ku := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if t.IsCA {
		ku = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	exts := []pkix.Extension{
		{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: mustMarshal(struct {
			IsCA bool `asn1:"optional"`
		}{t.IsCA})},
		{Id: asn1.ObjectIdentifier{2, 5, 29, 15}, Critical: true, Value: mustMarshal(keyUsageBits(ku))},
		{Id: asn1.ObjectIdentifier{2, 5, 29, 14}, Value: mustMarshal(ski[:])},
	}
	if aki != nil {
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 35}, Value: mustMarshal(struct {
			ID []byte `asn1:"optional,tag:0"`
		}{aki})})
	}
	tbs := tbsCertificate{
		Version:    2,
		Serial:     t.Serial,
		Signature:  alg,
		Issuer:     asn1.RawValue{FullBytes: issuerName},
		Validity:   validity{t.NotBefore.UTC(), t.NotAfter.UTC()},
		Subject:    asn1.RawValue{FullBytes: subject},
		PublicKey:  asn1.RawValue{FullBytes: spki},
		Extensions: exts,
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	alg, sig, err := signData(issuerKey, tbsDER)
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(certificateDER{TBS: asn1.RawValue{FullBytes: tbsDER}, Algorithm: alg, Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func keyUsageBits(ku x509.KeyUsage) asn1.BitString {
	var b [2]byte
	n := 0
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			b[i/8] |= 0x80 >> (i % 8)
			n = i + 1
		}
	}
	l := 1
	if n > 8 {
		l = 2
	}
	return asn1.BitString{Bytes: b[:l], BitLength: n}
}

// Revoked is one entry of a CRL to issue.
type Revoked struct {
	Serial *big.Int
	At     time.Time
}

type tbsCertList struct {
	Version    int `asn1:"optional"`
	Signature  pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	ThisUpdate time.Time
	NextUpdate time.Time
	Revoked    []revokedEntry `asn1:"optional"`
}

type revokedEntry struct {
	Serial *big.Int
	At     time.Time
}

// IssueCRL creates a DER CRL of issuer listing revoked, valid from thisUpdate to nextUpdate.
func IssueCRL(issuer *x509.Certificate, key crypto.Signer, revoked []Revoked, thisUpdate, nextUpdate time.Time) ([]byte, error) {
	alg, err := signatureAlgorithm(key)
	if err != nil {
		return nil, err
	}
	tbs := tbsCertList{Version: 1, Signature: alg, Issuer: asn1.RawValue{FullBytes: issuer.RawSubject}, ThisUpdate: thisUpdate.UTC(), NextUpdate: nextUpdate.UTC()}
	for _, r := range revoked {
		tbs.Revoked = append(tbs.Revoked, revokedEntry{Serial: r.Serial, At: r.At.UTC()})
	}
	tbsDER, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	alg, sig, err := signData(key, tbsDER)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certificateDER{TBS: asn1.RawValue{FullBytes: tbsDER}, Algorithm: alg, Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
}
