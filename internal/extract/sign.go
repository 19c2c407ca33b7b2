package extract

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/esign/gost3410"
)

// Signer signs extracts with the tax office's key (REG-9): a detached CMS signature of the PDF's
// bytes, GOST R 34.10-2012, made by package esign, which `kabinet esign verify` and OpenSSL's
// GOST engine verify against the office certificate's root.
type Signer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// NewSigner returns the signer of a GOST R 34.10-2012 private key (PKCS #8, PEM or DER) and its
// certificate (PEM or DER; the first one of the file). It refuses a key of another algorithm, a
// key that is not the certificate's, and a certificate that has expired.
func NewSigner(keyData, certData []byte, now time.Time) (*Signer, error) {
	key, err := esign.ParsePrivateKey(keyData)
	if err != nil {
		return nil, fmt.Errorf("extract key: %w", err)
	}
	if _, ok := key.(*gost3410.PrivateKey); !ok {
		return nil, errors.New("extract key: not a GOST R 34.10-2012 key")
	}
	certs, err := esign.ParseCertificates(certData)
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("extract certificate: %v", err)
	}
	s := &Signer{cert: certs[0], key: key}
	if now.After(s.cert.NotAfter) || now.Before(s.cert.NotBefore) {
		return nil, fmt.Errorf("extract certificate: valid from %s until %s only", s.cert.NotBefore.Format(time.DateOnly), s.cert.NotAfter.Format(time.DateOnly))
	}
	if _, err := s.Sign([]byte("kabinet"), now); err != nil {
		return nil, fmt.Errorf("extract key and certificate: %w", err)
	}
	return s, nil
}

// LoadSigner reads the key and the certificate of NewSigner from files.
func LoadSigner(keyFile, certFile string, now time.Time) (*Signer, error) {
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	return NewSigner(kb, cb, now)
}

// Sign returns the detached CMS signature (DER) of content, signed at.
func (s *Signer) Sign(content []byte, at time.Time) ([]byte, error) {
	return esign.SignDetached(content, s.cert, s.key, at)
}

// Certificate returns the certificate the signatures carry.
func (s *Signer) Certificate() *x509.Certificate { return s.cert }

// Holder names the certificate's holder as an extract prints it: its common name and
// organization, and the serial number.
func (s *Signer) Holder() string {
	name := s.cert.Subject.CommonName
	if o := s.cert.Subject.Organization; len(o) > 0 && o[0] != name {
		name = strings.TrimSpace(name + ", " + o[0])
	}
	return fmt.Sprintf("%s (%X)", name, s.cert.SerialNumber)
}

// Demo files: DemoSigner keeps the office's key and certificate beside the demo certification
// centre of `kabinet esign demo`.
const (
	DemoOfficeKey  = "extract-office.key"
	DemoOfficeCert = "extract-office.pem"
	DemoRoots      = "roots" // the directory of the centre's root, for `kabinet esign verify --roots`
)

// DemoOffice is the holder of the demo office certificate.
var DemoOffice = esign.Subject{Country: "RU", Locality: "Москва", Organization: "Демонстрационный налоговый орган kabinet",
	CommonName: "Выписки из реестра налогоплательщиков (демонстрация kabinet)"}

// DemoSigner returns a signer for `kabinet serve --demo` (REG-9): in dir it keeps the demo
// certification centre that `kabinet esign demo` makes (created when missing) and an office
// certificate issued by it (issued when missing or near its end), so extracts signed before a
// restart still verify against dir/roots. Nothing here is a qualified certificate.
func DemoSigner(dir string, now time.Time) (*Signer, error) {
	keyFile, certFile := filepath.Join(dir, DemoOfficeKey), filepath.Join(dir, DemoOfficeCert)
	if s, err := LoadSigner(keyFile, certFile, now); err == nil && now.AddDate(0, 0, 30).Before(s.cert.NotAfter) {
		return s, nil
	}
	caFile, caKeyFile := filepath.Join(dir, DemoRoots, "demo-ca.pem"), filepath.Join(dir, "demo-ca.key")
	if _, err := os.Stat(caKeyFile); err != nil {
		if err := esign.CreateDemo(dir, now); err != nil {
			return nil, err
		}
	}
	cab, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	cas, err := esign.ParseCertificates(cab)
	if err != nil || len(cas) == 0 {
		return nil, fmt.Errorf("demo centre: %s: %v", caFile, err)
	}
	if !now.Before(cas[0].NotAfter.AddDate(-1, 0, 0)) {
		// The centre ends within a year of now: make a new one, and the office's certificate anew.
		if err := esign.CreateDemo(dir, now); err != nil {
			return nil, err
		}
		os.Remove(keyFile)
		os.Remove(certFile)
		return DemoSigner(dir, now)
	}
	kb, err := os.ReadFile(caKeyFile)
	if err != nil {
		return nil, err
	}
	caKey, err := esign.ParsePrivateKey(kb)
	if err != nil {
		return nil, err
	}
	key, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	cert, err := esign.IssueCertificate(esign.Template{Subject: DemoOffice, Serial: serial.Add(serial, big.NewInt(1000)),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}, key.Public(), cas[0], caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := gost3410.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return nil, err
	}
	return LoadSigner(keyFile, certFile, now)
}
