package names

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for v, want := range map[string]bool{
		"Иванова":                true,
		" Салтыков-Щедрин ":      true,
		"O'Brien":                true,
		"д’Артаньян":             true,
		"Martin Luther Jr.":      true,
		"Үмөтаалиев":             true, // Kyrgyz letters
		"Ңурбек":                 true,
		"李":                      true,
		"":                       false,
		"   ":                    false,
		"-":                      false,
		"' .":                    false,
		"Иванов2":                false,
		"Иванов_":                false,
		"Ива\nнов":               false,
		"<script>":               false,
		strings.Repeat("я", 100): true,
		strings.Repeat("я", 101): false,
	} {
		if got := Valid(v); got != want {
			t.Errorf("Valid(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"  ПЁТР  Ильич ": "петр ильич",
		"Семён":          "семен",
		"ЁЛКИН":          "елкин",
		"Anna\tMaria":    "anna maria",
		"":               "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOfCertificate(t *testing.T) {
	if !OfCertificate("СОКОЛОВА", "Анна  Сергеевна", "Соколова", "Анна", "Сергеевна") {
		t.Error("the same name in other case and spacing is refused")
	}
	if !OfCertificate("Алёшин", "Пётр", "Алешин", "Петр", "") {
		t.Error("ё and е, and no patronymic, are refused")
	}
	for _, c := range [][5]string{
		{"Соколова", "Анна", "Соколова", "Анна", "Сергеевна"},          // the certificate lacks the patronymic
		{"Соколова", "Анна Сергеевна", "Соколов", "Анна", "Сергеевна"}, // another surname
		{"Соколова", "Сергеевна Анна", "Соколова", "Анна", "Сергеевна"},
	} {
		if OfCertificate(c[0], c[1], c[2], c[3], c[4]) {
			t.Errorf("OfCertificate%q is true", c)
		}
	}
}

// Folding twice changes nothing, and Valid never panics.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"  ПЁТР  Ильич ", "O'Brien", "\xff\xfe", "Ё\u00a0ё"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, b := Fold(s), Fold(Fold(s)); a != b {
			t.Errorf("Fold(%q) = %q, folded again %q", s, a, b)
		}
		Valid(s)
	})
}
