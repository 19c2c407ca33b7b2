package register

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/problem"
)

// Messages of the register's field errors. Each names the field and the reason.
var (
	msgRequired       = problem.Msg("register.required", "Поле «%s» обязательно", "%s is required")
	msgNameLetters    = problem.Msg("register.name_letters", "Поле «%s»: допускаются только русские буквы, дефис, пробел и апостроф", "%s may contain only Cyrillic letters, hyphens, spaces and apostrophes")
	msgTooLong        = problem.Msg("register.too_long", "Поле «%s» длиннее %d символов", "%s is longer than %d characters")
	msgBirthFuture    = problem.Msg("register.birth_future", "Дата рождения не может быть в будущем", "The birth date cannot be in the future")
	msgBirthOld       = problem.Msg("register.birth_old", "Дата рождения не может быть раньше 1900 года", "The birth date cannot be before 1900")
	msgSex            = problem.Msg("register.sex", "Пол: укажите male или female", "Sex must be male or female")
	msgCitizenship    = problem.Msg("register.citizenship", "Гражданство: код страны из трёх латинских букв (например, RUS)", "Citizenship must be a three-letter Latin country code (e.g. RUS)")
	msgDocType        = problem.Msg("register.document_type", "Неизвестный вид документа, удостоверяющего личность", "Unknown identity document type")
	msgDocFormat      = problem.Msg("register.document_format", "Поле «%s»: %s", "%s: %s")
	msgGround         = problem.Msg("register.ground", "Неизвестное основание постановки на учёт", "Unknown ground of registration")
	msgOfficeFormat   = problem.Msg("register.office_format", "Код налогового органа — 4 цифры", "The tax office code must be 4 digits")
	msgOfficeUnknown  = problem.Msg("register.office_unknown", "Налоговый орган с кодом %s не найден в справочнике", "Tax office %s is not in the directory")
	msgRegionUnknown  = problem.Msg("register.region_unknown", "Код региона %s не найден в справочнике субъектов РФ", "Region code %s is not a known subject of the Russian Federation")
	msgCountry        = problem.Msg("register.country", "Страна: код из трёх латинских букв", "Country must be a three-letter Latin code")
	msgOrgName        = problem.Msg("register.org_name", "Поле «%s» содержит недопустимые символы", "%s contains characters that are not allowed")
	msgOKSM           = problem.Msg("register.oksm", "Код ОКСМ — 3 цифры", "The OKSM code must be 3 digits")
	msgReason         = problem.Msg("register.reason", "Код причины постановки на учёт: два символа, цифры или латинские заглавные буквы; для российской организации 01–50, для иностранной 50–99 или буквы", "The reason code is two digits or capital Latin letters: 01–50 for a Russian organization, 50–99 or letters for a foreign one")
	msgKIOFormat      = problem.Msg("register.kio_format", "КИО — 5 цифр", "The KIO must be 5 digits")
	msgDateFuture     = problem.Msg("register.date_future", "Поле «%s»: дата не может быть в будущем", "%s cannot be in the future")
	msgEndReason      = problem.Msg("register.end_reason", "Причина снятия с учёта не подходит для этого налогоплательщика", "This reason of deregistration does not apply to this taxpayer")
	msgSubdivisionReq = problem.Msg("register.subdivision", "Укажите наименование обособленного подразделения", "Name the separate subdivision")
)

// labels are the field names shown in messages, Russian and English.
var labels = map[string][2]string{
	"surname":                      {"Фамилия", "Surname"},
	"given_name":                   {"Имя", "Given name"},
	"patronymic":                   {"Отчество", "Patronymic"},
	"birth_date":                   {"Дата рождения", "Birth date"},
	"birth_place":                  {"Место рождения", "Birth place"},
	"sex":                          {"Пол", "Sex"},
	"citizenship":                  {"Гражданство", "Citizenship"},
	"identity_document":            {"Документ, удостоверяющий личность", "Identity document"},
	"identity_document.type":       {"Вид документа", "Document type"},
	"identity_document.series":     {"Серия документа", "Document series"},
	"identity_document.number":     {"Номер документа", "Document number"},
	"snils":                        {"СНИЛС", "SNILS"},
	"ground":                       {"Основание", "Ground"},
	"tax_office":                   {"Налоговый орган", "Tax office"},
	"full_name":                    {"Полное наименование", "Full name"},
	"short_name":                   {"Сокращённое наименование", "Short name"},
	"ogrn":                         {"ОГРН", "OGRN"},
	"registered_on":                {"Дата государственной регистрации", "State registration date"},
	"kio":                          {"КИО", "KIO"},
	"identification.name_ru":       {"Полное наименование на русском языке", "Full name in Russian"},
	"identification.name_latin":    {"Полное наименование латинскими буквами", "Full name in Latin letters"},
	"identification.oksm":          {"Код страны по ОКСМ", "OKSM country code"},
	"identification.country":       {"Страна регистрации", "Country of registration"},
	"identification.short_name_ru": {"Сокращённое наименование на русском языке", "Short name in Russian"},
	"identification.address":       {"Адрес в стране регистрации", "Address in the country of registration"},
	"identification.reg_number":    {"Регистрационный номер в стране регистрации", "Registration number in the country of registration"},
	"identification.tax_code":      {"Код налогоплательщика в стране регистрации", "Taxpayer code in the country of registration"},
	"reason":                       {"Код причины", "Reason code"},
	"subdivision":                  {"Обособленное подразделение", "Subdivision"},
	"reason_end":                   {"Причина", "Reason"},
	"kept_tin":                     {"Сохраняемый ИНН", "Kept TIN"},
	"name":                         {"Наименование", "Name"},
	"code":                         {"Код", "Code"},
	"region":                       {"Регион", "Region"},
}

func label(field string) (string, string) {
	if l, ok := labels[field]; ok {
		return l[0], l[1]
	}
	return field, field
}

// fieldMsg formats a message whose first argument is the field's label.
func fieldMsg(m problem.Message, field string, extra ...any) problem.Message {
	ru, en := label(field)
	return problem.Message{Key: m.Key, Ru: sprintf(m.Ru, append([]any{ru}, extra...)...), En: sprintf(m.En, append([]any{en}, extra...)...)}
}

// fieldMsg2 formats a message "<label>: <reason>" with a reason in both languages.
func fieldMsg2(m problem.Message, field string, reason problem.Message) problem.Message {
	ru, en := label(field)
	return problem.Message{Key: m.Key, Ru: sprintf(m.Ru, ru, reason.Ru), En: sprintf(m.En, en, reason.En)}
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
	reasonDocSeries4  = problem.Msg("", "серия паспорта — 4 цифры", "the passport series is 4 digits")
	reasonDocNumber6  = problem.Msg("", "номер — 6 цифр", "the number is 6 digits")
	reasonDocNumber7  = problem.Msg("", "номер — 7 цифр", "the number is 7 digits")
	reasonSeries2     = problem.Msg("", "серия — 2 цифры", "the series is 2 digits")
	reasonBirthSeries = problem.Msg("", "серия — римские цифры латиницей и две русские буквы (например, IV-МЮ)", "the series is Roman numerals in Latin letters and two Cyrillic letters (e.g. IV-МЮ)")
	reasonMilSeries   = problem.Msg("", "серия — две русские буквы", "the series is two Cyrillic letters")
	reasonAlnum       = problem.Msg("", "от 1 до 20 букв и цифр", "1 to 20 letters and digits")
)

// checkDocument validates an identity document by its type (REG-3).
func checkDocument(fe *problem.Fields, d IdentityDocument) {
	const f = "identity_document"
	if strings.TrimSpace(d.Type) == "" && strings.TrimSpace(d.Number) == "" {
		fe.Add(f, fieldMsg(msgRequired, f))
		return
	}
	series, number := normalizeCode(d.Series), normalizeCode(d.Number)
	badSeries := func(r problem.Message) { fe.Add(f+".series", fieldMsg2(msgDocFormat, f+".series", r)) }
	badNumber := func(r problem.Message) { fe.Add(f+".number", fieldMsg2(msgDocFormat, f+".number", r)) }
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
			fe.Add("address.region", msgRegionUnknown.Format(a.Region))
		}
	}
	for _, f := range [...]struct{ name, value string }{{"address.city", a.City}, {"address.street", a.Street}, {"address.house", a.House},
		{"address.flat", a.Flat}, {"address.text", a.Text}, {"address.postal_code", a.PostalCode}} {
		if utf8.RuneCountInString(f.value) > 300 || !utf8.ValidString(f.value) {
			fe.Add(f.name, fieldMsg(msgTooLong, f.name, 300))
		}
	}
	if a.PostalCode != "" && (a.Country == "" || a.Country == "RUS") && !isDigits(a.PostalCode, 6) {
		fe.Add("address.postal_code", problem.Msg("register.postal_code", "Почтовый индекс — 6 цифр", "The postal code must be 6 digits"))
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
