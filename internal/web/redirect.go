package web

import (
	"net/url"
	"strings"
	"unicode"
)

// SafeReturn returns target when it is a path on this site under base, and fallback otherwise.
// It is the one check of every redirect to an address the user gave (?back=, a flow's return
// address): it refuses other hosts and schemes ("//evil", "https://evil", "/\evil"), control
// characters and white space anywhere (browsers strip a tab, so "/\t/evil" would be "//evil"),
// backslashes, and paths that leave base (also by "..").
func SafeReturn(target, base, fallback string) string {
	if target == "" || len(target) > 2048 || !strings.HasPrefix(target, "/") {
		return fallback
	}
	for _, r := range target {
		if r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) || r == unicode.ReplacementChar {
			return fallback
		}
	}
	if strings.HasPrefix(target, "//") {
		return fallback
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	path := u.Path
	if path != cleanPath(path) || strings.HasPrefix(path, "//") {
		return fallback
	}
	if base != "" && base != "/" && path+"/" != base && !strings.HasPrefix(path, base) {
		return fallback
	}
	// The decoded path may hide what the raw one did not show.
	for _, r := range path {
		if r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) {
			return fallback
		}
	}
	return target
}

// cleanPath removes "." and ".." segments; a path that changes under it is refused.
func cleanPath(p string) string {
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			continue
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			continue
		case "":
			if i != 0 && i != len(segs)-1 {
				continue
			}
		}
		out = append(out, s)
	}
	return strings.Join(out, "/")
}
