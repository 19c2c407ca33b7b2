package identity_test

import (
	"testing"

	"github.com/kabinet/kabinet/internal/identity"
)

// Whatever is typed in the login field, ParseLogin answers without panicking, and every reading
// it gives is in normal form: typed again as it is stored, it is read the same way. So a login
// is found whatever spacing, dashes or case it was typed with.
func FuzzParseLogin(f *testing.F) {
	for _, s := range []string{"+7 916 123-45-67", "8 (916) 123 45 67", "112-233-445 95", "11223344595", "Anna.Sokolova@Example.org",
		"maria@example", "@", "+", "  ", "891-612-345 67", "+44 20 7946 0958"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range identity.ParseLogin(s) {
			again := false
			for _, m := range identity.ParseLogin(l.Value) {
				again = again || m == l
			}
			if !again {
				t.Errorf("%q reads as %s %q, which does not read as itself: %v", s, l.Kind, l.Value, identity.ParseLogin(l.Value))
			}
		}
	})
}
