package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

// organization registers a Russian organization at office and returns its TIN.
func organization(t *testing.T, a *app, full, short, ogrn12, office string) string {
	t.Helper()
	ogrn, err := tin.NewOGRN(ogrn12)
	if err != nil {
		t.Fatal(err)
	}
	region := office[:2]
	res, err := a.reg.RegisterOrganization(context.Background(), system, register.OrganizationInput{FullName: full, ShortName: short, OGRN: ogrn,
		Ground: register.GroundCreation, TaxOffice: office, Address: register.Address{Region: region, City: "Санкт-Петербург", Street: "Невский проспект", House: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Taxpayer.TIN
}

// search types query into the search page's field and submits it.
func search(t *testing.T, ctx context.Context, a *app, query string) {
	t.Helper()
	visit(t, ctx, a.url+"/office/search", "#q")
	fill(t, ctx, map[string]string{"q": query})
	run(t, ctx, submit("#search"))
	if v := value(t, ctx, "q"); v != query {
		t.Errorf("the search field shows %q after searching %q", v, query)
	}
}

// resultTINs are the TINs the search page lists.
func resultTINs(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var out []string
	s := attr(t, ctx, `Array.from(document.querySelectorAll("#results a.tin")).map(a => a.textContent.trim()).join(" ")`)
	if s != "" {
		out = strings.Fields(s)
	}
	return out
}

// BO-1: the search finds an organization by the words of its name, with or without its legal
// form and quotes, in any order; a foreign one by its Latin name; a person by a document's
// number without its series. A namesake's words do not find the other.
func TestSearchInBrowser(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	north := organization(t, a, "Общество с ограниченной ответственностью «Северное сияние»", "ООО «Северное сияние»", "102780000001", "7801")
	south := organization(t, a, "Общество с ограниченной ответственностью «Южное сияние»", "ООО «Южное сияние»", "102780000002", "7801")
	res, err := a.reg.RegisterForeignOrganization(context.Background(), system, register.ForeignOrganizationInput{
		Identification: register.KIOInput{NameRu: "Нордлихт Хандельс Гезельшафт мит бешренктер Хафтунг", NameLatin: "Nordlicht Handels GmbH",
			Country: "Германия", OKSM: "276", RegNumber: "HRB 4711"},
		Address: register.Address{Region: "77", City: "Москва", Street: "Тверская улица", House: "7"}})
	if err != nil {
		t.Fatal(err)
	}
	foreign := res.Taxpayer.TIN
	person := register1(t, a, personIn("Сиянова", "Марина", "050505"))
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")

	for _, c := range []struct {
		query     string
		want, not []string
	}{
		{"Северное сияние", []string{north}, []string{south, foreign}},
		{"ООО «Северное сияние»", []string{north}, []string{south}},
		{"сияние северное", []string{north}, []string{south}},
		{"Общество с ограниченной ответственностью Северное", []string{north}, []string{south}},
		{"сияние", []string{north, south}, []string{foreign}},
		{"Nordlicht Handels", []string{foreign}, []string{north}},
		{"nordlicht gmbh", []string{foreign}, nil},
		{"050505", []string{person}, []string{north}},
		{"7004 050505", []string{person}, nil},
	} {
		search(t, ctx, a, c.query)
		got := resultTINs(t, ctx)
		for _, w := range c.want {
			if !strings.Contains(strings.Join(got, " "), w) {
				t.Errorf("%q: results %v lack %s", c.query, got, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(strings.Join(got, " "), n) {
				t.Errorf("%q: results %v hold %s", c.query, got, n)
			}
		}
	}
	search(t, ctx, a, "ООО «Северное сияние»")
	has(t, ctx, "#results", "Общество с ограниченной ответственностью «Северное сияние»")
	checkPage(t, ctx, "search-words-ru")
	noCodes(t, ctx, "search-words-ru")
	fits(t, ctx, "search-words-ru")
	search(t, ctx, a, "Западное сияние")
	has(t, ctx, "#no-results", "Ничего не найдено")
	// A foreign organization is listed by its Russian and its Latin name, whichever found it.
	for _, q := range []string{"Nordlicht Handels", "Нордлихт"} {
		search(t, ctx, a, q)
		has(t, ctx, "#results", "Нордлихт Хандельс Гезельшафт мит бешренктер Хафтунг")
		has(t, ctx, "#results", "Nordlicht Handels GmbH")
	}
	noCodes(t, ctx, "search-latin-ru")
	inLang(t, ctx, a, "en", "/office/search?q="+url.QueryEscape("Nordlicht"), "#results")
	has(t, ctx, "#results", "foreign organization")
	has(t, ctx, "#results", "Nordlicht Handels GmbH")
	if got := resultTINs(t, ctx); len(got) != 1 || got[0] != foreign {
		t.Fatalf("Nordlicht in English: %v", got)
	}
	checkPage(t, ctx, "search-latin-en")
	fits(t, ctx, "search-latin-en")
}

// auditRowsShown are the rows of the audit page: actor and action of each, newest first.
func auditRowsShown(t *testing.T, ctx context.Context) [][]string {
	t.Helper()
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll("#audit tbody tr")).map(r => Array.from(r.cells).map(c => c.textContent.trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// BO-5: the audit log pages through more than a page of entries (each page linked to the next
// and back, the filters kept), is filtered by a range of days and by part of a staff member's
// name or login, and a wrong date is marked on its field.
func TestAuditLogPagesAndFilters(t *testing.T) {
	clock := apptest.NewClock(time.Now().AddDate(0, 0, -3))
	a := startAppWith(t, storetest.SQLite(t), apptest.Options{Clock: clock})
	bg := context.Background()
	if _, err := a.Staff.Add(bg, system, "petrov", staff.RoleInspector, "Петров Павел", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	early := clock.Now().In(audit.OfficeZone).Format(time.DateOnly)
	petrov := audit.Actor{Login: "petrov", Role: "inspector"}
	for _, in := range demo.Persons(11, 3) {
		if _, err := a.reg.RegisterPerson(bg, petrov, in); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(3 * 24 * time.Hour)
	ivanova := audit.Actor{Login: "ivanova", Role: "inspector"}
	for _, in := range demo.Persons(12, 57) {
		if _, err := a.reg.RegisterPerson(bg, ivanova, in); err != nil {
			t.Fatal(err)
		}
	}
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")
	theirs, err := a.DB.ListAudit(bg, audit.Filter{Staff: "иван", Limit: 1000})
	if err != nil || len(theirs) <= 50 {
		t.Fatalf("entries of ivanova: %d %v", len(theirs), err)
	}

	// Filtered by a part of the name, in capitals: two pages, each entry once.
	visit(t, ctx, a.url+"/office/audit", "#audit-filter")
	fill(t, ctx, map[string]string{"actor": "ИВАН"})
	run(t, ctx, submit("#filter"))
	first := auditRowsShown(t, ctx)
	if len(first) != 50 {
		t.Fatalf("first page: %d rows, want 50", len(first))
	}
	for _, r := range first {
		if !strings.Contains(r[1], "ivanova") {
			t.Fatalf("the filter by «ИВАН» shows %v", r)
		}
	}
	if n := attr(t, ctx, `String(document.querySelectorAll("#newer").length)`); n != "0" {
		t.Error("the newest page links to newer entries")
	}
	if href := attr(t, ctx, `document.getElementById("older").getAttribute("href")`); !strings.Contains(href, "actor=") || !strings.Contains(href, "before=") {
		t.Fatalf("the link to the next page drops the filter: %s", href)
	}
	checkPage(t, ctx, "audit-filtered-ru")
	noCodes(t, ctx, "audit-filtered-ru")
	fits(t, ctx, "audit-filtered-ru")
	run(t, ctx, submit("#older"))
	second := auditRowsShown(t, ctx)
	if len(second) != len(theirs)-50 {
		t.Fatalf("second page: %d rows, want %d", len(second), len(theirs)-50)
	}
	if v := value(t, ctx, "actor"); v != "ИВАН" {
		t.Errorf("the filter on the second page: %q", v)
	}
	if n := attr(t, ctx, `String(document.querySelectorAll("#older").length)`); n != "0" {
		t.Error("the last page links to older entries")
	}
	run(t, ctx, submit("#newer"))
	if again := auditRowsShown(t, ctx); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatalf("back to the first page: %d rows, not the same as before", len(again))
	}

	// Filtered by a day and a part of a login: petrov's three registrations of that day.
	visit(t, ctx, a.url+"/office/audit", "#audit-filter")
	fill(t, ctx, map[string]string{"actor": "petr", "from": early, "to": early})
	run(t, ctx, submit("#filter"))
	rows := auditRowsShown(t, ctx)
	if len(rows) != 3 {
		t.Fatalf("petrov on %s: %d rows %v", early, len(rows), rows)
	}
	for _, r := range rows {
		if !strings.Contains(r[1], "Петров Павел (petrov)") || r[2] != "постановка на учёт физического лица" || !strings.HasPrefix(r[0], clock.Now().AddDate(0, 0, -3).In(audit.OfficeZone).Format("02.01.2006")) {
			t.Fatalf("row %v", r)
		}
	}
	kept(t, ctx, map[string]string{"actor": "petr", "from": early, "to": early})
	// The day after: none of them.
	next := clock.Now().AddDate(0, 0, -2).In(audit.OfficeZone).Format(time.DateOnly)
	visit(t, ctx, a.url+"/office/audit?actor=petr&from="+next, "#no-entries")
	has(t, ctx, "#no-entries", "Записей не найдено")

	// A date that does not exist, an end before the start: each on its field, in both languages.
	for _, lang := range []string{"ru", "en"} {
		inLang(t, ctx, a, lang, "/office/audit?actor=petr&from=2026-02-30", "#from")
		fieldError(t, ctx, "from", map[string]string{"ru": "Дата начала должна быть существующей датой в формате ГГГГ-ММ-ДД",
			"en": "The start date must be an existing date in the form YYYY-MM-DD"}[lang])
		if v := attr(t, ctx, `document.getElementById("from").getAttribute("value")`); v != "2026-02-30" {
			t.Errorf("the wrong date is not kept: %q", v)
		}
		kept(t, ctx, map[string]string{"actor": "petr"})
		if n := attr(t, ctx, `String(document.querySelectorAll("#audit").length)`); n != "0" {
			t.Error("entries are listed under a wrong filter")
		}
		checkPage(t, ctx, "audit-bad-date-"+lang)
		visit(t, ctx, a.url+"/office/audit?from=2026-03-10&to=2026-03-01", "#to")
		fieldError(t, ctx, "to", map[string]string{"ru": "Дата окончания не может быть раньше даты начала",
			"en": "The end date cannot be before the start date"}[lang])
		notInvalid(t, ctx, "from")
	}
}

// The pages of the back office that no other test checks with axe: the operators' accounts
// (BO-4), an organization's edit page, the audit log filtered; in both languages, at 375 px
// and printed.
func TestOperatorAndEditPages(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	bg := context.Background()
	if _, err := a.Staff.Add(bg, system, "mfc1", staff.RoleOperator, "Орлов Пётр", "operator-password"); err != nil {
		t.Fatal(err)
	}
	acc, err := a.Identity.AddAccount(bg, identity.NewAccount{Surname: "Кузнецова", GivenName: "Дарья", Patronymic: "Андреевна", Phone: "+79165550123",
		SNILS: "112-233-445 95", Level: identity.Standard, Password: "Volga-river-2026"})
	if err != nil {
		t.Fatal(err)
	}
	org := organization(t, a, "Общество с ограниченной ответственностью «Полярная звезда»", "ООО «Полярная звезда»", "102780000003", "7801")
	ctx := browser(t)
	login(t, ctx, a, "mfc1", "operator-password")
	for _, lang := range []string{"ru", "en"} {
		inLang(t, ctx, a, lang, "/office/accounts", "#q")
		checkPage(t, ctx, "office-accounts-"+lang)
		// BO-4: a СНИЛС as people type it: with spaces only, or hyphens and a space.
		fill(t, ctx, map[string]string{"q": "112 233 445 95"})
		run(t, ctx, submit("#find"))
		has(t, ctx, "#accounts", "Кузнецова Дарья Андреевна")
		fill(t, ctx, map[string]string{"q": "112-233-445 95"})
		run(t, ctx, submit("#find"))
		has(t, ctx, "#accounts", "Кузнецова Дарья Андреевна")
		checkPage(t, ctx, "office-accounts-found-"+lang)
		fits(t, ctx, "office-accounts-found-"+lang)
		run(t, ctx, submit("#accounts a"))
		if p := attr(t, ctx, `location.pathname`); p != "/office/accounts/"+acc.ID {
			t.Fatalf("account page at %s", p)
		}
		has(t, ctx, "h1", "Кузнецова Дарья Андреевна")
		checkPage(t, ctx, "office-account-"+lang)
		fits(t, ctx, "office-account-"+lang)
	}
	run(t, ctx, submit("#logout"))
	login(t, ctx, a, "ivanova", "inspector-password")
	for _, lang := range []string{"ru", "en"} {
		inLang(t, ctx, a, lang, "/office/taxpayers/"+org+"/edit", "#full_name")
		kept(t, ctx, map[string]string{"full_name": "Общество с ограниченной ответственностью «Полярная звезда»", "short_name": "ООО «Полярная звезда»"})
		checkPage(t, ctx, "edit-org-"+lang)
		fits(t, ctx, "edit-org-"+lang)
		visit(t, ctx, a.url+"/office/audit?actor=ivan&action=staff.login&from="+time.Now().AddDate(0, 0, -1).Format(time.DateOnly), "#audit-filter")
		checkPage(t, ctx, "audit-filters-"+lang)
	}
}
