package lkweb_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The history of logins and actions names the inspector who granted access by their name and
// position from the staff directory, never by their login, in Russian and in Kyrgyz; a login the
// directory does not know is named only as the tax office's staff, and a representative's TIN
// stays as it is.
func TestHistoryNamesStaff(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if err := demo.SeedKyrgyz(ctx, a.Register, 30); err != nil {
		t.Fatal(err)
	}
	persons := demo.KyrgyzPersons(1, 30)
	p, rep := persons[20], persons[21]
	m, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "asanova", Role: staff.RoleInspector, Name: "Асанова Айгүл Маратовна",
		Position: "Главный налоговый инспектор", Office: p.TaxOffice}, "inspector-password")
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "kyzyl-tash-2026",
		Again: "kyzyl-tash-2026", Phone: "+996 555 100 200"}, "ky")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.ApproveRegistration(ctx, m.Actor("10.0.0.7"), p.TaxOffice, r.Number(), true, "ID 1234567"); err != nil {
		t.Fatal(err)
	}
	if err := a.Cabinet.RecordEvent(ctx, p.TIN, "recovery_restored", "gone-inspector", "", cabinet.Origin{Address: "10.0.0.8"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Cabinet.RecordEvent(ctx, p.TIN, "extract_issued", rep.TIN, "", cabinet.Origin{Address: "10.0.0.9"}); err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, base: a.URL}
	if code, f := c.login(p.TIN, "kyzyl-tash-2026", ""); code != 200 || c.token == "" {
		t.Fatalf("login: %d %v", code, f)
	}
	for lang, unknown := range map[string]string{"ru": "Сотрудник налогового органа", "ky": "Салык органынын кызматкери"} {
		req, _ := http.NewRequest("GET", a.URL+"/lk/settings", nil)
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lk", Value: c.token})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="`+lang+`">`) {
			t.Fatalf("%s: %d %.300s", lang, resp.StatusCode, body)
		}
		i := strings.Index(body, `id="history"`)
		if i < 0 {
			t.Fatalf("%s: no history", lang)
		}
		history := body[i:]
		history = history[:strings.Index(history, "</table>")]
		for _, want := range []string{"<td>Асанова Айгүл Маратовна, Главный налоговый инспектор</td>", "<td>" + unknown + "</td>", "<td>" + rep.TIN + "</td>"} {
			if !strings.Contains(history, want) {
				t.Errorf("%s: the history lacks %s: %s", lang, want, history)
			}
		}
		for _, login := range []string{"asanova", "gone-inspector"} {
			if strings.Contains(body, login) {
				t.Errorf("%s: the page shows the staff login %q", lang, login)
			}
		}
	}
}
