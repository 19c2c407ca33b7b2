package register

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// REG-3, REG-4: what a registration of an individual is checked against before the register
// looks for the person: the TIN they bring where the register records TINs (TIN-6), names,
// dates, sex, citizenship (ОКСМ), the identity document, СНИЛС, the ground and the address.

// Messages of the checks of a person.
var (
	msgNameLetters        = problem.Msg("register.name_letters")
	msgBirthFuture        = problem.Msg("register.birth_future")
	msgBirthOld           = problem.Msg("register.birth_old")
	msgSex                = problem.Msg("register.sex")
	msgCitizenship        = problem.Msg("register.citizenship")
	msgCitizenshipUnknown = problem.Msg("register.citizenship_unknown")
	msgRegisteredBirth    = problem.Msg("register.registered_before_birth")
)

// checkPerson checks every field of a registration against the rules and the reference data
// and returns all the errors at once. It returns the input with names trimmed and numbers in
// canonical form.
func (s *Service) checkPerson(in PersonInput, now time.Time) (PersonInput, problem.Fields) {
	var fe problem.Fields
	ref := s.ref
	line := func(field, v string) bool { return checkLine(&fe, field, v) }
	in.TIN, _ = s.checkOwnTIN(&fe, in.TIN, jurisdiction.Person) // TIN-6
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
	notApplicable(&fe, "snils", strings.TrimSpace(in.SNILS) != "", s.profile.Register.SNILS)
	if v := strings.TrimSpace(in.SNILS); v != "" && !fe.Has("snils") && line("snils", in.SNILS) {
		canon, m, ok := parseSNILS(v)
		if !ok {
			fe.Add("snils", m)
		}
		in.SNILS = canon
	} else if v == "" {
		in.SNILS = ""
	}
	if in.Ground == "" {
		fe.Add("ground", fieldMsg(msgRequired, "ground"))
	} else if !validPersonGround(in.Ground) {
		fe.Add("ground", msgGround)
	}
	in.TaxOffice = strings.TrimSpace(in.TaxOffice)
	s.checkOfficeFormat(&fe, "tax_office", in.TaxOffice)
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

func validPersonGround(g PersonGround) bool {
	switch g {
	case GroundResidence, GroundStay, GroundProperty, GroundIncomeSource, GroundChoice:
		return true
	}
	return false
}

// parseSNILS checks a СНИЛС (TIN-5), typed as 11 digits or "NNN-NNN-NNN NN", and returns its
// 11 digits, or the message saying what is wrong.
func parseSNILS(s string) (string, problem.Message, bool) {
	v, err := tin.ParseSNILS(s)
	if err != nil {
		return s, problem.Number(err), false
	}
	return v.Digits, problem.Message{}, true
}
