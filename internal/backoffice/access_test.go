package backoffice_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
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
	"github.com/kabinet/kabinet/internal/web"
)

// lkJSON drives the personal account's site as a JSON client: a method, a path, a flat body and
// the session token; it returns the status and the answer.
func lkJSON(t *testing.T, base, method, path string, body map[string]string, token string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, base+path, r)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", "ru")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set(web.SessionHeader, token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// lkLogin logs in to the personal account by its JSON flow: it returns the status, the flow's
// state after the password and the flow's action.
func lkLogin(t *testing.T, base, login, pw string) (int, map[string]any, string) {
	t.Helper()
	_, f := lkJSON(t, base, "GET", "/lk/login", nil, "")
	action, _ := f["action"].(string)
	code, f := lkJSON(t, base, "POST", action, map[string]string{"login": login, "password": pw}, "")
	return code, f, action
}

var onceRE = regexp.MustCompile(`<span class="secret" id="ho-password">([^<]+)</span>`)

// KG-1, LK-2, LK-10, BO-5: restoring access at the УГНС over HTTP. The account is found by ИНН
// from the queue's form and linked from the taxpayer's page; another УГНС's inspector gets 403
// (page and action); a POST without the CSRF token is refused; without the passport the form
// comes back 422 naming the field; the one-time password is shown once (no-store; a reload of the
// form does not issue another), printed as a PDF only with it; the old password is refused after,
// the one-time password logs in and must be replaced first, the sessions of before end; every
// page shows no catalogue key; the Russian profile has no such page.
func TestAccessRestorePages(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	sys := audit.Actor{Login: "test", Role: "system"}
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	p := demo.KyrgyzPersons(1, 40)[25]
	other := "006"
	if p.TaxOffice == other {
		other = "002"
	}
	for _, m := range []staff.Member{{Login: "asanova", Name: "Асанова Айгүл", Position: "инспектор", Role: staff.RoleInspector, Office: p.TaxOffice},
		{Login: "osmonov", Role: staff.RoleInspector, Office: other}, {Login: "admin", Role: staff.RoleAdmin}} {
		if _, err := a.Staff.AddMember(ctx, sys, m, "inspector-password"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Cabinet.AddAccount(ctx, sys, p.TIN, "Issyk-Kul-2026"); err != nil {
		t.Fatal(err)
	}
	lkToken, _, err := a.Sessions.Start(ctx, session.Start{Site: "lk", Subject: p.TIN, Method: session.Password, Assurance: "registration"})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := lkJSON(t, a.URL, "GET", "/lk/session", nil, lkToken); code != 200 {
		t.Fatalf("the session before: %d", code)
	}
	insp, osmonov := newOffice(t, a, "asanova"), newOffice(t, a, "osmonov")

	// Found from the queue's form and from the taxpayer's page.
	queue := insp.do("GET", "/office/registrations", nil)
	if !strings.Contains(queue.body, `id="access-find"`) {
		t.Fatalf("the queue offers no restore of access:\n%.2000s", queue.text)
	}
	if tp := insp.do("GET", "/office/taxpayers/"+p.TIN, nil); !strings.Contains(tp.body, `href="/office/access/`+p.TIN+`" id="access-link"`) {
		t.Errorf("the taxpayer's page does not link the restore")
	}
	page := insp.do("GET", "/office/access?tin="+url.QueryEscape(p.TIN), nil)
	if page.status != 200 || page.at != "/office/access/"+p.TIN || !strings.Contains(page.body, `id="access-form"`) {
		t.Fatalf("found: %d at %s", page.status, page.at)
	}
	// A search sent empty is asked for its ИНН, not shown the form again without a word; a
	// malformed application number in the queue's search is named.
	if empty := insp.do("GET", "/office/access?tin=", nil); empty.status != 422 || empty.fieldError("tin") == "" {
		t.Errorf("an empty search: %d %q", empty.status, empty.fieldError("tin"))
	}
	if bad := insp.do("GET", "/office/registrations?number=2026-", nil); bad.status != 200 || bad.fieldError("number") == "" {
		t.Errorf("a malformed number: %d %q", bad.status, bad.fieldError("number"))
	}
	if nf := insp.do("GET", "/office/access?tin=12345", nil); nf.status != 422 || !strings.Contains(nf.body, `id="access-find"`) {
		t.Errorf("a malformed ИНН: %d", nf.status)
	}
	if nf := insp.do("GET", "/office/access?tin="+demo.KyrgyzPersons(1, 40)[26].TIN, nil); nf.status != 404 || !strings.Contains(nf.text, "нет кабинета") {
		t.Errorf("a taxpayer without a cabinet: %d %s", nf.status, nf.text)
	}

	// Another УГНС's inspector: 403, page and action.
	if op := osmonov.do("GET", "/office/access/"+p.TIN, nil); op.status != 403 || !strings.Contains(op.text, "УГНС "+p.TaxOffice) {
		t.Errorf("another УГНС's page: %d %s", op.status, op.text)
	}
	home := osmonov.do("GET", "/office/", nil)
	if op := osmonov.do("POST", "/office/access/"+p.TIN, home.form(map[string]string{"passport_shown": "1", "flow": "x"})); op.status != 403 {
		t.Errorf("another УГНС's restore: %d", op.status)
	}
	// No CSRF token: refused.
	if np := insp.do("POST", "/office/access/"+p.TIN, url.Values{"passport_shown": {"1"}}); np.status != 403 {
		t.Errorf("without the CSRF token: %d", np.status)
	}
	// No passport: 422, the field named, what was typed kept.
	np := insp.do("POST", "/office/access/"+p.TIN, page.form(map[string]string{"passport": "ID 7654321"}))
	if np.status != 422 || !strings.Contains(np.fieldError("passport_shown"), "паспорт") || !strings.Contains(np.body, `value="ID 7654321"`) {
		t.Fatalf("without the passport: %d %q\n%.2000s", np.status, np.fieldError("passport_shown"), np.text)
	}
	if acc, _ := a.Cabinet.Account(ctx, p.TIN); acc.Temporary {
		t.Fatal("restored without the passport")
	}

	// Restored: the handover once, no-store, in the owner's language.
	done := insp.do("POST", "/office/access/"+p.TIN, np.form(map[string]string{"passport_shown": "1", "passport": "ID 7654321"}))
	m := onceRE.FindStringSubmatch(done.body)
	if done.status != 200 || m == nil || !strings.Contains(done.body, `id="handover"`) || !strings.Contains(done.text, p.TIN) {
		t.Fatalf("restored: %d\n%.3000s", done.status, done.text)
	}
	oneTime := m[1]
	if !strings.Contains(done.text, "Уведомление не отправлено") {
		t.Errorf("an account without contacts: the page says who was told: %s", done.text)
	}
	again := insp.do("POST", "/office/access/"+p.TIN, page.form(map[string]string{"passport_shown": "1"}))
	if again.status != 409 || onceRE.MatchString(again.body) {
		t.Errorf("the form posted again: %d", again.status)
	}
	if list, _ := a.Cabinet.AccessRestores(ctx, p.TIN); len(list) != 1 {
		t.Fatalf("restores: %+v", list)
	}
	pdfForm := url.Values{}
	for _, f := range []string{"csrf", "restore", "one_time_password"} {
		if v := regexp.MustCompile(`name="` + f + `" value="([^"]+)"`).FindStringSubmatch(done.body); v != nil {
			pdfForm.Set(f, v[1])
		}
	}
	if pdf := insp.do("POST", "/office/access/"+p.TIN+"/pdf", pdfForm); pdf.status != 200 || pdf.contentType != "application/pdf" {
		t.Fatalf("the PDF: %d %s", pdf.status, pdf.contentType)
	}
	pdfForm.Set("one_time_password", "wrong-password")
	if pdf := insp.do("POST", "/office/access/"+p.TIN+"/pdf", pdfForm); pdf.status != 403 {
		t.Errorf("the PDF with another password: %d", pdf.status)
	}

	// The taxpayer: the old password refused, the sessions ended, the one-time password must be
	// replaced first.
	if code, _ := lkJSON(t, a.URL, "GET", "/lk/session", nil, lkToken); code != 401 {
		t.Errorf("a session of before the restore: %d", code)
	}
	if code, f, _ := lkLogin(t, a.URL, p.TIN, "Issyk-Kul-2026"); code != 401 {
		t.Errorf("the old password: %d %v", code, f)
	}
	code, f, action := lkLogin(t, a.URL, p.TIN, oneTime)
	if code != 200 || f["state"] != "change" {
		t.Fatalf("the one-time password: %d %v", code, f)
	}
	code, f = lkJSON(t, a.URL, "POST", action, map[string]string{"new_password": "Chui-valley-2027", "new_password_confirm": "Chui-valley-2027"}, "")
	res, _ := f["result"].(map[string]any)
	if tok, _ := res["session_token"].(string); code != 200 || tok == "" {
		t.Fatalf("the own password: %d %v", code, f)
	}
	if code, _, _ := lkLogin(t, a.URL, p.TIN, oneTime); code != 401 {
		t.Errorf("the one-time password used again: %d", code)
	}
	if code, f, _ := lkLogin(t, a.URL, p.TIN, "Chui-valley-2027"); code != 200 || f["result"] == nil {
		t.Errorf("the own password logs in: %d %v", code, f)
	}
	entries, err := db.ListAudit(ctx, audit.Filter{Subject: p.TIN})
	if err != nil {
		t.Fatal(err)
	}
	acts := map[string]bool{}
	for _, e := range entries {
		acts[e.Action] = e.Actor.Login == "asanova"
	}
	if !acts["lk.access.restore"] || !acts["lk.access.print"] {
		t.Errorf("audit: %v", acts)
	}

	// The pages in every language of the back office show no key; the restores are listed.
	codes := regexp.MustCompile(`\b(office|lk|kg|enum)\.[a-z_]+\.[a-z_.]+\b`)
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "asanova", Method: session.Password, Assurance: "inspector"})
	if err != nil {
		t.Fatal(err)
	}
	before := len(i18n.Missing())
	for _, lang := range []string{"ru", "en", "ky"} {
		for _, path := range []string{"/office/access", "/office/access/" + p.TIN, "/office/registrations"} {
			code, body := officeGet(t, a.URL+path, tok, lang)
			text := visibleText(body)
			if code != 200 {
				t.Errorf("%s %s: %d", lang, path, code)
			}
			if m := codes.FindString(text); m != "" {
				t.Errorf("%s %s shows %q", lang, path, m)
			}
		}
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
	// The restores listed, each with who issued it by name and position, never by login.
	if pg := insp.do("GET", "/office/access/"+p.TIN, nil); !strings.Contains(pg.body, `id="restores"`) || !strings.Contains(pg.text, "ID 7654321") ||
		!strings.Contains(pg.text, "Асанова Айгүл, инспектор") || strings.Contains(pg.text, "asanova") {
		t.Errorf("the restores listed: %s", pg.text)
	}
	// An administrator restores in any УГНС.
	adm := newOffice(t, a, "admin")
	ap := adm.do("GET", "/office/access/"+p.TIN, nil)
	if done := adm.do("POST", "/office/access/"+p.TIN, ap.form(map[string]string{"passport_shown": "1"})); done.status != 200 || !onceRE.MatchString(done.body) {
		t.Errorf("the administrator: %d", done.status)
	}

	// The Russian profile: no such page.
	ru := startOffice(t, apptest.Options{})
	if rp := newOffice(t, ru, "ivanova").do("GET", "/office/access", nil); rp.status != 404 {
		t.Errorf("the Russian profile: %d", rp.status)
	}
}

// KG-1, BO-3: the inspector's flash says the applicant was notified only when a message was
// queued; else that the decision is on the application's status page.
func TestDecisionFlashSaysWhoWasTold(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if _, err := a.Staff.AddMember(ctx, audit.Actor{Login: "test", Role: "system"}, staff.Member{Login: "admin", Role: staff.RoleAdmin}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	persons := demo.KyrgyzPersons(1, 40)
	o := newOffice(t, a, "admin")
	for i, c := range []struct {
		phone, action, want, notWant string
	}{
		{"", "refuse", "Уведомление не отправлено", "заявитель уведомлён"},
		{"+996555100201", "refuse", "заявитель уведомлён", "Уведомление не отправлено"},
		{"", "approve", "Уведомление не отправлено", "заявитель уведомлён"},
		{"+996555100202", "approve", "заявитель уведомлён", "Уведомление не отправлено"},
	} {
		r, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: persons[30+i].TIN, Password: "Jany-Tang-2026",
			Again: "Jany-Tang-2026", Phone: c.phone}, "ru")
		if err != nil {
			t.Fatal(err)
		}
		pg := o.do("GET", "/office/registrations/"+r.Number(), nil)
		p := o.do("POST", "/office/registrations/"+r.Number()+"/"+c.action, pg.form(map[string]string{"passport_shown": "1", "reason": "Паспорт не предъявлен"}))
		flash := regexp.MustCompile(`(?s)<p class="flash" role="status">(.*?)</p>`).FindStringSubmatch(p.body)
		if p.status != 200 || flash == nil || !strings.Contains(flash[1], c.want) || strings.Contains(flash[1], c.notWant) {
			t.Errorf("%s with phone %q: %d %v", c.action, c.phone, p.status, flash)
		}
	}
}
