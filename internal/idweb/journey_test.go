package idweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/post"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// registry answers every check at once: the persons of persons pass.
type registry struct{ persons map[string]string } // SNILS → surname

func (r registry) Check(_ context.Context, n identity.RegistryName, q identity.PersonQuery) (identity.Answer, error) {
	if s, ok := r.persons[q.SNILS]; !ok || s != q.Surname {
		if n == identity.PensionFund {
			return identity.Answer{Ready: true, Reason: identity.ReasonNotFound}, nil
		}
	}
	return identity.Answer{Ready: true, OK: true}, nil
}

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c *client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set(web.SessionHeader, c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		c.t.Fatalf("%s %s: %d not JSON: %.300s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

func lastCode(t *testing.T, db *store.DB, to string) string { return storetest.LastCode(t, db, to) }

// The identity provider's journeys as JSON, with no browser: register with a code, log in,
// fill in the profile, be verified (the job), be told; then the operator's code confirms it.
func TestJSONJourneys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := apptest.NewClock(time.Now())
		a := apptest.Start(t, db, apptest.Options{Clock: clock, Identity: app.Identity{Registry: registry{persons: map[string]string{"11223344595": "Соколова"}}}})
		c := &client{t: t, base: a.URL}
		// Registration.
		code, f := c.do("GET", "/id/register", nil)
		if code != 200 || f["state"] != "contact" || f["kind"] != identity.RegistrationKind {
			t.Fatalf("start: %d %v", code, f)
		}
		action := f["action"].(string)
		code, f = c.do("POST", action, map[string]any{"kind": "russian", "surname": "Соколова", "given_name": "Елена", "phone": "+7 916 123-45-67"})
		if code != 200 || f["state"] != "code" {
			t.Fatalf("contact: %d %v", code, f)
		}
		code, f = c.do("POST", action, map[string]any{"code_phone": "000000"})
		if code != 422 {
			t.Fatalf("wrong code: %d %v", code, f)
		}
		code, f = c.do("POST", action, map[string]any{"code_phone": lastCode(t, db, "+79161234567")})
		if code != 200 || f["state"] != "password" {
			t.Fatalf("code: %d %v", code, f)
		}
		code, f = c.do("POST", action, map[string]any{"password": "Volga-river-2026", "password_confirm": "Volga-river-2026", "question": "Любимая книга?",
			"answer": "Дубровский", "accept_terms": true, "accept_personal_data": true})
		res, _ := f["result"].(map[string]any)
		if code != 200 || res["level"] != "simplified" || res["session_token"] == "" {
			t.Fatalf("password: %d %v", code, f)
		}
		// Login by phone.
		code, f = c.do("GET", "/id/login", nil)
		code, f = c.do("POST", f["action"].(string), map[string]any{"login": "89161234567", "password": "Volga-river-2026"})
		res, _ = f["result"].(map[string]any)
		if code != 200 || res["session_token"] == nil {
			t.Fatalf("login: %d %v", code, f)
		}
		c.token = res["session_token"].(string)
		id := res["account"].(string)
		// The profile: a bad field named, then sent; the job verifies it.
		code, f = c.do("POST", "/id/profile", map[string]any{"action": "submit", "sex": "female", "birth_date": "1985-04-12", "birth_place": "г. Москва",
			"snils": "112-233-445 96", "passport_series": "4510", "passport_number": "123456", "passport_issued_on": "2005-05-20"})
		if code != 422 || !strings.Contains(f["detail"].(string), "snils") {
			t.Fatalf("bad profile: %d %v", code, f)
		}
		code, f = c.do("POST", "/id/profile", map[string]any{"action": "submit", "sex": "female", "birth_date": "1985-04-12", "birth_place": "г. Москва",
			"snils": "112-233-445 95", "passport_series": "4510", "passport_number": "123456", "passport_issued_on": "2005-05-20"})
		if code != 200 || f["done"] != true {
			t.Fatalf("profile: %d %v", code, f)
		}
		if _, f = c.do("GET", "/id/profile", nil); f["state"] != "in_progress" {
			t.Fatalf("state: %v", f)
		}
		w, _, err := a.NewWorker(1)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n > 0; {
			if n, err = w.RunOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if _, f = c.do("GET", "/id/profile", nil); f["state"] != "verified" || f["level"] != "standard" {
			t.Fatalf("after the job: %v", f)
		}
		told := false
		for _, m := range storetest.Sent(t, db, "+79161234567") {
			told = told || strings.Contains(m.Body, "проверены")
		}
		if !told {
			t.Fatal("the citizen was not told the result")
		}
		// An operator hands over a code; the citizen types it.
		opCode, err := a.Identity.IssueOperatorCode(context.Background(), apptestOperator, id, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "mfc-moscow-1"})
		if err != nil {
			t.Fatal(err)
		}
		if code, f = c.do("POST", "/id/confirm/code", map[string]any{"code": opCode}); code != 200 {
			t.Fatalf("confirm: %d %v", code, f)
		}
		acc, _ := a.Identity.Account(context.Background(), id)
		if acc.Level != identity.Confirmed || acc.Method != identity.ServiceCenter {
			t.Fatalf("account %+v", acc)
		}
		_ = jobs.Done
	})
}

var apptestOperator = auditActor()

// The recovery (IDP-6), a registered letter (IDP-4b) and an e-signature's challenge (IDP-4c) as
// JSON, with no browser: what a native app does.
func TestJSONRecoveryAndMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := apptest.NewClock(time.Now())
		p := post.New()
		a := apptest.Start(t, db, apptest.Options{Clock: clock, Identity: app.Identity{Registry: registry{}, Post: p}})
		ctx := context.Background()
		acc, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: "Кузнецов", GivenName: "Дмитрий", Email: "d.kuznetsov@example.org",
			SNILS: "134-589-271 87", Level: identity.Standard, Password: "Volga-river-2026", Question: "Любимый город?", Answer: "Пермь"})
		if err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		// Recovery by СНИЛС: the code goes to the e-mail; a wrong answer, then the right one.
		_, f := c.do("GET", "/id/recovery", nil)
		action := f["action"].(string)
		if code, f := c.do("POST", action, map[string]any{"login": "134-589-271 87"}); code != 200 || f["state"] != "code" {
			t.Fatalf("identify: %d %v", code, f)
		}
		if code, f := c.do("POST", action, map[string]any{"code": lastCode(t, db, "d.kuznetsov@example.org")}); code != 200 || f["state"] != "answer" {
			t.Fatalf("code: %d %v", code, f)
		}
		if code, _ := c.do("POST", action, map[string]any{"answer": "Тверь"}); code != 422 {
			t.Fatalf("a wrong answer: %d", code)
		}
		if code, f := c.do("POST", action, map[string]any{"answer": "пермь"}); code != 200 || f["state"] != "new_password" {
			t.Fatalf("answer: %d %v", code, f)
		}
		if code, f := c.do("POST", action, map[string]any{"new_password": "Kama-river-2027", "new_password_confirm": "Kama-river-2027"}); code != 200 || f["result"] == nil {
			t.Fatalf("new password: %d %v", code, f)
		}
		_, f = c.do("GET", "/id/login", nil)
		if code, _ := c.do("POST", f["action"].(string), map[string]any{"login": "d.kuznetsov@example.org", "password": "Volga-river-2026"}); code != 401 {
			t.Fatalf("the old password: %d", code)
		}
		_, f = c.do("GET", "/id/login", nil)
		code, f := c.do("POST", f["action"].(string), map[string]any{"login": "d.kuznetsov@example.org", "password": "Kama-river-2027"})
		res, _ := f["result"].(map[string]any)
		if code != 200 || res["session_token"] == nil {
			t.Fatalf("login with the new password: %d %v", code, f)
		}
		c.token = res["session_token"].(string)
		// A registered letter; a second one within a month is refused; its code confirms.
		if code, f := c.do("POST", "/id/confirm/letter", map[string]any{"address": "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12"}); code != 200 {
			t.Fatalf("letter: %d %v", code, f)
		}
		if code, _ := c.do("POST", "/id/confirm/letter", map[string]any{"address": "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12"}); code != 409 {
			t.Fatalf("a second letter at once: %d", code)
		}
		if len(p.Letters()) != 1 {
			t.Fatalf("letters: %d", len(p.Letters()))
		}
		if code, f := c.do("POST", "/id/confirm/code", map[string]any{"code": sixDigits.FindString(p.Letters()[0].Text)}); code != 200 {
			t.Fatalf("the letter's code: %d %v", code, f)
		}
		if got, _ := a.Identity.Account(ctx, acc.ID); got.Level != identity.Confirmed || got.Method != identity.Mail {
			t.Fatalf("account %+v", got)
		}
	})
}
