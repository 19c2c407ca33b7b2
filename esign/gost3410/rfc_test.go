package gost3410

import (
	"math/big"
	"testing"
)

// The worked example of RFC 7091 (section 7.1) on the test parameter set: the key pair, and the
// signature for the given e and nonce k.
func TestRFC7091Example(t *testing.T) {
	c := curveTest256
	d := hexInt("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28")
	k, err := NewPrivateKey(c, d)
	if err != nil {
		t.Fatal(err)
	}
	if k.X.Cmp(hexInt("7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B")) != 0 ||
		k.Y.Cmp(hexInt("26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA")) != 0 {
		t.Fatalf("public key %x %x", k.X, k.Y)
	}
	e := hexInt("2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5")
	nonce := hexInt("77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3")
	r, s := signWith(c, c.lift(c.X, c.Y), d, e, nonce)
	if r.Cmp(hexInt("41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493")) != 0 ||
		s.Cmp(hexInt("01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40")) != 0 {
		t.Fatalf("signature r=%x s=%x", r, s)
	}
	// The digest whose little-endian value is e verifies.
	digest := leBytes(e, 32)
	if err := k.PublicKey.Verify(digest, encodeSig(c, r, s)); err != nil {
		t.Fatal(err)
	}
	bad := encodeSig(c, r, new(big.Int).Add(s, one))
	if err := k.PublicKey.Verify(digest, bad); err == nil {
		t.Fatal("tampered signature accepted")
	}
}
