package gostoracle

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// PKI is a certification centre made by OpenSSL with the GOST engine (GOST R 34.10-2012 256,
// Streebog-256), for tests that need qualified certificates made by an implementation that is
// not kabinet's: a root, certificates of persons with their СНИЛС and ИНН, valid, expired or not
// yet valid, revoked ones and the CRL.
type PKI struct {
	o    *OpenSSL
	Dir  string            // the files: ca.pem (the root), ca.crl, <name>.key, <name>.pem
	Root *x509.Certificate // the root
	cnf  string
}

// Subject is the owner of a certificate.
type Subject struct {
	Surname   string // фамилия
	GivenName string // имя и отчество
	SNILS     string // 11 digits
	INN       string // 12 digits, or ""
}

func (s Subject) dn() string {
	dn := fmt.Sprintf("/C=RU/SN=%s/GN=%s/CN=%s %s/1.2.643.100.3=%s", s.Surname, s.GivenName, s.Surname, s.GivenName, s.SNILS)
	if s.INN != "" {
		dn += "/1.2.643.3.131.1.1=" + s.INN
	}
	return dn
}

// NewPKI makes a certification centre in a directory of the test's.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	o := Engine(t)
	dir := t.TempDir()
	p := &PKI{o: o, Dir: dir, cnf: filepath.Join(dir, "ca.cnf")}
	os.WriteFile(filepath.Join(dir, "index.txt"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "crlnumber"), []byte("01\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "serial"), []byte("1000\n"), 0o600)
	os.MkdirAll(filepath.Join(dir, "certs"), 0o700)
	cnf := "[ca]\ndefault_ca=CA_default\n[CA_default]\ndatabase=" + dir + "/index.txt\ncrlnumber=" + dir + "/crlnumber\nserial=" + dir + "/serial\nnew_certs_dir=" + dir +
		"/certs\ndefault_md=md_gost12_256\ndefault_crl_days=3650\npolicy=policy_any\nunique_subject=no\n[policy_any]\ncountryName=optional\n" +
		"[user]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
	os.WriteFile(p.cnf, []byte(cnf), 0o600)
	p.run(t, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "@ca.key")
	p.run(t, "req", "-x509", "-new", "-utf8", "-key", "@ca.key", "-md_gost12_256", "-subj", "/CN=Удостоверяющий центр для тестов/O=kabinet",
		"-days", "7300", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "@ca.pem")
	p.gencrl(t)
	b, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	blk, _ := pem.Decode(b)
	root, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatalf("the oracle's root: %v", err)
	}
	p.Root = root
	return p
}

func (p *PKI) run(t testing.TB, args ...string) []byte {
	t.Helper()
	full := append([]string{}, args...)
	for i, a := range full {
		full[i] = strings.ReplaceAll(a, "@", p.Dir+"/")
	}
	return p.o.MustRun(t, nil, full...)
}

func (p *PKI) gencrl(t testing.TB) {
	p.run(t, "ca", "-config", p.cnf, "-keyfile", "@ca.key", "-cert", "@ca.pem", "-gencrl", "-out", "@ca.crl")
}

// RootsDir returns a directory holding only the root, as a verifier's --roots takes it.
func (p *PKI) RootsDir(t testing.TB) string {
	dir := filepath.Join(p.Dir, "roots")
	if _, err := os.Stat(dir); err != nil {
		os.MkdirAll(dir, 0o700)
		b, _ := os.ReadFile(filepath.Join(p.Dir, "ca.pem"))
		os.WriteFile(filepath.Join(dir, "ca.pem"), b, 0o600)
	}
	return dir
}

// CRL returns the path of the CRL.
func (p *PKI) CRL() string { return filepath.Join(p.Dir, "ca.crl") }

// Issue makes a key and a certificate for s named name (files <name>.key and <name>.pem), valid
// from notBefore to notAfter.
func (p *PKI) Issue(t testing.TB, name string, s Subject, notBefore, notAfter time.Time) {
	t.Helper()
	p.run(t, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "@"+name+".key")
	p.run(t, "req", "-new", "-utf8", "-key", "@"+name+".key", "-subj", s.dn(), "-out", "@"+name+".csr")
	ts := func(t time.Time) string { return t.UTC().Format("20060102150405Z") }
	p.run(t, "ca", "-config", p.cnf, "-batch", "-notext", "-utf8", "-preserveDN", "-extensions", "user", "-keyfile", "@ca.key", "-cert", "@ca.pem",
		"-in", "@"+name+".csr", "-out", "@"+name+".pem", "-startdate", ts(notBefore), "-enddate", ts(notAfter))
}

// Revoke revokes the certificate name and makes the CRL anew.
func (p *PKI) Revoke(t testing.TB, name string) {
	t.Helper()
	p.run(t, "ca", "-config", p.cnf, "-keyfile", "@ca.key", "-cert", "@ca.pem", "-revoke", "@"+name+".pem")
	p.gencrl(t)
}

// Sign makes a detached CMS signature (DER) of content with the key and certificate name.
func (p *PKI) Sign(t testing.TB, name string, content []byte) []byte {
	t.Helper()
	f, err := os.CreateTemp(p.Dir, "content-")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(content)
	f.Close()
	return p.run(t, "cms", "-sign", "-binary", "-in", f.Name(), "-signer", "@"+name+".pem", "-inkey", "@"+name+".key", "-outform", "DER")
}
