package esign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/kabinet/kabinet/esign/gost3410"
)

// Demo subjects: synthetic people and an organization with valid numbers.
var (
	DemoCitizen = Subject{Country: "RU", Locality: "Москва", CommonName: "Смирнова Мария Александровна", Surname: "Смирнова",
		GivenName: "Мария Александровна", SNILS: "12345678964", INN: "526317984689", Email: "maria@example.org"}
	DemoHead = Subject{Country: "RU", Locality: "Москва", Organization: "ООО «Демо»", Title: "Генеральный директор",
		CommonName: "Кузнецов Андрей Викторович", Surname: "Кузнецов", GivenName: "Андрей Викторович",
		SNILS: "08765430300", INN: "500100732259", INNLE: "7707083893", OGRN: "1027700132195"}
)

// DemoRevokedSerial is the serial number of the demo centre's revoked certificate.
const DemoRevokedSerial = 999

// CreateDemo writes into dir a demonstration certification centre (a GOST R 34.10-2012 256-bit
// root), its CRL, GOST certificates and keys for a citizen and an organization head, an ECDSA
// pair for the citizen, and a README with the commands to sign and verify. Nothing here is a
// qualified certificate: it is for trying kabinet out.
func CreateDemo(dir string, now time.Time) error {
	if err := os.MkdirAll(filepath.Join(dir, "roots"), 0o755); err != nil {
		return err
	}
	caKey, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		return err
	}
	ca, err := IssueCertificate(Template{Subject: Subject{Country: "RU", Organization: "kabinet demo", CommonName: "Демонстрационный удостоверяющий центр kabinet"},
		Serial: big.NewInt(1), NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(5, 0, 0), IsCA: true}, caKey.Public(), nil, caKey)
	if err != nil {
		return err
	}
	write := func(name, typ string, der []byte) error {
		return os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
	}
	if err := write("roots/demo-ca.pem", "CERTIFICATE", ca.Raw); err != nil {
		return err
	}
	if err := write("demo-ca.key", "PRIVATE KEY", mustPKCS8(caKey)); err != nil {
		return err
	}
	type holder struct {
		name string
		subj Subject
		gost bool
	}
	serial := int64(100)
	for _, h := range []holder{{"citizen", DemoCitizen, true}, {"head", DemoHead, true}, {"citizen-ecdsa", DemoCitizen, false}} {
		serial++
		var pub any
		var keyDER []byte
		if h.gost {
			k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
			if err != nil {
				return err
			}
			pub, keyDER = k.Public(), mustPKCS8(k)
		} else {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				return err
			}
			der, err := x509.MarshalPKCS8PrivateKey(k)
			if err != nil {
				return err
			}
			pub, keyDER = k.Public(), der
		}
		cert, err := IssueCertificate(Template{Subject: h.subj, Serial: big.NewInt(serial), NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}, pub, ca, caKey)
		if err != nil {
			return err
		}
		if err := write(h.name+".pem", "CERTIFICATE", cert.Raw); err != nil {
			return err
		}
		if err := write(h.name+".key", "PRIVATE KEY", keyDER); err != nil {
			return err
		}
	}
	// A revoked certificate too, so that a refusal can be tried.
	rk, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	revoked, err := IssueCertificate(Template{Subject: DemoCitizen, Serial: big.NewInt(DemoRevokedSerial), NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}, rk.Public(), ca, caKey)
	if err != nil {
		return err
	}
	if err := write("revoked.pem", "CERTIFICATE", revoked.Raw); err != nil {
		return err
	}
	if err := write("revoked.key", "PRIVATE KEY", mustPKCS8(rk)); err != nil {
		return err
	}
	crl, err := IssueCRL(ca, caKey, []Revoked{{Serial: big.NewInt(DemoRevokedSerial), At: now.Add(-time.Minute)}}, now.Add(-time.Hour), now.AddDate(0, 0, 30))
	if err != nil {
		return err
	}
	if err := write("demo-ca.crl", "X509 CRL", crl); err != nil {
		return err
	}
	readme := fmt.Sprintf(`kabinet e-signature demo (not qualified certificates: for trying kabinet out)

  roots/demo-ca.pem   the demo certification centre (GOST R 34.10-2012, 256 bits)
  demo-ca.crl         its certificate revocation list (revoked.pem is on it)
  citizen.pem/.key    a citizen: СНИЛС %s, ИНН %s
  head.pem/.key       an organization head: ИНН ЮЛ %s, ОГРН %s
  citizen-ecdsa.*     the citizen with an ECDSA P-256 key
  revoked.pem/.key    a revoked certificate

Sign and verify:
  echo "I agree" > doc.txt
  kabinet esign sign --key %[5]s/citizen.key --cert %[5]s/citizen.pem --in doc.txt > doc.sig
  kabinet esign verify --in doc.txt --sig doc.sig --roots %[5]s/roots --crl %[5]s/demo-ca.crl

A refusal:
  kabinet esign sign --key %[5]s/revoked.key --cert %[5]s/revoked.pem --in doc.txt > bad.sig
  kabinet esign verify --in doc.txt --sig bad.sig --roots %[5]s/roots --crl %[5]s/demo-ca.crl
`, DemoCitizen.SNILS, DemoCitizen.INN, DemoHead.INNLE, DemoHead.OGRN, dir)
	return os.WriteFile(filepath.Join(dir, "README.txt"), []byte(readme), 0o644)
}

func mustPKCS8(k *gost3410.PrivateKey) []byte {
	der, err := gost3410.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	return der
}
