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

// Error is a refusal a user can act on.
type Error struct {
	Code   Code
	Detail string // technical detail in English (which certificate, which attribute, dates)
	Err    error  // underlying cause, if any
}

var messages = map[Code][2]string{
	CodeMalformed:         {"Подпись, сертификат или список отзыва повреждены или имеют неверный формат", "The signature, certificate or CRL is damaged or malformed"},
	CodeUnsupported:       {"Алгоритм подписи не поддерживается", "The signature algorithm is not supported"},
	CodeTampered:          {"Подпись не соответствует документу: документ или подпись изменены", "The signature does not match the document: the document or the signature was changed"},
	CodeUntrusted:         {"Сертификат выдан не аккредитованным (не доверенным) удостоверяющим центром", "The certificate was not issued by a trusted (accredited) certification centre"},
	CodeExpired:           {"Срок действия сертификата истёк", "The certificate has expired"},
	CodeNotYetValid:       {"Срок действия сертификата ещё не начался", "The certificate is not valid yet"},
	CodeRevoked:           {"Сертификат отозван", "The certificate has been revoked"},
	CodeCRLStale:          {"Список отозванных сертификатов устарел; проверка невозможна, повторите позже", "The certificate revocation list is out of date; try again later"},
	CodeCRLUnavailable:    {"Список отозванных сертификатов недоступен; проверка невозможна", "The certificate revocation list is unavailable; the certificate cannot be checked"},
	CodeKeyUsage:          {"Сертификат не предназначен для электронной подписи", "The certificate may not be used for signing"},
	CodeBadAttribute:      {"Неверные сведения о владельце в сертификате", "The certificate holds invalid data about its owner"},
	CodeSigningTime:       {"Время подписания вне срока действия сертификата или в будущем", "The signing time is outside the certificate's validity or in the future"},
	CodeChallengeUnknown:  {"Запрос на подпись не найден или уже использован; начните заново", "The signing request is unknown or was already used; start again"},
	CodeChallengeExpired:  {"Время на подпись истекло; начните заново", "The time to sign has run out; start again"},
	CodeChallengeWrongUse: {"Подпись сделана для другого действия", "The signature was made for another action"},
	CodeChallengeMismatch: {"Подписан не тот текст, который был выдан для подписи", "The signed text is not the one issued for signing"},
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + messages[e.Code][1]
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Message returns the user-facing text in lang ("ru" Russian, otherwise English), with the detail.
func (e *Error) Message(lang string) string {
	m := messages[e.Code]
	text := m[1]
	if lang == "ru" {
		text = m[0]
	}
	if e.Detail != "" {
		text += " (" + e.Detail + ")"
	}
	return text
}

func fail(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

func wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...), Err: err}
}
