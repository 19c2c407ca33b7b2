package esign

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"

	"github.com/kabinet/kabinet/esign/gost3410"
)

// ParsePrivateKey reads a signing key: PEM or DER PKCS #8 (GOST as OpenSSL's engine writes it,
// or ECDSA), or a PEM "EC PRIVATE KEY".
func ParsePrivateKey(b []byte) (crypto.Signer, error) {
	der := b
	if blk, _ := pem.Decode(b); blk != nil {
		der = blk.Bytes
		if blk.Type == "EC PRIVATE KEY" {
			return x509.ParseECPrivateKey(der)
		}
	}
	if k, err := gost3410.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("esign: not a PKCS #8 GOST or ECDSA private key")
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("esign: unsupported private key")
	}
	return s, nil
}
