package web

import (
	"net/http"
	"regexp"
	"strings"
)

// schemeSource is a native app's private-use URI scheme as a CSP source (RFC 8252 7.1: with a dot).
var schemeSource = regexp.MustCompile(`^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]*:$`)

// CSP is the content security policy of every page: nothing inline, nothing from elsewhere.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// SecurityHeaders sets the headers every answer carries: no sniffing, no framing, the CSP, a
// same-origin referrer, and HSTS when the request came over TLS (to kabinet or to a trusted
// proxy), so that the browser never again uses plain HTTP for this host.
func SecurityHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if ClientOf(r).Secure {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// AllowFormTargets lets the page's forms lead to origins besides this one: browsers apply the
// CSP's form-action to every redirect that follows a form's submission, so a form whose answer
// redirects to another site (an OpenID Connect client's redirect URI after a login or a
// consent) needs that site's origin named. Each origin is scheme://host[:port], or a scheme
// alone ("com.example.app:", a native app's); others are ignored.
func AllowFormTargets(w http.ResponseWriter, origins ...string) {
	extra := ""
	for _, o := range origins {
		web := (strings.HasPrefix(o, "https://") || strings.HasPrefix(o, "http://")) && strings.Count(o, "/") == 2
		if (web || schemeSource.MatchString(o)) && !strings.ContainsAny(o, " ;,'\"\n\r") {
			extra += " " + o
		}
	}
	if extra != "" {
		w.Header().Set("Content-Security-Policy", strings.Replace(CSP, "form-action 'self'", "form-action 'self'"+extra, 1))
	}
}
