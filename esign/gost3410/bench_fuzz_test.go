package gost3410

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign/streebog"
)

// BenchmarkVerify256 verifies GOST R 34.10-2012 256-bit signatures and reports, as x_ecdsa_p256,
// the time per verification over that of crypto/ecdsa P-256 measured in the same run.
func BenchmarkVerify256(b *testing.B) {
	key, _ := GenerateKey(Curve256A(), rand.Reader)
	d := streebog.Sum256([]byte("challenge"))
	sig, _ := key.Sign(rand.Reader, d[:], nil)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	h := sha256.Sum256([]byte("challenge"))
	esig, _ := ecdsa.SignASN1(rand.Reader, ek, h[:])
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		if !ecdsa.VerifyASN1(&ek.PublicKey, h[:], esig) {
			b.Fatal("ecdsa")
		}
	}
	base := time.Since(t0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := key.PublicKey.Verify(d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verify/s")
	b.ReportMetric(float64(b.N)/base.Seconds(), "ecdsa_verify/s")
	b.ReportMetric(float64(b.Elapsed())/float64(base), "x_ecdsa_p256")
}

func BenchmarkVerify512(b *testing.B) {
	key, _ := GenerateKey(Curve512A(), rand.Reader)
	d := streebog.Sum512([]byte("challenge"))
	sig, _ := key.Sign(rand.Reader, d[:], nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := key.PublicKey.Verify(d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign256(b *testing.B) {
	key, _ := GenerateKey(Curve256A(), rand.Reader)
	d := streebog.Sum256([]byte("challenge"))
	for i := 0; i < b.N; i++ {
		if _, err := key.Sign(rand.Reader, d[:], nil); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParsePKIXPublicKey(f *testing.F) {
	k, _ := GenerateKey(Curve256A(), rand.Reader)
	der, _ := MarshalPKIXPublicKey(&k.PublicKey)
	f.Add(der)
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		if pub, err := ParsePKIXPublicKey(b); err == nil && !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			t.Fatal("accepted a point off the curve")
		}
	})
}

func FuzzParsePKCS8PrivateKey(f *testing.F) {
	k, _ := GenerateKey(Curve512A(), rand.Reader)
	der, _ := MarshalPKCS8PrivateKey(k)
	f.Add(der)
	f.Fuzz(func(t *testing.T, b []byte) {
		if key, err := ParsePKCS8PrivateKey(b); err == nil && (key.D.Sign() <= 0 || key.D.Cmp(key.Curve.Q) >= 0) {
			t.Fatal("accepted an out-of-range key")
		}
	})
}

func FuzzVerify(f *testing.F) {
	k, _ := GenerateKey(Curve256A(), rand.Reader)
	d := streebog.Sum256([]byte("x"))
	sig, _ := k.Sign(rand.Reader, d[:], nil)
	f.Add(d[:], sig)
	f.Fuzz(func(t *testing.T, digest, sig []byte) {
		_ = k.PublicKey.Verify(digest, sig)
	})
}
