package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The Kyrgyz taxpayer cabinet (SPEC section 7) in headless Chromium, in Kyrgyz and in Russian,
// with axe and noCodes (no catalogue key, no enumerated value's code) on every page, every error
// shown included, and, with KABINET_SCREENSHOTS=DIR, every page saved at 1280 and 375 px:
// self-registration of an individual in Kyrgyz and of a legal entity in Russian with «Поиск», a
// Russian ИНН, an empty field, «Пароли не совпадают» and a person who is neither head nor
// accountant refused (KG-1); the inspector of the УГНС grants access after the passport and
// prints the login as a PDF in the applicant's Kyrgyz, read back with pdftotext (BO-3); then the
// login, the history naming the inspector who granted access (never by the login), and the
// mobile API refusing a login without the documents and accepting it after (KG-2).

// startKyrgyz starts the kg profile with the demo's taxpayers and an inspector of УГНС office.
func startKyrgyz(t *testing.T, office string) (*app, []register.PersonInput) {
	t.Helper()
	db := storetest.SQLite(t)
	a := apptest.Start(t, db, apptest.Options{Clock: apptest.NewClock(time.Time{}), Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "asanova", Role: staff.RoleInspector, Name: "Асанова Айгүл Маратовна",
		Position: "Главный налоговый инспектор", Office: office}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	return &app{App: a, url: a.URL, reg: a.Register, db: db}, demo.KyrgyzPersons(1, 40)
}

// lkLang switches the cabinet to lang and opens back, waiting for sel.
func lkLang(t *testing.T, ctx context.Context, a *app, lang, back, sel string) {
	t.Helper()
	visit(t, ctx, a.url+"/lk/lang?lang="+lang+"&back="+back, sel)
	if got := attr(t, ctx, `document.documentElement.lang`); got != lang {
		t.Fatalf("%s: page language %q, want %q", back, got, lang)
	}
}

// kyrgyzLetters finds the letters of Kyrgyz that Russian has not.
var kyrgyzLetters = regexp.MustCompile(`[ҢңӨөҮү]`)

func TestKyrgyzCabinet(t *testing.T) {
	org := demo.KyrgyzOrganizations[0] // УГНС 002
	a, persons := startKyrgyz(t, org.TaxOffice)
	var p, outsider register.PersonInput
	for _, x := range persons[11:] { // signs for no organization
		if x.TaxOffice == org.TaxOffice && p.TIN == "" {
			p = x
		} else if outsider.TIN == "" {
			outsider = x
		}
	}
	if p.TIN == "" {
		t.Fatal("no person of УГНС 002")
	}
	head := persons[org.Head]
	ctx := browser(t)

	// KG-1 in Kyrgyz: an individual.
	lkLang(t, ctx, a, "ky", "/lk/login", "#login-form")
	has(t, ctx, "h1", "Кабинетке кирүү")
	checkPage(t, ctx, "kg-lk-login-ky")
	fits(t, ctx, "kg-lk-login-ky")
	noCodes(t, ctx, "kg-lk-login-ky")
	run(t, ctx, submit("#register-link"))
	has(t, ctx, "h1", "Катталуу")
	checkPage(t, ctx, "kg-register-ways-ky")
	noCodes(t, ctx, "kg-register-ways-ky")
	run(t, ctx, submit("#way-password"))
	run(t, ctx, submit("#next"))
	fieldError(t, ctx, "person_type-individual", "Жактын түрүн тандаңыз")
	checkPage(t, ctx, "kg-register-type-ky")
	noCodes(t, ctx, "kg-register-type-ky")
	fill(t, ctx, map[string]string{"person_type-individual": "on"})
	run(t, ctx, submit("#next"))
	has(t, ctx, "#person-type", "жеке жак")
	checkPage(t, ctx, "kg-register-form-ky")
	noCodes(t, ctx, "kg-register-form-ky")
	fits(t, ctx, "kg-register-form-ky")
	fill(t, ctx, map[string]string{"tin": "500100732259"})
	run(t, ctx, submit("#search"))
	fieldError(t, ctx, "tin", "Россиянын ИННи (10 же 12 сан)")
	fill(t, ctx, map[string]string{"tin": p.TIN})
	run(t, ctx, submit("#search"))
	if got := value(t, ctx, "name"); got != p.Surname+" "+p.GivenName+" "+p.Patronymic {
		t.Fatalf("«Издөө» filled %q", got)
	}
	if got := value(t, ctx, "office"); got != p.TaxOffice {
		t.Fatalf("the УГНС code %q", got)
	}
	has(t, ctx, "#office-name", "УГНС")
	checkPage(t, ctx, "kg-register-found-ky")
	noCodes(t, ctx, "kg-register-found-ky")
	fill(t, ctx, map[string]string{"password": "kyzyl-tash-2026", "password_repeat": "kyzyl-tash-2027", "phone": "+996 555 100 200"})
	run(t, ctx, submit("#submit"))
	fieldError(t, ctx, "password_repeat", "Сырсөздөр дал келбейт")
	kept(t, ctx, map[string]string{"tin": p.TIN, "phone": "+996 555 100 200"})
	checkPage(t, ctx, "kg-register-mismatch-ky")
	noCodes(t, ctx, "kg-register-mismatch-ky")
	fill(t, ctx, map[string]string{"password": "kyzyl-tash-2026"}) // the second typing is never shown again: left empty
	run(t, ctx, submit("#submit"))
	fieldError(t, ctx, "password_repeat", "милдеттүү")
	checkPage(t, ctx, "kg-register-empty-ky")
	noCodes(t, ctx, "kg-register-empty-ky")
	fill(t, ctx, map[string]string{"password": "kyzyl-tash-2026", "password_repeat": "kyzyl-tash-2026"})
	run(t, ctx, submit("#submit"))
	has(t, ctx, "#saved", "Өтүнмө сакталды")
	has(t, ctx, "#next-steps", "паспорт")
	number := strings.TrimSpace(text(t, ctx, "#number"))
	checkPage(t, ctx, "kg-register-saved-ky")
	fits(t, ctx, "kg-register-saved-ky")
	noCodes(t, ctx, "kg-register-saved-ky")

	// KG-1 in Russian: a legal entity, refused for a person who is neither head nor accountant.
	lkLang(t, ctx, a, "ru", "/lk/register", "#way-password")
	checkPage(t, ctx, "kg-register-ways-ru")
	noCodes(t, ctx, "kg-register-ways-ru")
	run(t, ctx, submit("#way-password"))
	fill(t, ctx, map[string]string{"person_type-legal": "on"})
	run(t, ctx, submit("#next"))
	has(t, ctx, "#organization", "Наименование налогоплательщика")
	has(t, ctx, "#search", "Поиск")
	checkPage(t, ctx, "kg-register-legal-ru")
	noCodes(t, ctx, "kg-register-legal-ru")
	fits(t, ctx, "kg-register-legal-ru")
	fill(t, ctx, map[string]string{"tin": "7707083893"})
	run(t, ctx, submit("#search"))
	fieldError(t, ctx, "tin", "российский ИНН")
	fill(t, ctx, map[string]string{"tin": outsider.TIN, "org_tin": org.TIN})
	run(t, ctx, submit("#search-org"))
	fieldError(t, ctx, "org_tin", "руководителем или бухгалтером")
	checkPage(t, ctx, "kg-register-not-signatory-ru")
	noCodes(t, ctx, "kg-register-not-signatory-ru")
	fill(t, ctx, map[string]string{"tin": head.TIN, "org_tin": org.TIN})
	run(t, ctx, submit("#search-org"))
	if got := value(t, ctx, "org_name"); got != org.ShortName {
		t.Fatalf("«Наименование налогоплательщика» %q", got)
	}
	if got := value(t, ctx, "office"); got != org.TaxOffice {
		t.Fatalf("«Код УГНС» %q", got)
	}
	fill(t, ctx, map[string]string{"password": "Jany-Tang-2026", "password_repeat": "Jany-Tang-2025"})
	run(t, ctx, submit("#submit"))
	fieldError(t, ctx, "password_repeat", "Пароли не совпадают")
	checkPage(t, ctx, "kg-register-mismatch-ru")
	noCodes(t, ctx, "kg-register-mismatch-ru")
	fill(t, ctx, map[string]string{"password": "Jany-Tang-2026", "password_repeat": "Jany-Tang-2026", "email": "buh@example.kg"})
	run(t, ctx, submit("#submit"))
	has(t, ctx, "#saved", "Заявка на регистрацию пользователя успешно сохранена")
	legalNumber := strings.TrimSpace(text(t, ctx, "#number"))
	checkPage(t, ctx, "kg-register-saved-ru")
	noCodes(t, ctx, "kg-register-saved-ru")

	// BO-3: the inspector of УГНС 002 grants access after the passport, and prints the login.
	login(t, ctx, a, "asanova", "inspector-password")
	visit(t, ctx, a.url+"/office/registrations", "#registrations")
	has(t, ctx, "#registrations", number)
	has(t, ctx, "#registrations", legalNumber)
	has(t, ctx, "#queue-office", "УГНС 002")
	checkPage(t, ctx, "kg-office-registrations")
	fits(t, ctx, "kg-office-registrations")
	// An application's number on one line, on a phone too.
	run(t, ctx, chromedp.EmulateViewport(375, 800))
	lines := attr(t, ctx, `Array.from(document.querySelectorAll("#registrations tbody tr td:first-child")).map(td => String(td.getClientRects().length && td.querySelector("a").getClientRects().length)).join(",")`)
	run(t, ctx, chromedp.EmulateViewport(1280, 1000))
	if strings.Trim(lines, "1,") != "" {
		t.Errorf("an application's number wraps: lines %s", lines)
	}
	noCodes(t, ctx, "kg-office-registrations")
	visit(t, ctx, a.url+"/office/registrations/"+number, "#approve-form")
	has(t, ctx, "#reg-name", p.Surname)
	checkPage(t, ctx, "kg-office-registration")
	noCodes(t, ctx, "kg-office-registration")
	run(t, ctx, submit("#approve"))
	fieldError(t, ctx, "passport_shown", "паспорт")
	checkPage(t, ctx, "kg-office-no-passport")
	noCodes(t, ctx, "kg-office-no-passport")
	fill(t, ctx, map[string]string{"passport_shown": "on", "passport": "ID 1234567"})
	run(t, ctx, submit("#approve"))
	has(t, ctx, ".flash", "Доступ предоставлен")
	has(t, ctx, "#ho-login", p.TIN)
	has(t, ctx, "#pdf-lang", "кыргызский")
	// Printed in the applicant's language, like its PDF, on the inspector's Russian page.
	has(t, ctx, "#handover h1", "Салык төлөөчүнүн кабинетине кирүү укугу")
	if l := attr(t, ctx, `document.getElementById("handover").lang + "/" + document.documentElement.lang`); l != "ky/ru" {
		t.Errorf("the handover's language: %s", l)
	}
	if n := attr(t, ctx, `String(document.querySelectorAll('a[href="/office/cards"]').length)`); n != "0" {
		t.Errorf("the kg back office offers registration cards: %s links", n)
	}
	checkPage(t, ctx, "kg-office-handover")
	fits(t, ctx, "kg-office-handover")
	noCodes(t, ctx, "kg-office-handover")
	printsOnOnePage(t, ctx, "kg-office-handover")
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/office/registrations/`+number+`/handover.pdf")
		.then(r => r.headers.get("Content-Type") === "application/pdf" ? r.arrayBuffer() : Promise.reject(r.status))
		.then(b => btoa(String.fromCharCode(...new Uint8Array(b))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the login as PDF: %v", err)
	}
	pdf, _ := base64.StdEncoding.DecodeString(b64)
	if txt := pdfText(t, pdf); txt != "" {
		if !strings.Contains(txt, "Салык төлөөчүнүн кабинетине кирүү укугу") || !strings.Contains(txt, p.TIN) || !strings.Contains(txt, p.Surname) ||
			!kyrgyzLetters.MatchString(txt) {
			t.Fatalf("the PDF's text: %q", txt)
		}
	} else if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	entries, err := a.DB.ListAudit(context.Background(), audit.Filter{Subject: p.TIN})
	if err != nil || len(entries) < 2 || entries[0].Action != "lk.registration.print" || entries[1].Action != "lk.registration.approve" || entries[1].Actor.Login != "asanova" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	visit(t, ctx, a.url+"/office/registrations/"+legalNumber, "#approve-form")
	has(t, ctx, "#reg-org", org.ShortName)
	fill(t, ctx, map[string]string{"passport_shown": "on"})
	run(t, ctx, submit("#approve"))
	has(t, ctx, "#ho-login", org.TIN)
	checkPage(t, ctx, "kg-office-handover-legal")
	noCodes(t, ctx, "kg-office-handover-legal")

	// The taxpayer logs in with the password set at registration, in Russian and in Kyrgyz.
	lkLogin(t, ctx, a, p.TIN, "kyzyl-tash-2027")
	has(t, ctx, "#problem", "Неверный ИНН или пароль")
	checkPage(t, ctx, "kg-lk-login-failed-ru")
	noCodes(t, ctx, "kg-lk-login-failed-ru")
	lkLogin(t, ctx, a, p.TIN, "kyzyl-tash-2026")
	has(t, ctx, "#tin", p.TIN)
	has(t, ctx, "#office", p.TaxOffice)
	checkPage(t, ctx, "kg-lk-home-ru")
	fits(t, ctx, "kg-lk-home-ru")
	noCodes(t, ctx, "kg-lk-home-ru")
	lkLang(t, ctx, a, "ky", "/lk/", "#tin")
	has(t, ctx, "h1", "Салык төлөөчүнүн кабинети")
	has(t, ctx, "#sections", "Салык декларациялары")
	checkPage(t, ctx, "kg-lk-home-ky")
	fits(t, ctx, "kg-lk-home-ky")
	noCodes(t, ctx, "kg-lk-home-ky")
	visit(t, ctx, a.url+"/lk/extract", "table")
	has(t, ctx, "body", p.TIN)
	// The Kyrgyz register's extract, not the Russian ЕГРН's.
	has(t, ctx, "h1", "Мамлекеттик салык кызматынын салык төлөөчүлөр реестринен көчүрмө")
	if s := text(t, ctx, "body"); strings.Contains(s, "бирдиктүү мамлекеттик реестр") || strings.Contains(s, "Единого государственного") {
		t.Errorf("the kg extract is worded after the Russian register: %.300s", s)
	}
	checkPage(t, ctx, "kg-lk-extract-ky")
	fits(t, ctx, "kg-lk-extract-ky")
	noCodes(t, ctx, "kg-lk-extract-ky")
	visit(t, ctx, a.url+"/lk/settings", "#history")
	has(t, ctx, "#history", "өтүнмө боюнча кирүү укугу берилди")
	// The inspector who granted access by name and position, never by the login.
	has(t, ctx, "#history", "Асанова Айгүл Маратовна, Главный налоговый инспектор")
	if h := text(t, ctx, "#history"); strings.Contains(h, "asanova") {
		t.Errorf("the history shows the staff login: %s", h)
	}
	checkPage(t, ctx, "kg-lk-settings-ky")
	fits(t, ctx, "kg-lk-settings-ky")
	noCodes(t, ctx, "kg-lk-settings-ky")
	lkLang(t, ctx, a, "en", "/lk/settings", "#history")
	has(t, ctx, "#history", "Асанова Айгүл Маратовна")
	checkPage(t, ctx, "kg-lk-settings-en")
	noCodes(t, ctx, "kg-lk-settings-en")
	lkLang(t, ctx, a, "ky", "/lk/settings", "#history")
	lkLogout(t, ctx, a)
	lkLogin(t, ctx, a, org.TIN, "Jany-Tang-2026")
	has(t, ctx, "#name", org.ShortName)
	checkPage(t, ctx, "kg-lk-home-org-ky")
	noCodes(t, ctx, "kg-lk-home-org-ky")
	lkLogout(t, ctx, a)

	// KG-2: the mobile API asks for both documents, then lets the taxpayer in.
	post := func(body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", a.url+"/api/mobile/v1/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "ky")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, f := post(`{"login":"` + p.TIN + `","password":"kyzyl-tash-2026"}`); code != 403 || !strings.Contains(f["title"].(string), "оферта келишими") ||
		!strings.Contains(f["title"].(string), "купуялык саясаты") {
		t.Fatalf("the mobile login without the documents: %d %v", code, f)
	}
	if code, f := post(`{"login":"` + p.TIN + `","password":"kyzyl-tash-2026","accept_offer":true,"accept_privacy":true}`); code != 200 || f["token_type"] != "Bearer" {
		t.Fatalf("the mobile login: %d %v", code, f)
	}
}

// A Russian page of the kg profile and the Russian profile: the Russian profile has no
// registration of its own kind, and the Kyrgyz one no online application, e-signature or
// demonstration account of the Russian kind.
func TestKyrgyzCabinetWays(t *testing.T) {
	a, _ := startKyrgyz(t, "002")
	ctx := browser(t)
	visit(t, ctx, a.url+"/lk/login", "#login-form")
	has(t, ctx, "#login-how", "УГНС")
	if n := attr(t, ctx, `String(document.querySelectorAll("#apply-link, #esign-link, #demo-hint, #idp-login").length)`); n != "0" {
		t.Errorf("the Russian ways into the cabinet on the Kyrgyz login page: %s", n)
	}
	has(t, ctx, "#login-form", "14")
	checkPage(t, ctx, "kg-lk-login-ru")
	noCodes(t, ctx, "kg-lk-login-ru")
	visit(t, ctx, a.url+"/lk/apply", "main")
	has(t, ctx, "h1", "404")
}
