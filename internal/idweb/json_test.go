package idweb_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/gostoracle"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/post"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// login logs the client in by login and password (a JSON login flow) and keeps the token.
func (c *client) login(login, pw string) {
	c.t.Helper()
	c.token = ""
	_, f := c.do("GET", "/id/login", nil)
	code, f := c.do("POST", f["action"].(string), map[string]any{"login": login, "password": pw})
	res, _ := f["result"].(map[string]any)
	if code != 200 || res["session_token"] == nil {
		c.t.Fatalf("login %s: %d %v", login, code, f)
	}
	c.token = res["session_token"].(string)
}

// refusing answers like the registries: the persons of persons pass, the passports of invalid
// are declared invalid by the migration service.
type refusing struct {
	registry
	invalid map[string]bool // series+number
}

func (r refusing) Check(ctx context.Context, n identity.RegistryName, q identity.PersonQuery) (identity.Answer, error) {
	if n == identity.Migration && r.invalid[q.Passport.Series+q.Passport.Number] {
		return identity.Answer{Ready: true, Reason: identity.ReasonPassportInvalid}, nil
	}
	return r.registry.Check(ctx, n, q)
}

func drain(t *testing.T, a *apptest.App) {
	t.Helper()
	w, _, err := a.NewWorker(1)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n > 0; {
		if n, err = w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// The account's pages as JSON (a native client): the home page for a visitor and for an
// account, with its verification while it is simplified; a refused verification with its
// reason in words; withdrawing a verification in progress.
func TestJSONHomeAndRefusal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		reg := refusing{registry: registry{persons: map[string]string{"20416385734": "Орлова"}}, invalid: map[string]bool{"5016902341": true}}
		a := apptest.Start(t, db, apptest.Options{Identity: app.Identity{Registry: reg}})
		c := &client{t: t, base: a.URL}
		if code, f := c.do("GET", "/id/", nil); code != 200 || f["signed_in"] != false || f["register"] != "/id/register" {
			t.Fatalf("a visitor's home: %d %v", code, f)
		}
		if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Орлова", GivenName: "Мария", Phone: "+79165550199",
			Level: identity.Simplified, Password: "Volga-river-2026"}); err != nil {
			t.Fatal(err)
		}
		c.login("+7 916 555-01-99", "Volga-river-2026")
		code, f := c.do("GET", "/id/", nil)
		acc, _ := f["account"].(map[string]any)
		v, _ := f["verification"].(map[string]any)
		if code != 200 || acc["level"] != "simplified" || acc["name"] != "Орлова Мария" || v["state"] != "draft" || f["next"] != "/id/profile" {
			t.Fatalf("home: %d %v", code, f)
		}
		profile := map[string]any{"action": "submit", "sex": "female", "birth_date": "1996-07-07", "birth_place": "Казань", "snils": "204-163-857 34",
			"passport_series": "5016", "passport_number": "902341", "passport_issued_on": "2016-08-01"}
		if code, f := c.do("POST", "/id/profile", profile); code != 200 {
			t.Fatalf("submit: %d %v", code, f)
		}
		// Withdrawn while in progress, sent again.
		if _, f := c.do("GET", "/id/profile", nil); f["state"] != "in_progress" || f["withdraw"] == nil {
			t.Fatalf("in progress: %v", f)
		}
		if code, f := c.do("POST", "/id/profile", map[string]any{"action": "withdraw"}); code != 200 || f["done"] != true {
			t.Fatalf("withdraw: %d %v", code, f)
		}
		if _, f := c.do("GET", "/id/profile", nil); f["state"] != "draft" {
			t.Fatalf("withdrawn: %v", f)
		}
		if code, f := c.do("POST", "/id/profile", map[string]any{"action": "withdraw"}); code != 409 {
			t.Fatalf("withdrawing a draft: %d %v", code, f)
		}
		c.do("POST", "/id/profile", profile)
		drain(t, a)
		code, f = c.do("GET", "/id/profile", nil)
		if code != 200 || f["state"] != "refused" || f["reason"] != identity.ReasonPassportInvalid || f["reason_text"] != i18n.T("ru", identity.ReasonPassportInvalid) {
			t.Fatalf("refused: %d %v", code, f)
		}
		_, f = c.do("GET", "/id/", nil)
		if v, _ := f["verification"].(map[string]any); v["state"] != "refused" || !strings.Contains(v["reason_text"].(string), "паспорт недействителен") {
			t.Fatalf("home after the refusal: %v", f)
		}
	})
}

// IDP-4c as JSON: the client reads the challenge (GET /id/confirm/esign), signs it with a GOST
// certificate made by OpenSSL's GOST engine, and posts the signature in base64; another
// person's certificate is refused under "signature"; the owner's confirms at once.
func TestJSONESign(t *testing.T) {
	pki := gostoracle.NewPKI(t)
	now := time.Now().UTC()
	owner := gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "15670293881"}
	other := gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "11223344595"}
	pki.Issue(t, "owner", owner, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	pki.Issue(t, "other", other, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{Identity: app.Identity{Registry: registry{}, ESignRoots: pki.RootsDir(t), ESignCRLs: []string{pki.CRL()}}})
		if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Лебедева", GivenName: "Екатерина", Patronymic: "Игоревна",
			Phone: "+79165550177", SNILS: "156-702-938 81", Level: identity.Standard, Password: "Volga-river-2026"}); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		c.login("+79165550177", "Volga-river-2026")
		sign := func(cert string) (int, map[string]any) {
			t.Helper()
			code, ch := c.do("GET", "/id/confirm/esign", nil)
			if code != 200 || ch["challenge"] == nil || !strings.Contains(ch["text"].(string), ch["challenge"].(string)) {
				t.Fatalf("challenge: %d %v", code, ch)
			}
			sig := pki.Sign(t, cert, []byte(ch["text"].(string)))
			return c.do("POST", ch["action"].(string), map[string]any{"challenge": ch["challenge"], "signature": base64.StdEncoding.EncodeToString(sig)})
		}
		code, f := sign("other")
		if errs, _ := f["errors"].([]any); code != 422 || len(errs) == 0 || errs[0].(map[string]any)["field"] != "signature" {
			t.Fatalf("another person's certificate: %d %v", code, f)
		}
		if code, f := sign("owner"); code != 200 || f["done"] != true {
			t.Fatalf("the owner's certificate: %d %v", code, f)
		}
		_, f = c.do("GET", "/id/", nil)
		if acc := f["account"].(map[string]any); acc["level"] != "confirmed" || acc["confirmation_method"] != string(identity.ESign) {
			t.Fatalf("after the signature: %v", f)
		}
		_ = esign.Config{}
	})
}

// IDP-6 as JSON: recovery by phone and by e-mail, the code read where it was sent.
func TestJSONRecoveryByPhoneAndEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{Identity: app.Identity{Registry: registry{}}})
		if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Морозов", GivenName: "Алексей", Phone: "+79165550155",
			Level: identity.Simplified, Password: "Volga-river-2026", Question: "Кличка первой собаки?", Answer: "Бим"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Кузнецов", GivenName: "Дмитрий", Email: "d.kuznetsov@example.org",
			Level: identity.Simplified, Password: "Volga-river-2026"}); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		for _, r := range []struct{ login, to, answer, pw string }{{"8 (916) 555-01-55", "+79165550155", "бим", "Kama-river-2027"},
			{"D.Kuznetsov@example.org", "d.kuznetsov@example.org", "", "Oka-river-2028"}} {
			_, f := c.do("GET", "/id/recovery", nil)
			action := f["action"].(string)
			if code, f := c.do("POST", action, map[string]any{"login": r.login}); code != 200 || f["state"] != "code" {
				t.Fatalf("%s: identify: %d %v", r.login, code, f)
			}
			code, f := c.do("POST", action, map[string]any{"code": lastCode(t, db, r.to)})
			if r.answer != "" {
				if code != 200 || f["state"] != "answer" {
					t.Fatalf("%s: code: %d %v", r.login, code, f)
				}
				code, f = c.do("POST", action, map[string]any{"answer": r.answer})
			}
			if code != 200 || f["state"] != "new_password" {
				t.Fatalf("%s: to the new password: %d %v", r.login, code, f)
			}
			if code, f := c.do("POST", action, map[string]any{"new_password": r.pw, "new_password_confirm": r.pw}); code != 200 || f["result"] == nil {
				t.Fatalf("%s: new password: %d %v", r.login, code, f)
			}
			c.login(r.to, r.pw)
		}
	})
}

// IDP-4b as JSON: the letters with their tracking, from the next day; a second letter within a
// month refused.
func TestJSONLetterTracking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := apptest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)) // 12:00 in Moscow
		a := apptest.Start(t, db, apptest.Options{Clock: clock, Identity: app.Identity{Registry: registry{}, Post: post.New()}})
		if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Кузнецов", GivenName: "Дмитрий", Email: "d.kuznetsov@example.org",
			SNILS: "134-589-271 87", Level: identity.Standard, Password: "Volga-river-2026"}); err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		c.login("d.kuznetsov@example.org", "Volga-river-2026")
		code, f := c.do("GET", "/id/confirm", nil)
		if code != 200 || f["can_order_letter"] != true || len(f["letters"].([]any)) != 0 {
			t.Fatalf("before: %d %v", code, f)
		}
		if code, f := c.do("POST", "/id/confirm/letter", map[string]any{"address": "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12"}); code != 200 {
			t.Fatalf("letter: %d %v", code, f)
		}
		_, f = c.do("GET", "/id/confirm", nil)
		letter := f["letters"].([]any)[0].(map[string]any)
		if f["can_order_letter"] != false || letter["tracked"] != false || letter["next_letter_at"] != "2027-01-07T12:00:00+03:00" {
			t.Fatalf("ordered: %v", f)
		}
		clock.Advance(49 * time.Hour)
		c.login("d.kuznetsov@example.org", "Volga-river-2026")
		_, f = c.do("GET", "/id/confirm", nil)
		letter = f["letters"].([]any)[0].(map[string]any)
		if letter["tracked"] != true || letter["status"] != "in_transit" || len(letter["history"].([]any)) < 2 {
			t.Fatalf("tracking: %v", letter)
		}
		if code, _ := c.do("POST", "/id/confirm/letter", map[string]any{"address": "620014, г. Екатеринбург, ул. Малышева, д. 51, кв. 12"}); code != 409 {
			t.Fatalf("a second letter within a month: %d", code)
		}
	})
}

// The security settings as JSON and their actions: the sessions and the history; the password
// changed only with the right current one, which ends the other sessions; one session ended;
// "sign out everywhere".
func TestJSONSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{Identity: app.Identity{Registry: registry{}}})
		if _, err := a.Identity.AddAccount(context.Background(), identity.NewAccount{Surname: "Соколова", GivenName: "Елена", Phone: "+79161234567",
			Level: identity.Simplified, Password: "Volga-river-2026"}); err != nil {
			t.Fatal(err)
		}
		sessionOf := func() *client {
			c := &client{t: t, base: a.URL}
			c.login("+79161234567", "Volga-river-2026")
			return c
		}
		c, other, third := sessionOf(), sessionOf(), sessionOf()
		code, f := c.do("GET", "/id/settings", nil)
		sessions := f["sessions"].([]any)
		if code != 200 || len(sessions) != 3 || f["events"] == nil {
			t.Fatalf("settings: %d %v", code, f)
		}
		if kinds := jsonKinds(f["events"]); !strings.HasPrefix(kinds, "login login login registered") {
			t.Fatalf("history: %s", kinds)
		}
		// End the other session by its id: its token stops working, the rest go on.
		var otherID string
		for _, s := range sessions {
			if s := s.(map[string]any); s["current"] != true && otherID == "" {
				otherID = s["id"].(string)
			}
		}
		if code, f := c.do("POST", "/id/settings/sessions", map[string]any{"end": otherID}); code != 200 {
			t.Fatalf("end one session: %d %v", code, f)
		}
		alive := 0
		for _, x := range []*client{other, third} {
			if code, _ := x.do("GET", "/id/settings", nil); code == 200 {
				alive++
			}
		}
		if alive != 1 {
			t.Fatalf("%d of the other two sessions alive after ending one, want 1", alive)
		}
		// A wrong current password: refused under its field, nothing changed.
		code, f = c.do("POST", "/id/settings/password", map[string]any{"current_password": "Volga-river-2025", "new_password": "Kama-river-2027",
			"new_password_confirm": "Kama-river-2027"})
		if errs, _ := f["errors"].([]any); code != 422 || len(errs) == 0 || errs[0].(map[string]any)["field"] != "current_password" {
			t.Fatalf("a wrong current password: %d %v", code, f)
		}
		third = sessionOf()
		code, f = c.do("POST", "/id/settings/password", map[string]any{"current_password": "Volga-river-2026", "new_password": "Kama-river-2027",
			"new_password_confirm": "Kama-river-2027"})
		if code != 200 || f["done"] != true {
			t.Fatalf("password: %d %v", code, f)
		}
		if code, _ := third.do("GET", "/id/settings", nil); code != 401 {
			t.Fatalf("another session after the new password: %d", code)
		}
		if code, _ := c.do("GET", "/id/settings", nil); code != 200 {
			t.Fatalf("this session after the new password: %d", code)
		}
		// Sign out everywhere else.
		fourth := &client{t: t, base: a.URL}
		fourth.login("+79161234567", "Kama-river-2027")
		if code, f := c.do("POST", "/id/settings/sessions", map[string]any{}); code != 200 {
			t.Fatalf("sign out everywhere: %d %v", code, f)
		}
		if code, _ := fourth.do("GET", "/id/settings", nil); code != 401 {
			t.Fatalf("another session after signing out everywhere: %d", code)
		}
		_, f = c.do("GET", "/id/settings", nil)
		if len(f["sessions"].([]any)) != 1 {
			t.Fatalf("sessions left: %v", f["sessions"])
		}
		if kinds := jsonKinds(f["events"]); !strings.HasPrefix(kinds, "signed_out_everywhere login password_changed login session_ended") {
			t.Fatalf("history: %s", kinds)
		}
	})
}

func jsonKinds(v any) string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any)["kind"].(string))
	}
	return strings.Join(out, " ")
}
