package cabinet_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
)

// LK-3: each rule of the own password is refused on its own and named; a password breaking
// several has each named; a good one passes, typed twice alike.
func TestPasswordRules(t *testing.T) {
	for _, c := range []struct {
		pw   string
		want []cabinet.Rule
		text string // in the Russian message
	}{
		{"Ab1!xy", []cabinet.Rule{cabinet.RuleLength}, "не короче 7 знаков"},
		{"Abc 12!x", []cabinet.Rule{cabinet.RuleSpaces}, "без пробелов"},
		{"Abц12!xY", []cabinet.Rule{cabinet.RuleLatin}, "только латинские буквы"},
		{"abc12!xy", []cabinet.Rule{cabinet.RuleUpper}, "заглавная"},
		{"ABC12!XY", []cabinet.Rule{cabinet.RuleLower}, "строчная"},
		{"Abcdef!x", []cabinet.Rule{cabinet.RuleDigit}, "цифра"},
		{"Abcdef1x", []cabinet.Rule{cabinet.RuleSpecial}, "специальный символ"},
		{"пароль", []cabinet.Rule{cabinet.RuleLength, cabinet.RuleLatin, cabinet.RuleUpper, cabinet.RuleLower, cabinet.RuleDigit, cabinet.RuleSpecial}, "хотя бы одна цифра"},
		{"Abcde1!x", nil, ""},
		{"Kx7#mP2q-Rt9", nil, ""},
	} {
		if got := cabinet.Broken(c.pw); !slices.Equal(got, c.want) {
			t.Errorf("%q: broken %v, want %v", c.pw, got, c.want)
		}
		err := cabinet.CheckPassword("new_password", c.pw, c.pw)
		if c.want == nil {
			if err != nil {
				t.Errorf("%q refused: %v", c.pw, err)
			}
			continue
		}
		p, ok := problem.As(err)
		if !ok || len(p.Fields) != 1 || p.Fields[0].Field != "new_password" {
			t.Fatalf("%q: %v", c.pw, err)
		}
		msg := p.Fields[0].In("ru")
		if !strings.Contains(msg, c.text) || strings.Count(msg, ";") != len(c.want)-1 {
			t.Errorf("%q: %q, want each of %v named (%q)", c.pw, msg, c.want, c.text)
		}
		if rules, _ := p.Extra["rules"].([]string); len(rules) != len(c.want) {
			t.Errorf("%q: rules for programs %v", c.pw, p.Extra)
		}
	}
	// Typed twice unlike: the confirmation is marked.
	p, _ := problem.As(cabinet.CheckPassword("new_password", "Abcde1!x", "Abcde1!y"))
	if p == nil || p.Fields[0].Field != "new_password_confirm" {
		t.Fatalf("unlike confirmation: %v", p)
	}
	if !strings.Contains(cabinet.RuleTexts("en")[0], "at least 7") {
		t.Fatalf("English rules: %v", cabinet.RuleTexts("en"))
	}
}
