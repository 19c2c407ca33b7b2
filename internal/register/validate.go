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

// Messages of the register's field errors. Each names the field and the reason.
var (
	msgRequired       = problem.Msg("register.required")
	msgNameLetters    = problem.Msg("register.name_letters")
	msgTooLong        = problem.Msg("register.too_long")
	msgBirthFuture    = problem.Msg("register.birth_future")
	msgBirthOld       = problem.Msg("register.birth_old")
	msgSex            = problem.Msg("register.sex")
	msgCitizenship    = problem.Msg("register.citizenship")
	msgDocType        = problem.Msg("register.document_type")
	msgDocFormat      = problem.Msg("register.document_format")
	msgGround         = problem.Msg("register.ground")
	msgOfficeFormat   = problem.Msg("register.office_format")
	msgOfficeUnknown  = problem.Msg("register.office_unknown")
	msgRegionUnknown  = problem.Msg("register.region_unknown")
	msgCountry        = problem.Msg("register.country")
	msgOrgName        = problem.Msg("register.org_name")
	msgOKSM           = problem.Msg("register.oksm")
	msgReason         = problem.Msg("register.reason")
	msgKIOFormat      = problem.Msg("register.kio_format")
	msgDateFuture     = problem.Msg("register.date_future")
	msgEndReason      = problem.Msg("register.end_reason")
	msgSubdivisionReq = problem.Msg("register.subdivision")

	msgControl             = problem.Msg("register.control")
	msgCitizenshipUnknown  = problem.Msg("register.citizenship_unknown")
	msgCountryUnknown      = problem.Msg("register.country_unknown")
	msgOKSMUnknown         = problem.Msg("register.oksm_unknown")
	msgCountryOKSM         = problem.Msg("register.country_oksm")
	msgDocNotRussian       = problem.Msg("register.document_not_for_russian")
	msgDocNotForeign       = problem.Msg("register.document_not_for_foreign")
	msgDocNotStateless     = problem.Msg("register.document_not_for_stateless")
	msgIssuedFuture        = problem.Msg("register.issued_future")
	msgIssuedBeforeBirth   = problem.Msg("register.issued_before_birth")
	msgPassportAge         = problem.Msg("register.passport_age")
	msgRegisteredBirth     = problem.Msg("register.registered_before_birth")
	msgBatchConflict       = problem.Msg("register.batch_conflict")
	msgReasonRussian       = problem.Msg("register.reason_russian")
	msgReasonForeign       = problem.Msg("register.reason_foreign")
	msgCitizenshipDocument = problem.Msg("register.citizenship_document")
	msgBirthDocument       = problem.Msg("register.birth_document")

	msgAlreadyDeregistered   = problem.Msg("register.already_deregistered")
	msgEndBeforeBirth        = problem.Msg("register.end_before_birth")
	msgEndBeforeState        = problem.Msg("register.end_before_state_registration")
	msgEndBeforeRegistration = problem.Msg("register.end_before_registration")
)

// fieldMsg returns m with the label of field (the catalogue's "field.<name>") as its first
// argument, followed by extra.
func fieldMsg(m problem.Message, field string, extra ...any) problem.Message {
	return m.With(append([]any{i18n.Key("field." + field)}, extra...)...)
}

const maxName = 100

// checkCyrillicName validates a person's name part: Cyrillic letters, hyphen, space, apostrophe.
func checkCyrillicName(fe *problem.Fields, field, v string, required bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			fe.Add(field, fieldMsg(msgRequired, field))
		}
		return
	}
	if utf8.RuneCountInString(v) > maxName {
		fe.Add(field, fieldMsg(msgTooLong, field, maxName))
		return
	}
	letters := 0
	for _, r := range v {
		switch {
		case r == '-' || r == ' ' || r == '\'' || r == '’':
		case unicode.Is(unicode.Cyrillic, r) && unicode.IsLetter(r):
			letters++
		default:
			fe.Add(field, fieldMsg(msgNameLetters, field))
			return
		}
	}
	if letters == 0 {
		fe.Add(field, fieldMsg(msgNameLetters, field))
	}
}

// checkText validates free text (organization names, places): printable, bounded.
func checkText(fe *problem.Fields, field, v string, required bool, max int) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			fe.Add(field, fieldMsg(msgRequired, field))
		}
		return
	}
	if !utf8.ValidString(v) {
		fe.Add(field, fieldMsg(msgOrgName, field))
		return
	}
	if utf8.RuneCountInString(v) > max {
		fe.Add(field, fieldMsg(msgTooLong, field, max))
		return
	}
	for _, r := range v {
		if !unicode.IsPrint(r) {
			fe.Add(field, fieldMsg(msgOrgName, field))
			return
		}
	}
}

func isLatin3(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DocumentTypes are the identity document types the register knows, with the format of their
// series and number (REG-3 matches persons by them).
var DocumentTypes = []string{"passport_ru", "passport_foreign", "birth_certificate", "residence_permit", "temporary_residence", "refugee_certificate", "military_id", "other"}

var (
	reasonDocSeries4  = problem.Msg("register.reason.passport_series")
	reasonDocNumber6  = problem.Msg("register.reason.number6")
	reasonDocNumber7  = problem.Msg("register.reason.number7")
	reasonSeries2     = problem.Msg("register.reason.series2")
	reasonBirthSeries = problem.Msg("register.reason.birth_series")
	reasonMilSeries   = problem.Msg("register.reason.military_series")
	reasonAlnum       = problem.Msg("register.reason.alnum20")
)

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

// checkOffice checks a tax office code's format; whether it exists is checked by the service
// against the directory.
func checkOfficeFormat(fe *problem.Fields, field, code string) bool {
	if code == "" {
		fe.Add(field, fieldMsg(msgRequired, field))
		return false
	}
	if !isDigits(code, 4) {
		fe.Add(field, msgOfficeFormat)
		return false
	}
	return true
}

// checkAddress validates an address: every field one line of text (no control character or
// line break), a country of ОКСМ, a region of the Russian Federation for a Russian address.
func checkAddress(fe *problem.Fields, a Address, ref *Reference) {
	ok := map[string]bool{}
	for _, f := range [...]struct{ name, value string }{{"address.country", a.Country}, {"address.region", a.Region},
		{"address.postal_code", a.PostalCode}, {"address.city", a.City}, {"address.street", a.Street}, {"address.house", a.House},
		{"address.flat", a.Flat}, {"address.text", a.Text}} {
		if !checkLine(fe, f.name, f.value) {
			continue
		}
		if utf8.RuneCountInString(f.value) > 300 {
			fe.Add(f.name, fieldMsg(msgTooLong, f.name, 300))
			continue
		}
		ok[f.name] = true
	}
	russian := a.Country == "" || a.Country == HolderRussian
	if a.Country != "" && ok["address.country"] {
		if !isLatin3(a.Country) {
			fe.Add("address.country", msgCountry)
		} else if _, known := ref.CountryByAlpha3(a.Country); !known {
			fe.Add("address.country", msgCountryUnknown.With(a.Country)) // REG-8: ОКСМ
		}
	}
	if a.Region != "" && russian && ok["address.region"] {
		if _, known := regionNames[a.Region]; !known || !isDigits(a.Region, 2) {
			fe.Add("address.region", msgRegionUnknown.With(a.Region))
		}
	}
	if a.PostalCode != "" && russian && ok["address.postal_code"] && !isDigits(a.PostalCode, 6) {
		fe.Add("address.postal_code", problem.Msg("register.postal_code"))
	}
}

// singleLine reports whether v can be one line of the register's data: valid UTF-8 without
// control characters (line breaks and tabs included), line or paragraph separators, invisible
// format characters (bidirectional overrides, zero-width characters), private-use characters or
// the replacement character that marks text damaged on its way.
func singleLine(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < ' ' || r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Zl, unicode.Zp) {
			return false
		}
	}
	return true
}

// checkLine adds a field error when v is not one line of text (singleLine) and reports whether
// it is. Every single-line field of the register is checked by it before anything else, so that
// neither a form, the API nor the importer can store a line break or a control character.
func checkLine(fe *problem.Fields, field, v string) bool {
	if singleLine(v) {
		return true
	}
	fe.Add(field, fieldMsg(msgControl, field))
	return false
}

// checkCitizenship checks a citizenship: "" for a stateless person, or the alpha-3 code of a
// country of ОКСМ (REG-3).
func checkCitizenship(fe *problem.Fields, c string, ref *Reference) bool {
	switch {
	case c == "":
		return true
	case !isLatin3(c):
		fe.Add("citizenship", msgCitizenship)
	default:
		if _, ok := ref.CountryByAlpha3(c); ok {
			return true
		}
		fe.Add("citizenship", msgCitizenshipUnknown.With(c))
	}
	return false
}

// docTypeLabel is a document type as a message argument: its label, or the code of a type the
// catalogue has no label for.
func docTypeLabel(t string) any {
	if k := "enum.document_type." + t; i18n.Has(i18n.Default, k) {
		return i18n.Key(k)
	}
	return t
}

// documentFor returns the message saying that a person of a citizenship may not hold a document
// type, or false when they may (REG-3: document_types.csv).
func documentFor(docType, citizenship string, ref *Reference) (problem.Message, bool) {
	if ref.documentAllowed(docType, citizenship) {
		return problem.Message{}, false
	}
	m := msgDocNotForeign
	switch citizenship {
	case "":
		m = msgDocNotStateless
	case HolderRussian:
		m = msgDocNotRussian
	}
	return m.With(docTypeLabel(docType)), true
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

// civilDate is a date as a message argument: 02.01.2006 in Russian, 2006-01-02 in English.
type civilDate time.Time

// In formats the date for lang.
func (d civilDate) In(lang string) string {
	if lang == "ru" {
		return time.Time(d).Format("02.01.2006")
	}
	return time.Time(d).Format(time.DateOnly)
}

func checkBirthDate(fe *problem.Fields, d time.Time, now time.Time) {
	switch {
	case d.IsZero():
		fe.Add("birth_date", fieldMsg(msgRequired, "birth_date"))
	case d.After(now):
		fe.Add("birth_date", msgBirthFuture)
	case d.Year() < 1900:
		fe.Add("birth_date", msgBirthOld)
	}
}

func validPersonGround(g PersonGround) bool {
	switch g {
	case GroundResidence, GroundStay, GroundProperty, GroundIncomeSource, GroundChoice:
		return true
	}
	return false
}

// validatePerson checks every field of a registration against the rules and the reference data
// and returns all the errors at once. It returns the input with names trimmed and numbers in
// canonical form.
func validatePerson(in PersonInput, now time.Time, ref *Reference) (PersonInput, problem.Fields) {
	var fe problem.Fields
	line := func(field, v string) bool { return checkLine(&fe, field, v) }
	if line("surname", in.Surname) {
		in.Surname = collapse(in.Surname)
		checkCyrillicName(&fe, "surname", in.Surname, true)
	}
	if line("given_name", in.GivenName) {
		in.GivenName = collapse(in.GivenName)
		checkCyrillicName(&fe, "given_name", in.GivenName, true)
	}
	if line("patronymic", in.Patronymic) {
		in.Patronymic = collapse(in.Patronymic)
		checkCyrillicName(&fe, "patronymic", in.Patronymic, false)
	}
	checkBirthDate(&fe, in.BirthDate, now)
	if !in.BirthDate.IsZero() {
		in.BirthDate = civil(in.BirthDate)
	}
	if line("birth_place", in.BirthPlace) {
		in.BirthPlace = collapse(in.BirthPlace)
		checkText(&fe, "birth_place", in.BirthPlace, false, 300)
	}
	if in.Sex != Male && in.Sex != Female {
		fe.Add("sex", msgSex)
	}
	citizenshipOK := line("citizenship", in.Citizenship)
	if citizenshipOK {
		in.Citizenship = strings.TrimSpace(in.Citizenship)
		citizenshipOK = checkCitizenship(&fe, in.Citizenship, ref)
	}
	in.Document.Type = strings.TrimSpace(in.Document.Type)
	in.Document.Series = strings.TrimSpace(in.Document.Series)
	in.Document.Number = strings.TrimSpace(in.Document.Number)
	in.Document.IssuedBy = collapse(in.Document.IssuedBy)
	checkDocument(&fe, in.Document, ref)
	if !in.Document.IssuedOn.IsZero() {
		in.Document.IssuedOn = civil(in.Document.IssuedOn)
	}
	if !fe.Has("identity_document.type") && !fe.Has("identity_document") && citizenshipOK {
		if m, bad := documentFor(in.Document.Type, in.Citizenship, ref); bad { // REG-3: document_types.csv
			fe.Add("identity_document.type", m)
		}
	}
	birth := in.BirthDate
	if fe.Has("birth_date") {
		birth = time.Time{}
	}
	if m, bad := issuedProblem(in.Document, birth, now); bad {
		fe.Add("identity_document.issued_on", m)
	}
	if s := strings.TrimSpace(in.SNILS); s != "" && line("snils", in.SNILS) {
		canon, m, ok := parseSNILS(s)
		if !ok {
			fe.Add("snils", m)
		}
		in.SNILS = canon
	} else if s == "" {
		in.SNILS = ""
	}
	if in.Ground == "" {
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	} else if !validPersonGround(in.Ground) {
		fe.Add("ground", msgGround)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	checkOfficeFormat(&fe, "tax_office", in.TaxOffice)
	checkAddress(&fe, in.Address, ref)
	if !in.RegisteredOn.IsZero() {
		in.RegisteredOn = civil(in.RegisteredOn)
		switch {
		case in.RegisteredOn.After(civil(now)):
			fe.Add("tax_registered_on", fieldMsg(msgDateFuture, "tax_registered_on"))
		case !birth.IsZero() && in.RegisteredOn.Before(birth):
			fe.Add("tax_registered_on", msgRegisteredBirth.With(civilDate(birth)))
		}
	}
	return in, fe
}

// collapse trims s and collapses each run of spaces into one.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// civil drops the time of day: dates of birth and registration are civil dates.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
