package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
)

// LangCookie keeps the language a user picked with the switch, for every site.
const LangCookie = "__Host-kabinet_lang"

// Lang returns the language of the request among those its jurisdiction offers (Locale): the
// one the user picked (the cookie), else the first language of Accept-Language it offers, else
// its default (Russian).
func Lang(r *http.Request) string {
	l := LocaleOf(r.Context())
	if c, err := r.Cookie(LangCookie); err == nil {
		if lang := supported(c.Value, l.langs); lang != "" {
			return lang
		}
	}
	return pickLanguage(r.Header.Get("Accept-Language"), l)
}

// FromAcceptLanguage picks the language of an Accept-Language header ("en-GB,en;q=0.8,ru;q=0.5")
// by its weights among those of the default jurisdiction, or its default one.
func FromAcceptLanguage(h string) string { return pickLanguage(h, defaultLocale) }

// pickLanguage picks the language of an Accept-Language header by its weights among those l
// offers, or l's default.
func pickLanguage(h string, l *Locale) string {
	best, bestQ := "", -1.0
	for i, part := range strings.Split(h, ",") {
		if i > 20 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q = parseQ(v)
		}
		if lang := supported(tag, l.langs); lang != "" && q > bestQ && q > 0 {
			best, bestQ = lang, q
		}
	}
	if best == "" {
		return l.Default()
	}
	return best
}

func parseQ(s string) float64 {
	// q is "0", "1" or "0.xyz" (RFC 9110); anything else counts as 0.
	switch {
	case s == "1" || strings.HasPrefix(s, "1.0"):
		return 1
	case strings.HasPrefix(s, "0."):
		q, scale := 0.0, 0.1
		for _, c := range s[2:] {
			if c < '0' || c > '9' {
				return 0
			}
			q += float64(c-'0') * scale
			scale /= 10
		}
		return q
	}
	return 0
}

// supported returns the language of langs for a language tag ("en-GB" → "en"), or "".
func supported(tag string, langs []string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	base, _, _ := strings.Cut(tag, "-")
	if len(base) < 2 || len(base) > 3 {
		return ""
	}
	if slices.Contains(langs, base) {
		return base
	}
	return ""
}

// LangLink is a language a page can be switched to.
type LangLink struct {
	Code string // "en"
	Name string // the language's own name ("English")
	Href string
}

// langLinks returns the switches to the other languages the jurisdiction offers.
func langLinks(loc *Locale, base, current, back string) []LangLink {
	var out []LangLink
	for _, l := range loc.langs {
		if l == current {
			continue
		}
		out = append(out, LangLink{Code: l, Name: i18n.T(l, "lang.name"), Href: base + "lang?to=" + l + "&back=" + url.QueryEscape(back)})
	}
	return out
}

// handleLang sets the language the user picked and goes back to the page they were on.
func (s *Site) handleLang(w http.ResponseWriter, r *http.Request) {
	loc := LocaleOf(r.Context())
	to := supported(r.URL.Query().Get("to"), loc.langs)
	if to == "" {
		to = loc.Default()
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: to, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: true})
	http.Redirect(w, r, SafeReturn(r.URL.Query().Get("back"), s.Base, s.Base), http.StatusSeeOther)
}
