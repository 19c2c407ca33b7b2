package esign

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/kabinet/kabinet/tin"
)

// Russian subject attributes of qualified certificates.
var (
	OIDSNILS  = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	OIDINN    = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	OIDINNLE  = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	OIDOGRN   = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	OIDOGRNIP = asn1.ObjectIdentifier{1, 2, 643, 100, 5}

	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidTitle     = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidEmail     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// Signer is the verified identity of whoever signed: the subject of a certificate that chains to
// a trusted root and was valid and not revoked at the time of verification.
type Signer struct {
	Surname      string // фамилия
	GivenName    string // имя и отчество, as Russian certificates put them together
	CommonName   string
	Organization string
	Title        string
	SNILS        string // 11 digits
	INN          string // ИНН of the person (12 digits)
	INNLE        string // ИНН of the legal entity (10 digits)
	OGRN         string
	OGRNIP       string
	Email        string
	NotBefore    time.Time
	NotAfter     time.Time
	Serial       string // hex
	Issuer       string
	Certificate  *x509.Certificate
	// RevocationChecked is false when no CRL source was configured for the issuer.
	RevocationChecked bool
}

// FullName returns "Surname GivenName", or the common name when those are absent.
func (s *Signer) FullName() string {
	if n := strings.TrimSpace(s.Surname + " " + s.GivenName); n != "" {
		return n
	}
	return s.CommonName
}

// signerFromCertificate reads the subject attributes and validates the numbers in them.
func signerFromCertificate(c *x509.Certificate) (*Signer, error) {
	s := &Signer{
		CommonName:  c.Subject.CommonName,
		NotBefore:   c.NotBefore,
		NotAfter:    c.NotAfter,
		Serial:      fmt.Sprintf("%x", c.SerialNumber),
		Issuer:      c.Issuer.String(),
		Certificate: c,
	}
	if len(c.Subject.Organization) > 0 {
		s.Organization = c.Subject.Organization[0]
	}
	for _, a := range c.Subject.Names {
		v, ok := a.Value.(string)
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch {
		case a.Type.Equal(oidSurname):
			s.Surname = v
		case a.Type.Equal(oidGivenName):
			s.GivenName = v
		case a.Type.Equal(oidTitle):
			s.Title = v
		case a.Type.Equal(oidEmail):
			s.Email = v
		case a.Type.Equal(OIDSNILS):
			n, err := tin.ParseSNILS(v)
			if err != nil {
				return nil, attrErr("snils", err)
			}
			s.SNILS = n.Digits
		case a.Type.Equal(OIDINN):
			// Some centres write the 10-digit ИНН of an organization with two leading zeros.
			n, err := tin.ParseINN(v)
			if err != nil && len(v) == 12 && strings.HasPrefix(v, "00") {
				n, err = tin.ParseINN(v[2:])
			}
			if err != nil {
				return nil, attrErr("inn", err)
			}
			s.INN = n.Digits
		case a.Type.Equal(OIDINNLE):
			n, err := tin.ParseINN(v)
			if err == nil && n.Type == tin.Individual {
				err = fmt.Errorf("ИНН ЮЛ must have 10 digits")
			}
			if err != nil {
				return nil, attrErr("inn_le", err)
			}
			s.INNLE = n.Digits
		case a.Type.Equal(OIDOGRN):
			n, err := tin.ParseOGRN(v)
			if err != nil {
				return nil, attrErr("ogrn", err)
			}
			s.OGRN = n.Digits
		case a.Type.Equal(OIDOGRNIP):
			n, err := tin.ParseOGRNIP(v)
			if err != nil {
				return nil, attrErr("ogrnip", err)
			}
			s.OGRNIP = n.Digits
		}
	}
	return s, nil
}

func attrErr(attr string, err error) error {
	return &Error{Code: CodeBadAttribute, Attr: attr, Detail: fmt.Sprintf("%s: %v", attr, err), Err: err}
}

// outerSignature returns the signature algorithm OID of a signed X.509 structure (certificate or
// CRL): SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }. crypto/x509 leaves it unknown for GOST.
func outerSignature(der []byte) (asn1.ObjectIdentifier, error) {
	var outer struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 {
		return nil, fail(CodeMalformed, "signed structure")
	}
	return outer.Algorithm.Algorithm, nil
}

// checkSignatureFrom verifies that child was signed by parent's key.
func checkSignatureFrom(child, parent *x509.Certificate) error {
	alg, err := outerSignature(child.Raw)
	if err != nil {
		return err
	}
	return verifySigned(alg, parent.RawSubjectPublicKeyInfo, child.RawTBSCertificate, child.Signature)
}

func serialKey(issuerRaw []byte, serial *big.Int) string {
	return string(issuerRaw) + "|" + serial.String()
}
