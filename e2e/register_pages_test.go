package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

var system = audit.Actor{Login: "test", Role: "system"}

func personIn(surname, given, number string) register.PersonInput {
	return register.PersonInput{Surname: surname, GivenName: given, Patronymic: "Петровна", BirthDate: time.Date(1980, 3, 14, 0, 0, 0, 0, time.UTC),
		BirthPlace: "г. Тула", Sex: register.Female, Citizenship: "RUS",
		Document: register.IdentityDocument{Type: "passport_ru", Series: "7004", Number: number, IssuedOn: time.Date(2005, 4, 1, 0, 0, 0, 0, time.UTC)},
		Ground:   register.GroundResidence, TaxOffice: "7736", Address: register.Address{Region: "77", City: "Москва", Street: "Тверская улица", House: "1"}}
}

func register1(t *testing.T, a *app, in register.PersonInput) string {
	t.Helper()
	res, err := a.reg.RegisterPerson(context.Background(), system, in)
	if err != nil || res.Taxpayer == nil {
		t.Fatalf("register: %+v %v", res, err)
	}
	return res.Taxpayer.TIN
}

func attr(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// Irreversible actions ask for a confirmation that says what follows; a failed action shows
// the page again at its own address (a reload posts nothing), with the field marked, focused and
// what was typed kept; a malformed TIN in an address says what is wrong with it.
func TestIrreversibleActions(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	tinA := register1(t, a, personIn("Громова", "Вера", "111111"))
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")
	page := a.url + "/office/taxpayers/" + tinA

	// No reason chosen in advance; submitting without one or a date marks both fields.
	run(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#deregister")))
	if v := attr(t, ctx, `document.querySelector("#reason").value`); v != "" {
		t.Fatalf("a reason is chosen in advance: %q", v)
	}
	run(t, ctx, submit("#deregister"))
	if p := attr(t, ctx, `location.pathname + location.search`); strings.Contains(p, "/deregister") || !strings.Contains(p, "form=") {
		t.Fatalf("the failed form left the browser at %q", p)
	}
	for _, id := range []string{"#reason", "#on"} {
		if v := attr(t, ctx, `document.querySelector("`+id+`").getAttribute("aria-invalid") || ""`); v != "true" {
			t.Errorf("%s not marked invalid", id)
		}
	}
	if f := attr(t, ctx, `document.activeElement.id`); f != "reason" {
		t.Errorf("focus on %q, want the first wrong field", f)
	}
	checkPage(t, ctx, "deregister-errors-ru")
	// A reload shows the page, without the errors and without posting again.
	run(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#deregister")))
	if n := attr(t, ctx, `String(document.querySelectorAll(".error").length)`); n != "0" {
		t.Errorf("errors shown again after a reload: %s", n)
	}

	// A kept TIN with a wrong check digit: marked, what was typed kept, nothing changed.
	bad := tinA[:11] + string('0'+(tinA[11]-'0'+1)%10)
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#kept_tin"), bad), submit("#duplicate"))
	if v := attr(t, ctx, `document.querySelector("#kept_tin").value`); v != bad {
		t.Fatalf("typed value lost: %q", v)
	}
	if e := text(t, ctx, "#kept_tin-error"); !strings.Contains(e, "контрольная цифра") {
		t.Fatalf("kept TIN error: %q", e)
	}
	if e := text(t, ctx, ".error-summary"); !strings.Contains(e, "Исправьте ошибки") {
		t.Fatalf("error summary: %q", e)
	}

	// Cancelling a confirmation changes nothing.
	tinB := register1(t, a, personIn("Громова", "Анна", "222222"))
	run(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#kept_tin")),
		chromedp.SetValue(chromedp.CSS("#kept_tin"), tinB), submit("#duplicate"))
	if h := text(t, ctx, "h1"); !strings.Contains(h, "Подтвердите") {
		t.Fatalf("no confirmation: %q", h)
	}
	if rows := text(t, ctx, ".confirm"); !strings.Contains(rows, tinA) || !strings.Contains(rows, tinB) || !strings.Contains(rows, "Громова Анна") {
		t.Fatalf("the confirmation does not show both records: %q", rows)
	}
	run(t, ctx, submit("#cancel"))
	if s := text(t, ctx, "#status"); !strings.Contains(s, "применяется") || strings.Contains(s, "не подлежит") {
		t.Fatalf("cancelled, yet: %q", s)
	}

	// The confirmation in English, then confirmed: the record is deregistered with the date.
	run(t, ctx, chromedp.Navigate(a.url+"/office/lang?lang=en&back=/office/taxpayers/"+tinA), chromedp.WaitVisible(chromedp.CSS("#deregister")),
		chromedp.SetValue(chromedp.CSS("#reason"), "moved"), chromedp.SetValue(chromedp.CSS("#on"), time.Now().Format(time.DateOnly)),
		submit("#deregister"))
	if w := text(t, ctx, ".warning"); !strings.Contains(w, "The TIN stays applied") {
		t.Fatalf("English confirmation: %q", w)
	}
	checkPage(t, ctx, "confirm-deregister-en")
	run(t, ctx, submit("#confirm"))
	if s := text(t, ctx, "#status"); !strings.Contains(s, "deregistered") || !strings.Contains(s, time.Now().Format("02.01.2006")) {
		t.Fatalf("status: %q", s)
	}
	// REG-7: deregistered, the person may only stop being applied; the form offers death alone.
	if got := reasonsOffered(t, ctx); len(got) != 1 || got[0] != "death" {
		t.Fatalf("a deregistered record offers %v, want death alone", got)
	}
	if h := text(t, ctx, "#deregister-title"); !strings.Contains(h, "Stop applying the TIN") {
		t.Fatalf("the form on a deregistered record: %q", h)
	}

	// A malformed TIN in the address says what is wrong with it.
	run(t, ctx, chromedp.Navigate(a.url+"/office/lang?lang=ru&back=/office/taxpayers/123"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if s := text(t, ctx, "main"); !strings.Contains(s, "неверная длина") {
		t.Fatalf("/office/taxpayers/123: %q", s)
	}
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+bad), chromedp.WaitVisible(chromedp.CSS("h1")))
	if s := text(t, ctx, "main"); !strings.Contains(s, "контрольная цифра") {
		t.Fatalf("wrong check digit: %q", s)
	}
	checkPage(t, ctx, "bad-tin-ru")
}

// An inspector changes a person's birth date, sex, СНИЛС and passport (the old one stays on
// record), and an organization's name; the КПП form starts at the organization's own office; a
// review shows the applicant and the candidate side by side and is decided after a confirmation.
func TestEditingAndReviews(t *testing.T) {
	a := startApp(t, storetest.SQLite(t))
	tin := register1(t, a, personIn("Лебедева", "Ольга", "333333"))
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+tin+"/edit"), chromedp.WaitVisible(chromedp.CSS("#birth_date")))
	checkPage(t, ctx, "edit-person-ru")
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#birth_date"), "1980-03-15"), chromedp.SetValue(chromedp.CSS("#snils"), "112-233-445 95"),
		chromedp.SetValue(chromedp.CSS("#document_type"), "passport_ru"), chromedp.SetValue(chromedp.CSS("#document_series"), "7025"),
		chromedp.SetValue(chromedp.CSS("#document_number"), "444444"), chromedp.SetValue(chromedp.CSS("#document_issued_on"), "2025-03-20"),
		chromedp.SetValue(chromedp.CSS("#note"), "замена паспорта"), submit("#save"))
	if s := text(t, ctx, "#documents"); !strings.Contains(s, "7025 444444") || !strings.Contains(s, "7004 333333") || !strings.Contains(s, "прежний") {
		t.Fatalf("documents after the change: %q", s)
	}
	if h := text(t, ctx, "#history"); !strings.Contains(h, "14.03.1980") && !strings.Contains(h, "1980-03-14") {
		t.Fatalf("history lacks the old birth date: %q", h)
	}
	org, err := a.reg.RegisterOrganization(context.Background(), system, register.OrganizationInput{FullName: "Общество с ограниченной ответственностью «Северное сияние»",
		ShortName: "ООО «Северное сияние»", OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "7801",
		Address: register.Address{Region: "78", City: "Санкт-Петербург", Street: "Невский проспект", House: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+org.Taxpayer.TIN), chromedp.WaitVisible(chromedp.CSS("#kpp_office")))
	if v := attr(t, ctx, `document.querySelector("#kpp_office").value`); v != "7801" {
		t.Fatalf("the КПП form starts at office %q", v)
	}
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+org.Taxpayer.TIN+"/edit"), chromedp.WaitVisible(chromedp.CSS("#full_name")),
		chromedp.SetValue(chromedp.CSS("#short_name"), "ООО «Полярное сияние»"), submit("#save"))
	if f := text(t, ctx, ".flash"); !strings.Contains(f, "ИНН сохранён") {
		t.Fatalf("organization edit: %q", f)
	}
	// A namesake with another passport waits for a decision.
	namesake := personIn("Лебедева", "Ольга", "555555")
	namesake.BirthDate = time.Date(1980, 3, 15, 0, 0, 0, 0, time.UTC)
	res, err := a.reg.RegisterPerson(context.Background(), system, namesake)
	if err != nil || res.Review == nil {
		t.Fatalf("no review: %+v %v", res, err)
	}
	_ = res
	run(t, ctx, chromedp.Navigate(a.url+"/office/reviews"), chromedp.WaitVisible(chromedp.CSS(".review")))
	card := text(t, ctx, ".review")
	for _, want := range []string{"7004 555555", "7025 444444", "г. Тула", tin} {
		if !strings.Contains(card, want) {
			t.Errorf("the review card lacks %q: %s", want, card)
		}
	}
	checkPage(t, ctx, "reviews-ru")
	fits(t, ctx, "reviews-ru")
	run(t, ctx, submit(".review .same"))
	if w := text(t, ctx, ".warning"); !strings.Contains(w, tin) {
		t.Fatalf("review confirmation: %q", w)
	}
	run(t, ctx, submit("#confirm"))
	if got := strings.TrimSpace(text(t, ctx, "#tin")); got != tin {
		t.Fatalf("review applied %s, want %s", got, tin)
	}

	// BO-3: an applicant with the СНИЛС of that person under another name and birth date: the
	// application is refused with a reason, after a confirmation, and nobody gets a TIN.
	other := personIn("Миронова", "Алла", "909090")
	other.BirthDate, other.SNILS = time.Date(1986, 1, 2, 0, 0, 0, 0, time.UTC), "112-233-445 95"
	held, err := a.reg.RegisterPerson(context.Background(), system, other)
	if err != nil || held.Review == nil {
		t.Fatalf("no review for another's SNILS: %+v %v", held, err)
	}
	heldCard := fmt.Sprintf("#review-%d", held.Review.ID)
	reason := fmt.Sprintf("refusal_%d", held.Review.ID)
	run(t, ctx, chromedp.Navigate(a.url+"/office/reviews"), chromedp.WaitVisible(chromedp.CSS(heldCard)))
	noCodes(t, ctx, "reviews-snils-ru")
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#"+reason), "указан СНИЛС другого лица"), submit(heldCard+" .refuse"))
	if h := text(t, ctx, "h1"); !strings.Contains(h, "Подтвердите решение") {
		t.Fatalf("no confirmation of the refusal: %q", h)
	}
	if w := text(t, ctx, ".warning"); !strings.Contains(w, "ИНН заявителю не присваивается") {
		t.Fatalf("the refusal's confirmation: %q", w)
	}
	if b := text(t, ctx, "#confirm"); b != "Подтвердить отказ" {
		t.Fatalf("the refusal's button: %q", b)
	}
	checkPage(t, ctx, "confirm-review-refuse-ru")
	run(t, ctx, submit("#confirm"))
	if f := text(t, ctx, ".flash"); !strings.Contains(f, "В постановке на учёт отказано; ИНН не присвоен") {
		t.Fatalf("after the refusal: %q", f)
	}
	if n := attr(t, ctx, `String(document.querySelectorAll("`+heldCard+`").length)`); n != "0" {
		t.Fatal("the refused application is still in the queue")
	}
	run(t, ctx, chromedp.Navigate(a.url+"/office/audit?action=person.review_decide"), chromedp.WaitVisible(chromedp.CSS("#audit")))
	if s := text(t, ctx, "#audit"); !strings.Contains(s, "Решение: отказано; Причина отказа: указан СНИЛС другого лица") {
		t.Fatalf("the audit log of the refusal: %q", s)
	}
	noCodes(t, ctx, "audit-refusal-ru")
}
