// Package web is the kit every site of kabinet is built on — the back office today, the identity
// provider, the personal account and the Kyrgyz cabinet next — so that none of them copies
// another or invents its own plumbing. A Site is a value of this kit: its base path, its layout
// and navigation, its own session cookie, its security headers. The kit owns the page wrapper
// (sessions, CSRF, the viewer, flash messages, form errors shown in place with what the user
// typed), languages (Accept-Language until the user picks one), the one safe-return-address
// helper, the refusal of bad input (control characters, invalid UTF-8), the mapping of problems to
// HTTP statuses, error pages and RFC 9457 bodies, JSON decoding, client addresses behind trusted
// proxies and static files. It holds no business rule; every text comes from package i18n.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyClient
)

// NewRequestID returns a random request id.
func NewRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// WantsJSON reports whether the client asked for JSON rather than a page (a native app, a
// script): Accept names application/json, or the request body is JSON.
func WantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return containsToken(accept, "application/json") || containsToken(accept, "application/problem+json") ||
		containsToken(r.Header.Get("Content-Type"), "application/json")
}

func containsToken(header, token string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part, _, _ = strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}
