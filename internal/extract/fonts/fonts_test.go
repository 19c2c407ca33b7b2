package fonts

import (
	"testing"

	"golang.org/x/image/font/sfnt"
)

// Both fonts have a glyph for every letter of the Russian and the Kyrgyz alphabets (Ң ң Ө ө Ү ү
// included), the digits and the signs the documents print.
func TestGlyphs(t *testing.T) {
	const letters = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяҢңӨөҮү" +
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789№«»—–.,:;()/-"
	for name, b := range map[string][]byte{"regular": Regular(), "bold": Bold()} {
		f, err := sfnt.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var buf sfnt.Buffer
		for _, r := range letters {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				t.Errorf("%s: no glyph for %c (%v)", name, r, err)
			}
		}
	}
}
