package gost3410

import (
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kabinet/kabinet/esign/streebog"
	"github.com/kabinet/kabinet/internal/gostoracle"
)

func digestFor(size int, msg []byte) []byte {
	if size == 64 {
		d := streebog.Sum512(msg)
		return d[:]
	}
	d := streebog.Sum256(msg)
	return d[:]
}

// Interoperability with OpenSSL's GOST engine in both directions, on every parameter set it has.
func TestOpenSSLInterop(t *testing.T) {
	o := gostoracle.Engine(t)
	cases := []struct{ alg, paramset, md string }{
		{"gost2012_256", "A", "md_gost12_256"},
		{"gost2012_256", "B", "md_gost12_256"},
		{"gost2012_256", "C", "md_gost12_256"},
		{"gost2012_256", "XA", "md_gost12_256"},
		{"gost2012_256", "XB", "md_gost12_256"},
		{"gost2012_256", "TCA", "md_gost12_256"},
		{"gost2012_512", "A", "md_gost12_512"},
		{"gost2012_512", "B", "md_gost12_512"},
		{"gost2012_512", "C", "md_gost12_512"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.alg+"-"+tc.paramset, func(t *testing.T) {
			keyPEM, err := o.Run(nil, "genpkey", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.paramset)
			if err != nil {
				t.Skipf("engine lacks this parameter set: %v", err)
			}
			keyFile := filepath.Join(dir, tc.alg+tc.paramset+".key")
			os.WriteFile(keyFile, keyPEM, 0o600)
			blk, _ := pem.Decode(keyPEM)
			key, err := ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				t.Fatalf("parse openssl key: %v", err)
			}
			pubPEM := o.MustRun(t, nil, "pkey", "-in", keyFile, "-pubout")
			pubFile := filepath.Join(dir, tc.alg+tc.paramset+".pub")
			os.WriteFile(pubFile, pubPEM, 0o600)
			pb, _ := pem.Decode(pubPEM)
			pub, err := ParsePKIXPublicKey(pb.Bytes)
			if err != nil {
				t.Fatalf("parse openssl public key: %v", err)
			}
			if !pub.Equal(&key.PublicKey) {
				t.Fatal("public key from the private key differs from openssl's")
			}
			for i, n := range []int{0, 1, 63, 64, 65, 1000} {
				msg := make([]byte, n)
				rand.Read(msg)
				msgFile := filepath.Join(dir, fmt.Sprintf("m%d", i))
				os.WriteFile(msgFile, msg, 0o600)
				// openssl signs, we verify.
				sig := o.MustRun(t, nil, "dgst", "-"+tc.md, "-sign", keyFile, msgFile)
				if err := pub.Verify(digestFor(key.Curve.Size, msg), sig); err != nil {
					t.Fatalf("openssl signature over %d bytes refused: %v", n, err)
				}
				if n > 0 {
					msg[0] ^= 1
					if err := pub.Verify(digestFor(key.Curve.Size, msg), sig); err == nil {
						t.Fatal("tampered message accepted")
					}
					msg[0] ^= 1
				}
				// we sign, openssl verifies.
				ours, err := key.Sign(rand.Reader, digestFor(key.Curve.Size, msg), nil)
				if err != nil {
					t.Fatal(err)
				}
				sigFile := filepath.Join(dir, fmt.Sprintf("s%d", i))
				os.WriteFile(sigFile, ours, 0o600)
				if out, err := o.Run(nil, "dgst", "-"+tc.md, "-verify", pubFile, "-signature", sigFile, msgFile); err != nil {
					t.Fatalf("openssl refused our signature: %v %s", err, out)
				}
				ours[len(ours)-1] ^= 1
				os.WriteFile(sigFile, ours, 0o600)
				if _, err := o.Run(nil, "dgst", "-"+tc.md, "-verify", pubFile, "-signature", sigFile, msgFile); err == nil {
					t.Fatal("openssl accepted a tampered signature")
				}
			}
			// Our encodings are read by openssl.
			der, _ := MarshalPKCS8PrivateKey(key)
			ourKey := filepath.Join(dir, "ours.key")
			os.WriteFile(ourKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
			outPub := o.MustRun(t, nil, "pkey", "-in", ourKey, "-pubout")
			ob, _ := pem.Decode(outPub)
			if p2, err := ParsePKIXPublicKey(ob.Bytes); err != nil || !p2.Equal(pub) {
				t.Fatalf("openssl read our key differently: %v", err)
			}
		})
	}
}
