package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
)

// LangCookie keeps the language a user picked with the switch, for every site.
const LangCookie = "__Host-kabinet_lang"

// Lang returns the language of the request among those offered to it (offered: the languages of
// the site serving it that its jurisdiction offers, or the jurisdiction's outside any site): the
// one the user picked (the cookie), else the first language of Accept-Language offered, else
// the default (Russian). So a page is never declared in a language its texts are not in: a
// Kyrgyz cookie set in the cabinet gives the back office, which has no Kyrgyz texts, in Russian.
func Lang(r *http.Request) string {
	langs := offered(r)
	if c, err := r.Cookie(LangCookie); err == nil {
		if lang := supported(c.Value, langs); lang != "" {
			return lang
		}
	}
	return pickLanguage(r.Header.Get("Accept-Language"), langs)
}

// FromAcceptLanguage picks the language of an Accept-Language header ("en-GB,en;q=0.8,ru;q=0.5")
// by its weights among those of the default jurisdiction, or its default one.
func FromAcceptLanguage(h string) string { return pickLanguage(h, defaultLocale.langs) }

type langsKey struct{}

// withLanguages returns ctx carrying the languages a request may be answered in (a site's).
func withLanguages(ctx context.Context, langs []string) context.Context {
	return context.WithValue(ctx, langsKey{}, langs)
}

// offered returns the languages the request may be answered in, the default one first: those
// the site serving it put in its context (Site.offered), else those of its jurisdiction.
func offered(r *http.Request) []string {
	if langs, ok := r.Context().Value(langsKey{}).([]string); ok && len(langs) > 0 {
		return langs
	}
	return LocaleOf(r.Context()).langs
}

// pickLanguage picks the language of an Accept-Language header by its weights among langs, or
// the first of langs.
func pickLanguage(h string, langs []string) string {
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
		if lang := supported(tag, langs); lang != "" && q > bestQ && q > 0 {
			best, bestQ = lang, q
		}
	}
	if best == "" {
		return langs[0]
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

// langLinks returns the switches to the other languages of langs (those a site offers).
func langLinks(langs []string, base, current, back string) []LangLink {
	var out []LangLink
	for _, l := range langs {
		if l == current {
			continue
		}
		out = append(out, LangLink{Code: l, Name: i18n.T(l, "lang.name"), Href: base + "lang?lang=" + l + "&back=" + url.QueryEscape(back)})
	}
	return out
}

// handleLang sets the language the user picked and goes back to the page they were on. A
// language the site does not offer changes nothing: the choice made on another site (Kyrgyz in
// the cabinet) is kept for that site.
func (s *Site) handleLang(w http.ResponseWriter, r *http.Request) {
	if to := supported(r.URL.Query().Get("lang"), s.offered(r.Context())); to != "" {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: to, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: true})
	}
	http.Redirect(w, r, SafeReturn(r.URL.Query().Get("back"), s.Base, s.Base), http.StatusSeeOther)
}

// siteLanguages are the languages of a site that names none (Site.Languages): those the
// catalogue has every text of (i18n.Complete), Russian and English.
var siteLanguages = func() []string {
	var out []string
	for _, l := range i18n.Languages() {
		if i18n.Complete(l) {
			out = append(out, l)
		}
	}
	return out
}()

// offered returns the languages the site offers in a jurisdiction (the request's Locale): those
// of the jurisdiction the site's texts are written in (Site.Languages), in the jurisdiction's
// order; its default language alone should they have none in common.
func (s *Site) offered(ctx context.Context) []string {
	loc := LocaleOf(ctx)
	if s.langs != nil {
		if v, ok := s.langs.Load(loc); ok {
			return v.([]string)
		}
	}
	own := s.Languages
	if own == nil {
		own = siteLanguages
	}
	var out []string
	for _, l := range loc.langs {
		if slices.Contains(own, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{loc.Default()}
	}
	if s.langs != nil {
		s.langs.Store(loc, out)
	}
	return out
}

// Offered returns the languages the site offers to the request, its jurisdiction's default first
// (what an OpenID Connect provider's metadata call ui_locales_supported).
func (s *Site) Offered(r *http.Request) []string { return slices.Clone(s.offered(r.Context())) }

// withLanguages returns r carrying the languages the site offers, which every answer to it is
// in: its pages, its problems, its flows (Lang).
func (s *Site) withLanguages(r *http.Request) *http.Request {
	return r.WithContext(withLanguages(r.Context(), s.offered(r.Context())))
}
