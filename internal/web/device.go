package web

import (
	"strings"
	"unicode"

	"github.com/mileusna/useragent"
)

// Device names the device a session was started from, from its browser's User-Agent, as a
// citizen recognises it in the list of devices and sessions: the browser and its major version,
// then the system ("Chrome 120, Android"; "Firefox 121, Windows"). A program the parser does not
// know is shown as it names itself, cut short; none at all is "device.unknown".
func (p *Page) Device(ua string) string {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return p.T("device.unknown")
	}
	u := useragent.Parse(ua)
	if u.Name == "" || u.Version == "" && u.OS == "" {
		return cut(strings.Map(visible, ua), 80)
	}
	name := u.Name
	if major, _, _ := strings.Cut(u.Version, "."); major != "" {
		name += " " + major
	}
	if u.OS != "" {
		name += ", " + u.OS
	}
	return strings.Map(visible, name)
}

// visible drops the control characters of a name sent by a client.
func visible(r rune) rune {
	if unicode.IsControl(r) {
		return -1
	}
	return r
}

// cut shortens s to at most n characters, with an ellipsis when it was longer.
func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
