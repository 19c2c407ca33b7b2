package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// The list of devices names a session's device as a citizen recognises it — browser, major
// version, system — never as the raw User-Agent header; a program the parser does not know keeps
// its own name, cut short and without control characters; none is said in the page's language.
func TestDevice(t *testing.T) {
	page := func(lang string) *Page {
		r := httptest.NewRequest("GET", "/id/settings", nil)
		r.Header.Set("Accept-Language", lang)
		return (&Site{Name: "id", Base: "/id/"}).NewPage(r, "office.tagline")
	}
	ru, en := page("ru"), page("en")
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaBrowser/24.1.0.0 Safari/537.36":      "YaBrowser 24, Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1": "Safari 17, iOS",
		"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36":             "Chrome 120, Android",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0":                                                        "Firefox 121, Windows",
		"curl/8.5.0": "curl 8",
		"  ":         "устройство не определено",
		"":           "устройство не определено",
	} {
		if got := ru.Device(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
	if got := en.Device(""); got != "unknown device" {
		t.Errorf("en, none: %q", got)
	}
	odd := "программа\x00\x1b[31m" + strings.Repeat("я", 200)
	if got := ru.Device(odd); utf8.RuneCountInString(got) > 80 || strings.ContainsAny(got, "\x00\x1b") || !strings.HasPrefix(got, "программа[31m") {
		t.Errorf("an unknown program: %q", got)
	}
}
