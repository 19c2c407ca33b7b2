// Package web is kabinet's HTTP plumbing shared by every service: the mapping of problems to
// statuses and RFC 9457 bodies, JSON decoding, languages and messages (Russian by default,
// English switchable), templates, sessions stored in the database, CSRF protection, security
// headers, request ids and logging. It holds no business rule; the register's back office, the
// identity provider and the personal account build their pages and APIs on it.
package web

import (
	"context"
	"net/http"
	"strings"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLang
)

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// WithLang returns ctx carrying the chosen language.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, keyLang, lang)
}

// PageLang returns the language of a web page: set by the "lang" query parameter or cookie,
// Russian otherwise (the service's language; English is a switch away).
func PageLang(r *http.Request) string {
	if l, ok := r.Context().Value(keyLang).(string); ok && l != "" {
		return l
	}
	if l := normLang(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l := normLang(c.Value); l != "" {
			return l
		}
	}
	return "ru"
}

// Lang returns the language for the request: one set in the context by middleware, else the
// "lang" query parameter or cookie, else Accept-Language; Russian by default. Always "ru" or "en".
func Lang(r *http.Request) string {
	if l, ok := r.Context().Value(keyLang).(string); ok && l != "" {
		return l
	}
	if l := normLang(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l := normLang(c.Value); l != "" {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if l := normLang(tag); l != "" {
			return l
		}
	}
	return "ru"
}

func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(s, "ru"):
		return "ru"
	case strings.HasPrefix(s, "en"):
		return "en"
	}
	return ""
}
