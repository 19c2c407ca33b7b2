package esign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign/gost3410"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type pki struct {
	root    *x509.Certificate
	rootKey crypto.Signer
	leaf    *x509.Certificate
	leafKey crypto.Signer
}

func newPKI(t testing.TB, leafKey crypto.Signer, subj Subject) pki {
	t.Helper()
	rootKey, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	root, err := IssueCertificate(Template{Subject: Subject{CommonName: "Test CA", Organization: "kabinet"}, Serial: big.NewInt(1),
		NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(5, 0, 0), IsCA: true}, rootKey.Public(), nil, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := IssueCertificate(Template{Subject: subj, Serial: big.NewInt(1001), NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(1, 0, 0)},
		leafKey.Public(), root, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	return pki{root, rootKey, leaf, leafKey}
}

var citizen = Subject{CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович", SNILS: "11223344595", INN: "526317984689", Country: "RU"}

func keys(t testing.TB) map[string]crypto.Signer {
	g256, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	g512, _ := gost3410.GenerateKey(gost3410.Curve512A(), rand.Reader)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return map[string]crypto.Signer{"gost256": g256, "gost512": g512, "ecdsa": ec}
}

func codeOf(err error) Code {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return ""
}

func TestSignAndVerifyOwnCA(t *testing.T) {
	ctx := context.Background()
	for name, key := range keys(t) {
		t.Run(name, func(t *testing.T) {
			p := newPKI(t, key, citizen)
			v, err := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatal(err)
			}
			doc := []byte("Заявление о подключении к личному кабинету")
			sig, err := SignDetached(doc, p.leaf, key, t0)
			if err != nil {
				t.Fatal(err)
			}
			s, err := v.VerifyDetached(ctx, doc, sig)
			if err != nil {
				t.Fatal(err)
			}
			if s.SNILS != "11223344595" || s.INN != "526317984689" || s.Surname != "Иванов" || s.GivenName != "Иван Иванович" || s.FullName() != "Иванов Иван Иванович" {
				t.Fatalf("signer %+v", s)
			}
			if s.RevocationChecked {
				t.Error("no CRL was configured, yet revocation reported checked")
			}
			// Tampered content.
			if _, err := v.VerifyDetached(ctx, append(doc, '.'), sig); codeOf(err) != CodeTampered {
				t.Errorf("tampered content: %v", err)
			}
			// Tampered signature value (last bytes of the DER are the signature).
			bad := append([]byte{}, sig...)
			bad[len(bad)-3] ^= 0x40
			if _, err := v.VerifyDetached(ctx, doc, bad); codeOf(err) != CodeTampered {
				t.Errorf("tampered signature: %v", err)
			}
			// Untrusted: another root.
			other := newPKI(t, key, citizen)
			v2, _ := NewVerifier(Config{Roots: []*x509.Certificate{other.root}, Now: func() time.Time { return t0 }})
			if _, err := v2.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeUntrusted {
				t.Errorf("untrusted: %v", err)
			}
			// No roots at all.
			v3, _ := NewVerifier(Config{Now: func() time.Time { return t0 }})
			if _, err := v3.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeUntrusted {
				t.Errorf("no roots: %v", err)
			}
			// Expired and not yet valid.
			late, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return t0.AddDate(2, 0, 0) }})
			if _, err := late.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeExpired {
				t.Errorf("expired: %v", err)
			}
			early, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return t0.AddDate(0, -2, 0) }})
			if _, err := early.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeNotYetValid {
				t.Errorf("not yet valid: %v", err)
			}
		})
	}
}

func TestRevocation(t *testing.T) {
	ctx := context.Background()
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(t, key, citizen)
	doc := []byte("doc")
	sig, _ := SignDetached(doc, p.leaf, key, t0)
	dir := t.TempDir()
	write := func(name string, revoked []Revoked, next time.Time) string {
		crl, err := IssueCRL(p.root, p.rootKey, revoked, t0.AddDate(0, 0, -1), next)
		if err != nil {
			t.Fatal(err)
		}
		f := dir + "/" + name
		if err := writeFile(f, crl); err != nil {
			t.Fatal(err)
		}
		return f
	}
	clean := write("clean.crl", []Revoked{{Serial: big.NewInt(7), At: t0}}, t0.AddDate(0, 0, 7))
	revoked := write("revoked.crl", []Revoked{{Serial: big.NewInt(1001), At: t0.AddDate(0, 0, -1)}}, t0.AddDate(0, 0, 7))
	stale := write("stale.crl", nil, t0.AddDate(0, 0, -1).Add(time.Hour))
	for _, tc := range []struct {
		crl  string
		want Code
	}{{clean, ""}, {revoked, CodeRevoked}, {stale, CodeCRLStale}} {
		v, err := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, CRLFiles: []string{tc.crl}, RequireRevocation: true, Now: func() time.Time { return t0 }})
		if err != nil {
			t.Fatal(err)
		}
		s, err := v.VerifyDetached(ctx, doc, sig)
		if codeOf(err) != tc.want {
			t.Errorf("%s: err %v, want %q", tc.crl, err, tc.want)
		}
		if tc.want == "" && (s == nil || !s.RevocationChecked) {
			t.Errorf("%s: revocation not checked", tc.crl)
		}
	}
	// Required but absent.
	v, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, RequireRevocation: true, Now: func() time.Time { return t0 }})
	if _, err := v.VerifyDetached(ctx, doc, sig); codeOf(err) != CodeCRLUnavailable {
		t.Errorf("missing CRL: %v", err)
	}
}

func TestBadAttribute(t *testing.T) {
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	bad := citizen
	bad.SNILS = "11223344596"
	p := newPKI(t, key, bad)
	v, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return t0 }})
	sig, _ := SignDetached([]byte("x"), p.leaf, key, t0)
	_, err := v.VerifyDetached(context.Background(), []byte("x"), sig)
	if e, ok := AsError(err); !ok || e.Code != CodeBadAttribute || e.Attr != "snils" {
		t.Fatalf("bad СНИЛС: %v", err)
	}
}

func TestChallenges(t *testing.T) {
	ctx := context.Background()
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(t, key, citizen)
	now := t0
	v, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return now }})
	cs := NewChallenges(NewMemoryChallengeStore(), 5*time.Minute, func() time.Time { return now })
	sign := func(c Challenge) []byte {
		sig, err := SignDetached(c.Bytes(), p.leaf, key, now)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	c, _ := cs.Issue(ctx, "login")
	sig := sign(c)
	s, err := cs.Verify(ctx, v, c.ID, "login", sig)
	if err != nil || s.SNILS != "11223344595" {
		t.Fatalf("login: %v %+v", err, s)
	}
	if _, err := cs.Verify(ctx, v, c.ID, "login", sig); codeOf(err) != CodeChallengeUnknown {
		t.Errorf("reuse: %v", err)
	}
	c2, _ := cs.Issue(ctx, "register")
	if _, err := cs.Verify(ctx, v, c2.ID, "login", sign(c2)); codeOf(err) != CodeChallengeWrongUse {
		t.Errorf("wrong purpose: %v", err)
	}
	c3, _ := cs.Issue(ctx, "login")
	c4, _ := cs.Issue(ctx, "login")
	if _, err := cs.Verify(ctx, v, c4.ID, "login", sign(c3)); codeOf(err) != CodeChallengeMismatch {
		t.Errorf("signature of another challenge: %v", err)
	}
	c5, _ := cs.Issue(ctx, "login")
	sig5 := sign(c5)
	now = now.Add(6 * time.Minute)
	if _, err := cs.Verify(ctx, v, c5.ID, "login", sig5); codeOf(err) != CodeChallengeExpired {
		t.Errorf("expired: %v", err)
	}
}

func TestDecodeSignatureForms(t *testing.T) {
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(t, key, citizen)
	sig, _ := SignDetached([]byte("x"), p.leaf, key, t0)
	b64 := []byte(encodeBase64Wrapped(sig))
	for _, form := range [][]byte{sig, b64, append(append([]byte("-----BEGIN CMS-----\n"), b64...), []byte("-----END CMS-----\n")...)} {
		der, err := DecodeSignature(form)
		if err != nil || !bytes.Equal(der, sig) {
			t.Fatalf("form %q: %v", form[:10], err)
		}
	}
	if _, err := DecodeSignature([]byte("not a signature!")); codeOf(err) != CodeMalformed {
		t.Fatal(err)
	}
}

func FuzzParseSignedData(f *testing.F) {
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(f, key, citizen)
	sig, _ := SignDetached([]byte("x"), p.leaf, key, t0)
	f.Add(sig)
	f.Add([]byte{0x30, 0x03, 0x06, 0x01, 0x00})
	v, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, Now: func() time.Time { return t0 }})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = v.VerifyDetached(context.Background(), []byte("x"), b)
	})
}

func FuzzCertificateAttributes(f *testing.F) {
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(f, key, citizen)
	f.Add(p.leaf.Raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseCertificates(b)
		if err != nil {
			return
		}
		for _, c := range cs {
			_, _ = signerFromCertificate(c)
			_ = checkSignatureFrom(c, p.root)
		}
	})
}

// Whatever is uploaded, DecodeSignature answers without panicking; a DER signature comes back
// byte for byte from each form a citizen may upload it in: DER, base64 on one line or wrapped,
// PEM.
func FuzzDecodeSignature(f *testing.F) {
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(f, key, citizen)
	sig, _ := SignDetached([]byte("x"), p.leaf, key, t0)
	for _, s := range [][]byte{sig, []byte(encodeBase64Wrapped(sig)), []byte("-----BEGIN CMS-----\nMA==\n-----END CMS-----\n"), []byte("0\x00"), []byte("not a signature!")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeSignature(b)
		if len(b) == 0 || b[0] != 0x30 {
			return
		}
		b64 := base64.StdEncoding.EncodeToString(b)
		for _, form := range []string{b64, encodeBase64Wrapped(b), "-----BEGIN CMS-----\n" + encodeBase64Wrapped(b) + "-----END CMS-----\n"} {
			der, err := DecodeSignature([]byte(form))
			if err != nil || !bytes.Equal(der, b) {
				t.Fatalf("%q decodes to %x, %v; want %x", form, der, err, b)
			}
		}
	})
}
