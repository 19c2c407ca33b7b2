package register

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// What every field of the register's input is checked against, before any rule of its own: one
// line of text without control characters, bounded, required where the law needs it; dates are
// civil dates; names and codes are compared in one normalized form (REG-3, search).

// Messages of the field errors every rule shares. Each names the field and the reason.
var (
	msgRequired   = problem.Msg("register.required")
	msgTooLong    = problem.Msg("register.too_long")
	msgGround     = problem.Msg("register.ground")
	msgOrgName    = problem.Msg("register.org_name")
	msgDateFuture = problem.Msg("register.date_future")
	msgControl    = problem.Msg("register.control")
)

// fieldMsg returns m with the label of field (the catalogue's "field.<name>") as its first
// argument, followed by extra.
func fieldMsg(m problem.Message, field string, extra ...any) problem.Message {
	return m.With(append([]any{i18n.Key("field." + field)}, extra...)...)
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

// collapse trims s and collapses each run of spaces into one.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// NormalizeName returns the form names are matched and searched by (REG-3, search): upper case,
// ё as е, spaces trimmed and collapsed, so "  петров  Пётр " and "ПЕТРОВ ПЕТР" are the same.
func NormalizeName(parts ...string) string {
	var b strings.Builder
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b.Grow(n)
	space := false // a space is due before the next letter
	for _, p := range parts {
		for _, r := range p {
			if unicode.IsSpace(r) {
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			r = unicode.ToUpper(r)
			if r == 'Ё' {
				r = 'Е'
			}
			b.WriteRune(r)
		}
		space = b.Len() > 0
	}
	return b.String()
}

// normalizeCode keeps only letters and digits, upper case (ё as е): how document series and
// numbers are compared whatever spaces, dashes or case they were typed with.
func normalizeCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = unicode.ToUpper(r)
			if r == 'Ё' {
				r = 'Е'
			}
			b.WriteRune(r)
		}
	}
	return b.String()
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

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// civil drops the time of day: dates of birth and registration are civil dates.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
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

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
