package notify_test

import (
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/notify"
)

// A phone as users type it becomes one international form, which messages are sent to and
// accounts are found by; anything else is refused ("").
func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+7 916 123-45-67": "+79161234567", "8 (916) 123-45-67": "+79161234567", "79161234567": "+79161234567", "9161234567": "+79161234567",
		" +7.916.123.45.67 ": "+79161234567", "+996 555 100 200": "+996555100200", "+44 20 7946 0958": "+442079460958",
		"8 495 123-45-67": "", "+0 123 456 789": "", "+7 916 123-45-6": "", "916-12": "", "": "",
		"+7 916 123 45 67 доб. 1": "", "+1234567": "", "+1234567890123456": "", "8\x00916 123-45-67": "",
	} {
		if got := notify.NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// In Kyrgyzstan a number is also typed as at home, after the trunk prefix 0 or after the
// calling code without "+"; the international forms and Russia's keep their reading.
func TestNormalizePhoneIn(t *testing.T) {
	kg := notify.National{CallingCode: "996", Trunk: "0", Digits: 9}
	for in, want := range map[string]string{
		"0555 123 456": "+996555123456", "0 (555) 12-34-56": "+996555123456", "996 555 123 456": "+996555123456", "+996 555 123 456": "+996555123456",
		"8 916 123-45-67": "+79161234567", "+44 20 7946 0958": "+442079460958",
		"0555 123 45": "", "555 123 456": "", "996 555 123 45": "", "+0555 123 456": "", "0555 123 456 доб. 1": "", "": "",
	} {
		if got := notify.NormalizePhoneIn(in, kg); got != want {
			t.Errorf("NormalizePhoneIn(%q) = %q, want %q", in, got, want)
		}
	}
	if got := notify.NormalizePhoneIn("0555 123 456", notify.National{}); got != "" {
		t.Errorf("without national forms: %q", got)
	}
}

// An e-mail address is kept as typed in lower case when it is one address with a domain.
func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Anna.Sokolova@Example.org": "anna.sokolova@example.org", " a@b.ru ": "a@b.ru",
		"Anna <a@b.ru>": "", "a@b": "", "a@@b.ru": "", "a b@c.ru": "", "": "", strings.Repeat("a", 250) + "@b.ru": "",
	} {
		if got := notify.NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever is typed, a normal form is a phone messages can be sent to (or an e-mail address in
// lower case), and normalizing it again changes nothing.
func FuzzNormalizeContact(f *testing.F) {
	for _, s := range []string{"+7 916 123-45-67", "8 (916) 123-45-67", "+996 555 100 200", "0555 100 200", "996555100200", "Anna@Example.org", "a@b", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p := notify.NormalizePhone(s); p != "" && (!notify.IsPhone(p) || notify.NormalizePhone(p) != p) {
			t.Fatalf("NormalizePhone(%q) = %q", s, p)
		}
		if p := notify.NormalizePhoneIn(s, notify.National{CallingCode: "996", Trunk: "0", Digits: 9}); p != "" && (!notify.IsPhone(p) || notify.NormalizePhone(p) != p) {
			t.Fatalf("NormalizePhoneIn(%q) = %q", s, p)
		}
		if e := notify.NormalizeEmail(s); e != "" && (e != strings.ToLower(e) || notify.NormalizeEmail(e) != e || !strings.Contains(e, "@")) {
			t.Fatalf("NormalizeEmail(%q) = %q", s, e)
		}
	})
}
