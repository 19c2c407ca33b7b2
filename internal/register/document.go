package register

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// REG-3: identity documents, by which the register finds a person it holds: their types and the
// format of each type's series and number, who may hold which (document_types.csv), dates of
// issue, and the normalized key the register keeps unique.

// IdentityDocument is a document that identifies a person; REG-3 matches persons by it.
type IdentityDocument struct {
	Type     string // one of DocumentTypes, or a type a deployment added (checked like other)
	Series   string
	Number   string
	IssuedOn time.Time
	IssuedBy string
}

// DocumentTypes are the identity document types the register knows, with the format of their
// series and number (REG-3 matches persons by them). Which of them someone may hold is the
// jurisdiction's document_types.csv (Reference.DocumentTypes): the Kyrgyz citizen's ID card and
// passport (id_card_kg, passport_kg) in the Kyrgyz Republic.
var DocumentTypes = []string{"passport_ru", "passport_foreign", "birth_certificate", "residence_permit", "temporary_residence", "refugee_certificate", "military_id", "other",
	"passport_kg", "id_card_kg"}

// Messages of the document checks.
var (
	msgDocType           = problem.Msg("register.document_type")
	msgDocFormat         = problem.Msg("register.document_format")
	msgDocNotCitizen     = problem.Msg("register.document_not_for_citizen")
	msgDocNotForeign     = problem.Msg("register.document_not_for_foreign")
	msgDocNotStateless   = problem.Msg("register.document_not_for_stateless")
	msgIssuedFuture      = problem.Msg("register.issued_future")
	msgIssuedBeforeBirth = problem.Msg("register.issued_before_birth")
	msgPassportAge       = problem.Msg("register.passport_age")
)

// Reasons a series or number has the wrong format, an argument of msgDocFormat.
var (
	reasonDocSeries4  = problem.Msg("register.reason.passport_series")
	reasonDocNumber6  = problem.Msg("register.reason.number6")
	reasonDocNumber7  = problem.Msg("register.reason.number7")
	reasonSeries2     = problem.Msg("register.reason.series2")
	reasonBirthSeries = problem.Msg("register.reason.birth_series")
	reasonMilSeries   = problem.Msg("register.reason.military_series")
	reasonAlnum       = problem.Msg("register.reason.alnum20")
	reasonLatin2      = problem.Msg("register.reason.latin2")
	reasonIDSeries    = problem.Msg("register.reason.id_series")
)

// DocumentKey is the normalized identity of a document (REG-3): type, then series and number as
// letters and digits only, upper case. The register keeps a unique key on it.
func DocumentKey(d IdentityDocument) string {
	return strings.TrimSpace(d.Type) + ":" + normalizeCode(d.Series+d.Number)
}

// documentKeys are the keys a normalized series and number would have under every document type
// of the jurisdiction: a search by number finds the document whatever its type.
func (r *Reference) documentKeys(compact string) []string {
	types := r.DocumentTypes()
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t + ":" + compact
	}
	return out
}

// checkDocument validates an identity document by its type (REG-3): a type of the reference data
// that is not one of DocumentTypes is checked like "other". Its date of issue is checked against
// the holder by issuedProblem.
func checkDocument(fe *problem.Fields, d IdentityDocument, ref *Reference) {
	const f = "identity_document"
	ok := true
	for _, p := range [...]struct{ field, value string }{{f + ".type", d.Type}, {f + ".series", d.Series}, {f + ".number", d.Number}, {f + ".issued_by", d.IssuedBy}} {
		ok = checkLine(fe, p.field, p.value) && ok
	}
	if !ok {
		return
	}
	if utf8.RuneCountInString(d.IssuedBy) > 300 {
		fe.Add(f+".issued_by", fieldMsg(msgTooLong, f+".issued_by", 300))
	}
	if strings.TrimSpace(d.Type) == "" && strings.TrimSpace(d.Number) == "" {
		fe.Add(f, fieldMsg(msgRequired, f))
		return
	}
	typ := d.Type
	if !slices.Contains(DocumentTypes, typ) && ref.DocumentHolders(typ) != nil {
		typ = "other"
	}
	series, number := normalizeCode(d.Series), normalizeCode(d.Number)
	badSeries := func(r problem.Message) { fe.Add(f+".series", fieldMsg(msgDocFormat, f+".series", r)) }
	badNumber := func(r problem.Message) { fe.Add(f+".number", fieldMsg(msgDocFormat, f+".number", r)) }
	if number == "" {
		fe.Add(f+".number", fieldMsg(msgRequired, f+".number"))
	}
	switch typ {
	case "passport_ru":
		if !isDigits(series, 4) {
			badSeries(reasonDocSeries4)
		}
		if number != "" && !isDigits(number, 6) {
			badNumber(reasonDocNumber6)
		}
	case "birth_certificate":
		if !birthSeries(series) {
			badSeries(reasonBirthSeries)
		}
		if number != "" && !isDigits(number, 6) {
			badNumber(reasonDocNumber6)
		}
	case "residence_permit":
		if !isDigits(series, 2) {
			badSeries(reasonSeries2)
		}
		if number != "" && !isDigits(number, 7) {
			badNumber(reasonDocNumber7)
		}
	case "military_id":
		if utf8.RuneCountInString(series) != 2 || !allCyrillic(series) {
			badSeries(reasonMilSeries)
		}
		if number != "" && !isDigits(number, 7) {
			badNumber(reasonDocNumber7)
		}
	case "passport_kg": // the Kyrgyz citizen's passport: AN 1234567, AC 1234567
		if utf8.RuneCountInString(series) != 2 || !allLatin(series) {
			badSeries(reasonLatin2)
		}
		if number != "" && !isDigits(number, 7) {
			badNumber(reasonDocNumber7)
		}
	case "id_card_kg": // the Kyrgyz citizen's ID card: ID 1234567
		if series != "ID" {
			badSeries(reasonIDSeries)
		}
		if number != "" && !isDigits(number, 7) {
			badNumber(reasonDocNumber7)
		}
	case "passport_foreign", "temporary_residence", "refugee_certificate", "other":
		if utf8.RuneCountInString(series) > 20 {
			badSeries(reasonAlnum)
		}
		if number != "" && utf8.RuneCountInString(number) > 20 {
			badNumber(reasonAlnum)
		}
	case "":
		fe.Add(f+".type", fieldMsg(msgRequired, f+".type"))
	default:
		fe.Add(f+".type", msgDocType)
	}
}

func allLatin(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

func allCyrillic(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Cyrillic, r) {
			return false
		}
	}
	return s != ""
}

// birthSeries: Roman numerals (I, V, X, L, C as Latin letters) then two Cyrillic letters.
func birthSeries(s string) bool {
	i := 0
	for i < len(s) && strings.IndexByte("IVXLC", s[i]) >= 0 {
		i++
	}
	return i > 0 && utf8.RuneCountInString(s[i:]) == 2 && allCyrillic(s[i:])
}

// documentFor returns the message saying that a person of a citizenship may not hold a document
// type, or false when they may (REG-3: document_types.csv).
func documentFor(docType, citizenship string, ref *Reference) (problem.Message, bool) {
	if ref.documentAllowed(docType, citizenship) {
		return problem.Message{}, false
	}
	switch citizenship {
	case "":
		return msgDocNotStateless.With(docTypeLabel(docType)), true
	case ref.home:
		return msgDocNotCitizen.With(docTypeLabel(docType), ref.citizenLabel()), true
	}
	return msgDocNotForeign.With(docTypeLabel(docType)), true
}

// docTypeLabel is a document type as a message argument: its label, or the code of a type the
// catalogue has no label for.
func docTypeLabel(t string) any {
	if k := "enum.document_type." + t; i18n.Has(i18n.Default, k) {
		return i18n.Key(k)
	}
	return t
}

// issuedProblem says what is wrong with a document's date of issue for a holder born on birth:
// none in the future, none before birth, a Russian passport not before the age of 14.
func issuedProblem(d IdentityDocument, birth, now time.Time) (problem.Message, bool) {
	switch {
	case d.IssuedOn.IsZero():
		return problem.Message{}, false
	case civil(d.IssuedOn).After(civil(now)):
		return msgIssuedFuture, true
	case birth.IsZero():
		return problem.Message{}, false
	case civil(d.IssuedOn).Before(civil(birth)):
		return msgIssuedBeforeBirth.With(civilDate(civil(birth))), true
	case d.Type == "passport_ru" && civil(d.IssuedOn).Before(civil(birth).AddDate(14, 0, 0)):
		return msgPassportAge.With(civilDate(civil(birth).AddDate(14, 0, 0))), true
	}
	return problem.Message{}, false
}

func formatDocument(d IdentityDocument) string {
	return strings.TrimSpace(d.Type + " " + d.Series + " " + d.Number)
}
