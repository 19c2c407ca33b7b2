package identity

import (
	"embed"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
)

// IDP-1: the texts a registration accepts — the terms of use and the consent to the processing
// of personal data — each in the version recorded with the consent (ConsentDoc, Consent), in
// Russian and English: data/documents/<doc>-<version>.<lang>.txt, paragraphs apart by a blank
// line, the first the title. A new version is a new file and a new DefaultDocuments entry; the
// old files stay, since accounts keep the version they accepted.

//go:embed data/documents/*.txt
var documentFiles embed.FS

// DocumentText returns the paragraphs of doc in version, in lang or else in the default language;
// false when kabinet has no such text.
func DocumentText(doc, version, lang string) ([]string, bool) {
	for _, l := range []string{lang, i18n.Default} {
		b, err := documentFiles.ReadFile("data/documents/" + doc + "-" + version + "." + l + ".txt")
		if err != nil {
			continue
		}
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, true
	}
	return nil, false
}

// Document returns the version of doc ("terms", "personal_data") a registration accepts now.
func (s *Provider) Document(doc string) (ConsentDoc, bool) {
	for _, d := range s.o.Documents {
		if d.Doc == doc {
			return d, true
		}
	}
	return ConsentDoc{}, false
}
