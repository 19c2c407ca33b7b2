package web

import "strings"

// PhoneText writes a phone number kept in international form as people read it — a Russian one
// +7 916 123-45-67, a Kyrgyz one +996 555 123 456 — and another as it is. Pages call it as
// {{phone .Phone}}.
func PhoneText(s string) string {
	if len(s) < 2 || s[0] != '+' || strings.Trim(s[1:], "0123456789") != "" {
		return s
	}
	switch {
	case len(s) == 12 && strings.HasPrefix(s, "+7"):
		return s[:2] + " " + s[2:5] + " " + s[5:8] + "-" + s[8:10] + "-" + s[10:]
	case len(s) == 13 && strings.HasPrefix(s, "+996"):
		return s[:4] + " " + s[4:7] + " " + s[7:10] + " " + s[10:]
	}
	return s
}
