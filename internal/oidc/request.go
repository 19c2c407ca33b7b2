package oidc

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
)

// Authorization requests (IDP-7; OpenID Connect Core 3.1.2, RFC 6749 4.1, RFC 7636): the code
// flow only, PKCE with S256 only. Until the client and its redirect URI are known good, a
// refusal is a problem (an error page); after, an *Error sent to the redirect URI.

// ACRPrefix prefixes the acr values: urn:kabinet:level:simplified|standard|confirmed (IDP-2).
const ACRPrefix = "urn:kabinet:level:"

// ACR returns the acr value of a level.
func ACR(l identity.Level) string { return ACRPrefix + string(l) }

// ACRValues are the acr values the provider supports, lowest first.
func ACRValues() []string {
	out := make([]string, len(identity.Levels))
	for i, l := range identity.Levels {
		out[i] = ACR(l)
	}
	return out
}

// levelOf returns the level an acr value names, or "".
func levelOf(acr string) identity.Level {
	l := identity.Level(strings.TrimPrefix(acr, ACRPrefix))
	if !strings.HasPrefix(acr, ACRPrefix) || l.Rank() == 0 {
		return ""
	}
	return l
}

// Prompt is the prompt parameter: which interactions the client asks for or forbids.
type Prompt struct {
	None, Login, Consent bool
}

// AuthRequest is a checked authorization request.
type AuthRequest struct {
	ClientID      string
	RedirectURI   string
	Scopes        []string // asked for and allowed to the client, in the provider's order; openid first
	State         string
	Nonce         string
	CodeChallenge string // S256
	Prompt        Prompt
	MaxAge        int // seconds; -1 when not given
	LoginHint     string
	UILocales     []string
	// MinLevel is the lowest level that acr_values accepts ("" when it asks for none): the
	// values are a minimum, not a preference (IDP-2).
	MinLevel identity.Level
}

var (
	msgBadRedirect = problem.Msg("oidc.bad_redirect_uri")
	msgNoRedirect  = problem.Msg("oidc.no_redirect_uri")
	msgDuplicate   = problem.Msg("oidc.duplicate_parameter")
	pkcePattern    = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
)

// singleParams may appear once each in a request (RFC 6749 3.1).
var singleParams = []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
	"code_challenge_method", "prompt", "max_age", "login_hint", "ui_locales", "acr_values", "response_mode", "display",
	"id_token_hint", "claims", "request", "request_uri", "registration"}

// AuthorizationClient returns the client of an authorization request when its redirect URI is
// one the client registered, exactly. Otherwise the request cannot be answered at the redirect
// URI: the error is a problem, for an error page.
func (p *Provider) AuthorizationClient(ctx context.Context, q url.Values) (*Client, error) {
	if len(q["client_id"]) > 1 || len(q["redirect_uri"]) > 1 {
		return nil, problem.New(problem.Invalid, msgDuplicate)
	}
	c, err := p.Client(ctx, q.Get("client_id"))
	if err != nil {
		return nil, err
	}
	uri := q.Get("redirect_uri")
	if uri == "" {
		return nil, problem.New(problem.Invalid, msgNoRedirect)
	}
	if !c.HasRedirectURI(uri) {
		return nil, problem.New(problem.Invalid, msgBadRedirect)
	}
	return c, nil
}

// ParseAuthRequest checks the rest of an authorization request of client c, whose redirect
// URI is known good. Its errors are *Error, for the redirect URI.
func ParseAuthRequest(c *Client, q url.Values) (*AuthRequest, error) {
	r := &AuthRequest{ClientID: c.ID, RedirectURI: q.Get("redirect_uri"), State: q.Get("state"), MaxAge: -1}
	for _, name := range singleParams {
		if len(q[name]) > 1 {
			return r, errorf(ErrInvalidRequest, "%s is given more than once", name)
		}
	}
	switch {
	case q.Get("request") != "":
		return r, errorf(ErrRequestNotSupported, "request objects are not supported")
	case q.Get("request_uri") != "":
		return r, errorf(ErrRequestURINotSupported, "request_uri is not supported")
	case q.Get("registration") != "":
		return r, errorf(ErrRegistrationNotSupp, "registration is not supported")
	}
	if rt := q.Get("response_type"); rt != "code" {
		if rt == "" {
			return r, errorf(ErrInvalidRequest, "response_type is required")
		}
		return r, errorf(ErrUnsupportedResponseType, "only response_type=code is supported")
	}
	if m := q.Get("response_mode"); m != "" && m != "query" {
		return r, errorf(ErrInvalidRequest, "only response_mode=query is supported")
	}
	if len(r.State) > 2000 {
		return r, errorf(ErrInvalidRequest, "state is too long")
	}
	asked := strings.Fields(q.Get("scope"))
	if !slices.Contains(asked, "openid") {
		return r, errorf(ErrInvalidScope, "the openid scope is required")
	}
	for _, s := range asked {
		// Unknown scopes, and scopes the client may not ask for, are left out (RFC 6749 3.3);
		// the token response says which were granted.
		if c.AllowsScope(s) && !slices.Contains(r.Scopes, s) {
			r.Scopes = append(r.Scopes, s)
		}
	}
	r.Scopes = sortScopes(r.Scopes)
	r.Nonce = q.Get("nonce")
	if len(r.Nonce) > 500 {
		return r, errorf(ErrInvalidRequest, "nonce is too long")
	}
	r.CodeChallenge = q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	switch {
	case r.CodeChallenge == "" && c.Public:
		return r, errorf(ErrInvalidRequest, "a public client must use PKCE (code_challenge with S256)")
	case r.CodeChallenge == "" && method != "":
		return r, errorf(ErrInvalidRequest, "code_challenge_method without code_challenge")
	case r.CodeChallenge != "" && method != "S256":
		return r, errorf(ErrInvalidRequest, "code_challenge_method must be S256")
	case r.CodeChallenge != "" && !pkcePattern.MatchString(r.CodeChallenge):
		return r, errorf(ErrInvalidRequest, "code_challenge is malformed")
	}
	for _, v := range strings.Fields(q.Get("prompt")) {
		switch v {
		case "none":
			r.Prompt.None = true
		case "login", "select_account":
			// One account per browser session: choosing another is logging in again.
			r.Prompt.Login = true
		case "consent":
			r.Prompt.Consent = true
		default:
			return r, errorf(ErrInvalidRequest, "unknown prompt value %q", v)
		}
	}
	if r.Prompt.None && (r.Prompt.Login || r.Prompt.Consent) {
		return r, errorf(ErrInvalidRequest, "prompt=none cannot be combined with other values")
	}
	if s := q.Get("max_age"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return r, errorf(ErrInvalidRequest, "max_age must be a number of seconds")
		}
		r.MaxAge = n
	}
	r.LoginHint = q.Get("login_hint")
	if len(r.LoginHint) > 254 {
		r.LoginHint = ""
	}
	r.UILocales = strings.Fields(q.Get("ui_locales"))
	for _, v := range strings.Fields(q.Get("acr_values")) {
		if l := levelOf(v); l != "" && (r.MinLevel == "" || l.Rank() < r.MinLevel.Rank()) {
			r.MinLevel = l
		}
	}
	return r, nil
}

// Values returns the request as parameters, to keep it while the citizen logs in or decides
// (a stored flow) and to read it back with ParseAuthRequest.
func (r *AuthRequest) Values() url.Values {
	v := url.Values{"client_id": {r.ClientID}, "redirect_uri": {r.RedirectURI}, "response_type": {"code"},
		"scope": {strings.Join(r.Scopes, " ")}}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("state", r.State)
	set("nonce", r.Nonce)
	if r.CodeChallenge != "" {
		v.Set("code_challenge", r.CodeChallenge)
		v.Set("code_challenge_method", "S256")
	}
	var prompt []string
	if r.Prompt.None {
		prompt = append(prompt, "none")
	}
	if r.Prompt.Login {
		prompt = append(prompt, "login")
	}
	if r.Prompt.Consent {
		prompt = append(prompt, "consent")
	}
	set("prompt", strings.Join(prompt, " "))
	if r.MaxAge >= 0 {
		v.Set("max_age", strconv.Itoa(r.MaxAge))
	}
	set("login_hint", r.LoginHint)
	set("ui_locales", strings.Join(r.UILocales, " "))
	if r.MinLevel != "" {
		v.Set("acr_values", ACR(r.MinLevel))
	}
	return v
}

// sortScopes orders scopes as Scopes lists them, unknown ones last.
func sortScopes(s []string) []string {
	out := slices.Clone(s)
	slices.SortStableFunc(out, func(a, b string) int {
		ia, ib := slices.Index(Scopes, a), slices.Index(Scopes, b)
		if ia < 0 {
			ia = len(Scopes)
		}
		if ib < 0 {
			ib = len(Scopes)
		}
		return ia - ib
	})
	return slices.Compact(out)
}
