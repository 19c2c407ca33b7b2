package esign

import (
	"encoding/base64"
	"os"
	"strings"
)

func writeFile(name string, b []byte) error { return os.WriteFile(name, b, 0o600) }

// encodeBase64Wrapped returns b in base64 with lines of 64 characters.
func encodeBase64Wrapped(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(s) > 64 {
		sb.WriteString(s[:64])
		sb.WriteByte('\n')
		s = s[64:]
	}
	sb.WriteString(s)
	sb.WriteByte('\n')
	return sb.String()
}

// EncodeBase64 returns a DER signature as wrapped base64, the form `kabinet esign sign` prints.
func EncodeBase64(der []byte) string { return encodeBase64Wrapped(der) }
