package backoffice_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// officeGet fetches a back-office page as the session tok, in lang.
func officeGet(t *testing.T, url, tok, lang string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(&http.Cookie{Name: "__Host-kabinet_office", Value: tok})
	req.AddCookie(&http.Cookie{Name: "__Host-kabinet_lang", Value: lang})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var (
	auditRow  = regexp.MustCompile(`<tr><td>`)
	olderLink = regexp.MustCompile(`<a href="([^"]+)" id="older"`)
	newerLink = regexp.MustCompile(`<a href="([^"]+)" id="newer"`)
)

// BO-5: the audit page filters by staff member (part of a name, any case), record, action and a
// range of days, shows a page of entries with a link to the next that keeps the filters, and
// marks a wrong date in the form, in Russian and in English.
func TestAuditPage(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{})
	ctx := context.Background()
	sys := audit.Actor{Login: "test", Role: "system"}
	for _, m := range []struct{ login, name string }{{"ivanova", "Иванова Анна"}, {"petrov", "Петров Олег"}} {
		if _, err := a.Staff.Add(ctx, sys, m.login, staff.RoleInspector, m.name, "inspector-password"); err != nil {
			t.Fatal(err)
		}
	}
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password, Assurance: "inspector"})
	if err != nil {
		t.Fatal(err)
	}
	// 60 extracts by ivanova and 5 by petrov on 2 March (Moscow time), one by ivanova the day after.
	day := time.Date(2026, 3, 2, 0, 30, 0, 0, audit.OfficeZone)
	write := func(at time.Time, login string) {
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			return store.InsertAudit(ctx, tx, audit.Entry{At: at, Actor: audit.Actor{Login: login, Role: "inspector"}, Action: "taxpayer.extract",
				Subject: "7707083893", Details: "extract=2026-0000001"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 60; i++ {
		write(day.Add(time.Duration(i)*time.Minute), "ivanova")
		if i%12 == 0 {
			write(day.Add(time.Duration(i)*time.Minute), "petrov")
		}
	}
	write(day.Add(24*time.Hour), "ivanova")
	before := len(i18n.Missing())

	// The form: every filter with its label, the values asked for kept.
	code, page := officeGet(t, a.URL+"/office/audit?actor=ИВАН&from=2026-03-02&to=2026-03-02&action=taxpayer.extract", tok, "ru")
	if code != 200 {
		t.Fatalf("audit page: %d", code)
	}
	for _, want := range []string{`<label for="actor">Сотрудник`, `name="actor" type="text" value="ИВАН"`, `<label for="subject">`,
		`<select id="action" name="action"`, `<option value="taxpayer.extract" selected>выдача выписки</option>`,
		`<label for="from">Дата начала`, `name="from" type="date" value="2026-03-02"`, `name="to" type="date" value="2026-03-02"`,
		`<div class="scroll"><table id="audit">`, `<a class="tin" href="/office/taxpayers/7707083893">`, "Иванова Анна (ivanova)",
		"02.03.2026 01:29:00", // the newest of the page, in Moscow time
		`<p class="muted" id="zone">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "petrov") || strings.Contains(page, "03.03.2026") || strings.Contains(page, `id="newer"`) {
		t.Error("the first page shows another member, another day or a link to newer entries")
	}
	// 50 entries, then the next page by its link, with the same filters: the other 10.
	if n := len(auditRow.FindAllString(page, -1)); n != 50 {
		t.Fatalf("first page: %d rows", n)
	}
	m := olderLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to the next page")
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	for _, want := range []string{"actor=%D0%98%D0%92%D0%90%D0%9D", "from=2026-03-02", "to=2026-03-02", "action=taxpayer.extract", "before="} {
		if !strings.Contains(next, want) {
			t.Errorf("the next page's link %s lacks %s", next, want)
		}
	}
	code, page2 := officeGet(t, a.URL+next, tok, "en")
	if code != 200 || len(auditRow.FindAllString(page2, -1)) != 10 || olderLink.MatchString(page2) || !newerLink.MatchString(page2) {
		t.Fatalf("second page: %d, %d rows, older %v, newer %v", code, len(auditRow.FindAllString(page2, -1)), olderLink.MatchString(page2), newerLink.MatchString(page2))
	}
	if !strings.Contains(page2, "02.03.2026 00:39:00") || !strings.Contains(page2, "02.03.2026 00:30:00") || strings.Contains(page2, "02.03.2026 00:40:00") {
		t.Error("the second page does not end with the oldest entries")
	}
	for _, want := range []string{i18n.T("en", "office.audit.newer"), `value="ИВАН"`} {
		if !strings.Contains(page2, want) {
			t.Errorf("the second page lacks %q", want)
		}
	}
	// Back by the newer link: the first page again.
	code, page1 := officeGet(t, a.URL+strings.ReplaceAll(newerLink.FindStringSubmatch(page2)[1], "&amp;", "&"), tok, "ru")
	if code != 200 || len(auditRow.FindAllString(page1, -1)) != 50 || !strings.Contains(page1, "02.03.2026 01:29:00") || !olderLink.MatchString(page1) {
		t.Fatalf("back to the first page: %d, %d rows", code, len(auditRow.FindAllString(page1, -1)))
	}

	// A wrong date: the form again with the field marked and the text typed kept, in each language.
	for _, lang := range []string{"ru", "en"} {
		code, page := officeGet(t, a.URL+"/office/audit?actor=ivan&from=2026-02-30", tok, lang)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: a wrong date: %d", lang, code)
		}
		for _, want := range []string{`value="2026-02-30" aria-describedby="from-error" aria-invalid="true"`, `id="from-error">` + i18n.T(lang, "audit.from"),
			`value="ivan"`, `class="error-summary"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: a wrong date: the page lacks %q", lang, want)
			}
		}
		if strings.Contains(page, `id="audit"`) {
			t.Errorf("%s: a wrong date shows entries", lang)
		}
		code, page = officeGet(t, a.URL+"/office/audit?from=2026-03-03&to=2026-03-02", tok, lang)
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, `id="to-error">`+i18n.T(lang, "audit.range")) {
			t.Errorf("%s: an end before the start: %d", lang, code)
		}
		code, page = officeGet(t, a.URL+"/office/audit?before=abc", tok, lang)
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, i18n.T(lang, "audit.cursor")) {
			t.Errorf("%s: a bad cursor: %d", lang, code)
		}
	}
	if i18n.T("ru", "audit.from") == i18n.T("en", "audit.from") {
		t.Error("the date's error is not translated")
	}
	// Nothing found; a part of a login; a record.
	if _, page := officeGet(t, a.URL+"/office/audit?actor=nobody", tok, "ru"); !strings.Contains(page, `id="no-entries"`) {
		t.Error("no entries: no message")
	}
	if _, page := officeGet(t, a.URL+"/office/audit?actor=TROV&from=2026-03-02", tok, "ru"); len(auditRow.FindAllString(page, -1)) != 5 {
		t.Errorf("part of a login: %d rows", len(auditRow.FindAllString(page, -1)))
	}
	if m := i18n.Missing(); len(m) > before {
		t.Errorf("keys looked up without a text: %v", m)
	}
}

// BO-5: the details of the personal account's and the identity provider's staff actions read as
// words in every language — who came, which documents were checked, the signatory's role, the
// applicant's type, an operator's note with an "=" in it — never as codes or catalogue keys.
func TestAuditDetailsInWords(t *testing.T) {
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{})
	ctx := context.Background()
	if _, err := a.Staff.Add(ctx, audit.Actor{Login: "test", Role: "system"}, "ivanova", staff.RoleAdmin, "Иванова Анна", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := a.Sessions.Start(ctx, session.Start{Site: "office", Subject: "ivanova", Method: session.Password, Assurance: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, e := range []audit.Entry{
		{Action: "lk.card.issue", Subject: "500100732259", Details: `card=c1 office=7736 checked=passport,tin_certificate,power_of_attorney came=representative bearer="Петров Пётр" attorney="77 АА 1234567" notary="Иванова Т. П." attorney_until=2027-01-31`},
		{Action: "lk.registration.approve", Subject: "21505199012345", Details: "application=2026-000001 office=003 type=individual applicant=21505199012345 passport=shown role=head"},
		{Action: "lk.access.restore", Subject: "21505199012345", Details: "restore=r1 office=003 checked=passport holder=21505199012345 role=accountant"},
		{Action: "account.confirm", Subject: "account:a1", Details: `centre=c1 checked=passport,snils note="сверено: серия=4510"`},
		{Action: "lk.representative.add", Subject: "500100732259", Details: "id=r1 kind=power_of_attorney representative=500100732260 until=2027-01-31 powers=view,extracts"},
	} {
		e.At, e.Actor = at, audit.Actor{Login: "ivanova", Role: "inspector"}
		if err := db.InTx(ctx, func(tx *sql.Tx) error { return store.InsertAudit(ctx, tx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	for lang, want := range map[string][]string{
		"ru": {"Кто обратился: представитель по нотариальной доверенности", "Проверены документы: паспорт (документ, удостоверяющий личность), свидетельство о постановке на учёт (ИНН), нотариальная доверенность",
			"Доверенность действует до: 31.01.2027", "Тип налогоплательщика: физическое лицо", "Паспорт: предъявлен", "Роль: руководитель", "Роль: бухгалтер",
			"Проверены документы: паспорт (документ, удостоверяющий личность), СНИЛС", `Примечание: &#34;сверено: серия=4510&#34;`,
			"Полномочия: просмотр сведений кабинета, получение выписок и документов"},
		"en": {"Visitor: " + i18n.T("en", "enum.lk_came.representative"), "Taxpayer type: " + i18n.T("en", "enum.person_type.individual"), "Passport: shown"},
	} {
		code, page := officeGet(t, a.URL+"/office/audit?from=2026-03-02&to=2026-03-02", tok, lang)
		if code != 200 {
			t.Fatalf("%s: %d", lang, code)
		}
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the audit page lacks %q", lang, w)
			}
		}
		table := webtest.Between(page, `<table id="audit">`, "</table>")
		codes := []string{"audit.", "enum.", "tin_certificate", "power_of_attorney"}
		if lang == "ru" {
			codes = append(codes, ": representative", ": individual", ": shown", ": head", ": accountant")
		}
		for _, code := range codes {
			if strings.Contains(table, code) {
				t.Errorf("%s: the audit page shows %q", lang, code)
			}
		}
	}
}
