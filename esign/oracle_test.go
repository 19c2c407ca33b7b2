package esign

import (
	"context"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/gostoracle"
)

// opensslPKI is a certification centre made by OpenSSL with the GOST engine (or with ECDSA),
// with user certificates carrying СНИЛС/ИНН/ОГРН, a revoked one, and a CRL: the independent
// material kabinet must verify.
type opensslPKI struct {
	o    *gostoracle.OpenSSL
	dir  string
	root *x509.Certificate
	crl  string
}

var (
	pkiOnce sync.Map // algorithm → *opensslPKI
	pkiMu   sync.Mutex
)

const (
	subjCitizen = "/C=RU/SN=Петров/GN=Пётр Петрович/CN=Петров Пётр Петрович/1.2.643.100.3=11223344595/1.2.643.3.131.1.1=526317984689"
	subjHead    = "/C=RU/O=ООО Ромашка/title=Генеральный директор/SN=Сидорова/GN=Анна Сергеевна/CN=Сидорова Анна Сергеевна/1.2.643.100.3=08765430300/1.2.643.3.131.1.1=500100732259/INNLE=7707083893/1.2.643.100.1=1027700132195"
)

func buildOpenSSLPKI(t *testing.T, alg string) *opensslPKI {
	t.Helper()
	o := gostoracle.Engine(t)
	pkiMu.Lock()
	defer pkiMu.Unlock()
	if p, ok := pkiOnce.Load(alg); ok {
		return p.(*opensslPKI)
	}
	dir := filepath.Join(o.Dir, "pki-"+alg)
	os.MkdirAll(dir, 0o700)
	run := func(args ...string) {
		t.Helper()
		full := append([]string{}, args...)
		for i, a := range full {
			full[i] = strings.ReplaceAll(a, "@", dir+"/")
		}
		o.MustRun(t, nil, full...)
	}
	genkey := func(name, kind string) {
		switch kind {
		case "gost256":
			run("genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "@"+name)
		case "gost512":
			run("genpkey", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:A", "-out", "@"+name)
		case "rsa":
			run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "@"+name)
		case "ecdsa384":
			run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "@"+name)
		default:
			run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "@"+name)
		}
	}
	md := map[string]string{"gost256": "md_gost12_256", "gost512": "md_gost12_512", "ecdsa": "sha256", "ecdsa384": "sha384", "rsa": "sha256"}[alg]
	genkey("ca.key", alg)
	run("req", "-x509", "-new", "-utf8", "-key", "@ca.key", "-"+md, "-subj", "/CN=Oracle CA "+alg+"/O=Oracle", "-days", "3650",
		"-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "@ca.pem")
	os.WriteFile(filepath.Join(dir, "user.ext"), []byte("basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n"), 0o600)
	users := []struct{ name, kind, subj, serial string }{
		{"citizen", alg, subjCitizen, "1001"},
		{"head", alg, subjHead, "1002"},
		{"revoked", alg, subjCitizen, "1003"},
	}
	if alg == "gost256" {
		users = append(users, struct{ name, kind, subj, serial string }{"citizen512", "gost512", subjCitizen, "1004"})
	}
	for _, u := range users {
		genkey(u.name+".key", u.kind)
		run("req", "-new", "-utf8", "-key", "@"+u.name+".key", "-subj", u.subj, "-out", "@"+u.name+".csr")
		run("x509", "-req", "-in", "@"+u.name+".csr", "-CA", "@ca.pem", "-CAkey", "@ca.key", "-"+md, "-set_serial", u.serial,
			"-days", "365", "-extfile", "@user.ext", "-out", "@"+u.name+".pem")
	}
	// A CRL revoking one certificate, through `openssl ca`.
	os.WriteFile(filepath.Join(dir, "index.txt"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "crlnumber"), []byte("01\n"), 0o600)
	cnf := "[ca]\ndefault_ca=CA_default\n[CA_default]\ndatabase=" + dir + "/index.txt\ncrlnumber=" + dir + "/crlnumber\ndefault_md=" + md + "\ndefault_crl_days=30\n"
	os.WriteFile(filepath.Join(dir, "ca.cnf"), []byte(cnf), 0o600)
	run("ca", "-config", "@ca.cnf", "-keyfile", "@ca.key", "-cert", "@ca.pem", "-revoke", "@revoked.pem")
	run("ca", "-config", "@ca.cnf", "-keyfile", "@ca.key", "-cert", "@ca.pem", "-gencrl", "-out", "@ca.crl")
	b, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	roots, err := ParseCertificates(b)
	if err != nil {
		t.Fatalf("parse openssl root: %v", err)
	}
	p := &opensslPKI{o: o, dir: dir, root: roots[0], crl: filepath.Join(dir, "ca.crl")}
	pkiOnce.Store(alg, p)
	return p
}

func (p *opensslPKI) sign(t *testing.T, user string, content []byte, extra ...string) []byte {
	t.Helper()
	f, _ := os.CreateTemp(p.dir, "msg")
	f.Write(content)
	f.Close()
	args := append([]string{"cms", "-sign", "-binary", "-in", f.Name(), "-signer", filepath.Join(p.dir, user+".pem"), "-inkey", filepath.Join(p.dir, user+".key"), "-outform", "DER"}, extra...)
	return p.o.MustRun(t, nil, args...)
}

func TestOpenSSLSignatures(t *testing.T) {
	ctx := context.Background()
	for _, alg := range []string{"gost256", "gost512", "ecdsa", "ecdsa384", "rsa"} {
		t.Run(alg, func(t *testing.T) {
			p := buildOpenSSLPKI(t, alg)
			v, err := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, CRLFiles: []string{p.crl}, RequireRevocation: true})
			if err != nil {
				t.Fatal(err)
			}
			doc := []byte("Согласие на обработку персональных данных\n")
			users := []string{"citizen", "head"}
			if alg == "gost256" {
				users = append(users, "citizen512")
			}
			for _, user := range users {
				for _, mode := range [][]string{nil, {"-nodetach"}, {"-noattr"}, {"-nodetach", "-noattr"}} {
					sig := p.sign(t, user, doc, mode...)
					s, err := v.VerifyDetached(ctx, doc, sig)
					if err != nil {
						t.Fatalf("%s %v: genuine signature refused: %v", user, mode, err)
					}
					if s.SNILS == "" || s.INN == "" || !s.RevocationChecked {
						t.Fatalf("%s: signer %+v", user, s)
					}
					if user == "head" && (s.INNLE != "7707083893" || s.OGRN != "1027700132195" || s.Organization != "ООО Ромашка" || s.Title != "Генеральный директор") {
						t.Fatalf("head: %+v", s)
					}
					if user == "citizen" && (s.Surname != "Петров" || s.GivenName != "Пётр Петрович" || s.SNILS != "11223344595") {
						t.Fatalf("citizen: %+v", s)
					}
					if _, err := v.VerifyDetached(ctx, append([]byte("X"), doc...), sig); codeOf(err) != CodeTampered {
						t.Errorf("%s %v: tampered content: %v", user, mode, err)
					}
					bad := append([]byte{}, sig...)
					bad[len(bad)-5] ^= 1
					if _, err := v.VerifyDetached(ctx, doc, bad); err == nil {
						t.Errorf("%s %v: tampered signature accepted", user, mode)
					}
				}
			}
			// Revoked certificate.
			if _, err := v.VerifyDetached(ctx, doc, p.sign(t, "revoked", doc)); codeOf(err) != CodeRevoked {
				t.Errorf("revoked: %v", err)
			}
			// Wrong certificate: signed with the citizen's key but naming the head's certificate.
			sig := p.sign(t, "citizen", doc)
			headCert, _ := loadPair(t, filepath.Join(p.dir, "head.pem"), filepath.Join(p.dir, "head.key"))
			_, citizenKey := loadPair(t, filepath.Join(p.dir, "citizen.pem"), filepath.Join(p.dir, "citizen.key"))
			if alg != "rsa" { // kabinet signs with GOST and ECDSA keys only
				wrong, err := signDetached(doc, headCert, citizenKey, time.Now(), false)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v.VerifyDetached(ctx, doc, wrong); codeOf(err) != CodeTampered {
					t.Errorf("wrong certificate: %v", err)
				}
			}
			// Untrusted: another root.
			other := NewVerifierMust(t, Config{Roots: []*x509.Certificate{buildOtherRoot(t)}})
			if _, err := other.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeUntrusted {
				t.Errorf("untrusted: %v", err)
			}
			// Expired certificate (a year later), and a stale CRL (40 days later).
			later := NewVerifierMust(t, Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return time.Now().AddDate(1, 1, 0) }})
			if _, err := later.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeExpired {
				t.Errorf("expired: %v", err)
			}
			stale := NewVerifierMust(t, Config{Roots: []*x509.Certificate{p.root}, CRLFiles: []string{p.crl}, Now: func() time.Time { return time.Now().AddDate(0, 0, 40) }})
			if _, err := stale.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeCRLStale {
				t.Errorf("stale CRL: %v", err)
			}
		})
	}
}

// OpenSSL verifies what kabinet signs.
func TestOpenSSLVerifiesOurSignatures(t *testing.T) {
	for _, alg := range []string{"gost256", "ecdsa"} {
		t.Run(alg, func(t *testing.T) {
			p := buildOpenSSLPKI(t, alg)
			cert, key := loadPair(t, filepath.Join(p.dir, "citizen.pem"), filepath.Join(p.dir, "citizen.key"))
			doc := []byte("challenge text")
			sig, err := SignDetached(doc, cert, key, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			sf := filepath.Join(p.dir, "ours-"+alg+".der")
			df := filepath.Join(p.dir, "doc-"+alg+".txt")
			os.WriteFile(sf, sig, 0o600)
			os.WriteFile(df, doc, 0o600)
			if out, err := p.o.Run(nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", sf, "-content", df, "-CAfile", filepath.Join(p.dir, "ca.pem"), "-purpose", "any"); err != nil {
				t.Fatalf("openssl refused our CMS: %v %s", err, out)
			}
			os.WriteFile(df, []byte("changed"), 0o600)
			if _, err := p.o.Run(nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", sf, "-content", df, "-CAfile", filepath.Join(p.dir, "ca.pem"), "-purpose", "any"); err == nil {
				t.Fatal("openssl accepted our signature over changed content")
			}
		})
	}
}

func NewVerifierMust(t *testing.T, c Config) *Verifier {
	t.Helper()
	v, err := NewVerifier(c)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func buildOtherRoot(t *testing.T) *x509.Certificate {
	p := newPKI(t, keys(t)["gost256"], citizen)
	return p.root
}

func loadPair(t *testing.T, certFile, keyFile string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	cb, _ := os.ReadFile(certFile)
	kb, _ := os.ReadFile(keyFile)
	certs, err := ParseCertificates(cb)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParsePrivateKey(kb)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0], k
}
