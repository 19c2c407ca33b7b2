package register

import (
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

// checkDocument validates an identity document by its type (REG-3).
func checkDocument(fe *problem.Fields, d IdentityDocument) {
	const f = "identity_document"
	if strings.TrimSpace(d.Type) == "" && strings.TrimSpace(d.Number) == "" {
		fe.Add(f, fieldMsg(msgRequired, f))
		return
	}
	series, number := normalizeCode(d.Series), normalizeCode(d.Number)
	badSeries := func(r problem.Message) { fe.Add(f+".series", fieldMsg(msgDocFormat, f+".series", r)) }
	badNumber := func(r problem.Message) { fe.Add(f+".number", fieldMsg(msgDocFormat, f+".number", r)) }
	if number == "" {
		fe.Add(f+".number", fieldMsg(msgRequired, f+".number"))
	}
	switch d.Type {
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

func checkAddress(fe *problem.Fields, a Address) {
	if a.Country != "" && !isLatin3(a.Country) {
		fe.Add("address.country", msgCountry)
	}
	if a.Region != "" && (a.Country == "" || a.Country == "RUS") {
		if _, ok := regionNames[a.Region]; !ok || !isDigits(a.Region, 2) {
			fe.Add("address.region", msgRegionUnknown.With(a.Region))
		}
	}
	for _, f := range [...]struct{ name, value string }{{"address.city", a.City}, {"address.street", a.Street}, {"address.house", a.House},
		{"address.flat", a.Flat}, {"address.text", a.Text}, {"address.postal_code", a.PostalCode}} {
		if utf8.RuneCountInString(f.value) > 300 || !utf8.ValidString(f.value) {
			fe.Add(f.name, fieldMsg(msgTooLong, f.name, 300))
		}
	}
	if a.PostalCode != "" && (a.Country == "" || a.Country == "RUS") && !isDigits(a.PostalCode, 6) {
		fe.Add("address.postal_code", problem.Msg("register.postal_code"))
	}
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

// validatePerson checks every field of a registration and returns all the errors at once. It
// returns the input with names trimmed and numbers in canonical form.
func validatePerson(in PersonInput, now time.Time) (PersonInput, problem.Fields) {
	var fe problem.Fields
	in.Surname, in.GivenName, in.Patronymic = collapse(in.Surname), collapse(in.GivenName), collapse(in.Patronymic)
	in.BirthPlace = collapse(in.BirthPlace)
	checkCyrillicName(&fe, "surname", in.Surname, true)
	checkCyrillicName(&fe, "given_name", in.GivenName, true)
	checkCyrillicName(&fe, "patronymic", in.Patronymic, false)
	checkBirthDate(&fe, in.BirthDate, now)
	if !in.BirthDate.IsZero() {
		in.BirthDate = civil(in.BirthDate)
	}
	checkText(&fe, "birth_place", in.BirthPlace, false, 300)
	if in.Sex != Male && in.Sex != Female {
		fe.Add("sex", msgSex)
	}
	in.Citizenship = strings.TrimSpace(in.Citizenship)
	if in.Citizenship != "" && !isLatin3(in.Citizenship) {
		fe.Add("citizenship", msgCitizenship)
	}
	in.Document.Type = strings.TrimSpace(in.Document.Type)
	in.Document.Series = strings.TrimSpace(in.Document.Series)
	in.Document.Number = strings.TrimSpace(in.Document.Number)
	checkDocument(&fe, in.Document)
	if s := strings.TrimSpace(in.SNILS); s != "" {
		canon, m, ok := parseSNILS(s)
		if !ok {
			fe.Add("snils", m)
		}
		in.SNILS = canon
	} else {
		in.SNILS = ""
	}
	if in.Ground == "" {
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	} else if !validPersonGround(in.Ground) {
		fe.Add("ground", msgGround)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	checkOfficeFormat(&fe, "tax_office", in.TaxOffice)
	checkAddress(&fe, in.Address)
	return in, fe
}

// collapse trims s and collapses each run of spaces into one.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// civil drops the time of day: dates of birth and registration are civil dates.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
