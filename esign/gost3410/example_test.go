package gost3410_test

import (
	"crypto/rand"
	"fmt"

	"github.com/kabinet/kabinet/esign/gost3410"
	"github.com/kabinet/kabinet/esign/streebog"
)

func Example() {
	key, _ := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	digest := streebog.Sum256([]byte("document"))
	sig, _ := key.Sign(rand.Reader, digest[:], nil)
	fmt.Println(len(sig), key.PublicKey.Verify(digest[:], sig))
	other := streebog.Sum256([]byte("another document"))
	fmt.Println(key.PublicKey.Verify(other[:], sig))
	// Output:
	// 64 <nil>
	// gost3410: signature does not match
}
