// Package e2e drives the back office in headless Chromium against the real server on a fresh
// database: the inspectors' journeys of SPEC section 6.
package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type app struct {
	*apptest.App
	url string
	reg *register.Service
	db  *store.DB
}

func startApp(t *testing.T, db *store.DB) *app {
	t.Helper()
	ctx := context.Background()
	a := apptest.Start(t, db, apptest.Options{})
	sys := audit.Actor{Login: "test", Role: "system"}
	if _, err := a.Staff.Add(ctx, sys, "ivanova", staff.RoleInspector, "Иванова Анна", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Staff.Add(ctx, sys, "locked", staff.RoleInspector, "", "inspector-password"); err != nil {
		t.Fatal(err)
	}
	return &app{App: a, url: a.URL, reg: a.Register, db: db}
}

// watchConsole collects what the pages of ctx write to the console that is a fault: errors,
// exceptions and security warnings (a violation of the content security policy is one).
func watchConsole(ctx context.Context) func() []string {
	var mu sync.Mutex
	var problems []string
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// The status of a page (401 on a wrong password, 422 on a form with errors) is
			// logged by the browser as a network error: it is the answer, not a fault.
			if m.Source == "network" {
				continue
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning && m.Source == "security" {
				mu.Lock()
				problems = append(problems, m.String()+" at "+m.URL)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(problems)
	}
}

// browser starts headless Chromium for the test. Every message the pages write to the console
// is kept; at the end of the test none may be an error (a violation of the content security
// policy is one).
func browser(t *testing.T) context.Context {
	t.Helper()
	ctx := browserContext(t)
	problems := watchConsole(ctx)
	t.Cleanup(func() {
		for _, p := range problems() {
			t.Errorf("console: %s", p)
		}
	})
	return ctx
}

// browserContext starts headless Chromium, in Russian, for the test.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium required under CI=true")
		}
		t.Skip("chromium not installed")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
		// Chromium's own scratch files (its singleton socket, which it leaves behind when it is
		// stopped) go to the test's directory, removed with it, instead of piling up in /tmp.
		chromedp.Env("TMPDIR=" + t.TempDir()),
		// A browser in Russia: pages follow Accept-Language.
		chromedp.Flag("lang", "ru-RU"), chromedp.Flag("accept-lang", "ru-RU,ru"),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// submit clicks sel and waits until the browser has loaded the page the click led to.
func submit(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(document.body.dataset.stale = "1") === "1"`)(ctx, t)
			return err
		}),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			// The old document goes away during the navigation: retry until the new one is loaded.
			deadline := time.Now().Add(30 * time.Second)
			for {
				ok, err := chromedp.Evaluate[bool](`document.readyState === "complete" && !!document.body && !document.body.dataset.stale`)(ctx, t)
				if err == nil && ok {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("page did not load after clicking %s: %v", sel, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}),
	)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func login(t *testing.T, ctx context.Context, a *app, user, pw string) {
	run(t, ctx, chromedp.Navigate(a.url+"/office/login"), chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), user), chromedp.SendKeys(chromedp.CSS("#password"), pw),
		submit("#submit"))
}

func fillPerson(t *testing.T, ctx context.Context, a *app, values map[string]string, selects map[string]string) {
	run(t, ctx, chromedp.Navigate(a.url+"/office/persons/new"), chromedp.WaitVisible(chromedp.CSS("#surname")))
	for id, v := range values {
		run(t, ctx, chromedp.SetValue(chromedp.CSS("#"+id), v))
	}
	for id, v := range selects {
		run(t, ctx, chromedp.SetValue(chromedp.CSS("#"+id), v))
	}
	run(t, ctx, submit("#submit"))
}

var sokolova = map[string]string{"surname": "Соколова", "given_name": "Елена", "patronymic": "Викторовна", "birth_date": "1985-04-12",
	"birth_place": "г. Москва", "citizenship": "RUS", "document_series": "4510", "document_number": "123456", "document_issued_on": "2005-05-20",
	"region": "77", "city": "Москва", "street": "Ленинский проспект", "house": "10"}
var sokolovaSelects = map[string]string{"sex": "female", "document_type": "passport_ru", "ground": "residence", "tax_office": "7736"}

func TestBackOfficeJourneys(t *testing.T) {
	db := storetest.SQLite(t)
	a := startApp(t, db)
	ctx := browser(t)

	// Unauthenticated pages redirect to the login; the login page is Russian by default.
	run(t, ctx, chromedp.Navigate(a.url+"/office/search"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
	if h := text(t, ctx, "h1"); h != "Вход для сотрудников" {
		t.Fatalf("login page: %q", h)
	}
	// Wrong password: the same neutral message as for an unknown login.
	login(t, ctx, a, "ivanova", "wrong-password")
	if p := text(t, ctx, ".problem"); !strings.Contains(p, "Неверный логин или пароль") {
		t.Fatalf("wrong password: %q", p)
	}
	login(t, ctx, a, "ivanova", "inspector-password")
	if h := text(t, ctx, "h1"); h != "Реестр налогоплательщиков" {
		t.Fatalf("dashboard: %q", h)
	}

	// Register a person: the page shows the TIN assigned by the law's structure.
	fillPerson(t, ctx, a, sokolova, sokolovaSelects)
	tinStr := strings.TrimSpace(text(t, ctx, "#tin"))
	if len(tinStr) != 12 || !strings.HasPrefix(tinStr, "7736") {
		t.Fatalf("TIN %q", tinStr)
	}
	if f := text(t, ctx, ".flash"); !strings.Contains(f, "присвоен ИНН") {
		t.Fatalf("flash: %q", f)
	}
	// The same person again: the same TIN, with a notice.
	fillPerson(t, ctx, a, sokolova, sokolovaSelects)
	if again := strings.TrimSpace(text(t, ctx, "#tin")); again != tinStr {
		t.Fatalf("second registration gave %s, want %s", again, tinStr)
	}
	if f := text(t, ctx, ".flash"); !strings.Contains(f, "уже состоит на учёте") {
		t.Fatalf("existing flash: %q", f)
	}

	// Bad input: every wrong field marked in place, typed values kept, nothing registered.
	bad := map[string]string{}
	for k, v := range sokolova {
		bad[k] = v
	}
	bad["surname"], bad["birth_date"], bad["document_number"] = "Smith", "2099-01-01", "12"
	bad["given_name"] = "Анна"
	fillPerson(t, ctx, a, bad, sokolovaSelects)
	surname, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#surname")))
	if err != nil {
		t.Fatal(err)
	}
	if surname != "Smith" {
		t.Fatalf("typed value lost: %q", surname)
	}
	for _, id := range []string{"#surname-error", "#birth_date-error", "#identity_document-number-error"} {
		if s := text(t, ctx, id); s == "" {
			t.Fatalf("%s empty", id)
		}
	}

	// Search by name and by TIN.
	run(t, ctx, chromedp.Navigate(a.url+"/office/search?q=соколова"), chromedp.WaitVisible(chromedp.CSS("#results")))
	if s := text(t, ctx, "#results"); !strings.Contains(s, tinStr) {
		t.Fatalf("search by name: %q", s)
	}
	run(t, ctx, chromedp.Navigate(a.url+"/office/search?q="+tinStr[:8]), chromedp.WaitVisible(chromedp.CSS("#results")))
	if s := text(t, ctx, "#results"); !strings.Contains(s, tinStr) {
		t.Fatalf("search by TIN: %q", s)
	}

	// Change the surname: the TIN stays and the history shows the change.
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+tinStr+"/edit"), chromedp.WaitVisible(chromedp.CSS("#surname")),
		chromedp.SetValue(chromedp.CSS("#surname"), "Петрова"), chromedp.SetValue(chromedp.CSS("#note"), "свидетельство о браке"),
		submit("#save"))
	if tinAfter := strings.TrimSpace(text(t, ctx, "#tin")); tinAfter != tinStr {
		t.Fatal("TIN changed")
	}
	if hst := text(t, ctx, "#history"); !strings.Contains(hst, "Соколова → Петрова") {
		t.Fatalf("history: %q", hst)
	}

	// Extract page.
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+tinStr+"/extract"), chromedp.WaitVisible(chromedp.CSS("table")))
	if s := text(t, ctx, "body"); !strings.Contains(s, tinStr) || !strings.Contains(s, "Выписка") {
		t.Fatalf("extract: %q", s)
	}

	// A second person, marked as a duplicate of the first: not applied, pointing to the kept TIN.
	other := map[string]string{}
	for k, v := range sokolova {
		other[k] = v
	}
	other["surname"], other["given_name"], other["document_number"] = "Орлова", "Мария", "555555"
	fillPerson(t, ctx, a, other, sokolovaSelects)
	dupTIN := strings.TrimSpace(text(t, ctx, "#tin"))
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#kept_tin"), tinStr), submit("#duplicate"))
	// An irreversible action asks for a confirmation that says what follows.
	if w := text(t, ctx, ".warning"); !strings.Contains(w, "перестанет применяться навсегда") {
		t.Fatalf("duplicate confirmation: %q", w)
	}
	checkPage(t, ctx, "confirm-duplicate-ru")
	run(t, ctx, submit("#confirm"))
	if s := text(t, ctx, "#status"); !strings.Contains(s, "не подлежит применению") {
		t.Fatalf("duplicate status: %q", s)
	}
	if k := text(t, ctx, "#kept"); k != tinStr {
		t.Fatalf("kept %q", k)
	}

	// Deregister the first person on death.
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+tinStr), chromedp.WaitVisible(chromedp.CSS("#deregister")),
		chromedp.SetValue(chromedp.CSS("#reason"), "death"), chromedp.SetValue(chromedp.CSS("#on"), time.Now().Format(time.DateOnly)), submit("#deregister"))
	if w := text(t, ctx, ".warning"); !strings.Contains(w, "никогда не будет присвоен") {
		t.Fatalf("deregistration confirmation: %q", w)
	}
	run(t, ctx, submit("#confirm"))
	if s := text(t, ctx, "#status"); !strings.Contains(s, "смерть") {
		t.Fatalf("death status: %q", s)
	}

	// The audit log shows the actions, with who and on whose data.
	run(t, ctx, chromedp.Navigate(a.url+"/office/audit?subject="+tinStr), chromedp.WaitVisible(chromedp.CSS("#audit")))
	au := text(t, ctx, "#audit")
	for _, want := range []string{"ivanova", "постановка на учёт физического лица", tinStr} {
		if !strings.Contains(au, want) {
			t.Fatalf("audit lacks %q: %s", want, au)
		}
	}
	// A batch of registrations (as the importer commits them) is one line, shown on each record.
	batch, err := a.reg.RegisterPersons(context.Background(), audit.Actor{Login: "importer", Role: "system"}, demo.Persons(99, 3))
	if err != nil || len(batch) != 3 || batch[1].Taxpayer == nil {
		t.Fatalf("batch: %+v %v", batch, err)
	}
	run(t, ctx, chromedp.Navigate(a.url+"/office/audit?subject="+batch[1].Taxpayer.TIN), chromedp.WaitVisible(chromedp.CSS("#audit")))
	au = text(t, ctx, "#audit")
	for _, want := range []string{"importer", "постановка на учёт физического лица", batch[1].Taxpayer.TIN, "всего записей: 3"} {
		if !strings.Contains(au, want) {
			t.Fatalf("audit of a batch lacks %q: %s", want, au)
		}
	}
	_ = dupTIN

	// English: the switch keeps the page and changes the labels.
	run(t, ctx, chromedp.Navigate(a.url+"/office/taxpayers/"+tinStr), chromedp.WaitVisible(chromedp.CSS("#lang-en")),
		submit("#lang-en"))
	if h := text(t, ctx, "h2"); !strings.Contains(text(t, ctx, "main"), "History of changes") {
		t.Fatalf("English page: %q", h)
	}

	// CSRF: a form posted without the session's token is refused and changes nothing.
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch("/office/taxpayers/`+dupTIN+`/deregister", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "reason=death&csrf=forged"}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusForbidden {
		t.Fatalf("forged CSRF: %d", status)
	}

	// Logout ends the session.
	run(t, ctx, submit("#logout"))
	run(t, ctx, chromedp.Navigate(a.url+"/office/audit"), chromedp.WaitVisible(chromedp.CSS("#login-form")))
}

// Lockout: after five wrong passwords the right one is refused too, with the lockout message.
func TestLoginLockout(t *testing.T) {
	db := storetest.SQLite(t)
	a := startApp(t, db)
	ctx := browser(t)
	for i := 0; i < 5; i++ {
		login(t, ctx, a, "locked", "wrong-password")
	}
	login(t, ctx, a, "locked", "inspector-password")
	if p := text(t, ctx, ".problem"); !strings.Contains(p, "Слишком много попыток") {
		t.Fatalf("lockout: %q", p)
	}
}

// fillForm opens page, sets the values of the fields by id and submits the form.
func fillForm(t *testing.T, ctx context.Context, url, first string, values map[string]string) {
	run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#"+first)))
	for id, v := range values {
		run(t, ctx, chromedp.SetValue(chromedp.CSS("#"+id), v))
	}
	run(t, ctx, submit("#submit"))
}

// An inspector registers a Russian organization (TIN and КПП at its location) and a foreign one
// (9909 + КИО, REG-8), and sees field errors in place on the foreign organization's form.
func TestBackOfficeOrganizations(t *testing.T) {
	db := storetest.SQLite(t)
	a := startApp(t, db)
	ctx := browser(t)
	login(t, ctx, a, "ivanova", "inspector-password")

	fillForm(t, ctx, a.url+"/office/organizations/new", "full_name", map[string]string{
		"full_name": "Общество с ограниченной ответственностью «Ромашка»", "short_name": "ООО «Ромашка»", "ogrn": "1027700132195",
		"ground": "creation", "tax_office": "7736", "region": "77", "city": "Москва", "street": "ул. Вавилова", "house": "19"})
	orgTIN := strings.TrimSpace(text(t, ctx, "#tin"))
	if _, err := tin.ParseINN(orgTIN); err != nil || len(orgTIN) != 10 || !strings.HasPrefix(orgTIN, "7736") {
		t.Fatalf("organization TIN %q: %v", orgTIN, err)
	}
	if k := text(t, ctx, "#kpps"); !strings.Contains(k, "773601001") {
		t.Fatalf("КПП at the location: %q", k)
	}

	alpha := map[string]string{"identification_name_ru": "Альфа Гезельшафт мит бешренктер Хафтунг", "identification_name_latin": "Alpha GmbH",
		"identification_country": "Германия", "identification_oksm": "276", "identification_reg_number": "HRB 12345",
		"region": "77", "city": "Москва", "street": "Тверская ул.", "house": "7"}
	fillForm(t, ctx, a.url+"/office/foreign/new", "kio", alpha)
	foreignTIN := strings.TrimSpace(text(t, ctx, "#tin"))
	if _, err := tin.ParseINN(foreignTIN); err != nil || !strings.HasPrefix(foreignTIN, "9909") {
		t.Fatalf("foreign organization TIN %q: %v", foreignTIN, err)
	}
	kio := strings.TrimSpace(text(t, ctx, "#kio"))
	if foreignTIN[4:9] != kio {
		t.Fatalf("TIN %s does not carry the КИО %s", foreignTIN, kio)
	}
	// The same organization again is found in the КИО directory: the same TIN.
	fillForm(t, ctx, a.url+"/office/foreign/new", "kio", alpha)
	if again := strings.TrimSpace(text(t, ctx, "#tin")); again != foreignTIN {
		t.Fatalf("second registration gave %s, want %s", again, foreignTIN)
	}
	if f := text(t, ctx, ".flash"); !strings.Contains(f, "уже состоит на учёте") {
		t.Fatalf("existing flash: %q", f)
	}

	// Russia's own country code and a Cyrillic Latin name: both marked, values kept.
	bad := map[string]string{}
	for k, v := range alpha {
		bad[k] = v
	}
	bad["identification_oksm"], bad["identification_name_latin"], bad["identification_reg_number"] = "643", "Альфа", "HRB 999"
	fillForm(t, ctx, a.url+"/office/foreign/new", "kio", bad)
	for _, id := range []string{"#identification-oksm-error", "#identification-name_latin-error"} {
		if s := text(t, ctx, id); s == "" {
			t.Fatalf("%s empty", id)
		}
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#identification_reg_number"))); err != nil || v != "HRB 999" {
		t.Fatalf("typed value lost: %q %v", v, err)
	}
	// An unknown КИО is refused on its field.
	fillForm(t, ctx, a.url+"/office/foreign/new", "kio", map[string]string{"kio": "99999"})
	if s := text(t, ctx, "#kio-error"); s == "" {
		t.Fatal("unknown КИО not marked")
	}
}
