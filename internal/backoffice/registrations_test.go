package backoffice_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// KG-1, BO-3: the queue of self-registrations is the inspector's УГНС's: an application of another
// УГНС is not shown nor decided, an inspector of no УГНС has no queue, an administrator sees every
// one; the pages (queue, application, the login handed over) show no code in any language; the
// Russian profile has the online applications of LK-7 instead.
func TestRegistrationQueue(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	sys := audit.Actor{Login: "test", Role: "system"}
	for _, m := range []staff.Member{{Login: "asanova", Role: staff.RoleInspector, Office: "002"}, {Login: "osmonov", Role: staff.RoleInspector, Office: "006"},
		{Login: "nooffice", Role: staff.RoleInspector}, {Login: "admin", Role: staff.RoleAdmin}} {
		if _, err := a.Staff.AddMember(ctx, sys, m, "inspector-password"); err != nil {
			t.Fatal(err)
		}
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	org := demo.KyrgyzOrganizations[0] // УГНС 002
	head := demo.KyrgyzPersons(1, 40)[org.Head]
	r, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "legal", TIN: head.TIN, OrgTIN: org.TIN, Password: "Jany-Tang-2026",
		Again: "Jany-Tang-2026", Phone: "+996555100200"}, "ky")
	if err != nil {
		t.Fatal(err)
	}
	token := func(login string) string {
		tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: login, Method: session.Password, Assurance: "inspector"})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	get := func(tok, path, lang string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", a.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: tok})
		req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, visibleText(string(b))
	}
	asanova, osmonov := token("asanova"), token("osmonov")
	if code, text := get(asanova, "/office/registrations", "ru"); code != 200 || !strings.Contains(text, r.Number()) || !strings.Contains(text, "Очередь УГНС 002") {
		t.Fatalf("the queue of 002: %d %s", code, text)
	}
	if code, text := get(osmonov, "/office/registrations", "ru"); code != 200 || strings.Contains(text, r.Number()) {
		t.Fatalf("another УГНС's queue: %d", code)
	}
	for _, page := range []string{"", "/handover", "/handover.pdf"} {
		if code, _ := get(osmonov, "/office/registrations/"+r.Number()+page, "ru"); code != 403 {
			t.Fatalf("another УГНС's application%s: %d", page, code)
		}
	}
	if _, err := a.Cabinet.ApproveRegistration(ctx, audit.Actor{Login: "osmonov"}, "006", r.Number(), true, ""); !strings.Contains(err.Error(), "tax office 002") {
		t.Fatalf("decided by another УГНС: %v", err)
	}
	if code, text := get(token("nooffice"), "/office/registrations", "ru"); code != 403 || !strings.Contains(text, "не прикреплены к УГНС") {
		t.Fatalf("no УГНС: %d %s", code, text)
	}
	if code, text := get(token("admin"), "/office/registrations", "ru"); code != 200 || !strings.Contains(text, r.Number()) || !strings.Contains(text, "всех УГНС") {
		t.Fatalf("the administrator: %d %s", code, text)
	}
	if code, _ := get(asanova, "/office/applications", "ru"); code != 404 {
		t.Errorf("LK-7's applications in the kg profile: %d", code)
	}
	if _, err := a.Cabinet.ApproveRegistration(ctx, audit.Actor{Login: "asanova", Role: "inspector"}, "002", r.Number(), true, "ID 1234567"); err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`\b(individual|legal|submitted|approved|refused|head|accountant|(office|lk|kg|enum)\.[a-z_.]+)\b`)
	before := len(i18n.Missing())
	for _, lang := range []string{"ru", "en", "ky"} {
		for _, path := range []string{"/office/registrations", "/office/registrations?state=approved", "/office/registrations/" + r.Number(),
			"/office/registrations/" + r.Number() + "/handover"} {
			code, text := get(asanova, path, lang)
			if code != 200 {
				t.Errorf("%s %s: %d", lang, path, code)
				continue
			}
			if m := codes.FindString(text); m != "" && lang != "en" {
				t.Errorf("%s %s shows the code %q", lang, path, m)
			}
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
	if _, text := get(asanova, "/office/registrations/"+r.Number()+"/handover", "ru"); !strings.Contains(text, org.TIN) || !strings.Contains(text, "кыргызский") {
		t.Errorf("the login handed over: %s", text)
	}
	req, _ := http.NewRequest("GET", a.URL+"/office/registrations/"+r.Number()+"/handover.pdf", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: asanova})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	entries, err := db.ListAudit(ctx, audit.Filter{Subject: org.TIN})
	if err != nil || len(entries) < 2 || entries[0].Action != "lk.registration.print" {
		t.Fatalf("the print audited: %+v %v", entries, err)
	}

	// The Russian profile: no queue of self-registrations.
	ru := apptest.Start(t, storetest.SQLite(t), apptest.Options{})
	if _, err := ru.Staff.AddMember(ctx, sys, staff.Member{Login: "ivanova", Role: staff.RoleInspector}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	rtok, _, _ := ru.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password, Assurance: "inspector"})
	req, _ = http.NewRequest("GET", ru.URL+"/office/registrations", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: rtok})
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Fatalf("the Russian profile's queue: %v %v", resp.StatusCode, err)
	}
}
