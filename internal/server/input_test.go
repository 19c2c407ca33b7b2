package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
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
		sess, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password})
		if err != nil {
			t.Fatal(err)
		}
		bearer := []string{"Authorization", "Bearer " + tok}
		cookie := []string{"Cookie", "__Host-kabinet_office=" + sess}
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
			{"GET", "/office/search?q=%00", "", cookie, 422, ""},
			{"GET", "/office/taxpayers/%ff", "", cookie, 422, ""},
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
			if c.field != "" && field(body) != c.field {
				t.Errorf("%s %s %s: field %q, want %q: %s", c.method, c.path, c.body, field(body), c.field, body)
			}
			if strings.Contains(body, "%!") || strings.Contains(body, "reflect") || strings.Contains(body, "main.") {
				t.Errorf("%s %s: Go internals in the answer: %s", c.method, c.path, body)
			}
		}
		// The browser's login form: a NUL byte in the login is wrong credentials (401).
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar}
		resp, page := do(t, browser, "GET", a.URL+"/office/login", nil)
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
		action := regexp.MustCompile(`action="(/office/login\?flow=[^"]+)"`).FindStringSubmatch(page)
		if resp.StatusCode != 200 || csrf == nil || action == nil {
			t.Fatalf("login page: %d %s", resp.StatusCode, page)
		}
		for _, login := range []string{"\x00", "ivan\xffova", "\x1b[31m"} {
			form := url.Values{"csrf": {csrf[1]}, "login": {login}, "password": {"x"}}
			resp, body := do(t, browser, "POST", a.URL+strings.ReplaceAll(action[1], "&amp;", "&"), strings.NewReader(form.Encode()),
				"Content-Type", "application/x-www-form-urlencoded")
			if resp.StatusCode != 401 || !strings.Contains(body, "Неверный логин или пароль") {
				t.Errorf("login %q: %d", login, resp.StatusCode)
			}
		}
		if strings.Contains(log.String(), "level=ERROR") {
			t.Fatalf("errors logged:\n%s", log.String())
		}
		_ = io.Discard
	})
}
