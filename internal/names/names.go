// Package names holds the rules of personal names that the identity provider and the personal
// account share: what a name typed in any alphabet may contain (a foreign citizen's too), and
// the form in which two spellings of a name — or two typings of a word, a security answer or a
// code word — are compared. The register's own rules for names (Cyrillic only, its search keys)
// are package register's.
package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// MaxLen is the longest name, in characters.
const MaxLen = 100

// Valid reports whether v, trimmed, is a personal name: letters of any alphabet, spaces,
// hyphens, apostrophes and dots ("O'Brien", "д’Артаньян", "Jr."), at least one letter, at most
// MaxLen characters. An empty v is not valid: whether a name is required is the caller's rule.
func Valid(v string) bool {
	v = strings.TrimSpace(v)
	letters := 0
	for _, r := range v {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.':
		default:
			return false
		}
	}
	return letters > 0 && utf8.RuneCountInString(v) <= MaxLen
}

var msgLetters = problem.Msg("names.letters")

// Check adds to fe, for field, the reason a name that is not Valid is refused. A blank name is
// left to the caller, whose rule says whether the field is required.
func Check(fe *problem.Fields, field, v string) {
	if strings.TrimSpace(v) != "" && !Valid(v) {
		fe.Add(field, msgLetters.With(i18n.Field(field)))
	}
}

// Fold returns the form in which two spellings are compared: spaces trimmed and collapsed,
// lower case, ё as е. "  ПЁТР  Ильич " and "петр ильич" fold alike. Security answers are hashed
// in this form, so it must not change.
func Fold(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Join(strings.Fields(s), " ")), "ё", "е")
}

// Same reports whether a and b are the same name once folded.
func Same(a, b string) bool { return Fold(a) == Fold(b) }

// OfCertificate reports whether the name a qualified certificate carries is the person's
// (surname, given name, patronymic): certificates hold the surname in one attribute and the
// given name with the patronymic in another.
func OfCertificate(certSurname, certGivenName, surname, givenName, patronymic string) bool {
	return Same(certSurname, surname) && Same(certGivenName, givenName+" "+patronymic)
}
