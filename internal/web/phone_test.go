package web

import "testing"

// A phone is shown grouped as its country writes it; anything else as it is.
func TestPhoneText(t *testing.T) {
	for in, want := range map[string]string{
		"+79161234567": "+7 916 123-45-67", "+996555123456": "+996 555 123 456", "+442079460958": "+442079460958",
		"+7916123456": "+7916123456", "79161234567": "79161234567", "+7916123456x": "+7916123456x", "": "", "+": "+",
	} {
		if got := PhoneText(in); got != want {
			t.Errorf("PhoneText(%q) = %q, want %q", in, got, want)
		}
	}
}
