// Package fonts holds the fonts kabinet's PDFs are set in (extracts, registration cards, printed
// applications): PT Sans by ParaType, regular and bold, which has every letter of Russian and of
// Kyrgyz (Ң ң Ө ө Ү ү, which the Go fonts lack). They ship unmodified, under their own name and
// with their licence and copyright notice beside them (LICENSE.txt), as the ParaType Free Font
// License asks of software that bundles them. A PDF embeds only the glyphs it uses.
package fonts

import _ "embed"

// Family is the name PDFs register the fonts under.
const Family = "ptsans"

var (
	//go:embed PTS55F.ttf
	regular []byte
	//go:embed PTS75F.ttf
	bold []byte
)

// Regular returns PT Sans Regular (TrueType).
func Regular() []byte { return regular }

// Bold returns PT Sans Bold (TrueType).
func Bold() []byte { return bold }
