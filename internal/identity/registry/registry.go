// Package registry holds the adapters of the external registries a citizen's profile is checked
// against (IDP-3): HTTP, an adapter to registries reached over the network with a small JSON
// protocol (http.go), and Reference, an embedded reference registry with synthetic persons for
// the demo and the tests (reference.go). Both implement identity.Registry. The rules — which
// registry is asked what, and what an answer does to the account — are in package identity;
// this package only asks and words the answer as a catalogue key.
package registry

import (
	"strings"

	"github.com/kabinet/kabinet/internal/identity"
)

// ReasonRefused is the catalogue key of a refusal whose reason kabinet does not know: the
// registry said no, with a reason code not in the protocol or none at all.
const ReasonRefused = "idp.refused.registry"

// reasons maps the reason codes of the wire protocol to the catalogue keys of package identity.
var reasons = map[string]string{
	"not_found":        identity.ReasonNotFound,
	"snils_mismatch":   identity.ReasonSNILSMismatch,
	"passport_invalid": identity.ReasonPassportInvalid,
	"passport_unknown": identity.ReasonPassportUnknown,
	"inn_mismatch":     identity.ReasonINNMismatch,
}

// ReasonKey returns the catalogue key of a reason code of the wire protocol ("passport_invalid"
// → identity.ReasonPassportInvalid); a code it does not know gives ReasonRefused.
func ReasonKey(code string) string {
	if k, ok := reasons[strings.ToLower(strings.TrimSpace(code))]; ok {
		return k
	}
	return ReasonRefused
}

// ReasonCode returns the wire protocol's code of a catalogue key, the reverse of ReasonKey
// ("refused" for a key without a code).
func ReasonCode(key string) string {
	for c, k := range reasons {
		if k == key {
			return c
		}
	}
	return "refused"
}

// documentNumber is a document's series and number as one key: digits and letters only, in
// upper case ("45 10", "123456" → "4510123456").
func documentNumber(series, number string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(series + number) {
		if r != ' ' && r != '-' && r != '№' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
