package register

import (
	"strings"
	"unicode"
)

// NormalizeName returns the form names are matched and searched by (REG-3, search): upper case,
// ё as е, spaces trimmed and collapsed, so "  петров  Пётр " and "ПЕТРОВ ПЕТР" are the same.
func NormalizeName(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for _, w := range strings.Fields(p) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			for _, r := range w {
				r = unicode.ToUpper(r)
				if r == 'Ё' {
					r = 'Е'
				}
				b.WriteRune(r)
			}
		}
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

// DocumentKey is the normalized identity of a document (REG-3): type, then series and number as
// letters and digits only, upper case. The register keeps a unique key on it.
func DocumentKey(d IdentityDocument) string {
	return strings.TrimSpace(d.Type) + ":" + normalizeCode(d.Series+d.Number)
}

// DocumentNumber is the normalized number of a document, as searched.
func DocumentNumber(d IdentityDocument) string { return normalizeCode(d.Series + d.Number) }

func normalizeSNILS(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
