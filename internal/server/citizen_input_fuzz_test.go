package server_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// citizenRoute is a page or endpoint a citizen's browser or program reaches.
type citizenRoute struct {
	method, path string // {seg} in the path takes a path segment of the input
	site         string // "id", "lk" or "office": the site whose session the request carries when the input is signed in
	client       bool   // a POST of the OpenID Connect provider, sent with the test client's Basic authentication
	bearer       bool   // the input's body is sent as the bearer token instead
	staff        bool   // the register's JSON API: an administrator's API token, the body sent as JSON
}

// citizenRoutes are the pages and endpoints of the identity provider, the personal account (its
// Kyrgyz pages and mobile API too), the OpenID Connect provider, the extract check and the back
// office: whatever anyone can type reaches them. Each is "METHOD path", then "@site" for a page
// with a session (an administrator's in the back office), "+client" for client authentication,
// "+bearer" for a bearer token, "+staff" for the register's JSON API with an administrator's API
// token. {tin} and {account} are the target's taxpayer and citizen, or the input's segment when it
// has one.
var citizenRoutes = routesOf(
	"GET /id/ @id", "GET /id/login", "POST /id/login",
	"GET /id/register", "POST /id/register", "GET /id/recovery",
	"POST /id/recovery", "GET /id/profile @id", "POST /id/profile @id",
	"GET /id/confirm @id", "POST /id/confirm/code @id", "POST /id/confirm/letter @id",
	"GET /id/confirm/esign/challenge @id", "POST /id/confirm/esign @id", "GET /id/settings @id",
	"POST /id/settings/password @id", "POST /id/settings/services @id", "POST /id/settings/sessions @id",
	"GET /id/services", "GET /id/centres", "GET /id/terms",
	"GET /id/authorize @id", "POST /id/authorize @id", "GET /id/end-session @id",
	"POST /id/end-session @id", "GET /lk/ @lk", "GET /lk/login",
	"POST /lk/login", "GET /lk/apply", "POST /lk/apply",
	"GET /lk/apply/{seg}", "GET /lk/esign/challenge", "POST /lk/esign",
	"GET /lk/recovery", "POST /lk/recovery", "GET /lk/recovery/link",
	"POST /lk/recovery/link", "GET /lk/register", "POST /lk/register/password",
	"POST /lk/register/status", "GET /lk/oidc/callback", "GET /lk/oidc/refused/{seg}",
	"POST /lk/oidc/password @lk", "GET /lk/extract @lk", "GET /lk/representatives @lk",
	"POST /lk/acting @lk", "GET /lk/settings @lk", "POST /lk/settings/password @lk",
	"POST /lk/settings/recovery @lk", "POST /lk/settings/email @lk", "POST /lk/settings/email/confirm @lk",
	"POST /lk/settings/phone @lk", "POST /lk/settings/phone/confirm @lk", "POST /lk/settings/sessions @lk",
	"POST /api/mobile/v1/login", "POST /api/mobile/v1/token", "GET /api/mobile/v1/profile +bearer",
	"GET /oidc/authorize @id", "POST /oidc/token +client", "POST /oidc/token",
	"GET /oidc/userinfo +bearer", "POST /oidc/revoke +client", "POST /oidc/introspect +client",
	"GET /oidc/logout @id", "GET /verify/extract", "GET /verify/extract/{seg}", "GET /lang",
	"GET /office/ @office", "GET /office/login", "POST /office/login",
	"GET /office/search @office", "GET /office/taxpayers/{tin} @office", "GET /office/taxpayers/{tin}/edit @office",
	"POST /office/taxpayers/{tin}/edit @office", "POST /office/taxpayers/{tin}/deregister @office", "POST /office/taxpayers/{tin}/duplicate @office",
	"GET /office/taxpayers/{tin}/extract @office", "POST /office/persons @office", "POST /office/organizations @office",
	"POST /office/foreign @office", "GET /office/reviews @office", "POST /office/reviews/{seg} @office",
	"GET /office/audit @office", "GET /office/cards @office", "GET /office/cards/{tin} @office",
	"POST /office/cards/{tin}/issue @office", "POST /office/cards/{tin}/pdf @office", "POST /office/cards/{tin}/recovery @office",
	"POST /office/cards/{tin}/representatives @office", "POST /office/cards/{tin}/representatives/{seg}/revoke @office",
	"GET /office/applications @office", "GET /office/applications/{seg} @office", "POST /office/applications/{seg}/approve @office",
	"POST /office/applications/{seg}/refuse @office", "GET /office/accounts @office", "GET /office/accounts/{account} @office",
	"POST /office/accounts/{account}/confirm @office", "GET /office/access @office", "POST /office/access/{tin} @office",
	"GET /office/registrations @office", "GET /office/registrations/{seg} @office", "POST /office/registrations/{seg}/approve @office",
	"GET /api/v1/numbers/{seg}/{tin}", "POST /api/v1/persons +staff", "POST /api/v1/organizations +staff",
	"POST /api/v1/foreign-organizations +staff", "GET /api/v1/taxpayers +staff", "GET /api/v1/taxpayers/{tin} +staff",
	"PATCH /api/v1/taxpayers/{tin} +staff", "POST /api/v1/taxpayers/{tin}/kpp +staff", "POST /api/v1/taxpayers/{tin}/deregistration +staff",
	"POST /api/v1/taxpayers/{tin}/duplicate-of +staff", "GET /api/v1/taxpayers/{tin}/extract +staff", "GET /api/v1/reviews +staff",
	"GET /api/v1/reviews/{seg} +staff", "POST /api/v1/reviews/{seg}/decision +staff", "GET /api/v1/kio +staff",
	"GET /api/v1/kio/{seg} +staff", "PATCH /api/v1/kio/{seg} +staff", "GET /api/v1/offices +staff", "GET /api/v1/audit +staff",
)

// routeIndex returns the index in citizenRoutes of "METHOD path" (the first such route).
func routeIndex(route string) int {
	for i, r := range citizenRoutes {
		if r.method+" "+r.path == route {
			return i
		}
	}
	panic("no route " + route)
}

func routesOf(specs ...string) []citizenRoute {
	out := make([]citizenRoute, len(specs))
	for i, spec := range specs {
		f := strings.Fields(spec)
		r := citizenRoute{method: f[0], path: f[1]}
		for _, o := range f[2:] {
			switch {
			case strings.HasPrefix(o, "@"):
				r.site = o[1:]
			case o == "+client":
				r.client = true
			case o == "+bearer":
				r.bearer = true
			case o == "+staff":
				r.staff = true
			}
		}
		out[i] = r
	}
	return out
}

// citizenTarget is a running application with a citizen of the identity provider, a taxpayer of
// the personal account and an OpenID Connect client.
type citizenTarget struct {
	name     string
	a        *apptest.App
	log      *syncBuffer
	account  string // the citizen's account id
	tin      string // the taxpayer's ТИН ("" when the profile has none made here)
	secret   string // the client's secret
	apiToken string // the administrator's API token
	verifier string
}

func newCitizenTarget(f *testing.F, name string, db *store.DB, profile jurisdiction.Profile) *citizenTarget {
	ctx := context.Background()
	log := &syncBuffer{}
	a := apptest.Start(f, db, apptest.Options{Log: log, Profile: profile})
	t := &citizenTarget{name: name, a: a, log: log}
	sys := audit.Actor{Login: "fuzz", Role: "system"}
	if _, err := a.Staff.Add(ctx, sys, "fuzz-admin", staff.RoleAdmin, "Администратор", "fuzz-admin-password"); err != nil {
		f.Fatal(err)
	}
	var err error
	if t.apiToken, _, err = a.Staff.IssueToken(ctx, sys, "fuzz-admin", 24*time.Hour); err != nil {
		f.Fatal(err)
	}
	if profile.Code != jurisdiction.RU {
		return t // the Kyrgyz profile has neither the identity provider nor the register's persons made here
	}
	acc, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: "Соколова", GivenName: "Анна", Phone: "+79161234567", Email: "anna@example.ru",
		SNILS: "112-233-445 95", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), Level: identity.Confirmed, Method: identity.ServiceCenter,
		Password: "Volga-river-2026"})
	if err != nil {
		f.Fatal(err)
	}
	t.account = acc.ID
	if _, t.secret, err = a.OIDC.AddClient(ctx, oidc.NewClient{ID: "rp", Name: "Сервис", RedirectURIs: []string{"https://rp.example/cb"}}); err != nil {
		f.Fatal(err)
	}
	t.tin = cabinetTaxpayer(f, a)
	return t
}

// send sends one input to route: segment fills {seg}, query follows the path, body is posted as
// a form (the CSRF token added) or as JSON. A POST to a page with a stored flow gets the flow
// its GET starts. It returns the status, or 0 when the input makes no request at all.
func (t *citizenTarget) send(ctx context.Context, r citizenRoute, signedIn bool, segment, query, body string, asJSON bool) (int, string, error) {
	const csrf = "fuzz-csrf-token-0123456789abcdefghijklmnop"
	cookies := []*http.Cookie{{Name: "__Host-kabinet_id_csrf", Value: csrf}, {Name: "__Host-kabinet_lk_csrf", Value: csrf},
		{Name: "__Host-kabinet_office_csrf", Value: csrf}}
	token := csrf
	subject, assurance := t.account, string(identity.Confirmed)
	switch r.site {
	case "lk":
		subject, assurance = t.tin, string(cabinet.FromCard)
	case "office":
		subject, assurance = "fuzz-admin", string(staff.RoleAdmin)
	}
	if signedIn && r.site != "" && subject != "" {
		tok, s, err := t.a.Sessions.Start(ctx, session.Start{Site: r.site, Subject: subject, Method: session.Password, Assurance: assurance})
		if err != nil {
			return 0, "", err
		}
		cookies = append(cookies, &http.Cookie{Name: "__Host-kabinet_" + r.site, Value: tok})
		token = s.CSRF
	}
	tin, account := t.tin, t.account
	if segment != "" {
		tin, account = segment, segment
	}
	path := strings.NewReplacer("{seg}", url.PathEscape(segment), "{tin}", url.PathEscape(tin), "{account}", url.PathEscape(account)).Replace(r.path)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, u string, body io.Reader, header http.Header) (*http.Response, string, error) {
		req, err := http.NewRequestWithContext(ctx, method, u, body)
		if err != nil {
			return nil, "", nil // not a request anyone can send
		}
		for k, v := range header {
			req.Header[k] = v
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := client.Do(req)
		if err != nil && strings.Contains(err.Error(), "invalid header field") {
			return nil, "", nil // the server refuses such a header before kabinet sees it
		}
		if err != nil {
			return nil, "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b), nil
	}
	target := t.a.URL + path
	if query != "" {
		target += "?" + query
	}
	if r.staff {
		// The register's JSON API: the token in the header, a body sent as it is, as JSON.
		header := http.Header{"Authorization": {"Bearer " + t.apiToken}, "Accept": {"application/json"}}
		var in io.Reader
		if r.method != "GET" {
			header.Set("Content-Type", "application/json")
			in = strings.NewReader(body)
		}
		resp, page, err := do(r.method, target, in, header)
		if resp == nil {
			return 0, "", err
		}
		return resp.StatusCode, page, nil
	}
	if r.method == "GET" {
		var header http.Header
		if r.bearer {
			header = http.Header{"Authorization": {"Bearer " + body}}
		}
		resp, page, err := do("GET", target, nil, header)
		if resp == nil {
			return 0, "", err
		}
		return resp.StatusCode, page, nil
	}
	// The page's GET starts its flow: the POST goes where it sends the browser.
	if resp, _, err := do("GET", t.a.URL+path, nil, nil); err != nil {
		return 0, "", err
	} else if resp != nil {
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil && loc.Query().Get("flow") != "" && loc.Path == path {
			target = t.a.URL + path + "?flow=" + url.QueryEscape(loc.Query().Get("flow"))
			if query != "" {
				target += "&" + query
			}
		}
	}
	header := http.Header{"X-Csrf-Token": {token}, "Content-Type": {"application/x-www-form-urlencoded"}}
	if asJSON {
		header.Set("Content-Type", "application/json")
		header.Set("Accept", "application/json")
	} else {
		body = "csrf=" + url.QueryEscape(token) + "&" + body
	}
	if r.client {
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("rp:"+url.QueryEscape(t.secret))))
	}
	resp, page, err := do("POST", target, strings.NewReader(body), header)
	if resp == nil {
		return 0, "", err
	}
	return resp.StatusCode, page, nil
}

// FuzzCitizenRequests sends what anyone can type — a path segment, a query, a form or a JSON
// body — to every page and endpoint citizens, inspectors and their programs reach (citizenRoutes,
// the register's JSON API with an administrator's token among them), signed in or not, with a
// good CSRF token and a live flow so that the input reaches the forms' checks, on SQLite and
// PostgreSQL and under the Kyrgyz profile: no answer is a 5xx, no ERROR is logged, and no page
// shows Go's formatting of a bad value.
func FuzzCitizenRequests(f *testing.F) {
	for _, s := range []struct {
		route                string // "METHOD path" of citizenRoutes
		signedIn             bool
		segment, query, form string
		asJSON               bool
	}{
		{"POST /id/login", false, "", "", "login=%2B79161234567&password=Volga-river-2026", false},
		{"POST /id/login", false, "", "", "login=%00&password=%FF", false},
		{"POST /id/register", false, "", "", "kind=russian&surname=%D0%98&given_name=x&phone=89161234567&email=a%40b&password=1&password_confirm=2", false},
		{"POST /id/register", false, "", "", `{"kind":"russian","surname":"\u0000","phone":12}`, true},
		{"POST /id/profile", true, "", "", "surname=%D0%98&birth_date=31.02.1985&passport_series=45%0010&passport_issued_on=9999-99-99&snils=1", false},
		{"POST /id/profile", true, "", "", `{"birth_date":"1985-04-12","passport":{"series":"4510","number":"12345"},"vehicles":[{}]}`, true},
		{"GET /id/confirm/esign/challenge", true, "", "", "", false},
		{"POST /id/settings/password", true, "", "", "current_password=x&new_password=%E2%80%8B&new_password_confirm=y", false},
		{"GET /oidc/authorize", true, "", "response_type=code&client_id=rp&redirect_uri=https%3A%2F%2Frp.example%2Fcb&scope=openid&max_age=99999999999999999999", "", false},
		{"POST /lk/apply", false, "", "", "surname=&birth_date=0000-00-00&phone=%2B7&email=%40&document_type=passport_ru", false},
		{"GET /lk/apply/{seg}", false, "2026-000001", "", "", false},
		{"GET /lk/oidc/refused/{seg}", false, "not-a-reason", "", "", false},
		{"POST /lk/settings/password", true, "", "", "new_password=Aa1!aaa&new_password_confirm=Aa1!aaa&current_password=%00", false},
		{"POST /api/mobile/v1/login", false, "", "", `{"login":"00000000000000","password":"x","accept_offer":"yes"}`, true},
		{"POST /oidc/token", false, "", "", "grant_type=authorization_code&code=%FF&redirect_uri=https%3A%2F%2Frp.example%2Fcb&code_verifier=x", false},
		{"POST /oidc/token", false, "", "", "grant_type=refresh_token&refresh_token=a.b.c", false},
		{"GET /oidc/userinfo", false, "", "", "eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiIxIn0.c2ln", false},
		{"GET /api/mobile/v1/profile", false, "", "", "\x00", false},
		{"POST /oidc/revoke", false, "", "", "token=eyJhbGciOiJub25lIn0.e30.&token_type_hint=access_token", false},
		{"GET /oidc/logout", true, "", "id_token_hint=eyJhbGciOiJFUzI1NiJ9.e30.AAAA&post_logout_redirect_uri=javascript%3Aalert(1)&client_id=rp", "", false},
		{"GET /verify/extract/{seg}", false, "%ff%00", "", "", false},
		{"GET /office/search", true, "", "q=%D0%98%D0%B2%00&kind=person", "", false},
		{"POST /office/persons", true, "", "", "surname=%D0%98&birth_date=1985-02-30&sex=x&citizenship=ZZZ&document_type=passport_ru&document_series=%00&tax_office=99999&region=7", false},
		{"POST /office/taxpayers/{tin}/edit", true, "", "", "surname=&version=-1&kpp_ground=x", false},
		{"POST /office/cards/{tin}/issue", true, "", "", "came=representative&attorney_shown=1&valid_until=2020-13-01", false},
		{"GET /office/accounts", true, "", "snils=112-233-445%2095&passport=45%2010", "", false},
		{"POST /office/accounts/{account}/confirm", true, "", "", "confirmed=yes&passport_shown=&snils_shown=1", false},
		{"GET /office/audit", true, "", "from=2026-13-45&to=x&actor=%FF", "", false},
		{"POST /office/login", false, "", "", "login=fuzz-admin&password=%00", false},
		{"GET /api/v1/numbers/{seg}/{tin}", false, "inn", "", "", false},
		{"POST /api/v1/persons", false, "", "", `{"surname":"\u0000","birth_date":"1985-02-30","sex":"x","document":{"type":"passport_ru","series":"45"},"tax_office":"77"}`, true},
		{"POST /api/v1/organizations", false, "", "", `{"full_name":"ООО","ogrn":"1","kpp_ground":9,"address":[]}`, true},
		{"GET /api/v1/taxpayers", false, "", "q=%00&offset=1073741824&limit=-1", "", false},
		{"PATCH /api/v1/taxpayers/{tin}", false, "", "", `{"version":"x","surname":null}`, true},
		{"POST /api/v1/taxpayers/{tin}/deregistration", false, "", "", `{"reason":"\uffff","date":"0000-01-01"}`, true},
		{"GET /api/v1/kio/{seg}", false, "%ff", "", "", false},
		{"GET /api/v1/audit", false, "", "actor=%ff&from=x&limit=1e9", "", false},
	} {
		f.Add(routeIndex(s.route), s.signedIn, s.segment, s.query, s.form, s.asJSON)
	}
	targets := []*citizenTarget{
		newCitizenTarget(f, "sqlite", storetest.SQLite(f), jurisdiction.MustLookup(jurisdiction.RU)),
		newCitizenTarget(f, "postgres", storetest.Postgres(f), jurisdiction.MustLookup(jurisdiction.RU)),
		newCitizenTarget(f, "kg", storetest.SQLite(f), jurisdiction.MustLookup(jurisdiction.KG)),
	}
	f.Fuzz(func(t *testing.T, route int, signedIn bool, segment, query, body string, asJSON bool) {
		if route < 0 {
			route = -route
		}
		r := citizenRoutes[route%len(citizenRoutes)]
		for _, tg := range targets {
			status, page, err := tg.send(t.Context(), r, signedIn, segment, query, body, asJSON)
			if err != nil {
				t.Fatalf("%s %s %s: %v", tg.name, r.method, r.path, err)
			}
			if status >= 500 {
				t.Fatalf("%s %s %s (segment %q, query %q, body %q): %d %.500s", tg.name, r.method, r.path, segment, query, body, status, page)
			}
			if strings.Contains(page, "%!") {
				t.Fatalf("%s %s %s: Go's formatting of a bad value on the page: %.500s", tg.name, r.method, r.path, page)
			}
			if l := tg.log.String(); strings.Contains(l, "level=ERROR") {
				t.Fatalf("%s %s %s (segment %q, query %q, body %q): logged an error:\n%s", tg.name, r.method, r.path, segment, query, body, lastLines(l, 5))
			}
		}
	})
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
