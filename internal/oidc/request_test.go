package oidc_test

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/problem"
)

// An unknown client, a missing or unregistered redirect URI (matched exactly) are problems for
// an error page: nothing is sent to an address not known good.
func TestAuthorizationClient(t *testing.T) {
	e := newEnv(t)
	e.client(oidc.NewClient{ID: "rp", RedirectURIs: []string{"https://rp.example/cb"}})
	for name, q := range map[string]url.Values{
		"unknown client":      {"client_id": {"nobody"}, "redirect_uri": {"https://rp.example/cb"}},
		"no client":           {"redirect_uri": {"https://rp.example/cb"}},
		"no redirect":         {"client_id": {"rp"}},
		"another path":        {"client_id": {"rp"}, "redirect_uri": {"https://rp.example/cb/"}},
		"a query added":       {"client_id": {"rp"}, "redirect_uri": {"https://rp.example/cb?x=1"}},
		"another host":        {"client_id": {"rp"}, "redirect_uri": {"https://evil.example/cb"}},
		"upper case":          {"client_id": {"rp"}, "redirect_uri": {"https://RP.example/cb"}},
		"two redirect URIs":   {"client_id": {"rp"}, "redirect_uri": {"https://rp.example/cb", "https://evil.example/"}},
		"two client ids":      {"client_id": {"rp", "rp"}, "redirect_uri": {"https://rp.example/cb"}},
		"a fragment appended": {"client_id": {"rp"}, "redirect_uri": {"https://rp.example/cb#x"}},
	} {
		_, err := e.p.AuthorizationClient(e.ctx, q)
		if _, isProblem := problem.As(err); !isProblem {
			t.Errorf("%s: %v", name, err)
		}
	}
	if c, err := e.p.AuthorizationClient(e.ctx, url.Values{"client_id": {"rp"}, "redirect_uri": {"https://rp.example/cb"}}); err != nil || c.ID != "rp" {
		t.Fatal(err)
	}
}

// The request's rules once the redirect URI is good: code only, openid required, PKCE S256
// only (required of public clients), prompt, max_age, acr_values as a minimum, scopes limited
// to the client's, no parameter twice, no request objects.
func TestParseAuthRequest(t *testing.T) {
	e := newEnv(t)
	conf, _ := e.client(oidc.NewClient{ID: "conf", Scopes: []string{"openid", "profile", "snils"}})
	pub, _ := e.client(oidc.NewClient{ID: "pub", Public: true})
	_, challenge := pkce()
	base := func(c *oidc.Client, kv ...string) url.Values {
		q := url.Values{"client_id": {c.ID}, "redirect_uri": {c.RedirectURIs[0]}, "response_type": {"code"}, "scope": {"openid"}, "state": {"st"}}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	for _, tc := range []struct {
		name string
		c    *oidc.Client
		q    url.Values
		want string
	}{
		{"token flow", conf, base(conf, "response_type", "token"), oidc.ErrUnsupportedResponseType},
		{"hybrid flow", conf, base(conf, "response_type", "code id_token"), oidc.ErrUnsupportedResponseType},
		{"no response type", conf, base(conf, "response_type", ""), oidc.ErrInvalidRequest},
		{"no openid", conf, base(conf, "scope", "profile"), oidc.ErrInvalidScope},
		{"public without PKCE", pub, base(pub), oidc.ErrInvalidRequest},
		{"plain PKCE", pub, base(pub, "code_challenge", challenge, "code_challenge_method", "plain"), oidc.ErrInvalidRequest},
		{"PKCE without method", pub, base(pub, "code_challenge", challenge), oidc.ErrInvalidRequest},
		{"short challenge", pub, base(pub, "code_challenge", "abc", "code_challenge_method", "S256"), oidc.ErrInvalidRequest},
		{"prompt none and login", conf, base(conf, "prompt", "none login"), oidc.ErrInvalidRequest},
		{"unknown prompt", conf, base(conf, "prompt", "create"), oidc.ErrInvalidRequest},
		{"bad max_age", conf, base(conf, "max_age", "-1"), oidc.ErrInvalidRequest},
		{"request object", conf, base(conf, "request", "eyJ.x.y"), oidc.ErrRequestNotSupported},
		{"request_uri", conf, base(conf, "request_uri", "https://x"), oidc.ErrRequestURINotSupported},
		{"form_post", conf, base(conf, "response_mode", "form_post"), oidc.ErrInvalidRequest},
		{"two states", conf, func() url.Values { q := base(conf); q.Add("state", "b"); return q }(), oidc.ErrInvalidRequest},
		{"a good confidential request", conf, base(conf), ""},
		{"a good public request", pub, base(pub, "code_challenge", challenge, "code_challenge_method", "S256"), ""},
	} {
		r, err := oidc.ParseAuthRequest(tc.c, tc.q)
		if got := errCode(err); got != tc.want {
			t.Errorf("%s: %q (%v), want %q", tc.name, got, err, tc.want)
		}
		if r == nil || r.State != "st" {
			t.Errorf("%s: the state is not kept for the redirect", tc.name)
		}
	}
	r, err := oidc.ParseAuthRequest(conf, base(conf, "scope", "email profile openid snils unknown offline_access profile", "prompt", "login consent",
		"max_age", "300", "acr_values", "urn:kabinet:level:confirmed urn:kabinet:level:standard urn:other", "ui_locales", "en-GB ru", "login_hint", "+79161234567",
		"nonce", "n-1"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(r.Scopes, " ") != "openid profile snils" || !r.Prompt.Login || !r.Prompt.Consent || r.Prompt.None || r.MaxAge != 300 ||
		r.MinLevel != identity.Standard || !slices.Equal(r.UILocales, []string{"en-GB", "ru"}) || r.LoginHint != "+79161234567" || r.Nonce != "n-1" {
		t.Fatalf("parsed: %+v", r)
	}
	// What is kept while the citizen logs in reads back the same.
	again, err := oidc.ParseAuthRequest(conf, r.Values())
	if err != nil {
		t.Fatal(err)
	}
	if again.MinLevel != r.MinLevel || !slices.Equal(again.Scopes, r.Scopes) || again.Prompt != r.Prompt || again.MaxAge != 300 || again.State != r.State {
		t.Fatalf("round trip: %+v", again)
	}
	if r, _ := oidc.ParseAuthRequest(conf, base(conf, "acr_values", "urn:other")); r.MinLevel != "" {
		t.Fatalf("unknown acr values ask for a level: %q", r.MinLevel)
	}
}

// The decision: log in when nobody is signed in, when prompt=login asks again, when the
// authentication is older than max_age; the level page below acr_values; consent when the
// scopes were not allowed before (remembered per client and set of scopes) or prompt=consent;
// a trusted client without consent; with prompt=none, the error instead of any page.
func TestDecide(t *testing.T) {
	e := newEnv(t)
	rp, _ := e.client(oidc.NewClient{ID: "rp"})
	lk, _ := e.client(oidc.NewClient{ID: "lk", Trusted: true})
	std := e.account(identity.Standard, "")
	in := e.signIn(std)
	requested := e.clock.Now()
	decide := func(c *oidc.Client, extra url.Values, in *oidc.SignIn, a *identity.Account) oidc.Decision {
		t.Helper()
		d, err := e.p.Decide(e.ctx, c, e.request(c, extra), in, a, requested)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := decide(rp, nil, nil, nil); d.Step != oidc.StepLogin {
		t.Fatalf("signed out: %+v", d)
	}
	if d := decide(rp, url.Values{"prompt": {"none"}}, nil, nil); d.Step != oidc.StepError || d.Err.Code != oidc.ErrLoginRequired {
		t.Fatalf("prompt=none signed out: %+v", d)
	}
	d := decide(rp, nil, in, std)
	if d.Step != oidc.StepConsent || strings.Join(d.Ask, " ") != "openid profile" || len(d.New) != 2 {
		t.Fatalf("first time: %+v", d)
	}
	if d := decide(rp, url.Values{"prompt": {"none"}}, in, std); d.Step != oidc.StepError || d.Err.Code != oidc.ErrConsentRequired {
		t.Fatalf("prompt=none without consent: %+v", d)
	}
	if err := e.p.Allow(e.ctx, std.ID, rp.ID, d.Ask); err != nil {
		t.Fatal(err)
	}
	if d := decide(rp, nil, in, std); d.Step != oidc.StepIssue {
		t.Fatalf("allowed before: %+v", d)
	}
	if d := decide(rp, url.Values{"scope": {"openid"}}, in, std); d.Step != oidc.StepIssue {
		t.Fatalf("fewer scopes than allowed: %+v", d)
	}
	if d := decide(rp, url.Values{"scope": {"openid profile snils"}}, in, std); d.Step != oidc.StepConsent || strings.Join(d.New, " ") != "snils" {
		t.Fatalf("a scope more: %+v", d)
	}
	if d := decide(rp, url.Values{"prompt": {"consent"}}, in, std); d.Step != oidc.StepConsent {
		t.Fatalf("prompt=consent: %+v", d)
	}
	if d := decide(lk, nil, in, std); d.Step != oidc.StepIssue {
		t.Fatalf("trusted: %+v", d)
	}
	// prompt=login: an authentication from before the request is not enough.
	e.clock.Add(10 * time.Second)
	requested = e.clock.Now()
	if d := decide(rp, url.Values{"prompt": {"login"}}, in, std); d.Step != oidc.StepLogin {
		t.Fatalf("prompt=login: %+v", d)
	}
	fresh := e.signIn(std)
	if d := decide(rp, url.Values{"prompt": {"login"}}, fresh, std); d.Step != oidc.StepIssue {
		t.Fatalf("prompt=login after logging in: %+v", d)
	}
	// max_age.
	if d := decide(rp, url.Values{"max_age": {"5"}}, in, std); d.Step != oidc.StepLogin {
		t.Fatalf("max_age exceeded: %+v", d)
	}
	if d := decide(rp, url.Values{"max_age": {"5"}, "prompt": {"none"}}, in, std); d.Step != oidc.StepError || d.Err.Code != oidc.ErrLoginRequired {
		t.Fatalf("max_age exceeded, prompt=none: %+v", d)
	}
	if d := decide(rp, url.Values{"max_age": {"60"}}, in, std); d.Step != oidc.StepIssue {
		t.Fatalf("within max_age: %+v", d)
	}
	// acr_values is a minimum (IDP-2).
	if d := decide(rp, url.Values{"acr_values": {oidc.ACR(identity.Confirmed)}}, in, std); d.Step != oidc.StepLevel {
		t.Fatalf("below the level: %+v", d)
	}
	if d := decide(rp, url.Values{"acr_values": {oidc.ACR(identity.Confirmed)}, "prompt": {"none"}}, in, std); d.Step != oidc.StepError ||
		d.Err.Code != oidc.ErrInteractionRequired {
		t.Fatalf("below the level, prompt=none: %+v", d)
	}
	if d := decide(rp, url.Values{"acr_values": {oidc.ACR(identity.Simplified)}}, in, std); d.Step != oidc.StepIssue {
		t.Fatalf("above the level asked: %+v", d)
	}
	conf := e.account(identity.Confirmed, identity.Mail)
	if d := decide(lk, url.Values{"acr_values": {oidc.ACR(identity.Confirmed)}}, e.signIn(conf), conf); d.Step != oidc.StepIssue {
		t.Fatalf("at the level: %+v", d)
	}
}

// FuzzParseAuthRequest: any query of an authorization request is answered without a panic,
// refused with an *Error for the redirect URI, or accepted within the rules — the client's
// scopes only, in the provider's order, openid among them; PKCE well formed (and present for a
// public client); prompt=none alone; the bounded lengths — and an accepted request, kept as
// its Values while the citizen logs in, reads back as itself.
func FuzzParseAuthRequest(f *testing.F) {
	clients := []*oidc.Client{
		{ID: "conf", RedirectURIs: []string{"https://rp.example/cb"}, Scopes: []string{"openid", "profile", "snils", "offline_access"}},
		{ID: "pub", RedirectURIs: []string{"http://127.0.0.1:5173/cb"}, Public: true, Scopes: oidc.Scopes},
	}
	_, challenge := pkce()
	f.Add(false, "response_type=code&scope=openid+profile&state=st&nonce=n&redirect_uri=https%3A%2F%2Frp.example%2Fcb")
	f.Add(true, "response_type=code&scope=snils+openid+openid+email&code_challenge="+challenge+"&code_challenge_method=S256&prompt=login+consent&max_age=0&ui_locales=ru+en")
	f.Add(false, "response_type=code&scope=openid&acr_values=urn:kabinet:level:confirmed+urn:kabinet:level:standard&login_hint=%2B79161234567&prompt=none")
	f.Add(false, "response_type=code+id_token&scope=openid&max_age=-1&code_challenge_method=plain")
	f.Add(true, "response_type=code&scope=openid&scope=openid&request=x&response_mode=fragment&max_age=%2B5")
	f.Fuzz(func(t *testing.T, public bool, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		c := clients[0]
		if public {
			c = clients[1]
		}
		r, err := oidc.ParseAuthRequest(c, q)
		if err != nil {
			var e *oidc.Error
			if !errors.As(err, &e) || e.Code == "" || e.Description == "" {
				t.Fatalf("%q: %v is no error for the redirect URI", raw, err)
			}
			return
		}
		if !slices.Contains(r.Scopes, "openid") || r.Scopes[0] != "openid" {
			t.Errorf("%q: scopes %q", raw, r.Scopes)
		}
		for i, s := range r.Scopes {
			if !c.AllowsScope(s) || slices.Contains(r.Scopes[:i], s) || (i > 0 && slices.Index(oidc.Scopes, r.Scopes[i-1]) > slices.Index(oidc.Scopes, s)) {
				t.Errorf("%q: scopes %q", raw, r.Scopes)
			}
		}
		if (c.Public && r.CodeChallenge == "") || (r.CodeChallenge != "" && (len(r.CodeChallenge) < 43 || len(r.CodeChallenge) > 128)) {
			t.Errorf("%q: code challenge %q", raw, r.CodeChallenge)
		}
		if r.Prompt.None && (r.Prompt.Login || r.Prompt.Consent) {
			t.Errorf("%q: prompt %+v", raw, r.Prompt)
		}
		if r.MaxAge < -1 || len(r.State) > 2000 || len(r.Nonce) > 500 || len(r.LoginHint) > 254 {
			t.Errorf("%q: %+v", raw, r)
		}
		back, err := oidc.ParseAuthRequest(c, r.Values())
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Errorf("%q: read back as %+v, %v; was %+v", raw, back, err, r)
		}
	})
}
