package register

import (
	"testing"
)

// REG-3: the key of an identity document (document.go).

func TestDocumentKey(t *testing.T) {
	a := DocumentKey(IdentityDocument{Type: "passport_ru", Series: "45 01", Number: "123456"})
	b := DocumentKey(IdentityDocument{Type: "passport_ru", Series: "4501", Number: " 123-456 "})
	c := DocumentKey(IdentityDocument{Type: "birth_certificate", Series: "iv-мю", Number: "123456"})
	if a != b || a != "passport_ru:4501123456" {
		t.Errorf("keys %q %q", a, b)
	}
	if c != "birth_certificate:IVМЮ123456" {
		t.Errorf("birth certificate key %q", c)
	}
}
