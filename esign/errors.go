// Package esign verifies and creates qualified electronic signatures as Russian services use
// them: GOST R 34.10-2012 signatures with GOST R 34.11-2012 (Streebog) digests in X.509
// certificates issued by accredited certification centres, carried in CMS (PKCS #7) SignedData,
// usually detached. ECDSA (P-256, P-384) and RSA go through the same interface.
//
// It owns certificate-chain building to a configured set of trusted roots, validity and key-usage
// checks, revocation from CRLs (files or configured URLs, cached), the Russian subject attributes
// (СНИЛС, ИНН, ИНН ЮЛ, ОГРН, ОГРНИП) validated with package tin, CMS verification and signing,
// and single-use challenges for login, registration and confirmation flows (IDP-4c, LK-5,
// TAX-5). It owns no storage beyond the ChallengeStore interface and holds no account rules: the
// flows decide what a verified Signer may do. Standard library and kabinet's own GOST packages only.
package esign

import "fmt"

// Code classifies why a signature or certificate was refused; stable for programs.
type Code string

// Refusal codes.
const (
	CodeMalformed         Code = "malformed"             // not a parseable signature, certificate or CRL
	CodeUnsupported       Code = "unsupported_algorithm" // an algorithm kabinet does not verify
	CodeTampered          Code = "tampered"              // digest or signature mismatch: content or signature changed
	CodeUntrusted         Code = "untrusted"             // no chain to a trusted root
	CodeExpired           Code = "certificate_expired"
	CodeNotYetValid       Code = "certificate_not_yet_valid"
	CodeRevoked           Code = "revoked"
	CodeCRLStale          Code = "crl_stale"
	CodeCRLUnavailable    Code = "crl_unavailable"
	CodeKeyUsage          Code = "key_usage"
	CodeBadAttribute      Code = "bad_attribute"
	CodeSigningTime       Code = "signing_time"
	CodeChallengeUnknown  Code = "challenge_unknown" // unknown or already used
	CodeChallengeExpired  Code = "challenge_expired"
	CodeChallengeWrongUse Code = "challenge_wrong_purpose"
	CodeChallengeMismatch Code = "challenge_mismatch" // a valid signature, but over other content
)

// Error is a refusal a user can act on. Its Code is worded for users by the catalogue of the
// application that uses this package (kabinet's has "esign.<code>"); Error gives the code and the
// technical detail in English.
type Error struct {
	Code   Code
	Detail string // technical detail in English (which certificate, which attribute, dates)
	Attr   string // for CodeBadAttribute: the attribute at fault (snils, inn, inn_le, ogrn, ogrnip)
	Err    error  // underlying cause, if any
}

func (e *Error) Error() string {
	s := "esign: " + string(e.Code)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func fail(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

func wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...), Err: err}
}
