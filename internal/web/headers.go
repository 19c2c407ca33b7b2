package web

import "net/http"

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
