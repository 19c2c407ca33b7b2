package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

// NUL bytes, control characters and invalid UTF-8 anywhere a user can type are refused with 422
// naming the field (401 on the login), on both engines, with no 500 and no ERROR in the log;
// paging is bounded.
func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		log := &syncBuffer{}
		a := apptest.Start(t, db, apptest.Options{Log: log})
		ctx := context.Background()
		if _, err := a.Staff.Add(ctx, sys, "ivanova", staff.RoleInspector, "", "inspector-password"); err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Staff.IssueToken(ctx, sys, "ivanova", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		sessToken, sess, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password})
		if err != nil {
			t.Fatal(err)
		}
		bearer := []string{"Authorization", "Bearer " + tok}
		cookie := []string{"Cookie", "__Host-kabinet_office=" + sessToken}
		field := func(body string) string {
			var p struct {
				Errors []struct{ Field, Message string }
			}
			json.Unmarshal([]byte(body), &p)
			if len(p.Errors) == 0 {
				return ""
			}
			return p.Errors[0].Field
		}
		for _, c := range []struct {
			method, path, body string
			header             []string
			status             int
			field              string
		}{
			{"GET", "/api/v1/taxpayers?q=%00", "", bearer, 422, "q"},
			{"GET", "/api/v1/taxpayers?q=%C3%28", "", bearer, 422, "q"},
			{"GET", "/api/v1/kio/%ff", "", bearer, 422, "path"},
			{"GET", "/api/v1/kio/%00", "", bearer, 422, "path"},
			{"GET", "/api/v1/audit?actor=%ff", "", bearer, 422, "actor"},
			{"GET", "/api/v1/audit?actor=a%1bb", "", bearer, 422, "actor"},
			{"GET", "/api/v1/taxpayers?q=&offset=1073741824", "", bearer, 422, "offset"},
			{"GET", "/office/search?q=%00", "", cookie, 422, "q"},
			{"GET", "/office/taxpayers/%ff", "", cookie, 422, "path"},
			{"POST", "/api/v1/persons", `{"surname":"Ив\u0000ан"}`, bearer, 422, "surname"},
			{"POST", "/api/v1/persons", "{\"surname\":\"\xff\xfe\"}", bearer, 422, "surname"},
			{"POST", "/api/v1/persons", `{"identity_document":{"foo":1}}`, bearer, 422, "identity_document.foo"},
			{"POST", "/api/v1/persons", `{"surname":"А","surname":"Б"}`, bearer, 422, "surname"},
			{"POST", "/api/v1/persons", `[]`, bearer, 422, "body"},
			{"POST", "/api/v1/persons", `{"birth_date":12}`, bearer, 422, "birth_date"},
			{"PATCH", "/api/v1/kio/%ff", `{}`, bearer, 422, "path"},
		} {
			h := append([]string{"Content-Type", "application/json"}, c.header...)
			resp, body := do(t, noRedirect, c.method, a.URL+c.path, strings.NewReader(c.body), h...)
			if resp.StatusCode != c.status {
				t.Errorf("%s %s %s: %d, want %d: %s", c.method, c.path, c.body, resp.StatusCode, c.status, body)
				continue
			}
			if field(body) != c.field {
				t.Errorf("%s %s %s: field %q, want %q: %s", c.method, c.path, c.body, field(body), c.field, body)
			}
			if strings.Contains(body, "%!") || strings.Contains(body, "reflect") || strings.Contains(body, "main.") {
				t.Errorf("%s %s: Go internals in the answer: %s", c.method, c.path, body)
			}
		}

		// A browser gets the error page, which names the field (by its label) and the reason.
		for _, c := range []struct{ path, field, reason string }{
			{"/office/search?q=%00", "q", "input.control"},
			{"/office/taxpayers/%ff", "path", "input.utf8"},
			{"/office/lang?lang=%00&back=/office/", "lang", "input.control"}, // «Язык», not the audit's «Дата окончания»
		} {
			resp, body := do(t, noRedirect, "GET", a.URL+c.path, nil, cookie...)
			if resp.StatusCode != 422 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("browser GET %s: %d %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
				continue
			}
			if want := i18n.T("ru", c.reason, i18n.Field(c.field)); !strings.Contains(alert(body), want) {
				t.Errorf("browser GET %s: the page does not say %q: %q", c.path, want, alert(body))
			}
			// The problem, its field on a line of its own (no link: the page has no form), and
			// what to do.
			if !strings.HasPrefix(alert(body), "Данные заполнены с ошибками") || strings.Contains(body, `<li><a href="#`) ||
				!strings.Contains(body, i18n.T("ru", "error.422")) {
				t.Errorf("browser GET %s: the error page: %s", c.path, body)
			}
			// Refused before any page saw it, the request still gets its site's error page, on
			// which the signed-in inspector keeps the menu and sign-out.
			if !strings.Contains(body, `id="logout"`) || !strings.Contains(body, `href="/office/search"`) {
				t.Errorf("browser GET %s: the error page lost the signed-in menu: %s", c.path, body)
			}
		}
		// So does an address of the back office that no page serves; one outside every site gets
		// the shared page.
		if resp, body := do(t, noRedirect, "GET", a.URL+"/office/no-such-page", nil, cookie...); resp.StatusCode != 404 || !strings.Contains(body, `id="logout"`) {
			t.Errorf("a missing back-office page: %d, signed-in menu %v", resp.StatusCode, strings.Contains(body, `id="logout"`))
		}
		if resp, body := do(t, noRedirect, "GET", a.URL+"/no-such-site/", nil, cookie...); resp.StatusCode != 404 || strings.Contains(body, `id="logout"`) {
			t.Errorf("an address outside every site: %d, signed-in menu %v", resp.StatusCode, strings.Contains(body, `id="logout"`))
		}

		// A back-office form posted by a signed-in browser with its CSRF token: a NUL byte in one
		// field refuses the whole form (422, the field named) and writes nothing; the same form
		// without it registers the person.
		person := url.Values{"csrf": {sess.CSRF}, "surname": {"Соколова"}, "given_name": {"Елена"}, "patronymic": {"Викторовна"},
			"birth_date": {"1985-04-12"}, "birth_place": {"г. Москва"}, "sex": {"female"}, "citizenship": {"RUS"},
			"document_type": {"passport_ru"}, "document_series": {"4510"}, "document_number": {"123456"}, "document_issued_on": {"2005-05-20"},
			"ground": {"residence"}, "tax_office": {"7736"}, "region": {"77"}, "city": {"Москва"}, "street": {"Ленинский\x00проспект"}, "house": {"10"}}
		form := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, cookie...)
		written := func() int {
			entries, err := db.ListAudit(ctx, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}
		before := written()
		resp, body := do(t, noRedirect, "POST", a.URL+"/office/persons", strings.NewReader(person.Encode()), form...)
		if want := i18n.T("ru", "input.control", i18n.Field("street")); resp.StatusCode != 422 || !strings.Contains(alert(body), want) {
			t.Errorf("form with a NUL byte: %d, want 422 saying %q: %q", resp.StatusCode, want, alert(body))
		}
		if n := written(); n != before {
			t.Errorf("form with a NUL byte: %d audit entries written", n-before)
		}
		// The error page of a signed-in inspector keeps the back office's menu and sign-out.
		if !strings.Contains(body, `id="logout"`) || !strings.Contains(body, `href="/office/search"`) {
			t.Errorf("form with a NUL byte: the error page lost the signed-in menu: %s", body)
		}
		if found, err := a.Register.Search(ctx, register.SearchFilter{Query: "Соколова"}); err != nil || len(found) != 0 {
			t.Errorf("form with a NUL byte: registered %v %v", found, err)
		}
		person.Set("street", "Ленинский проспект")
		resp, body = do(t, noRedirect, "POST", a.URL+"/office/persons", strings.NewReader(person.Encode()), form...)
		if resp.StatusCode != http.StatusSeeOther || written() != before+1 {
			t.Errorf("the same form without the NUL byte: %d %s", resp.StatusCode, alert(body))
		}

		// The browser's login form: a NUL byte in the login is wrong credentials (401).
		browser, action, csrf := loginForm(t, a.URL)
		for _, login := range []string{"\x00", "ivan\xffova", "\x1b[31m"} {
			form := url.Values{"csrf": {csrf}, "login": {login}, "password": {"x"}}
			resp, body := do(t, browser, "POST", a.URL+action, strings.NewReader(form.Encode()),
				"Content-Type", "application/x-www-form-urlencoded")
			if resp.StatusCode != 401 || !strings.Contains(body, "Неверный логин или пароль") {
				t.Errorf("login %q: %d", login, resp.StatusCode)
			}
		}
		if strings.Contains(log.String(), "level=ERROR") {
			t.Fatalf("errors logged:\n%s", log.String())
		}
	})
}

var (
	alertRe = regexp.MustCompile(`(?s)<div[^>]*role="alert"[^>]*>(.*?)</div>|<p[^>]*role="alert"[^>]*>(.*?)</p>`)
	tagRe   = regexp.MustCompile(`<[^>]+>`)
)

// alert returns the text of a page's alert (the problem shown above the content, with the list
// of its fields when it has one), its tags left out, or "".
func alert(page string) string {
	m := alertRe.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(tagRe.ReplaceAllString(m[1]+m[2], " ")), " ")
}

// loginForm opens the staff login page in a browser (a client with cookies) and returns it, the
// form's action (with its flow) and its CSRF token.
func loginForm(t *testing.T, base string) (browser *http.Client, action, csrf string) {
	t.Helper()
	return siteLoginForm(t, base, "/office/login")
}

// siteLoginForm opens the login page at path (its flow started) in a browser with cookies and
// returns the browser, the form's action and its CSRF token.
func siteLoginForm(t *testing.T, base, path string) (browser *http.Client, action, csrf string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser = &http.Client{Jar: jar}
	resp, page := do(t, browser, "GET", base+path, nil)
	c := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	a := regexp.MustCompile(`action="(` + regexp.QuoteMeta(path) + `\?flow=[^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || c == nil || a == nil {
		t.Fatalf("login page %s: %d %s", path, resp.StatusCode, page)
	}
	return browser, strings.ReplaceAll(a[1], "&amp;", "&"), c[1]
}

// A login form sent with a field left empty names the field — next to it, marked invalid, and
// in the summary — in the page's language, keeps the login typed, and is no attempt: no password
// hash is computed. On the back office, the identity provider and the personal account, for a
// browser and for a JSON client.
func TestLoginFieldsRequired(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	for _, path := range []string{"/office/login", "/id/login", "/lk/login"} {
		before := a.Hasher.Computed()
		browser, action, csrf := siteLoginForm(t, a.URL, path)
		form := url.Values{"csrf": {csrf}, "login": {"ivanova"}, "password": {""}}
		resp, page := do(t, browser, "POST", a.URL+action, strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alert(page), "Поле «Пароль» обязательно") ||
			!regexp.MustCompile(`<input id="password"[^>]*aria-invalid="true"`).MatchString(page) ||
			!strings.Contains(page, `<span class="error" id="password-error">Поле «Пароль» обязательно</span>`) ||
			!regexp.MustCompile(`<input id="login"[^>]*value="ivanova"`).MatchString(page) || strings.Contains(page, `id="login-error"`) {
			t.Errorf("%s, the password left empty: %d %q\n%s", path, resp.StatusCode, alert(page), page)
		}
		resp, page = do(t, browser, "POST", a.URL+action, strings.NewReader(url.Values{"csrf": {csrf}, "login": {" "}, "password": {""}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Accept-Language", "en")
		loginRequired := "Login is required" // the identity provider asks for what its login is
		if path == "/id/login" {
			loginRequired = i18n.T("en", "idp.login.required")
		}
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="login-error">`+loginRequired+`<`) ||
			!strings.Contains(page, `id="password-error">Password is required<`) {
			t.Errorf("%s, both left empty, in English: %d %q", path, resp.StatusCode, alert(page))
		}
		resp, body := do(t, http.DefaultClient, "GET", a.URL+path, nil, "Accept", "application/json")
		var f web.FlowView
		if err := json.Unmarshal([]byte(body), &f); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s as JSON: %d %s", path, resp.StatusCode, body)
		}
		resp, body = do(t, http.DefaultClient, "POST", a.URL+f.Action, strings.NewReader(`{"login":"","password":""}`),
			"Content-Type", "application/json", "Accept", "application/json")
		var out struct {
			Problem struct {
				Errors []struct{ Field, Code string }
			}
		}
		_ = json.Unmarshal([]byte(body), &out)
		if e := out.Problem.Errors; resp.StatusCode != http.StatusUnprocessableEntity || len(e) != 2 || e[0].Field != "login" || e[1].Field != "password" || e[1].Code != "required" {
			t.Errorf("%s, a JSON client: %d %s", path, resp.StatusCode, body)
		}
		if n := a.Hasher.Computed() - before; n != 0 {
			t.Errorf("%s: %d password hashes for empty fields", path, n)
		}
	}
}
