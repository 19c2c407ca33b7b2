package web

import (
	"context"
	"slices"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// Locale is what the jurisdiction a request is served in (package jurisdiction) means for its
// pages: the languages they are offered in (those of the jurisdiction the catalogue has, its
// default first), the time zone they show times in, and the profile itself, which a page's
// template reads as .Profile (which fields a form has). Package server makes one Locale and puts
// it in every request's context, so that every site of the kit follows the jurisdiction.
type Locale struct {
	profile jurisdiction.Profile
	langs   []string
	zone    *time.Location
}

// NewLocale returns the locale of a jurisdiction (the default one for the zero Profile).
func NewLocale(p jurisdiction.Profile) *Locale {
	p = p.OrDefault()
	var langs []string
	for _, l := range p.Languages {
		if i18n.Supported(l) {
			langs = append(langs, l)
		}
	}
	if len(langs) == 0 {
		langs = []string{i18n.Default}
	}
	return &Locale{profile: p, langs: langs, zone: p.Location()}
}

// defaultLocale is the locale of a request no server gave one (a site a test mounts alone).
var defaultLocale = NewLocale(jurisdiction.Profile{})

type localeKey struct{}

// WithLocale returns ctx carrying the locale of the request's jurisdiction.
func WithLocale(ctx context.Context, l *Locale) context.Context {
	return context.WithValue(ctx, localeKey{}, l)
}

// LocaleOf returns the locale a request's context carries; the default jurisdiction's when none.
func LocaleOf(ctx context.Context) *Locale {
	if l, ok := ctx.Value(localeKey{}).(*Locale); ok && l != nil {
		return l
	}
	return defaultLocale
}

// Profile returns the jurisdiction.
func (l *Locale) Profile() jurisdiction.Profile { return l.profile }

// Languages returns the languages pages are offered in, the default one first.
func (l *Locale) Languages() []string { return slices.Clone(l.langs) }

// Default returns the language of a page before the user or the browser asks for another.
func (l *Locale) Default() string { return l.langs[0] }

// Zone returns the time zone pages show times in.
func (l *Locale) Zone() *time.Location { return l.zone }
