// Package tin parses, validates and builds the numbers kabinet deals in (SPEC section 1): the
// Russian taxpayer identification number (ИНН) of individuals, organizations and foreign
// organizations, the КПП, СНИЛС, ОГРН, ОГРНИП and the Kyrgyz 14-digit ИНН. Every parser returns a
// typed value with its parts named, or an *Error saying precisely what is wrong and where (TIN-7).
// It depends only on the standard library and holds no storage.
package tin

import (
	"fmt"
	"unicode/utf8"
)

// Error is what every parser returns for a malformed number (TIN-7). Code is stable for programs;
// Error gives the English text and Message the Russian or English one.
type Error struct {
	Kind string // "inn", "kpp", "snils", "ogrn", "ogrnip", "kg"
	Code string // "empty", "length", "non_digit", "check_digit", "reason_range", "reason_char", "first_digit", "date", "future_date", "serial"
	Pos  int    // 1-based character position at fault, 0 when none
	Got  string // what was found (a character, a length, a digit)
	Want string // what was expected
	// Digit names which check digit failed ("first", "second", or "" for a single one).
	Digit string
}

var kindNames = map[string][2]string{
	"inn":    {"ИНН", "TIN"},
	"kpp":    {"КПП", "KPP"},
	"snils":  {"СНИЛС", "SNILS"},
	"ogrn":   {"ОГРН", "OGRN"},
	"ogrnip": {"ОГРНИП", "OGRNIP"},
	"kg":     {"ИНН (Кыргызстан)", "Kyrgyz TIN"},
}

func (e *Error) Error() string { return e.Message("en") }

// Message returns the error in lang: "ru" for Russian, anything else for English.
func (e *Error) Message(lang string) string {
	ru := lang == "ru"
	name := kindNames[e.Kind][1]
	if ru {
		name = kindNames[e.Kind][0]
	}
	var ruText, enText string
	switch e.Code {
	case "empty":
		ruText, enText = "пустое значение", "empty value"
	case "length":
		ruText = fmt.Sprintf("неверная длина %s: должно быть %s", e.Got, e.Want)
		enText = fmt.Sprintf("wrong length %s: want %s", e.Got, e.Want)
	case "non_digit":
		ruText = fmt.Sprintf("недопустимый символ %q в позиции %d: допускаются только цифры", e.Got, e.Pos)
		enText = fmt.Sprintf("non-digit %q at position %d", e.Got, e.Pos)
	case "check_digit":
		which := map[string][2]string{"first": {"первая контрольная цифра", "first check digit"}, "second": {"вторая контрольная цифра", "second check digit"}, "": {"контрольное число", "check digit"}}[e.Digit]
		ruText = fmt.Sprintf("%s в позиции %d равна %s, должна быть %s", which[0], e.Pos, e.Got, e.Want)
		enText = fmt.Sprintf("%s at position %d is %s, want %s", which[1], e.Pos, e.Got, e.Want)
	case "reason_range":
		ruText = fmt.Sprintf("код причины постановки на учёт %s вне допустимого диапазона (01–99)", e.Got)
		enText = fmt.Sprintf("reason code %s out of range (01–99)", e.Got)
	case "reason_char":
		ruText = fmt.Sprintf("недопустимый символ %q в позиции %d кода причины: допускаются цифры и латинские заглавные буквы A–Z", e.Got, e.Pos)
		enText = fmt.Sprintf("invalid character %q at position %d of the reason code: digits and Latin capitals A–Z only", e.Got, e.Pos)
	case "first_digit":
		ruText = fmt.Sprintf("первая цифра %s недопустима: ожидается %s", e.Got, e.Want)
		enText = fmt.Sprintf("first digit %s not allowed: want %s", e.Got, e.Want)
	case "date":
		ruText = fmt.Sprintf("дата %s в позициях %d–%d не существует", e.Got, e.Pos, e.Pos+7)
		enText = fmt.Sprintf("date %s at positions %d–%d does not exist", e.Got, e.Pos, e.Pos+7)
	case "future_date":
		ruText = fmt.Sprintf("дата %s в позициях %d–%d в будущем", e.Got, e.Pos, e.Pos+7)
		enText = fmt.Sprintf("date %s at positions %d–%d is in the future", e.Got, e.Pos, e.Pos+7)
	case "serial":
		ruText = fmt.Sprintf("порядковый номер %s недопустим: %s", e.Got, e.Want)
		enText = fmt.Sprintf("serial number %s not allowed: %s", e.Got, e.Want)
	default:
		ruText, enText = "неверное значение", "invalid value"
	}
	if ru {
		return name + ": " + ruText
	}
	return name + ": " + enText
}

// scan checks that s (already trimmed) is n ASCII digits; want describes the accepted lengths.
func scan(kind, s, want string, lengths ...int) *Error {
	if s == "" {
		return &Error{Kind: kind, Code: "empty"}
	}
	pos := 0
	for i, r := range s {
		pos++
		if r < '0' || r > '9' {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return &Error{Kind: kind, Code: "non_digit", Pos: pos, Got: fmt.Sprintf("\\x%02x", s[i])}
				}
			}
			return &Error{Kind: kind, Code: "non_digit", Pos: pos, Got: string(r)}
		}
	}
	for _, n := range lengths {
		if len(s) == n {
			return nil
		}
	}
	return &Error{Kind: kind, Code: "length", Got: fmt.Sprint(utf8.RuneCountInString(s)), Want: want}
}

func digit(b byte) int { return int(b - '0') }
