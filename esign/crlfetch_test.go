package esign

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign/gost3410"
)

// CRLs fetched from a configured URL are cached until their nextUpdate, then fetched again; an
// unreachable CRL source with revocation required refuses the certificate.
func TestCRLFromURL(t *testing.T) {
	ctx := context.Background()
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	p := newPKI(t, key, citizen)
	now := t0
	var revoke atomic.Bool
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		var rev []Revoked
		if revoke.Load() {
			rev = []Revoked{{Serial: big.NewInt(1001), At: now}}
		}
		crl, _ := IssueCRL(p.root, p.rootKey, rev, now.Add(-time.Minute), now.Add(time.Hour))
		w.Write(crl)
	}))
	defer srv.Close()
	v, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, CRLURLs: []string{srv.URL}, RequireRevocation: true, Now: func() time.Time { return now }})
	sig, _ := SignDetached([]byte("d"), p.leaf, key, now)
	for i := 0; i < 3; i++ {
		if s, err := v.VerifyDetached(ctx, []byte("d"), sig); err != nil || !s.RevocationChecked {
			t.Fatalf("verify %d: %v", i, err)
		}
	}
	if hits.Load() != 1 {
		t.Fatalf("CRL fetched %d times, want 1 (cached)", hits.Load())
	}
	revoke.Store(true)
	now = now.Add(2 * time.Hour) // past nextUpdate: fetched again
	if _, err := v.VerifyDetached(ctx, []byte("d"), sig); codeOf(err) != CodeRevoked {
		t.Fatalf("after refresh: %v", err)
	}
	srv.Close()
	v2, _ := NewVerifier(Config{Roots: []*x509.Certificate{p.root}, CRLURLs: []string{srv.URL}, RequireRevocation: true, Now: func() time.Time { return now }})
	if _, err := v2.VerifyDetached(ctx, []byte("d"), sig); codeOf(err) != CodeCRLUnavailable {
		t.Fatalf("unreachable CRL: %v", err)
	}
}
