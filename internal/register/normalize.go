package register

import (
	"strings"
	"unicode"
)

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

// DocumentKey is the normalized identity of a document (REG-3): type, then series and number as
// letters and digits only, upper case. The register keeps a unique key on it.
func DocumentKey(d IdentityDocument) string {
	return strings.TrimSpace(d.Type) + ":" + normalizeCode(d.Series+d.Number)
}

// documentKeys are the keys a normalized series and number would have under every document type:
// a search by number finds the document whatever its type.
func documentKeys(compact string) []string {
	out := make([]string, len(DocumentTypes))
	for i, t := range DocumentTypes {
		out[i] = t + ":" + compact
	}
	return out
}

func normalizeSNILS(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
