package oidcweb

import (
	"encoding/json"
	"net/http"

	"github.com/kabinet/kabinet/internal/oidc"
)

// Discovery (OpenID Connect Discovery 1.0) and the key set (RFC 7517), public and cacheable.

// Metadata is the discovery document.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserInfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	RevocationAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	ACRValuesSupported                []string `json:"acr_values_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	UILocalesSupported                []string `json:"ui_locales_supported"`
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationResponseISSSupported bool     `json:"authorization_response_iss_parameter_supported"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	BackchannelLogoutSupported        bool     `json:"backchannel_logout_supported"`
}

func (h *Handler) metadata(r *http.Request) Metadata {
	algs := make([]string, len(oidc.AssertionAlgs))
	for i, a := range oidc.AssertionAlgs {
		algs[i] = string(a)
	}
	confidential := []string{oidc.AuthBasic, oidc.AuthPost, oidc.AuthJWT}
	return Metadata{
		Issuer:                            h.issuer(r),
		AuthorizationEndpoint:             h.endpoint(r, AuthorizePath),
		TokenEndpoint:                     h.endpoint(r, TokenPath),
		UserInfoEndpoint:                  h.endpoint(r, UserInfoPath),
		JWKSURI:                           h.endpoint(r, JWKSPath),
		EndSessionEndpoint:                h.endpoint(r, EndSessionPath),
		RevocationEndpoint:                h.endpoint(r, RevokePath),
		IntrospectionEndpoint:             h.endpoint(r, IntrospectPath),
		ScopesSupported:                   oidc.Scopes,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		SubjectTypesSupported:             []string{oidc.SubPublic, oidc.SubPairwise},
		IDTokenSigningAlgValuesSupported:  []string{oidc.ES256, oidc.RS256},
		TokenEndpointAuthMethodsSupported: append(confidential, oidc.AuthNone),
		TokenEndpointAuthSigningAlgs:      algs,
		RevocationAuthMethodsSupported:    append(confidential, oidc.AuthNone),
		IntrospectionAuthMethodsSupported: confidential,
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported:                   oidc.ClaimsSupported(),
		ACRValuesSupported:                oidc.ACRValues(),
		PromptValuesSupported:             []string{"none", "login", "consent", "select_account"},
		UILocalesSupported:                h.site.Offered(r), // the /id/ site's
		AuthorizationResponseISSSupported: true,
	}
}

// writeJSON writes v with status; cache is the Cache-Control ("" for no-store, as every
// answer with a token or personal data must be).
func writeJSON(w http.ResponseWriter, status int, v any, cache string) {
	if cache == "" {
		cache = "no-store"
		w.Header().Set("Pragma", "no-cache")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cache)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	cors(w)
	writeJSON(w, http.StatusOK, h.metadata(r), "public, max-age=3600")
}

// handleJWKS publishes the signing keys. A minute of caching: a relying party that meets an
// unknown kid fetches again, and a rotated key is published long before its predecessor goes.
func (h *Handler) handleJWKS(w http.ResponseWriter, r *http.Request) {
	cors(w)
	set, err := h.d.OIDC.JWKS(r.Context())
	if err != nil {
		h.protocolError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(set)
}
