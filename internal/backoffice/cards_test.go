package backoffice_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/webtest"
)

// The inspector's side of the personal account over HTTP (BO-2, BO-3, LK-8, LK-10), without a
// browser: the pages of cards and of online applications, their forms and what they refuse.

// office is an inspector's browser (webtest's) with the staff session, whose answers are
// followed to the page they lead to.
type office struct {
	t *testing.T
	b *webtest.Browser
}

// page is an answer: its status, the address it ended at, its body and visible text.
type page struct {
	status      int
	at          string
	body, text  string
	contentType string
	raw         []byte
}

func newOffice(t *testing.T, a *apptest.App, login string) *office {
	t.Helper()
	tok, _, err := a.Sessions.Start(context.Background(), session.Start{Site: "office", Subject: login, Method: session.Password, Assurance: "inspector"})
	if err != nil {
		t.Fatal(err)
	}
	b := webtest.NewBrowser(t, a.URL)
	u, _ := url.Parse(a.URL)
	b.Client.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-kabinet_office", Value: tok, Path: "/", Secure: true}, {Name: "__Host-kabinet_lang", Value: "ru", Path: "/", Secure: true}})
	return &office{t: t, b: b}
}

func (o *office) do(method, path string, form url.Values) page {
	o.t.Helper()
	p := o.b.Follow(o.b.Do(method, path, form))
	at, _ := url.Parse(p.URL)
	return page{status: p.Status, at: at.RequestURI(), body: p.Body, text: strings.Join(strings.Fields(visibleText(p.Body)), " "),
		contentType: p.Header.Get("Content-Type"), raw: []byte(p.Body)}
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	flowField = regexp.MustCompile(`name="flow" value="([^"]+)"`)
)

// form returns the hidden fields of the page's forms (the CSRF token and the issue form's flow)
// with the values given.
func (p page) form(values map[string]string) url.Values {
	v := url.Values{}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		v.Set("csrf", m[1])
	}
	if m := flowField.FindStringSubmatch(p.body); m != nil {
		v.Set("flow", m[1])
	}
	for k, s := range values {
		v.Set(k, s)
	}
	return v
}

// fieldError returns the error shown beside field on the page, "" when none.
func (p page) fieldError(field string) string {
	m := regexp.MustCompile(`<span class="error" id="` + regexp.QuoteMeta(field) + `-error">([^<]*)</span>`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// registerPerson registers a person of office 7736 born on birth with a passport (a birth
// certificate under 14).
func registerPerson(t *testing.T, a *apptest.App, surname, given string, birth time.Time, number string) string {
	t.Helper()
	doc := register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("45%02d", birth.AddDate(14, 0, 0).Year()%100), Number: number, IssuedOn: birth.AddDate(14, 0, 20)}
	if birth.AddDate(14, 0, 0).After(time.Now()) {
		doc = register.IdentityDocument{Type: "birth_certificate", Series: "IV-МЮ", Number: number, IssuedOn: birth.AddDate(0, 0, 20)}
	}
	res, err := a.Register.RegisterPerson(context.Background(), audit.Actor{Login: "test", Role: "system"}, register.PersonInput{Surname: surname, GivenName: given,
		Patronymic: "Олеговна", BirthDate: birth, BirthPlace: "г. Москва", Sex: register.Female, Citizenship: "RUS", Ground: register.GroundResidence, TaxOffice: "7736",
		Document: doc, Address: register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "1"}})
	if err != nil || res.Taxpayer == nil {
		t.Fatalf("register %s: %+v %v", surname, res, err)
	}
	return res.Taxpayer.TIN
}

// startOffice starts the application with an inspector, ivanova.
func startOffice(t *testing.T, o apptest.Options) *apptest.App {
	t.Helper()
	a := apptest.Start(t, storetest.SQLite(t), o)
	if _, err := a.Staff.AddMember(context.Background(), audit.Actor{Login: "test", Role: "system"}, staff.Member{Login: "ivanova", Role: staff.RoleInspector,
		Name: "Иванова Анна Сергеевна", Position: "Главный государственный налоговый инспектор", Office: "7736"}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	return a
}

// BO-2, LK-1, LK-10: the card pages. The find page sends a TIN to the account's page and marks a
// bad one; the account's page offers who came (a parent only for a minor; no card at all under
// 14); the issue form refuses each missing document beside its field, issues the card once (a
// reload of its form does not issue another) and shows it with no-store; its PDF needs the
// temporary password; a representative with a power of attorney receives a card, which says who
// received it, and the audit entry records it.
func TestCardPages(t *testing.T) {
	a := startOffice(t, apptest.Options{})
	ctx := context.Background()
	adult := registerPerson(t, a, "Белова", "Нина", time.Date(1960, 5, 9, 0, 0, 0, 0, time.UTC), "410001")
	y := time.Now().Year()
	teen := registerPerson(t, a, "Белова", "Софья", time.Date(y-15, 1, 10, 0, 0, 0, 0, time.UTC), "410002")
	child := registerPerson(t, a, "Белова", "Вера", time.Date(y-8, 1, 10, 0, 0, 0, 0, time.UTC), "410003")
	o := newOffice(t, a, "ivanova")

	if p := o.do("GET", "/office/cards", nil); p.status != 200 || !strings.Contains(p.body, `id="find"`) || !strings.Contains(p.body, `id="nav-cards"`) {
		t.Fatalf("the find page: %d", p.status)
	}
	if p := o.do("GET", "/office/cards?tin=12345", nil); p.status != 422 || p.fieldError("tin") == "" {
		t.Fatalf("a bad TIN: %d %q", p.status, p.fieldError("tin"))
	}
	p := o.do("GET", "/office/cards?tin="+url.QueryEscape(adult[:4]+" "+adult[4:]), nil)
	if p.status != 200 || p.at != "/office/cards/"+adult || !strings.Contains(p.text, "Белова Нина Олеговна") || !strings.Contains(p.text, "не подключён") {
		t.Fatalf("the account's page: %d %s %s", p.status, p.at, p.text)
	}
	for _, c := range []string{"self", "representative"} {
		if !strings.Contains(p.body, `id="came-`+c+`"`) {
			t.Errorf("the adult's page does not offer %s", c)
		}
	}
	if strings.Contains(p.body, `id="came-parent"`) || strings.Contains(p.body, `id="certificate_shown"`) {
		t.Error("a parent is offered an adult's card")
	}
	if tp := o.do("GET", "/office/cards/"+teen, nil); !strings.Contains(tp.body, `id="came-parent"`) || !strings.Contains(tp.body, `id="certificate_shown"`) {
		t.Error("a minor's page does not offer the parent")
	}
	if cp := o.do("GET", "/office/cards/"+child, nil); !strings.Contains(cp.body, `id="child-note"`) || strings.Contains(cp.body, `id="issue-form"`) {
		t.Error("a child under 14 is offered a card")
	}

	// Nothing shown: the passport asked for, beside its checkbox.
	f := p.form(map[string]string{"office": "7736", "came": "self"})
	p = o.do("POST", "/office/cards/"+adult+"/issue", f)
	if !strings.HasPrefix(p.at, "/office/cards/"+adult+"?form=") || !strings.Contains(p.fieldError("passport_shown"), "паспорт") {
		t.Fatalf("no passport: %d %s %q", p.status, p.at, p.fieldError("passport_shown"))
	}
	// A representative without the power of attorney's details: each field marked.
	p = o.do("POST", "/office/cards/"+adult+"/issue", p.form(map[string]string{"office": "7736", "came": "representative", "bearer_name": "Белова Ольга Игоревна",
		"bearer_passport_shown": "1", "attorney_valid_until": time.Now().AddDate(0, 0, -2).Format(time.DateOnly)}))
	for field, want := range map[string]string{"attorney_shown": "нотариальная доверенность", "attorney_number": "Номер доверенности",
		"attorney_notary": "Нотариус", "attorney_valid_until": "Срок доверенности истёк"} {
		if got := p.fieldError(field); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if !strings.Contains(p.body, `id="came-representative" value="representative" checked`) || !strings.Contains(p.body, `value="Белова Ольга Игоревна"`) {
		t.Error("the form does not keep who came and what was typed")
	}
	// Issued to the representative.
	until := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	form := p.form(map[string]string{"office": "7736", "came": "representative", "bearer_name": "Белова Ольга Игоревна", "bearer_passport_shown": "1",
		"attorney_shown": "1", "attorney_number": "77 АГ 1234567", "attorney_notary": "Иванова Т. П., нотариус г. Москвы", "attorney_valid_until": until})
	p = o.do("POST", "/office/cards/"+adult+"/issue", form)
	pw := regexp.MustCompile(`<span class="secret" id="card-password">([^<]+)</span>`).FindStringSubmatch(p.body)
	if p.status != 200 || pw == nil || !strings.Contains(p.text, "Карту получил(а) представитель по нотариальной доверенности: Белова Ольга Игоревна") {
		t.Fatalf("the card: %d %s", p.status, p.text)
	}
	// The same form again (a reload) issues nothing.
	again := o.do("POST", "/office/cards/"+adult+"/issue", form)
	if !strings.Contains(again.text, "Эта форма уже использована") {
		t.Fatalf("the form used twice: %d %s", again.status, again.text)
	}
	if cards, _ := a.Cabinet.Cards(ctx, adult); len(cards) != 1 || strings.Join(cards[0].Checked, ",") != "representative_passport,power_of_attorney" {
		t.Fatalf("cards %+v", cards)
	}
	entries, err := a.DB.ListAudit(ctx, audit.Filter{Subject: adult, Action: "lk.card.issue"})
	if err != nil || len(entries) != 1 || entries[0].Actor.Login != "ivanova" ||
		!strings.Contains(entries[0].Details, `came=representative bearer="Белова Ольга Игоревна" attorney="77 АГ 1234567" notary="Иванова Т. П., нотариус г. Москвы" attorney_until=`+until) {
		t.Fatalf("audit %+v %v", entries, err)
	}
	// The PDF: with the card's temporary password only.
	cardID := regexp.MustCompile(`name="card" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
	if bad := o.do("POST", "/office/cards/"+adult+"/pdf", p.form(map[string]string{"card": cardID, "temporary_password": "wrong"})); bad.status != 403 {
		t.Fatalf("a PDF with a wrong password: %d", bad.status)
	}
	pdf := o.do("POST", "/office/cards/"+adult+"/pdf", p.form(map[string]string{"card": cardID, "temporary_password": html.UnescapeString(pw[1])}))
	if pdf.status != 200 || pdf.contentType != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Fatalf("the PDF: %d %s", pdf.status, pdf.contentType)
	}
	// The account's page now: the card issued, and a new one re-issues.
	p = o.do("GET", "/office/cards/"+adult, nil)
	if !strings.Contains(p.text, "карта выдана, временный пароль действует до") || !strings.Contains(p.body, `id="cards"`) ||
		!strings.Contains(p.text, "Выдать новую регистрационную карту") {
		t.Fatalf("after the card: %s", p.text)
	}
	if !strings.Contains(p.text, "Иванова Анна Сергеевна, Главный государственный налоговый инспектор") || strings.Contains(p.text, "ivanova") {
		t.Errorf("the cards listed name who issued them by login: %s", p.text)
	}

	// A parent for the minor: the certificate asked for; then issued and audited.
	p = o.do("GET", "/office/cards/"+teen, nil)
	p = o.do("POST", "/office/cards/"+teen+"/issue", p.form(map[string]string{"office": "7736", "came": "parent", "bearer_name": "Белов Олег Петрович",
		"bearer_passport_shown": "1"}))
	if !strings.Contains(p.fieldError("certificate_shown"), "свидетельство о рождении") {
		t.Fatalf("a parent without the certificate: %s", p.text)
	}
	p = o.do("POST", "/office/cards/"+teen+"/issue", p.form(map[string]string{"office": "7736", "came": "parent", "bearer_name": "Белов Олег Петрович",
		"bearer_passport_shown": "1", "certificate_shown": "1"}))
	if !strings.Contains(p.text, "Карту получил(а) родитель (усыновитель) несовершеннолетнего: Белов Олег Петрович") {
		t.Fatalf("the minor's card: %d %s", p.status, p.text)
	}
	// The person: the passport, at another office the TIN certificate too.
	p = o.do("GET", "/office/cards/"+teen, nil)
	p = o.do("POST", "/office/cards/"+teen+"/issue", p.form(map[string]string{"office": "7707", "came": "self", "passport_shown": "1"}))
	if !strings.Contains(p.fieldError("tin_certificate_shown"), "свидетельство о постановке на учёт") {
		t.Fatalf("another office without the TIN certificate: %s", p.text)
	}
	p = o.do("POST", "/office/cards/"+teen+"/issue", p.form(map[string]string{"office": "7707", "came": "self", "passport_shown": "1", "tin_certificate_shown": "1"}))
	if p.status != 200 || !strings.Contains(p.body, `id="reissued"`) || strings.Contains(p.body, `id="card-received"`) {
		t.Fatalf("the re-issue to the person: %d %s", p.status, p.text)
	}
}

// LK-8, LK-4: on the account's page the inspector records a representative (the documents
// checked), revokes them, and restores online recovery only when three wrong code words
// switched it off.
func TestRepresentativePages(t *testing.T) {
	a := startOffice(t, apptest.Options{})
	principal := registerPerson(t, a, "Белова", "Нина", time.Date(1940, 5, 9, 0, 0, 0, 0, time.UTC), "420001")
	rep := registerPerson(t, a, "Белова", "Ольга", time.Date(1968, 7, 1, 0, 0, 0, 0, time.UTC), "420002")
	o := newOffice(t, a, "ivanova")
	p := o.do("GET", "/office/cards/"+principal, nil)
	in := map[string]string{"kind": "power_of_attorney", "representative": rep, "number": "77 АГ 7654321", "issued_on": time.Now().Format(time.DateOnly),
		"notary": "Иванова Т. П.", "valid_until": time.Now().AddDate(0, 1, 0).Format(time.DateOnly), "powers": "extracts"}
	p = o.do("POST", "/office/cards/"+principal+"/representatives", p.form(in))
	if !strings.Contains(p.fieldError("rep_passport_shown"), "паспорт представителя") || !strings.Contains(p.fieldError("document_shown"), "доверенность") {
		t.Fatalf("no documents: %s", p.text)
	}
	in["rep_passport_shown"], in["document_shown"] = "1", "1"
	p = o.do("POST", "/office/cards/"+principal+"/representatives", p.form(in))
	if !strings.Contains(p.text, "Представитель добавлен") || !strings.Contains(p.text, "Белова Ольга Олеговна") {
		t.Fatalf("added: %s", p.text)
	}
	m := regexp.MustCompile(`action="(/office/cards/` + principal + `/representatives/[^/"]+/revoke)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no revoke form")
	}
	p = o.do("POST", m[1], p.form(nil))
	if !strings.Contains(p.text, "отменено") {
		t.Fatalf("revoked: %s", p.text)
	}
	// Online recovery was not switched off by the rules: nothing to restore.
	if r := o.do("POST", "/office/cards/"+principal+"/recovery", p.form(map[string]string{"recovery_passport_shown": "1"})); !strings.Contains(r.text, "Онлайн-восстановление не было отключено") {
		t.Fatalf("a restore of what was not off: %d %s", r.status, r.text)
	}
}

// BO-3, LK-7: the queue of online applications finds an application by its number and by the
// surname, and by state; its page compares it with the register (looked up by TIN); the
// approval asks for the passport, then issues the card, which works from the next day, and the
// application is approved; another is refused with a reason, which is required; both decisions
// are in the audit log.
func TestApplicationPages(t *testing.T) {
	a := startOffice(t, apptest.Options{})
	ctx := context.Background()
	tin := registerPerson(t, a, "Степанова", "Алёна", time.Date(1991, 10, 10, 0, 0, 0, 0, time.UTC), "430001")
	submit := func(surname string) string {
		t.Helper()
		app, _, err := a.Cabinet.SubmitApplication(ctx, cabinet.ApplicationInput{Surname: surname, GivenName: "Алёна", Patronymic: "Олеговна", BirthDate: "1991-10-10",
			DocType: "passport_ru", DocSeries: "4505", DocNumber: "430001", DocIssuedOn: "2005-10-30", Phone: "+7 916 555-77-88", Email: "a@example.org", Office: "7736", Consent: true}, "ru")
		if err != nil {
			t.Fatal(err)
		}
		return app.Number()
	}
	first, second := submit("Степанова"), submit("Ершова")
	o := newOffice(t, a, "ivanova")
	p := o.do("GET", "/office/applications", nil)
	if p.status != 200 || !strings.Contains(p.text, first) || !strings.Contains(p.text, second) {
		t.Fatalf("the queue: %d %s", p.status, p.text)
	}
	if p := o.do("GET", "/office/applications?q=степ", nil); !strings.Contains(p.text, first) || strings.Contains(p.text, second) {
		t.Fatalf("by surname: %s", p.text)
	}
	if p := o.do("GET", "/office/applications?number="+first, nil); p.at != "/office/applications/"+first {
		t.Fatalf("by number: %s", p.at)
	}
	// The inspector's look-up is told why it found nobody.
	for typed, want := range map[string]string{"12345": "ИНН", "500100732259": "не найден в реестре"} {
		p := o.do("GET", "/office/applications/"+first+"?tin="+typed, nil)
		if p.status != 200 || !strings.Contains(p.fieldError("lookup_tin"), want) || strings.Contains(p.body, `id="in-register"`) {
			t.Errorf("a look-up of %s: %d %q", typed, p.status, p.fieldError("lookup_tin"))
		}
	}
	p = o.do("GET", "/office/applications/"+first+"?tin="+tin, nil)
	if p.status != 200 || !strings.Contains(p.body, `id="in-register"`) || !strings.Contains(p.text, "Степанова Алёна Олеговна") {
		t.Fatalf("the application with the register: %d %s", p.status, p.text)
	}
	p = o.do("POST", "/office/applications/"+first+"/approve", p.form(map[string]string{"tin": tin, "office": "7736"}))
	if !strings.Contains(p.fieldError("passport_shown"), "паспорт") {
		t.Fatalf("no passport: %s", p.text)
	}
	p = o.do("POST", "/office/applications/"+first+"/approve", p.form(map[string]string{"tin": tin, "office": "7736", "passport_shown": "1"}))
	tomorrow := time.Now().AddDate(0, 0, 1).In(audit.OfficeZone).Format("02.01.2006")
	if p.status != 200 || !strings.Contains(p.body, `id="card-password"`) || !strings.Contains(p.text, tomorrow) {
		t.Fatalf("approved: %d %s", p.status, p.text)
	}
	if ap, err := a.Cabinet.Application(ctx, first); err != nil || ap.State != cabinet.AppApproved || ap.TIN != tin {
		t.Fatalf("the application after the approval: %+v %v", ap, err)
	}
	if p := o.do("GET", "/office/applications?state=approved", nil); !strings.Contains(p.text, first) || strings.Contains(p.text, second) {
		t.Fatalf("approved ones: %s", p.text)
	}
	// Refused with a reason, which is required.
	p = o.do("GET", "/office/applications/"+second, nil)
	p = o.do("POST", "/office/applications/"+second+"/refuse", p.form(map[string]string{"reason": " "}))
	if p.fieldError("reason") == "" {
		t.Fatalf("a refusal without a reason: %s", p.text)
	}
	p = o.do("POST", "/office/applications/"+second+"/refuse", p.form(map[string]string{"reason": "Паспорт не предъявлен"}))
	if !strings.Contains(p.text, "В подключении по заявлению отказано") || !strings.Contains(p.text, "Паспорт не предъявлен") {
		t.Fatalf("refused: %s", p.text)
	}
	// Who decided is named as staff are on every page: name and position, never the login.
	if p = o.do("GET", "/office/applications/"+second, nil); !strings.Contains(p.text, "Иванова Анна Сергеевна, Главный государственный налоговый инспектор") ||
		strings.Contains(p.text, "ivanova") {
		t.Errorf("the refused application names who decided: %s", p.text)
	}
	for subject, action := range map[string]string{tin: "lk.application.approve", "application:" + second: "lk.application.refuse"} {
		if entries, _ := a.DB.ListAudit(ctx, audit.Filter{Subject: subject, Action: action}); len(entries) != 1 || entries[0].Actor.Login != "ivanova" {
			t.Errorf("audit of %s: %+v", action, entries)
		}
	}
}

// KG-1: where taxpayers register themselves (the Kyrgyz Republic), the back office offers no
// registration cards — no «Личные кабинеты» in the menu, no card's find, issue or PDF, no
// representatives — while an account's page still shows its state and restores its online
// recovery, linked from the registration that opened it.
func TestNoCardsInKyrgyzProfile(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.AddMember(ctx, sys, staff.Member{Login: "admin", Role: staff.RoleAdmin}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	head := demo.KyrgyzPersons(1, 40)[demo.KyrgyzOrganizations[0].Head]
	r, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: head.TIN, Password: "Jany-Tang-2026", Again: "Jany-Tang-2026",
		Phone: "+996555100200"}, "ky")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Cabinet.ApproveRegistration(ctx, audit.Actor{Login: "admin", Role: "admin"}, "", r.Number(), true, ""); err != nil {
		t.Fatal(err)
	}
	o := newOffice(t, a, "admin")
	home := o.do("GET", "/office/", nil)
	if home.status != 200 || strings.Contains(home.body, `href="/office/cards"`) || !strings.Contains(home.body, `id="nav-registrations"`) {
		t.Fatalf("the menu offers cards in the kg profile: %d", home.status)
	}
	for _, c := range []struct{ method, path string }{{"GET", "/office/cards"}, {"GET", "/office/cards?tin=" + head.TIN},
		{"POST", "/office/cards/" + head.TIN + "/issue"}, {"POST", "/office/cards/" + head.TIN + "/pdf"},
		{"POST", "/office/cards/" + head.TIN + "/representatives"}, {"POST", "/office/cards/" + head.TIN + "/representatives/x/revoke"}} {
		var form url.Values
		if c.method == "POST" {
			form = home.form(map[string]string{"passport_shown": "1"})
		}
		if p := o.do(c.method, c.path, form); p.status != 404 {
			t.Errorf("%s %s: %d", c.method, c.path, p.status)
		}
	}
	// KG (issue 14): its extract is the Kyrgyz register's, not the Russian ЕГРН's.
	if x := o.do("GET", "/office/taxpayers/"+head.TIN+"/extract", nil); x.status != 200 ||
		!strings.Contains(x.text, "Выписка из реестра налогоплательщиков Государственной налоговой службы при Министерстве финансов Кыргызской Республики") ||
		strings.Contains(x.text, "Единого государственного реестра") {
		t.Errorf("the kg extract: %d %s", x.status, x.text)
	}
	if cards, _ := a.Cabinet.Cards(ctx, head.TIN); len(cards) != 0 {
		t.Fatalf("a card was issued in the kg profile: %+v", cards)
	}
	reg := o.do("GET", "/office/registrations/"+r.Number(), nil)
	if !strings.Contains(reg.body, `href="/office/cards/`+head.TIN+`" id="account-link"`) {
		t.Fatalf("the registration does not link its account:\n%.3000s", reg.body)
	}
	p := o.do("GET", "/office/cards/"+head.TIN, nil)
	if p.status != 200 || !strings.Contains(p.body, `id="account-state"`) || strings.Contains(p.body, `id="issue-form"`) || strings.Contains(p.body, `id="rep-form"`) ||
		strings.Contains(p.body, `id="child-note"`) {
		t.Fatalf("the account's page in the kg profile: %d\n%.3000s", p.status, p.text)
	}
}

// KG-1: the login handed over is printed in the applicant's language — the page as its PDF —
// whatever language the inspector's pages are in.
func TestHandoverInApplicantsLanguage(t *testing.T) {
	a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Profile: jurisdiction.MustLookup(jurisdiction.KG)})
	ctx := context.Background()
	if _, err := a.Staff.AddMember(ctx, audit.Actor{Login: "test", Role: "system"}, staff.Member{Login: "admin", Role: staff.RoleAdmin}, "inspector-password"); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, a.Register, 40); err != nil {
		t.Fatal(err)
	}
	persons := demo.KyrgyzPersons(1, 40)
	o := newOffice(t, a, "admin") // the inspector's pages in Russian
	for i, c := range []struct{ lang, title, notTitle string }{
		{"ky", "Салык төлөөчүнүн кабинетине кирүү укугу", "Доступ к кабинету налогоплательщика"},
		{"en", "Access to the taxpayer cabinet", "Доступ к кабинету налогоплательщика"},
		{"ru", "Доступ к кабинету налогоплательщика", "Access to the taxpayer cabinet"},
	} {
		who := persons[10+i]
		r, _, err := a.Cabinet.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: who.TIN, Password: "Jany-Tang-2026",
			Again: "Jany-Tang-2026", Phone: "+996555100200"}, c.lang)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Cabinet.ApproveRegistration(ctx, audit.Actor{Login: "admin", Role: "admin"}, "", r.Number(), true, ""); err != nil {
			t.Fatal(err)
		}
		p := o.do("GET", "/office/registrations/"+r.Number()+"/handover", nil)
		article := regexp.MustCompile(`(?s)<article class="paper handover" id="handover" lang="([a-z]+)">.*?</article>`).FindStringSubmatch(p.body)
		if p.status != 200 || article == nil || article[1] != c.lang {
			t.Fatalf("%s: the page: %d %v\n%.2000s", c.lang, p.status, article, p.text)
		}
		text := strings.Join(strings.Fields(visibleText(article[0])), " ")
		if !strings.Contains(text, c.title) || strings.Contains(text, c.notTitle) || !strings.Contains(text, who.TIN) {
			t.Errorf("%s: the login handed over is not in the applicant's language: %s", c.lang, text)
		}
		if !strings.Contains(p.text, "Памятка — на языке заявки") {
			t.Errorf("%s: the inspector's own words around it: %s", c.lang, p.text)
		}
		pdf := o.do("GET", "/office/registrations/"+r.Number()+"/handover.pdf", nil)
		if pdf.status != 200 || pdf.contentType != "application/pdf" {
			t.Fatalf("%s: the PDF: %d", c.lang, pdf.status)
		}
	}
}
