package lkweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type client struct {
	t      *testing.T
	base   string
	token  string
	http   *http.Client
	header map[string]string
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
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	hc := c.http
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
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

// login drives the login flow: the credentials, then the own password when the card's temporary
// one was typed; it keeps the session token.
func (c *client) login(login, pw, own string) (int, map[string]any) {
	c.t.Helper()
	_, f := c.do("GET", "/lk/login", nil)
	action, _ := f["action"].(string)
	code, f := c.do("POST", action, map[string]any{"login": login, "password": pw})
	if code == 200 && f["state"] == "change" {
		code, f = c.do("POST", action, map[string]any{"new_password": own, "new_password_confirm": own})
	}
	if res, ok := f["result"].(map[string]any); ok && code == 200 {
		c.token, _ = res["session_token"].(string)
	}
	return code, f
}

var sys = audit.Actor{Login: "test", Role: "system"}

// personInput is a person of office 7736 with a passport of number.
func personInput(surname, given, number string, birth time.Time) register.PersonInput {
	return register.PersonInput{Surname: surname, GivenName: given, Patronymic: "Ивановна",
		BirthDate: birth, BirthPlace: "г. Москва", Sex: register.Female, Citizenship: "RUS", Ground: register.GroundResidence, TaxOffice: "7736",
		Document: register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("45%02d", birth.AddDate(20, 0, 0).Year()%100), Number: number, IssuedOn: birth.AddDate(20, 0, 5)},
		Address:  register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "1"}}
}

// person registers a person in the register (office 7736) and returns the TIN.
func person(t *testing.T, a *apptest.App, surname, given, number string, birth time.Time) string {
	t.Helper()
	res, err := a.Register.RegisterPerson(context.Background(), sys, personInput(surname, given, number, birth))
	if err != nil || res.Taxpayer == nil {
		t.Fatalf("register: %+v %v", res, err)
	}
	return res.Taxpayer.TIN
}

// allTo returns the bodies of every message to an address in the outbox.
func allTo(t *testing.T, db *store.DB, to string) string {
	t.Helper()
	var b strings.Builder
	for _, m := range storetest.Sent(t, db, to) {
		b.WriteString(m.Body + "\n")
	}
	return b.String()
}

var linkRE = regexp.MustCompile(`\?l=([A-Za-z0-9_.-]+)`)

// lastTo returns the body of the newest message to an address in the outbox.
func lastTo(t *testing.T, db *store.DB, to string) string { return storetest.LastSent(t, db, to) }

// The personal account as JSON, through the real server: a card issued, the first login with
// the forced change (LK-3 refused with each rule named), the home page, the demonstration account
// read-only (LK-9), recovery set up and used (LK-4), an online application (LK-7), a
// representative acting for the principal (LK-8), and a new card ending the old sessions (LK-10).
func TestJSONJourneys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := apptest.NewClock(time.Now())
		a := apptest.Start(t, db, apptest.Options{Clock: clock})
		ctx := context.Background()
		tin := person(t, a, "Соколова", "Елена", "111111", time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC))
		card, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin, Unchecked: true})
		if err != nil {
			t.Fatal(err)
		}
		c := &client{t: t, base: a.URL}
		_, f := c.do("GET", "/lk/login", nil)
		action := f["action"].(string)
		if f["kind"] != "lk.login" || f["state"] != "credentials" {
			t.Fatalf("flow %v", f)
		}
		code, f := c.do("POST", action, map[string]any{"login": tin, "password": card.TemporaryPassword})
		if code != 200 || f["state"] != "change" {
			t.Fatalf("temporary login: %d %v", code, f)
		}
		code, f = c.do("POST", action, map[string]any{"new_password": "volga", "new_password_confirm": "volga"})
		p, _ := f["problem"].(map[string]any)
		extra, _ := p["extra"].(map[string]any)
		if rules, _ := extra["rules"].([]any); code != 422 || len(rules) != 4 {
			t.Fatalf("a weak password: %d %v", code, f)
		}
		code, f = c.do("POST", action, map[string]any{"new_password": "Volga-2026!", "new_password_confirm": "Volga-2026!"})
		res, _ := f["result"].(map[string]any)
		if code != 200 || res["session_token"] == nil || res["tin"] != tin {
			t.Fatalf("own password: %d %v", code, f)
		}
		c.token = res["session_token"].(string)
		if code, home := c.do("GET", "/lk/", nil); code != 200 || home["tin"] != tin || home["name"] != "Соколова Елена Ивановна" || home["status"] != "active" {
			t.Fatalf("home: %d %v", code, home)
		}
		if code, s := c.do("GET", "/lk/session", nil); code != 200 || s["subject"] != tin || s["site"] != "lk" {
			t.Fatalf("session: %d %v", code, s)
		}

		// LK-9: any password opens the demonstration account, where nothing changes.
		demo := &client{t: t, base: a.URL}
		if code, f := demo.login(cabinet.DemoLogin, "anything", ""); code != 200 {
			t.Fatalf("demo: %d %v", code, f)
		}
		if code, home := demo.do("GET", "/lk/", nil); code != 200 || home["demo"] != true || home["tin"] != cabinet.DemoPerson().TIN {
			t.Fatalf("demo home: %d %v", code, home)
		}
		if code, f := demo.do("POST", "/lk/settings/password", map[string]any{"current_password": "x", "new_password": "Volga-2026!", "new_password_confirm": "Volga-2026!"}); code != 403 || !strings.Contains(fmt.Sprint(f), "демонстрационный") {
			t.Fatalf("a change in the demo: %d %v", code, f)
		}

		// LK-4: confirm the e-mail and the phone, set the code word, recover.
		for _, s := range []struct{ path, field, to string }{{"email", "email", "e.sokolova@example.org"}, {"phone", "phone", "+79165550102"}} {
			if code, f := c.do("POST", "/lk/settings/"+s.path, map[string]any{s.field: s.to}); code != 200 {
				t.Fatalf("%s: %d %v", s.path, code, f)
			}
			if code, f := c.do("POST", "/lk/settings/"+s.path+"/confirm", map[string]any{s.field + "_code": storetest.LastCode(t, db, s.to)}); code != 200 {
				t.Fatalf("%s confirm: %d %v", s.path, code, f)
			}
		}
		if code, f := c.do("POST", "/lk/settings/recovery", map[string]any{"action": "on", "code_word": "Берёза", "code_word_confirm": "берёза"}); code != 200 {
			t.Fatalf("recovery on: %d %v", code, f)
		}
		anon := &client{t: t, base: a.URL}
		_, f = anon.do("GET", "/lk/recovery", nil)
		code, f = anon.do("POST", f["action"].(string), map[string]any{"login": tin, "code_word": "береза"})
		if code != 200 || f["state"] != "sent" {
			t.Fatalf("recovery: %d %v", code, f)
		}
		m := linkRE.FindStringSubmatch(allTo(t, db, "e.sokolova@example.org"))
		if m == nil {
			t.Fatal("no link sent")
		}
		if code, f := anon.do("POST", "/lk/recovery/link", map[string]any{"l": m[1], "new_password": "Kama-2027!", "new_password_confirm": "Kama-2027!"}); code != 200 {
			t.Fatalf("new password: %d %v", code, f)
		}
		// The recovered password ended every session.
		if code, _ := c.do("GET", "/lk/", nil); code != 401 {
			t.Fatalf("a session after recovery: %d", code)
		}
		if code, f := c.login(tin, "Kama-2027!", ""); code != 200 {
			t.Fatalf("login after recovery: %d %v", code, f)
		}

		// LK-7: an online application, its number and its printable page.
		code, f = anon.do("POST", "/lk/apply", map[string]any{"surname": "Петрова", "given_name": "Анна", "birth_date": "1990-01-02", "document_type": "passport_ru",
			"document_series": "4510", "document_number": "222222", "document_issued_on": "2010-01-10", "phone": "+7 916 000-00-01", "consent": true})
		if code != 200 || f["number"] == nil {
			t.Fatalf("apply: %d %v", code, f)
		}
		if code, g := anon.do("GET", f["next"].(string), nil); code != 200 || g["state"] != "submitted" {
			t.Fatalf("application: %d %v", code, g)
		}
		if code, _ := anon.do("GET", "/lk/apply/"+f["number"].(string)+"?key=wrong", nil); code != 404 {
			t.Fatalf("application with a wrong key: %d", code)
		}

		// LK-8: a representative acts for the principal with a header; the home page is the principal's.
		principal := person(t, a, "Белова", "Нина", "333333", time.Date(1940, 5, 9, 0, 0, 0, 0, time.UTC))
		if _, err := a.Cabinet.AddRepresentation(ctx, sys, cabinet.RepInput{Principal: principal, Representative: tin, Kind: cabinet.PowerOfAttorney,
			Notary: "Иванова Т. П.", Number: "77 АГ 1", IssuedOn: time.Now().Format(time.DateOnly), ValidUntil: time.Now().AddDate(0, 0, 10).Format(time.DateOnly),
			Powers: []string{cabinet.PowerView}, PassportShown: true, DocumentShown: true}); err != nil {
			t.Fatal(err)
		}
		c.header = map[string]string{"X-Acting-For": principal}
		if code, home := c.do("GET", "/lk/", nil); code != 200 || home["tin"] != principal || home["acting_for"] != principal {
			t.Fatalf("acting: %d %v", code, home)
		}
		if code, _ := c.do("GET", "/lk/extract?format=pdf", nil); code != 403 {
			t.Fatalf("an extract without the power: %d", code)
		}
		clock.Advance(11 * 24 * time.Hour)
		if code, f := c.login(tin, "Kama-2027!", ""); code != 200 {
			t.Fatalf("login: %d %v", code, f)
		}
		if code, home := c.do("GET", "/lk/", nil); code != 200 || home["tin"] != tin || home["acting_for"] != "" {
			t.Fatalf("after the power of attorney expired: %d %v", code, home)
		}
		c.header = nil

		// LK-10: a new card ends the session at once.
		if _, err := a.Cabinet.IssueCard(ctx, sys, cabinet.CardRequest{TIN: tin, Unchecked: true}); err != nil {
			t.Fatal(err)
		}
		if code, _ := c.do("GET", "/lk/", nil); code != 401 {
			t.Fatalf("a session after a new card: %d", code)
		}
		if code, _ := c.login(tin, "Kama-2027!", ""); code != 401 {
			t.Fatalf("the old password after a new card: %d", code)
		}
	})
}

// A burst of 50 concurrent wrong passwords against one TIN, from five addresses, computes at
// most the overall budget's number of hashes; an unknown TIN alike (its answers are the same).
func TestLoginBurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := apptest.Start(t, db, apptest.Options{})
		tin := person(t, a, "Морозова", "Алла", "444444", time.Date(1975, 3, 3, 0, 0, 0, 0, time.UTC))
		if _, err := a.Cabinet.IssueCard(context.Background(), sys, cabinet.CardRequest{TIN: tin, Unchecked: true}); err != nil {
			t.Fatal(err)
		}
		clients := make([]*http.Client, 5)
		for i := range clients {
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}, Timeout: 5 * time.Second}
			clients[i] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
		}
		var texts []string
		for _, login := range []string{tin, "500100732259"} {
			flows := make([]string, 50)
			for i := range flows {
				c := &client{t: t, base: a.URL, http: clients[i%5]}
				_, f := c.do("GET", "/lk/login", nil)
				flows[i] = f["action"].(string)
			}
			before := a.Hasher.Computed()
			var wg sync.WaitGroup
			statuses := make(chan int, 50)
			var mu sync.Mutex
			for i := range flows {
				wg.Go(func() {
					c := &client{t: t, base: a.URL, http: clients[i%5]}
					code, f := c.do("POST", flows[i], map[string]any{"login": login, "password": "Wrong-pass-1!"})
					statuses <- code
					if code == 401 {
						p, _ := f["problem"].(map[string]any)
						mu.Lock()
						texts = append(texts, fmt.Sprint(p["title"], p["detail"]))
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			close(statuses)
			seen := map[int]int{}
			for s := range statuses {
				seen[s]++
			}
			hashes := a.Hasher.Computed() - before
			if hashes > int64(cabinet.LoginPolicy.Overall.Budget) || seen[401] != int(hashes) || seen[429] != 50-int(hashes) {
				t.Fatalf("%s: %d hashes for 50 attempts: %v", login, hashes, seen)
			}
			t.Logf("%s: %d password hashes for 50 concurrent attempts from 5 addresses: %v", login, hashes, seen)
		}
		for _, s := range texts {
			if s != texts[0] {
				t.Fatalf("a known and an unknown TIN answer differently: %q and %q", texts[0], s)
			}
		}
	})
}
