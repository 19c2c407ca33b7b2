package i18n_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/i18n"
)

// kyGenitiveTIN finds «ИНН» owned by a noun in the genitive («жактын», «уюмдун», «Республикасынын»),
// with up to three words between («Уюмдун 14 сандан турган ИНН»); the group is the possessive
// that must follow it.
var kyGenitiveTIN = regexp.MustCompile(`[\p{L}]+[нтд][ыиуү]н( [^ %,;:.—«»()]+){0,3} ИНН(и?)`)

// Kyrgyz marks what a genitive owns: «Юридикалык жактын ИННи», never «…жактын ИНН»; and a Kyrgyz
// ИНН's wrong first digit is said as a Kyrgyz would say it.
func TestKyrgyzWording(t *testing.T) {
	for _, k := range i18n.Keys("ky") {
		for _, m := range kyGenitiveTIN.FindAllStringSubmatch(i18n.T("ky", k), -1) {
			if m[2] == "" {
				t.Errorf("ky %s: %q lacks the possessive: «ИННи»", k, m[0])
			}
		}
	}
	for k, want := range map[string]string{"lk.reg.f.org_tin": "Юридикалык жактын ИННи", "field.org_tin": "Юридикалык жактын ИННи",
		"lk.tin_format.kg": "Жеке жактын ИННи керек: 14 сан, биринчиси — 1 же 2"} {
		if got := i18n.T("ky", k); got != want {
			t.Errorf("ky %s: %q, want %q", k, got, want)
		}
	}
	got := i18n.T("ky", "tin.first_digit.kg", "ИНН", 1, "3")
	if want := "ИНН: 3 цифрасы менен башталбайт"; !strings.HasPrefix(got, want) || strings.Contains(got, "%!") {
		t.Errorf("ky tin.first_digit.kg: %q, want it to start %q", got, want)
	}
}
