package onetime

import (
	"testing"
)

// A code is six digits, and new codes differ; what is stored matches the code under its own key
// only; a typed code is read with its spaces and hyphens, and anything else reads as no code.
func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := New()
		if len(c) != Digits || Normalize(c) != c {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Errorf("%d different codes of 200", len(seen))
	}
	h := Hash("kabinet-code:recovery:flow-1", "123456")
	if !Matches(h, "kabinet-code:recovery:flow-1", "123456") || Matches(h, "kabinet-code:recovery:flow-2", "123456") ||
		Matches(h, "kabinet-code:recovery:flow-1", "123457") {
		t.Error("a code matches only itself under its own key")
	}
	for typed, want := range map[string]string{"123 456": "123456", "123-456": "123456", " 123456 ": "123456", "12345б": "", "١٢٣٤٥٦": "", "": ""} {
		if got := Normalize(typed); got != want {
			t.Errorf("%q read as %q, want %q", typed, got, want)
		}
	}
}

// FuzzNormalize: a typed code reads as digits only, or as nothing.
func FuzzNormalize(f *testing.F) {
	f.Add("123 456")
	f.Add("12-34-56\x00")
	f.Fuzz(func(t *testing.T, typed string) {
		for _, c := range []byte(Normalize(typed)) {
			if c < '0' || c > '9' {
				t.Fatalf("%q read as %q", typed, Normalize(typed))
			}
		}
	})
}
