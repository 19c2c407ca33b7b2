package esign_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/esign/gost3410"
)

// A login by qualified e-signature: the server issues a challenge, the user's plug-in signs its
// bytes (here: SignDetached), and the server verifies the answer and learns who signed.
func Example_login() {
	ctx := context.Background()
	now := time.Now()
	// A certification centre and a citizen's certificate (in production: accredited roots).
	caKey, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	ca, _ := esign.IssueCertificate(esign.Template{Subject: esign.Subject{CommonName: "CA"}, Serial: big.NewInt(1),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), IsCA: true}, caKey.Public(), nil, caKey)
	userKey, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	cert, _ := esign.IssueCertificate(esign.Template{Subject: esign.DemoCitizen, Serial: big.NewInt(2),
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)}, userKey.Public(), ca, caKey)

	verifier, _ := esign.NewVerifier(esign.Config{Roots: []*x509.Certificate{ca}})
	challenges := esign.NewChallenges(esign.NewMemoryChallengeStore(), 5*time.Minute, nil)

	ch, _ := challenges.Issue(ctx, "login")                      // 1. server
	sig, _ := esign.SignDetached(ch.Bytes(), cert, userKey, now) // 2. the user's plug-in
	signer, err := challenges.Verify(ctx, verifier, ch.ID, "login", sig)
	fmt.Println(signer.FullName(), signer.SNILS, err)

	_, err = challenges.Verify(ctx, verifier, ch.ID, "login", sig) // single use
	if e, ok := esign.AsError(err); ok {
		fmt.Println(e.Code)
	}
	// Output:
	// Смирнова Мария Александровна 12345678964 <nil>
	// challenge_unknown
}
