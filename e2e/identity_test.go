package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kabinet/kabinet/esign"
	kapp "github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/gostoracle"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/post"
	"github.com/kabinet/kabinet/internal/identity/registry"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The identity provider's journeys (SPEC section 3) in headless Chromium: the codes are read
// where their owner reads them (the SMS gateway, the SMTP server), the registries are the
// embedded reference registry, the post the simulated post, and the clock is moved by hand.

type citizens struct {
	*apptest.App
	out  *outside
	post *post.Post
}

// startCitizens starts the application with the reference registry, the simulated post, real
// senders and the e-signature roots of id, and adds an operator of a service centre.
func startCitizens(t *testing.T, db *store.DB, id kapp.Identity) *citizens {
	t.Helper()
	clock := apptest.NewClock(time.Time{})
	reg, err := registry.NewReference(registry.ReferenceOptions{Delay: time.Minute, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p := post.New()
	out, senders := newOutside(t)
	id.Registry, id.Post = reg, p
	a := apptest.Start(t, db, apptest.Options{Clock: clock, Senders: senders, Identity: id})
	if _, err := a.Staff.Add(context.Background(), audit.Actor{Login: "test", Role: "system"}, "mfc1", staff.RoleOperator, "Орлов Пётр", "operator-password"); err != nil {
		t.Fatal(err)
	}
	return &citizens{App: a, out: out, post: p}
}

// drain runs every job that is due now: messages sent, verifications asked.
func (c *citizens) drain(t *testing.T) {
	t.Helper()
	w, _, err := c.NewWorker(1)
	if err != nil {
		t.Fatal(err)
	}
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// account adds a citizen's account at a level, as an operator's command would.
func (c *citizens) account(t *testing.T, n identity.NewAccount) *identity.Account {
	t.Helper()
	if n.Password == "" {
		n.Password = "Volga-river-2026"
	}
	a, err := c.Identity.AddAccount(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// type into the fields of the page by id; a value of a select or a checkbox ("on") is set.
func fill(t *testing.T, ctx context.Context, values map[string]string) {
	t.Helper()
	for id, v := range values {
		tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		var err error
		if v == "on" {
			_, err = chromedp.Run(tctx, chromedp.Click(chromedp.CSS("#"+id)))
		} else {
			_, err = chromedp.Run(tctx, chromedp.SetValue(chromedp.CSS("#"+id), v))
		}
		cancel()
		if err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("field #%s: %v on %.600s", id, err, page)
		}
	}
}

func has(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := text(t, ctx, sel); !strings.Contains(got, want) {
		t.Fatalf("%s: %q, want %q", sel, got, want)
	}
}

// visit opens url and waits for sel on the page it shows.
func visit(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(url))
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("%s: no %s on %.600s", url, sel, page)
	}
}

func citizenLogin(t *testing.T, ctx context.Context, base, login, pw string) {
	t.Helper()
	visit(t, ctx, base+"/id/login", "#login")
	fill(t, ctx, map[string]string{"login": login, "password": pw})
	run(t, ctx, submit("#submit"))
}

// IDP-1, IDP-3, IDP-4a, BO-4: a citizen registers with the codes sent to the phone and the
// e-mail (simplified), fills in the profile over two visits (what was typed is kept when the tab
// is closed), is verified by the registries (standard) and told by SMS, and is confirmed by an
// operator in the back office (confirmed, at a service centre). In Russian on both engines, and
// in English, where the operator hands over a code the citizen types. Every page is checked by
// axe and fits a 375 px phone.
func TestIdentityJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { identityJourney(t, db, "ru") })
	t.Run("english", func(t *testing.T) { identityJourney(t, storetest.SQLite(t), "en") })
}

// look checks the page the browser shows with axe and at 375 px.
func look(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	checkPage(t, ctx, name)
	fits(t, ctx, name)
}

func identityJourney(t *testing.T, db *store.DB, lang string) {
	c := startCitizens(t, db, kapp.Identity{})
	ctx := browser(t)
	base := c.URL
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	page := func(name string) string { return name + "-" + lang }

	visit(t, ctx, base+"/id/lang?lang="+lang+"&back=/id/", "#to-register")
	look(t, ctx, page("id-welcome"))
	visit(t, ctx, base+"/id/register", "#register-form")
	has(t, ctx, ".progress .current", T("id.step.contact"))
	look(t, ctx, page("id-register"))
	fill(t, ctx, map[string]string{"surname": "Соколова2"})
	run(t, ctx, submit("#submit"))
	has(t, ctx, "#kind-error", T("idp.kind"))
	has(t, ctx, "#surname-error", T("names.letters", T("field.surname")))
	has(t, ctx, "#given_name-error", T("field.given_name"))
	look(t, ctx, page("id-register-errors"))
	fill(t, ctx, map[string]string{"kind": "russian", "surname": "Соколова", "given_name": "Анна", "patronymic": "Сергеевна",
		"phone": "8 (916) 555-01-02", "email": "anna.sokolova@example.org"})
	run(t, ctx, submit("#submit"))
	has(t, ctx, ".progress .current", T("id.step.code"))
	c.drain(t)
	phoneCode, mailCode := c.out.code("+79165550102"), c.out.code("anna.sokolova@example.org")
	if phoneCode == "" || mailCode == "" {
		t.Fatalf("codes: SMS %q, e-mail %q", phoneCode, mailCode)
	}
	wrong := "000000"
	if phoneCode == wrong {
		wrong = "111111"
	}
	fill(t, ctx, map[string]string{"code_phone": wrong, "code_email": mailCode})
	run(t, ctx, submit("#submit"))
	has(t, ctx, "#code_phone-error", T("idp.code.wrong"))
	look(t, ctx, page("id-register-code"))
	fill(t, ctx, map[string]string{"code_phone": phoneCode})
	run(t, ctx, submit("#submit"))
	// The last step: the consents link their texts, in the versions recorded.
	has(t, ctx, ".progress .current", T("id.step.password"))
	for id, href := range map[string]string{"terms-link": "/id/terms", "personal-data-link": "/id/personal-data"} {
		if got := attr(t, ctx, `document.getElementById("`+id+`").getAttribute("href")`); got != href {
			t.Fatalf("#%s: %q", id, got)
		}
	}
	has(t, ctx, "#terms-link", identity.DefaultDocuments[0].Version)
	look(t, ctx, page("id-register-password"))
	fill(t, ctx, map[string]string{"password": "Volga-river-2026", "password_confirm": "Volga-river-2026", "question": "Любимая книга в детстве?",
		"answer": "Дубровский", "accept_terms": "on", "accept_personal_data": "on"})
	run(t, ctx, submit("#submit"))
	has(t, ctx, "h1", "Соколова Анна Сергеевна")
	has(t, ctx, "#level", T("enum.level.simplified"))
	has(t, ctx, "#kind", T("enum.reg_kind.russian"))
	look(t, ctx, page("id-home-simplified"))
	for _, doc := range []string{"terms", "personal-data"} {
		visit(t, ctx, base+"/id/"+doc, "#document")
		look(t, ctx, page("id-"+doc))
	}

	// The profile, half-way: saved, the tab closed, a new tab shows what was typed.
	visit(t, ctx, base+"/id/profile", "#profile-form")
	fill(t, ctx, map[string]string{"sex": "female", "birth_date": "1988-05-14", "birth_place": "г. Тверь"})
	run(t, ctx, submit("#save"))
	tab, closeTab := chromedp.NewContext(ctx)
	visit(t, tab, base+"/id/profile", "#profile-form")
	if v, _ := chromedp.Run(tab, chromedp.Value(chromedp.CSS("#birth_place"))); v != "г. Тверь" {
		t.Fatalf("the half-filled profile in a new tab: %q", v)
	}
	closeTab()
	visit(t, ctx, base+"/id/profile", "#profile-form")
	look(t, ctx, page("id-profile"))
	fill(t, ctx, map[string]string{"snils": "112-233-445 95", "passport_series": "4508", "passport_number": "123456",
		"passport_issued_on": "2008-06-02", "passport_issued_by": "ОВД Заволжского района г. Твери"})
	run(t, ctx, submit("#submit"))
	visit(t, ctx, base+"/id/profile", "#verification-state")
	has(t, ctx, "#verification-state", T("enum.verification.in_progress"))
	has(t, ctx, "#withdraw", T("id.profile.withdraw"))
	look(t, ctx, page("id-profile-in-progress"))
	c.drain(t) // asked: the registry answers after a minute
	c.Clock.Advance(2 * time.Minute)
	c.drain(t)
	visit(t, ctx, base+"/id/", "#level")
	has(t, ctx, "#level", T("enum.level.standard"))
	look(t, ctx, page("id-home-standard"))
	told := false
	for _, m := range c.out.texts("+79165550102") {
		told = told || strings.Contains(m, T("notify.idp.verified.body"))
	}
	if !told {
		t.Fatalf("no SMS about the verification: %q", c.out.texts("+79165550102"))
	}
	visit(t, ctx, base+"/id/confirm", "#code-form")
	look(t, ctx, page("id-confirm"))

	// The operator finds the account by СНИЛС and records what was shown: in Russian confirms
	// at once; in English hands over a code, which the citizen types.
	login(t, ctx, &app{url: base}, "mfc1", "operator-password")
	visit(t, ctx, base+"/office/accounts", "#q")
	checkPage(t, ctx, page("office-accounts"))
	fill(t, ctx, map[string]string{"q": "112-233-445 95"})
	run(t, ctx, submit("#find"))
	run(t, ctx, submit("#accounts a"))
	checkPage(t, ctx, page("office-account"))
	run(t, ctx, submit("#confirm"))
	has(t, ctx, "#passport_shown-error", "")
	fill(t, ctx, map[string]string{"passport_shown": "on", "snils_shown": "on", "centre": "mfc-moscow-1", "note": "паспорт сверен"})
	if lang == "ru" {
		run(t, ctx, submit("#confirm"))
		has(t, ctx, "#level", T("enum.level.confirmed"))
	} else {
		run(t, ctx, submit("#issue-code"))
		code := text(t, ctx, "#code")
		checkPage(t, ctx, page("office-account-code"))
		visit(t, ctx, base+"/id/confirm", "#code-form")
		fill(t, ctx, map[string]string{"code": code})
		run(t, ctx, submit("#confirm-code"))
	}
	visit(t, ctx, base+"/id/", "#level")
	has(t, ctx, "#level", T("enum.level.confirmed"))
	has(t, ctx, "#method", T("enum.method.service_center"))
	look(t, ctx, page("id-home-confirmed"))
	entries, err := c.DB.ListAudit(context.Background(), audit.Filter{Actor: "mfc1"})
	if err != nil || len(entries) == 0 || !strings.HasPrefix(entries[0].Action, "account.confirm") || !strings.Contains(entries[0].Details, `note="паспорт сверен"`) {
		t.Fatalf("the operator's action is not in the audit log with the note: %v %+v", err, entries)
	}

	// The security settings: this session, the documents accepted, the history.
	visit(t, ctx, base+"/id/settings", "#sessions")
	has(t, ctx, "#sessions", "Headless Chrome")
	has(t, ctx, "#sessions", ", Linux")
	has(t, ctx, "#history", T("enum.event.registered"))
	has(t, ctx, "#consents", identity.DefaultDocuments[0].Version)
	look(t, ctx, page("id-settings"))
	visit(t, ctx, base+"/id/services", "h1")
	look(t, ctx, page("id-services-confirmed"))
	visit(t, ctx, base+"/id/no-such-page", "h1")
	look(t, ctx, page("id-404"))
}

// IDP-3: a refused verification says why and what to do; IDP-4b: a letter by registered mail,
// tracked from the next day, no second letter until a calendar month later (Moscow time),
// confirmed by its code. In English, on both engines.
func TestIdentityRefusalAndMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := startCitizens(t, db, kapp.Identity{})
		ctx := browser(t)
		base := c.URL
		visit(t, ctx, base+"/id/lang?lang=en&back=/id/login", "#login")
		look(t, ctx, "id-login-en")

		// Refused: the migration service declares the passport invalid.
		c.account(t, identity.NewAccount{Surname: "Орлова", GivenName: "Мария", Patronymic: "Дмитриевна", Phone: "+79165550199", Level: identity.Simplified})
		citizenLogin(t, ctx, base, "+7 916 555-01-99", "Volga-river-2026")
		visit(t, ctx, base+"/id/profile", "#profile-form")
		fill(t, ctx, map[string]string{"sex": "female", "birth_date": "1996-07-07", "birth_place": "Kazan", "snils": "204-163-857 34",
			"passport_series": "5016", "passport_number": "902341", "passport_issued_on": "2016-08-01"})
		run(t, ctx, submit("#submit"))
		c.drain(t)
		c.Clock.Advance(3 * time.Minute)
		c.drain(t)
		visit(t, ctx, base+"/id/profile", "#verification-state")
		has(t, ctx, "#verification-state", "refused")
		has(t, ctx, "#refusal", "passport")
		look(t, ctx, "id-profile-refused")
		// The SMS says why and what to do (in the account's language: Russian, as the
		// operator's command made it).
		c.drain(t)
		sms := strings.Join(c.out.texts("+79165550199"), "\n")
		for _, want := range []string{"не прошли проверку", "паспорт недействителен (утрачен, заменён или просрочен)", "Исправьте их в профиле и отправьте снова"} {
			if !strings.Contains(sms, want) {
				t.Errorf("the refusal's SMS %q lacks %q", sms, want)
			}
		}
		run(t, ctx, submit("#logout"))

		// Registered mail.
		c.account(t, identity.NewAccount{Surname: "Кузнецов", GivenName: "Дмитрий", Patronymic: "Андреевич", Email: "d.kuznetsov@example.org",
			SNILS: "134-589-271 87", Level: identity.Standard})
		citizenLogin(t, ctx, base, "d.kuznetsov@example.org", "Volga-river-2026")
		visit(t, ctx, base+"/id/confirm", "#letter-form")
		checkPage(t, ctx, "id-confirm")
		fill(t, ctx, map[string]string{"address": "620014, Yekaterinburg, Malysheva st., 51, apt. 12"})
		ordered := c.Clock.Now()
		run(t, ctx, submit("#order-letter"))
		has(t, ctx, ".letter", "Tracking starts tomorrow")
		moscow := c.Profile.Location()
		next := identity.NextLetterAt(ordered, moscow)
		has(t, ctx, ".letter .ordered", ordered.In(moscow).Format("02.01.2006"))
		has(t, ctx, ".letter .next-letter", next.In(moscow).Format("02.01.2006"))
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#letter-form").length`)); n != 0 {
			t.Fatal("a second letter may be ordered on the same day")
		}
		c.Clock.Advance(49 * time.Hour)
		citizenLogin(t, ctx, base, "d.kuznetsov@example.org", "Volga-river-2026") // the session ended while the clock moved
		visit(t, ctx, base+"/id/confirm", ".tracking")
		has(t, ctx, ".tracking", "in transit")
		c.Clock.Advance(13 * 24 * time.Hour)
		citizenLogin(t, ctx, base, "d.kuznetsov@example.org", "Volga-river-2026")
		visit(t, ctx, base+"/id/confirm", ".tracking")
		has(t, ctx, ".tracking", "arrived")
		look(t, ctx, "id-confirm-tracking")
		// A minute before the calendar month is up, no new letter; a minute after, one may be
		// ordered.
		c.Clock.Advance(next.Sub(c.Clock.Now()) - time.Minute)
		citizenLogin(t, ctx, base, "d.kuznetsov@example.org", "Volga-river-2026")
		visit(t, ctx, base+"/id/confirm", ".tracking")
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#letter-form").length`)); n != 0 {
			t.Fatalf("a second letter may be ordered before %s", next)
		}
		c.Clock.Advance(2 * time.Minute)
		visit(t, ctx, base+"/id/confirm", "#letter-form")
		letters := c.post.Letters()
		if len(letters) != 1 {
			t.Fatalf("letters sent: %d", len(letters))
		}
		code := sixDigits.FindString(letters[0].Text)
		fill(t, ctx, map[string]string{"code": code})
		run(t, ctx, submit("#confirm-code"))
		has(t, ctx, "#level", "confirmed")
		has(t, ctx, "#method", "by registered mail")
	})
}

// IDP-4c: confirmation with a qualified e-signature, signed outside the browser over the page's
// challenge with certificates made by OpenSSL's GOST engine: another person's СНИЛС, an expired
// and a revoked certificate are refused with the reason; the owner's confirms at once.
func TestIdentityESign(t *testing.T) {
	pki := gostoracle.NewPKI(t)
	now := time.Now().UTC()
	owner := gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "15670293881"}
	other := gostoracle.Subject{Surname: "Лебедева", GivenName: "Екатерина Игоревна", SNILS: "11223344595"}
	year := now.AddDate(1, 0, 0)
	pki.Issue(t, "owner", owner, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "other", other, now.AddDate(0, -1, 0), year)
	pki.Issue(t, "expired", owner, now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1))
	pki.Issue(t, "revoked", owner, now.AddDate(0, -1, 0), year)
	pki.Revoke(t, "revoked")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := startCitizens(t, db, kapp.Identity{ESignRoots: pki.RootsDir(t), ESignCRLs: []string{pki.CRL()}})
		ctx := browser(t)
		base := c.URL
		c.account(t, identity.NewAccount{Surname: "Лебедева", GivenName: "Екатерина", Patronymic: "Игоревна", Phone: "+79165550177",
			SNILS: "156-702-938 81", Level: identity.Standard})
		citizenLogin(t, ctx, base, "+79165550177", "Volga-river-2026")
		visit(t, ctx, base+"/id/confirm/esign", "#challenge")
		look(t, ctx, "id-esign")
		dir := t.TempDir()
		upload := func(cert string) {
			t.Helper()
			visit(t, ctx, base+"/id/confirm/esign", "#challenge")
			challenge, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("challenge").textContent`))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, cert+".p7s")
			if err := os.WriteFile(file, pki.Sign(t, cert, []byte(challenge)), 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#signature_file"), []string{file}), submit("#submit"))
		}
		for cert, want := range map[string]string{"other": "СНИЛС", "expired": "истёк", "revoked": "отозван"} {
			upload(cert)
			has(t, ctx, "#signature-error", want)
		}
		look(t, ctx, "id-esign-refused")
		upload("owner")
		has(t, ctx, "#level", "подтверждённая")
		has(t, ctx, "#method", "электронной подписью")
		if a, _ := c.Identity.AccountByLogin(context.Background(), "+79165550177"); a.Method != identity.ESign || !strings.Contains(a.Evidence, "serial=") {
			t.Fatalf("account %+v", a)
		}
		_ = esign.Config{}
	})
}

// IDP-6: recovery by phone, by e-mail and by СНИЛС: the code sent to the phone (or the e-mail),
// a wrong answer to the security question refused, the right one lets a new password be set;
// the old password no longer works. An unknown identifier gets the same page as a known one.
func TestIdentityRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := startCitizens(t, db, kapp.Identity{})
		ctx := browser(t)
		base := c.URL
		c.account(t, identity.NewAccount{Surname: "Морозов", GivenName: "Алексей", Patronymic: "Викторович", Phone: "+79165550155",
			Email: "a.morozov@example.org", SNILS: "171-845-096 83", Level: identity.Standard, Question: "Кличка первой собаки?", Answer: "Бим"})
		pw := "Volga-river-2026"
		for i, login := range []string{"+7 916 555-01-55", "a.morozov@example.org", "171-845-096 83"} {
			first := func(name string) {
				if i == 0 {
					look(t, ctx, name)
				}
			}
			visit(t, ctx, base+"/id/recovery", "#login")
			first("id-recovery")
			fill(t, ctx, map[string]string{"login": login})
			run(t, ctx, submit("#submit"))
			c.drain(t)
			code := c.out.code("+79165550155")
			if code == "" {
				t.Fatalf("%s: no code", login)
			}
			has(t, ctx, ".progress .current", "Код подтверждения")
			first("id-recovery-code")
			fill(t, ctx, map[string]string{"code": code})
			run(t, ctx, submit("#submit"))
			has(t, ctx, "#question", "Кличка первой собаки?")
			first("id-recovery-answer")
			fill(t, ctx, map[string]string{"answer": "Шарик"})
			run(t, ctx, submit("#submit"))
			has(t, ctx, "#answer-error", "")
			fill(t, ctx, map[string]string{"answer": "  бим "})
			run(t, ctx, submit("#submit"))
			has(t, ctx, ".progress .current", "Новый пароль")
			first("id-recovery-new-password")
			next := "New-password-" + string(rune('a'+i)) + "-2026"
			fill(t, ctx, map[string]string{"new_password": next, "new_password_confirm": next})
			run(t, ctx, submit("#submit"))
			has(t, ctx, "h1", "Вход")
			citizenLogin(t, ctx, base, login, pw) // the old password no longer works
			has(t, ctx, ".problem", "Неверный")
			citizenLogin(t, ctx, base, login, next)
			has(t, ctx, "h1", "Морозов Алексей Викторович")
			run(t, ctx, submit("#logout"))
			pw = next
		}
		// An unknown identifier: the same next step, and no code goes anywhere.
		visit(t, ctx, base+"/id/recovery", "#login")
		fill(t, ctx, map[string]string{"login": "+7 916 000-00-00"})
		run(t, ctx, submit("#submit"))
		c.drain(t)
		if _, err := chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS("#code"))); err != nil {
			t.Fatal(err)
		}
		if c.out.code("+79160000000") != "" {
			t.Fatal("a code was sent to a phone without an account")
		}
	})
}

// The identity provider by keyboard alone: a login (Tab to each field, typing, Enter) and the
// first step of a registration (the kind chosen with the arrows, the fields typed, Enter), each
// focus stop reached in order and the current step shown.
func TestIdentityKeyboard(t *testing.T) {
	c := startCitizens(t, storetest.SQLite(t), kapp.Identity{})
	c.account(t, identity.NewAccount{Surname: "Морозов", GivenName: "Алексей", Phone: "+79165550155", Level: identity.Simplified})
	ctx := browser(t)
	visit(t, ctx, c.URL+"/id/", "#to-login")
	path := tabTo(t, ctx, "#to-login", 20)
	if !strings.HasPrefix(path[0], "a[#main]") {
		t.Errorf("the first Tab stop is %q, want the skip link", path[0])
	}
	pressAndLoad(t, ctx, kb.Enter)
	tabTo(t, ctx, "#login", 20)
	press(t, ctx, "+79165550155")
	if p := tabTo(t, ctx, "#password", 1); len(p) != 1 {
		t.Fatalf("the password is not next after the login: %v", p)
	}
	press(t, ctx, "Volga-river-2026")
	pressAndLoad(t, ctx, kb.Enter)
	has(t, ctx, "h1", "Морозов Алексей")
	has(t, ctx, "#email", i18n.T("ru", "id.home.no_email")) // no e-mail given: said so
	look(t, ctx, "id-home-no-email")
	tabTo(t, ctx, "#logout", 30)
	pressAndLoad(t, ctx, kb.Enter)

	visit(t, ctx, c.URL+"/id/register", "#register-form")
	tabTo(t, ctx, "#kind", 30)
	press(t, ctx, kb.ArrowDown)
	if v := value(t, ctx, "kind"); v != "russian" {
		t.Fatalf("↓ chose %q", v)
	}
	for _, f := range []struct{ id, text string }{{"surname", "Соколова"}, {"given_name", "Анна"}, {"patronymic", ""}, {"phone", "+79165550102"}} {
		if p := tabTo(t, ctx, "#"+f.id, 1); len(p) != 1 {
			t.Fatalf("#%s is not next: %v", f.id, p)
		}
		if f.text != "" {
			press(t, ctx, f.text)
		}
	}
	pressAndLoad(t, ctx, kb.Enter)
	has(t, ctx, ".progress .current", "Код подтверждения")
	if f := focused(t, ctx); f == "" {
		tabTo(t, ctx, "#code_phone", 30)
	}
	c.drain(t)
	if c.out.code("+79165550102") == "" {
		t.Fatal("no code sent after the keyboard's registration step")
	}
	checkPage(t, ctx, "id-keyboard-code")
}

// IDP-2, IDP-5: the catalogue of services and the finder of service centres, public pages.
func TestIdentityCatalogue(t *testing.T) {
	c := startCitizens(t, storetest.SQLite(t), kapp.Identity{})
	ctx := browser(t)
	visit(t, ctx, c.URL+"/id/services", "h1")
	look(t, ctx, "id-services")
	visit(t, ctx, c.URL+"/id/centres", "h1")
	fill(t, ctx, map[string]string{"city": "Казань"})
	run(t, ctx, submit("form[role=search] button, form button[type=submit]"))
	has(t, ctx, "main", "Казань")
	checkPage(t, ctx, "id-centres")
	fits(t, ctx, "id-centres")
}
