package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/register"
)

// The state of an application for the Kyrgyz cabinet and the restore of access at the УГНС (KG-1,
// BO-3, BO-5, LK-2, LK-10) in headless Chromium, in Kyrgyz and in Russian with one English page,
// with axe and noCodes on every page and, with KABINET_SCREENSHOTS=DIR, every page saved at 1280
// and 375 px and as printed: the public status page reached from the saved application, the
// login page and the registration page; nothing typed (each field named), a wrong ИНН and an
// unknown number answered alike, an application waiting, refused with the inspector's reason and
// approved; then the inspector of the taxpayer's УГНС restores access (refused without the
// passport), the handover in the owner's Kyrgyz on the page, in print and as a PDF, and the
// owner logs in with the one-time password, is made to set an own password, and neither the old
// password nor the one-time one opens the cabinet again.

// kgApply applies for the cabinet of the individual x with password pw, in the cabinet's
// language of the moment, and returns the application's number from the saved page.
func kgApply(t *testing.T, ctx context.Context, a *app, x register.PersonInput, pw string) string {
	t.Helper()
	visit(t, ctx, a.url+"/lk/register", "#way-password")
	run(t, ctx, submit("#way-password"))
	fill(t, ctx, map[string]string{"person_type-individual": "on"})
	run(t, ctx, submit("#next"))
	fill(t, ctx, map[string]string{"tin": x.TIN})
	run(t, ctx, submit("#search"))
	fill(t, ctx, map[string]string{"password": pw, "password_repeat": pw})
	run(t, ctx, submit("#submit"))
	return strings.TrimSpace(text(t, ctx, "#number"))
}

// askStatus posts the status form with number and tin.
func askStatus(t *testing.T, ctx context.Context, number, tin string) {
	t.Helper()
	fill(t, ctx, map[string]string{"number": number, "tin": tin})
	run(t, ctx, submit("#submit"))
}

// lookAt checks the page the browser shows: axe (and screenshots), no codes, and, with fit, no
// horizontal scroll at 375 px or printed (fits).
func lookAt(t *testing.T, ctx context.Context, name string, fit bool) {
	t.Helper()
	checkPage(t, ctx, name)
	noCodes(t, ctx, name)
	if fit {
		fits(t, ctx, name)
	}
}

func TestKyrgyzAccess(t *testing.T) {
	all := demo.KyrgyzPersons(1, 40)
	office := all[11].TaxOffice
	a, persons := startKyrgyz(t, office)
	// Two persons of one УГНС who sign for no organization (persons[11:]).
	var p, q register.PersonInput
	for _, x := range persons[11:] {
		if x.TaxOffice != office {
			continue
		}
		if p.TIN == "" {
			p = x
		} else if q.TIN == "" {
			q = x
		}
	}
	if q.TIN == "" {
		t.Fatalf("no two persons of УГНС %s", office)
	}
	ctx := browser(t)

	// KG-1 in Russian: p applies, and the saved application leads to its state, its number filled.
	lkLang(t, ctx, a, "ru", "/lk/register", "#way-password")
	if n := attr(t, ctx, `String(document.querySelectorAll('#status-link[href="/lk/register/status"]').length)`); n != "1" {
		t.Errorf("the registration page links the status page %s times", n)
	}
	pNumber := kgApply(t, ctx, a, p, "Ala-Too-2026")
	has(t, ctx, "#status-hint", "ИНН")
	run(t, ctx, submit("#status-link"))
	has(t, ctx, "h1", "Состояние заявки на регистрацию")
	if v := value(t, ctx, "number"); v != pNumber {
		t.Fatalf("the status form's number %q, want the saved application's %q", v, pNumber)
	}
	lookAt(t, ctx, "kg-status-form-ru", true)
	year := strings.SplitN(pNumber, "-", 2)[0]

	// Nothing typed: each field named, in the summary too.
	attr(t, ctx, `document.getElementById("number").value = ""`) // fill sets no empty value
	run(t, ctx, submit("#submit"))
	fieldError(t, ctx, "number", "Номер заявки")
	fieldError(t, ctx, "tin", "ИНН")
	lookAt(t, ctx, "kg-status-empty-ru", true)
	// A wrong ИНН (another taxpayer's, with an application of its own) and an unknown number are
	// told alike.
	askStatus(t, ctx, pNumber, q.TIN)
	has(t, ctx, "#problem", "не найдена")
	wrongTIN := text(t, ctx, "#problem")
	kept(t, ctx, map[string]string{"number": pNumber, "tin": q.TIN})
	lookAt(t, ctx, "kg-status-wrong-tin-ru", false)
	askStatus(t, ctx, year+"-999999", p.TIN)
	if got := text(t, ctx, "#problem"); got != wrongTIN {
		t.Errorf("an unknown number is told %q, a wrong ИНН %q", got, wrongTIN)
	}
	if n := attr(t, ctx, `String(document.querySelectorAll("#status").length)`); n != "0" {
		t.Errorf("a state shown for an unknown number")
	}
	lookAt(t, ctx, "kg-status-unknown-ru", false)
	// The right pair: waiting for the УГНС.
	askStatus(t, ctx, pNumber, p.TIN)
	has(t, ctx, "#status h2", "Заявка № "+pNumber)
	has(t, ctx, "#state", "на рассмотрении")
	has(t, ctx, "#office", office)
	has(t, ctx, "#next", "паспорт")
	lookAt(t, ctx, "kg-status-waiting-ru", true)
	// Printed, the state without the form for another.
	setMedia(t, ctx, "print")
	if v := attr(t, ctx, `["status-text", "status-form", "register-link"].filter(id => document.getElementById(id).getClientRects().length).join(",")`); v != "" {
		t.Errorf("printed, the state comes with the form: %s", v)
	}
	setMedia(t, ctx, "")

	// KG-1 in Kyrgyz: q applies; the login page leads to the status page too, by keyboard.
	lkLang(t, ctx, a, "ky", "/lk/register", "#way-password")
	qNumber := kgApply(t, ctx, a, q, "Issyk-Kul-2026")
	visit(t, ctx, a.url+"/lk/login", "#login-form")
	tabTo(t, ctx, "#status-link", 30)
	pressAndLoad(t, ctx, kb.Enter)
	has(t, ctx, "h1", "Каттоого өтүнмөнүн абалы")
	if v := value(t, ctx, "number"); v != "" {
		t.Errorf("the status form from the login page filled %q", v)
	}
	lookAt(t, ctx, "kg-status-form-ky", true)
	if !kyrgyzLetters.MatchString(text(t, ctx, "main")) {
		t.Errorf("the Kyrgyz status page has no Kyrgyz letter: %.200s", text(t, ctx, "main"))
	}
	run(t, ctx, submit("#submit"))
	fieldError(t, ctx, "number", "Өтүнмөнүн номери")
	fieldError(t, ctx, "tin", "ИНН")
	lookAt(t, ctx, "kg-status-empty-ky", true)
	askStatus(t, ctx, qNumber, p.TIN)
	has(t, ctx, "#problem", "табылган жок")
	wrongTIN = text(t, ctx, "#problem")
	lookAt(t, ctx, "kg-status-wrong-tin-ky", false)
	askStatus(t, ctx, year+"-999999", q.TIN)
	if got := text(t, ctx, "#problem"); got != wrongTIN {
		t.Errorf("an unknown number is told %q, a wrong ИНН %q", got, wrongTIN)
	}
	askStatus(t, ctx, qNumber, q.TIN)
	has(t, ctx, "#status h2", "Өтүнмө № "+qNumber)
	has(t, ctx, "#state", "каралууда")
	has(t, ctx, "#next", "паспорт")
	lookAt(t, ctx, "kg-status-waiting-ky", true)

	// BO-3: the inspector refuses p's application with a reason and approves q's.
	login(t, ctx, a, "asanova", "inspector-password")
	visit(t, ctx, a.url+"/office/registrations/"+pNumber, "#refuse-form")
	run(t, ctx, submit("#refuse"))
	fieldError(t, ctx, "reason", "Укажите причину отказа")
	lookAt(t, ctx, "kg-office-refuse-empty", false)
	reason := "Фамилия в паспорте не совпадает с реестром: обратитесь в УГНС для исправления данных"
	fill(t, ctx, map[string]string{"reason": reason})
	run(t, ctx, submit("#refuse"))
	has(t, ctx, ".flash", "В регистрации отказано")
	has(t, ctx, "#reg-state", reason)
	lookAt(t, ctx, "kg-office-refused", false)
	visit(t, ctx, a.url+"/office/registrations/"+qNumber, "#approve-form")
	fill(t, ctx, map[string]string{"passport_shown": "on", "passport": "ID 2345678"})
	run(t, ctx, submit("#approve"))
	has(t, ctx, "#ho-login", q.TIN)

	// The refusal and its reason on the status page, in Russian and in Kyrgyz.
	lkLang(t, ctx, a, "ru", "/lk/register/status", "#status-form")
	askStatus(t, ctx, pNumber, p.TIN)
	has(t, ctx, "#state", "отказано")
	has(t, ctx, "#reason", reason)
	has(t, ctx, "#next", "подайте заявку снова")
	has(t, ctx, "#apply-again", "Подать заявку снова")
	lookAt(t, ctx, "kg-status-refused-ru", true)
	lkLang(t, ctx, a, "ky", "/lk/register/status", "#status-form")
	askStatus(t, ctx, pNumber, p.TIN)
	has(t, ctx, "#state", "баш тартылды")
	has(t, ctx, "#reason", reason)
	lookAt(t, ctx, "kg-status-refused-ky", true)
	// The approval, in Kyrgyz and in English.
	askStatus(t, ctx, qNumber, q.TIN)
	has(t, ctx, "#state", "кирүү укугу берилди")
	has(t, ctx, "#next", q.TIN)
	has(t, ctx, "#to-login", "Кабинетке кирүү")
	lookAt(t, ctx, "kg-status-approved-ky", true)
	lkLang(t, ctx, a, "en", "/lk/register/status", "#status-form")
	askStatus(t, ctx, qNumber, q.TIN)
	has(t, ctx, "#state", "access granted")
	has(t, ctx, "#forgot", "passport")
	lookAt(t, ctx, "kg-status-approved-en", true)
	// The application's number on one line, on a phone too.
	run(t, ctx, chromedp.EmulateViewport(375, 800))
	lines := attr(t, ctx, `String(document.getElementById("status-number").getClientRects().length)`)
	run(t, ctx, chromedp.EmulateViewport(1280, 1000))
	if lines != "1" {
		t.Errorf("the application's number wraps on a phone: %s lines", lines)
	}

	// BO-5: q forgot the password; the inspector finds the cabinet from the queue.
	inLang(t, ctx, a, "ru", "/office/registrations", "#access-find") // the language is one for both sites
	fill(t, ctx, map[string]string{"tin": q.TIN})
	run(t, ctx, submit("#access-find-submit"))
	has(t, ctx, "h1", "Восстановление доступа к кабинету")
	has(t, ctx, "#tin", q.TIN)
	has(t, ctx, "#name", q.Surname)
	lookAt(t, ctx, "kg-office-access", true)
	fill(t, ctx, map[string]string{"passport": "ID 2345678"})
	run(t, ctx, submit("#restore"))
	fieldError(t, ctx, "passport_shown", "паспорт")
	kept(t, ctx, map[string]string{"passport": "ID 2345678"})
	lookAt(t, ctx, "kg-office-access-no-passport", true)
	fill(t, ctx, map[string]string{"passport_shown": "on"})
	run(t, ctx, submit("#restore"))
	has(t, ctx, "#ho-login", q.TIN)
	otp := strings.TrimSpace(text(t, ctx, "#ho-password"))
	if otp == "" {
		t.Fatal("no one-time password on the handover")
	}
	// In the owner's Kyrgyz, on the inspector's Russian page.
	has(t, ctx, "#handover h1", "Салык төлөөчүнүн кабинетине кирүү укугун калыбына келтирүү")
	has(t, ctx, "#pdf-lang", "кыргызский")
	has(t, ctx, "#notified", "Уведомление не отправлено")
	if l := attr(t, ctx, `document.getElementById("handover").lang + "/" + document.documentElement.lang`); l != "ky/ru" {
		t.Errorf("the handover's language: %s", l)
	}
	lookAt(t, ctx, "kg-office-access-handover", true)
	printsOnOnePage(t, ctx, "kg-office-access-handover")
	// Printed, the inspector's own notes stay off the sheet.
	setMedia(t, ctx, "print")
	if v := attr(t, ctx, `["pdf-lang", "notified", "once", "pdf-form", "back"].filter(id => document.getElementById(id).getClientRects().length).join(",")`); v != "" {
		t.Errorf("printed, the handover shows the inspector's notes: %s", v)
	}
	setMedia(t, ctx, "")
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("pdf-form").action, {method: "POST", body: new URLSearchParams(new FormData(document.getElementById("pdf-form")))})
		.then(r => r.headers.get("Content-Type") === "application/pdf" ? r.arrayBuffer() : Promise.reject(r.status))
		.then(b => btoa(String.fromCharCode(...new Uint8Array(b))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the handover as PDF: %v", err)
	}
	pdf, _ := base64.StdEncoding.DecodeString(b64)
	if dir := os.Getenv("KABINET_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "kg-office-access-handover-server.pdf"), pdf, 0o644)
	}
	if txt := pdfText(t, pdf); txt != "" {
		if !strings.Contains(txt, "Бир жолку сырсөз") || !strings.Contains(txt, otp) || !strings.Contains(txt, q.TIN) || !kyrgyzLetters.MatchString(txt) {
			t.Fatalf("the PDF's text: %q", txt)
		}
	} else if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	entries, err := a.DB.ListAudit(context.Background(), audit.Filter{Subject: q.TIN})
	if err != nil || len(entries) < 2 || entries[0].Action != "lk.access.print" || entries[1].Action != "lk.access.restore" || entries[1].Actor.Login != "asanova" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	visit(t, ctx, a.url+"/office/access/"+q.TIN, "#restores")
	has(t, ctx, "#account-state", "одноразовый пароль")
	has(t, ctx, "#restores", "ID 2345678")
	if h := text(t, ctx, "#restores thead"); strings.Contains(h, "Обратился") {
		t.Errorf("a person's restores have a column of who came for an organization: %s", h)
	}
	lookAt(t, ctx, "kg-office-access-restored", true)

	// LK-2: the one-time password opens only the form of the own password, in Russian ...
	lkLang(t, ctx, a, "ru", "/lk/login", "#login-form")
	lkLogin(t, ctx, a, q.TIN, otp)
	text(t, ctx, "#change-form") // waits for the form
	has(t, ctx, "h1", "Замена одноразового пароля")
	has(t, ctx, "main", "одноразовому паролю, выданному в УГНС")
	has(t, ctx, "#login-shown", q.TIN)
	lookAt(t, ctx, "kg-lk-change-ru", true)
	// ... and in Kyrgyz, where it is set.
	lkLang(t, ctx, a, "ky", "/lk/login", "#login-form")
	lkLogin(t, ctx, a, q.TIN, otp)
	text(t, ctx, "#change-form") // waits for the form
	has(t, ctx, "h1", "Бир жолку сырсөздү алмаштыруу")
	has(t, ctx, "main", "УГНСте берилген бир жолку сырсөз")
	lookAt(t, ctx, "kg-lk-change-ky", true)
	visit(t, ctx, a.url+"/lk/", "#login-form") // no session before the own password
	lkLogin(t, ctx, a, q.TIN, otp)
	fill(t, ctx, map[string]string{"new_password": "Naryn-Jol-2026", "new_password_confirm": "Naryn-Jol-2027"})
	run(t, ctx, submit("#submit"))
	fieldError(t, ctx, "new_password_confirm", "Сырсөздөр дал келбейт")
	lookAt(t, ctx, "kg-lk-change-mismatch-ky", true)
	fill(t, ctx, map[string]string{"new_password": "Naryn-Jol-2026", "new_password_confirm": "Naryn-Jol-2026"})
	run(t, ctx, submit("#submit"))
	has(t, ctx, ".flash", "Өз сырсөзүңүз сакталды")
	has(t, ctx, "#tin", q.TIN)
	lookAt(t, ctx, "kg-lk-home-restored-ky", true)
	visit(t, ctx, a.url+"/lk/settings", "#history")
	has(t, ctx, "#history", "кирүү укугу УГНСте калыбына келтирилди")
	// The one-time password by its name, never a card's temporary one.
	has(t, ctx, "#history", "бир жолку сырсөз менен кирүү")
	if h := text(t, ctx, "#history"); strings.Contains(h, "убактылуу") {
		t.Errorf("the history speaks of a temporary password: %s", h)
	}
	lookAt(t, ctx, "kg-lk-settings-restored-ky", false)
	lkLogout(t, ctx, a)

	// LK-10: neither the password set at registration nor the one-time one opens the cabinet.
	lkLogin(t, ctx, a, q.TIN, "Issyk-Kul-2026")
	has(t, ctx, "#problem", "ИНН же сырсөз туура эмес")
	lookAt(t, ctx, "kg-lk-old-password-ky", false)
	lkLogin(t, ctx, a, q.TIN, otp)
	has(t, ctx, "#problem", "ИНН же сырсөз туура эмес")
	lkLang(t, ctx, a, "ru", "/lk/login", "#login-form")
	lkLogin(t, ctx, a, q.TIN, "Issyk-Kul-2026")
	has(t, ctx, "#problem", "Неверный ИНН или пароль")
	lookAt(t, ctx, "kg-lk-old-password-ru", false)
	lkLogin(t, ctx, a, q.TIN, "Naryn-Jol-2026")
	has(t, ctx, "#tin", q.TIN)
}
