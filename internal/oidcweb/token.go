package oidcweb

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/oidc"
)

// The token endpoint (RFC 6749 3.2, OpenID Connect Core 3.1.3), revocation (RFC 7009) and
// introspection (RFC 7662): form-encoded POSTs from a client that authenticates as it
// registered.

// credentials reads the client authentication a request carries: HTTP Basic (whose id and
// secret are form-encoded, RFC 6749 2.3.1), or the form's client_secret or client_assertion.
func credentials(r *http.Request, form url.Values) (oidc.Credentials, error) {
	cr := oidc.Credentials{ClientID: form.Get("client_id"), ClientSecret: form.Get("client_secret"),
		AssertionType: form.Get("client_assertion_type"), Assertion: form.Get("client_assertion")}
	if auth := r.Header.Get("Authorization"); auth != "" {
		id, secret, ok := r.BasicAuth()
		if !ok {
			if strings.HasPrefix(strings.ToLower(auth), "basic ") {
				return cr, &oidc.Error{Code: oidc.ErrInvalidClient, Description: "malformed Basic credentials", Basic: true}
			}
			return cr, &oidc.Error{Code: oidc.ErrInvalidRequest, Description: "only Basic client authentication is accepted in Authorization"}
		}
		var err1, err2 error
		cr.Basic = true
		cr.BasicID, err1 = url.QueryUnescape(id)
		cr.BasicSecret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return cr, &oidc.Error{Code: oidc.ErrInvalidClient, Description: "malformed Basic credentials", Basic: true}
		}
	}
	return cr, nil
}

// authenticate reads the form and authenticates its client; audiences of an assertion are the
// issuer, the token endpoint and the endpoint called (named only when an assertion is sent).
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, path string) (*oidc.Client, url.Values, error) {
	form, err := readForm(w, r)
	if err != nil {
		return nil, nil, err
	}
	cr, err := credentials(r, form)
	if err != nil {
		return nil, nil, err
	}
	var auds []string
	if cr.Assertion != "" {
		auds = []string{h.issuer(r), h.endpoint(r, TokenPath), h.endpoint(r, path)}
	}
	c, err := h.d.OIDC.AuthenticateClient(r.Context(), auds, cr)
	return c, form, err
}

func (h *Handler) handleToken(w http.ResponseWriter, r *http.Request) {
	cors(w)
	c, form, err := h.authenticate(w, r, TokenPath)
	if err != nil {
		h.protocolError(w, r, err)
		return
	}
	res, err := h.d.OIDC.Token(r.Context(), oidc.TokenRequest{Issuer: h.issuer(r), Client: c, GrantType: form.Get("grant_type"), Code: form.Get("code"),
		RedirectURI: form.Get("redirect_uri"), CodeVerifier: form.Get("code_verifier"), RefreshToken: form.Get("refresh_token"), Scope: form.Get("scope")})
	if err != nil {
		h.protocolError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res, "")
}

func (h *Handler) handleRevoke(w http.ResponseWriter, r *http.Request) {
	cors(w)
	c, form, err := h.authenticate(w, r, RevokePath)
	if err == nil && form.Get("token") == "" {
		err = &oidc.Error{Code: oidc.ErrInvalidRequest, Description: "token is required"}
	}
	if err == nil {
		err = h.d.OIDC.Revoke(r.Context(), h.issuer(r), c, form.Get("token"))
	}
	if err != nil {
		h.protocolError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	c, form, err := h.authenticate(w, r, IntrospectPath)
	if err == nil && form.Get("token") == "" {
		err = &oidc.Error{Code: oidc.ErrInvalidRequest, Description: "token is required"}
	}
	var res map[string]any
	if err == nil {
		res, err = h.d.OIDC.Introspect(r.Context(), h.issuer(r), c, form.Get("token"))
	}
	if err != nil {
		h.protocolError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res, "")
}

// handleUserInfo answers with the claims of a bearer access token (OpenID Connect Core 5.3),
// given in the Authorization header or a form body (RFC 6750 2.1, 2.2).
func (h *Handler) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	cors(w)
	token := ""
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		token = strings.TrimSpace(auth[7:])
	} else if r.Method == http.MethodPost && auth == "" {
		if form, err := readForm(w, r); err == nil {
			token = form.Get("access_token")
		}
	}
	if token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kabinet"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: oidc.ErrInvalidRequest, Description: "a bearer access token is required"}, "")
		return
	}
	claims, err := h.d.OIDC.UserInfo(r.Context(), h.issuer(r), token)
	if pe, ok := oidc.AsError(err); ok {
		status := http.StatusUnauthorized
		if pe.Code == oidc.ErrInsufficientScope {
			status = http.StatusForbidden
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="kabinet", error="`+pe.Code+`", error_description="`+description(pe.Description)+`"`)
		writeJSON(w, status, errorBody{pe.Code, description(pe.Description)}, "")
		return
	}
	if err != nil {
		h.protocolError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, claims, "")
}
