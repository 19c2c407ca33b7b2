package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

var origin = identity.Origin{Address: "10.0.0.5", UserAgent: "test", Lang: "ru"}

func fieldOf(err error) string {
	if p, ok := problem.As(err); ok && len(p.Fields) > 0 {
		return p.Fields[0].Field
	}
	return ""
}

// requiredField is the field of err when err says it was left empty, else "".
func requiredField(err error) string {
	if p, ok := problem.As(err); ok && len(p.Fields) == 1 && p.Fields[0].Message.Key == "idp.required" {
		return p.Fields[0].Field
	}
	return ""
}

// register runs a whole simplified registration and returns the account.
func (e *env) register(surname, phone, email, pw string) *identity.Account {
	e.t.Helper()
	ctx := context.Background()
	f, err := e.p.StartRegistration(ctx, flow.API, "")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.p.SubmitContact(ctx, f, identity.Contact{Kind: identity.RussianCitizen, Surname: surname, GivenName: "Елена", Patronymic: "Викторовна",
		Phone: phone, Email: email}, origin); err != nil {
		e.t.Fatal(err)
	}
	codes := map[string]string{}
	if phone != "" {
		codes["code_phone"] = e.lastCode(notify.NormalizePhone(phone))
	}
	if email != "" {
		codes["code_email"] = e.lastCode(email)
	}
	if err := e.p.SubmitCodes(ctx, f, codes, origin); err != nil {
		e.t.Fatal(err)
	}
	a, err := e.p.SubmitPassword(ctx, f, identity.Secret{Password: pw, Again: pw, Question: "Девичья фамилия матери?", Answer: "Смирнова",
		Accepted: []string{"terms", "personal_data"}}, origin)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// IDP-1: a simplified registration with a code to the phone and one to the e-mail, the password
// typed twice, a security question, the consents recorded with their versions.
func TestRegistration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		f, err := e.p.StartRegistration(ctx, flow.Browser, "csrf")
		if err != nil {
			t.Fatal(err)
		}
		// Every field checked, named.
		err = e.p.SubmitContact(ctx, f, identity.Contact{Kind: "martian", Surname: "Smith1", Phone: "12345"}, origin)
		if p, _ := problem.As(err); p == nil || len(p.Fields) != 4 {
			t.Fatalf("bad contact: %v", err)
		}
		// What was typed is kept in the flow.
		if g, _ := e.flows.Get(ctx, f.ID, identity.RegistrationKind); g.Data["surname"] != "Smith1" {
			t.Fatalf("typed surname lost: %+v", g.Data)
		}
		f, _ = e.flows.Get(ctx, f.ID, identity.RegistrationKind)
		if err := e.p.SubmitContact(ctx, f, identity.Contact{Kind: identity.RussianCitizen, Surname: "Соколова", GivenName: "Елена",
			Phone: "8 (916) 123-45-67", Email: "Elena@Example.org"}, origin); err != nil {
			t.Fatal(err)
		}
		phoneCode, mailCode := e.lastCode("+79161234567"), e.lastCode("elena@example.org")
		// A wrong code, then the right ones.
		wrong := "000000"
		if wrong == phoneCode {
			wrong = "111111"
		}
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_phone": wrong, "code_email": mailCode}, origin); fieldOf(err) != "code_phone" {
			t.Fatalf("wrong code: %v", err)
		}
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_phone": phoneCode}, origin); err != nil {
			t.Fatalf("right code: %v", err)
		}
		// The password: too short, common, not the same twice — each named.
		for _, c := range []struct{ pw, again, field string }{{"short", "short", "password"}, {"qwerty123", "qwerty123", "password"},
			{"Volga-river-2026", "Volga-river-2025", "password_confirm"}, {"my-79161234567", "my-79161234567", "password"}} {
			_, err := e.p.SubmitPassword(ctx, f, identity.Secret{Password: c.pw, Again: c.again, Question: "Любимая книга?", Answer: "Дубровский",
				Accepted: []string{"terms", "personal_data"}}, origin)
			if fieldOf(err) != c.field {
				t.Fatalf("password %q: %v", c.pw, err)
			}
		}
		if _, err := e.p.SubmitPassword(ctx, f, identity.Secret{Password: "Volga-river-2026", Again: "Volga-river-2026", Question: "Любимая книга?",
			Answer: "Дубровский", Accepted: []string{"terms"}}, origin); fieldOf(err) != "accept_personal_data" {
			t.Fatalf("no consent: %v", err)
		}
		// An answer of one letter is told its length, not that it is missing.
		_, err = e.p.SubmitPassword(ctx, f, identity.Secret{Password: "Volga-river-2026", Again: "Volga-river-2026", Question: "Любимая книга?",
			Answer: "Д", Accepted: []string{"terms", "personal_data"}}, origin)
		if pe, ok := problem.As(err); !ok || len(pe.Fields) != 1 || pe.Fields[0].Field != "answer" || pe.Fields[0].Message.Key != "idp.answer.length" {
			t.Fatalf("an answer of one letter: %v", err)
		}
		a, err := e.p.SubmitPassword(ctx, f, identity.Secret{Password: "Volga-river-2026", Again: "Volga-river-2026", Question: "Любимая книга?",
			Answer: "Дубровский", Accepted: []string{"terms", "personal_data"}}, origin)
		if err != nil {
			t.Fatal(err)
		}
		if a.Level != identity.Simplified || a.Phone != "+79161234567" || a.Email != "elena@example.org" || len(a.Consents) != 2 || a.Consents[0].Version == "" {
			t.Fatalf("account %+v", a)
		}
		if _, err := e.flows.Get(ctx, f.ID, identity.RegistrationKind); !problem.Is(err, problem.NotFound) {
			t.Fatal("a finished registration can be replayed")
		}
		// The same phone again: told only once its code is confirmed.
		g, _ := e.p.StartRegistration(ctx, flow.API, "")
		if err := e.p.SubmitContact(ctx, g, identity.Contact{Kind: identity.RussianCitizen, Surname: "Иванова", GivenName: "Анна", Phone: "+79161234567"}, origin); err != nil {
			t.Fatalf("a taken phone must not be told before its code: %v", err)
		}
		if err := e.p.SubmitCodes(ctx, g, map[string]string{"code_phone": e.lastCode("+79161234567")}, origin); fieldOf(err) != "phone" {
			t.Fatalf("taken phone after its code: %v", err)
		}
	})
}

// Codes: five tries in all, also in parallel; single use.
func TestCodeTries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		f, _ := e.p.StartRegistration(ctx, flow.API, "")
		if err := e.p.SubmitContact(ctx, f, identity.Contact{Kind: identity.ForeignCitizen, Surname: "Müller", GivenName: "Anna", Email: "anna@example.de"}, origin); err != nil {
			t.Fatal(err)
		}
		right := e.lastCode("anna@example.de")
		wrong := "123456"
		if wrong == right {
			wrong = "654321"
		}
		for i := 0; i < identity.CodeTries; i++ {
			f, _ = e.flows.Get(ctx, f.ID, identity.RegistrationKind)
			if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_email": wrong}, origin); fieldOf(err) != "code_email" {
				t.Fatalf("try %d: %v", i, err)
			}
		}
		f, _ = e.flows.Get(ctx, f.ID, identity.RegistrationKind)
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_email": right}, origin); !problem.Is(err, problem.TooMany) {
			t.Fatalf("the right code after the tries ran out: %v", err)
		}
	})
}

// Login by phone, e-mail or СНИЛС; an unknown login answers like a wrong password.
func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.register("Соколова", "+79161234567", "elena@example.org", "Volga-river-2026")
		for _, login := range []string{"+7 916 123-45-67", "89161234567", "ELENA@example.org"} {
			res, err := e.p.Login(ctx, login, "Volga-river-2026", origin)
			if err != nil || res.Account.ID != a.ID {
				t.Fatalf("login %q: %v", login, err)
			}
		}
		// A login left empty is asked for as the page names it: a phone, an e-mail or a СНИЛС.
		if _, err := e.p.Login(ctx, " ", "Volga-river-2026", origin); fieldOf(err) != "login" || msgKey(err) != "idp.login.required" {
			t.Fatalf("an empty login: %v", err)
		}
		_, e1 := e.p.Login(ctx, "+79161234567", "wrong-password", origin)
		_, e2 := e.p.Login(ctx, "+79160000000", "wrong-password", origin)
		p1, _ := problem.As(e1)
		p2, _ := problem.As(e2)
		if p1 == nil || p2 == nil || p1.Code != problem.Unauthorized || p1.Message.Key != p2.Message.Key {
			t.Fatalf("enumeration: %v / %v", e1, e2)
		}
		evs, _ := e.p.Events(ctx, a.ID, 10)
		kinds := map[string]int{}
		for _, ev := range evs {
			kinds[ev.Kind]++
		}
		if kinds["login"] != 3 || kinds["login_failed"] != 1 || kinds["registered"] != 1 {
			t.Fatalf("events %v", kinds)
		}
	})
}

var passport = identity.Document{Type: "passport_ru", Series: "4510", Number: "123456", IssuedOn: time.Date(2005, 5, 20, 0, 0, 0, 0, time.UTC)}

func profile() identity.Profile {
	return identity.Profile{Sex: "female", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Москва", Citizenship: "rus",
		Passport: passport, SNILS: "112-233-445 95", Residence: "Москва, Ленинский проспект, 10"}
}

// IDP-3: a draft kept half-way; verification as jobs; a registry that is down is tried again,
// one that takes days answers later; standard, or refused with the reason.
func TestVerification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.register("Соколова", "+79161234567", "", "Volga-river-2026")
		e.reg.persons["11223344595"] = identity.PersonQuery{Surname: "Соколова", BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC)}
		// Half-way: kept as typed, unchecked.
		if err := e.p.SaveDraft(ctx, a.ID, identity.Profile{BirthPlace: "г. Моск"}); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.Draft || v.Draft.BirthPlace != "г. Моск" {
			t.Fatalf("draft %+v", v)
		}
		// Bad data named; nothing sent.
		bad := profile()
		bad.Passport.IssuedOn = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC) // at the age of 4
		bad.SNILS = "112-233-445 96"
		if err := e.p.SubmitProfile(ctx, a.ID, bad, origin); fieldOf(err) != "snils" {
			t.Fatalf("bad profile: %v", err)
		}
		// A citizenship is a country of ОКСМ, and a Russian citizen's account is Russia's; the
		// series and the number of a Russian passport are named apart.
		only := func(what string, err error, field, key string) {
			t.Helper()
			if pe, ok := problem.As(err); !ok || len(pe.Fields) != 1 || pe.Fields[0].Field != field || pe.Fields[0].Message.Key != key {
				t.Fatalf("%s: %v", what, err)
			}
		}
		for code, key := range map[string]string{"XYZ": "idp.citizenship", "RU": "idp.citizenship", "DEU": "idp.citizenship_russian"} {
			bad := profile()
			bad.Citizenship = code
			only("citizenship "+code, e.p.SubmitProfile(ctx, a.ID, bad, origin), "citizenship", key)
		}
		bad = profile()
		bad.Passport.Series = "45 0"
		only("a series of three digits", e.p.SubmitProfile(ctx, a.ID, bad, origin), "passport.series", "idp.passport_series")
		bad = profile()
		bad.Passport.Number = "12345"
		only("a number of five digits", e.p.SubmitProfile(ctx, a.ID, bad, origin), "passport.number", "idp.passport_ru")
		// The registries are down: "in progress", tried again later.
		e.reg.down, e.reg.delay = true, 2*time.Hour
		if err := e.p.SubmitProfile(ctx, a.ID, profile(), origin); err != nil {
			t.Fatal(err)
		}
		if e.runJobs() != 1 {
			t.Fatal("the verification job did not run")
		}
		if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.InProgress {
			t.Fatalf("state while down: %s", v.State)
		}
		e.reg.down = false
		e.clock.Add(time.Minute)
		e.runJobs() // asked now: not ready for two hours
		if v, _ := e.p.Verification(ctx, a.ID); v.State != identity.InProgress {
			t.Fatalf("state before the registries decided: %s", v.State)
		}
		e.clock.Add(2 * time.Hour)
		e.runJobs()
		v, _ := e.p.Verification(ctx, a.ID)
		if v.State != identity.Verified {
			t.Fatalf("verification %+v", v)
		}
		a, _ = e.p.Account(ctx, a.ID)
		if a.Level != identity.Standard || a.SNILS != "11223344595" || a.Profile.Citizenship != "RUS" {
			t.Fatalf("account after verification %+v", a)
		}
		// A new passport sends it back: the level drops until the new one is verified; an
		// invalid passport is refused with the reason.
		p := profile()
		p.Passport.Series, p.Passport.Number = "4520", "654321"
		e.reg.invalid["4520654321"], e.reg.delay = true, 0
		if err := e.p.SubmitProfile(ctx, a.ID, p, origin); err != nil {
			t.Fatal(err)
		}
		if a, _ = e.p.Account(ctx, a.ID); a.Level != identity.Simplified {
			t.Fatalf("level after a new passport: %s", a.Level)
		}
		e.runJobs()
		if v, _ = e.p.Verification(ctx, a.ID); v.State != identity.Refused || v.Reason != identity.ReasonPassportInvalid {
			t.Fatalf("refusal %+v", v)
		}
	})
}

// verified registers an account and takes it to the standard level.
func (e *env) verified(surname, phone string) *identity.Account {
	e.t.Helper()
	a := e.register(surname, phone, "", "Volga-river-2026")
	e.reg.persons["11223344595"] = identity.PersonQuery{Surname: surname, BirthDate: time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC)}
	if err := e.p.SubmitProfile(context.Background(), a.ID, profile(), origin); err != nil {
		e.t.Fatal(err)
	}
	e.runJobs()
	a, _ = e.p.Account(context.Background(), a.ID)
	if a.Level != identity.Standard {
		e.t.Fatalf("not standard: %s", a.Level)
	}
	return a
}

// IDP-4a: an operator confirms in person, with the checklist, in the audit log; or hands over a
// code the citizen types in.
func TestConfirmationByOperator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.verified("Соколова", "+79161234567")
		op := audit.Actor{Login: "mfc1", Role: "operator", RemoteAddr: "10.1.1.1"}
		found, err := e.p.FindForOperator(ctx, "112-233-445 95")
		if err != nil || len(found) != 1 || found[0].ID != a.ID {
			t.Fatalf("find by SNILS: %v %v", found, err)
		}
		if found, _ = e.p.FindForOperator(ctx, "4510 123456"); len(found) != 1 {
			t.Fatalf("find by passport: %v", found)
		}
		// BO-4: a СНИЛС and a passport as operators type them.
		for _, q := range []string{"112 233 445 95", "11223344595", "112-233-445-95", " 112 233 445 95 ", "4510123456", "45 10 123456", "4510 № 123456", "4510-123456"} {
			if found, err := e.p.FindForOperator(ctx, q); err != nil || len(found) != 1 || found[0].ID != a.ID {
				t.Errorf("find by %q: %v %v", q, found, err)
			}
		}
		if _, err := e.p.FindForOperator(ctx, "112 233 445 96"); fieldOf(err) != "q" {
			t.Errorf("a СНИЛС with a wrong check digit: %v", err)
		}
		if err := e.p.ConfirmInPerson(ctx, op, a.ID, identity.Checklist{PassportShown: true, Centre: "mfc-moscow-1"}); fieldOf(err) != "snils_shown" {
			t.Fatalf("incomplete checklist: %v", err)
		}
		// A code typed before any was handed is told that none was given, not that it expired.
		if err := e.p.ConfirmWithCode(ctx, a.ID, "123456", origin); fieldOf(err) != "code" || msgKey(err) != "idp.code.none" {
			t.Fatalf("a code before any was given: %v", err)
		}
		code, err := e.p.IssueOperatorCode(ctx, op, a.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "mfc-moscow-1"})
		if err != nil || len(code) != 6 {
			t.Fatalf("code: %q %v", code, err)
		}
		for range identity.CodeTries + 1 { // a code left empty is named and spends no try
			if err := e.p.ConfirmWithCode(ctx, a.ID, "", origin); requiredField(err) != "code" {
				t.Fatalf("an empty code: %v", err)
			}
		}
		if err := e.p.ConfirmWithCode(ctx, a.ID, code, origin); err != nil {
			t.Fatal(err)
		}
		a, _ = e.p.Account(ctx, a.ID)
		if a.Level != identity.Confirmed || a.Method != identity.ServiceCenter {
			t.Fatalf("confirmed %+v", a)
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Subject: "account:" + a.ID})
		if len(entries) != 1 || entries[0].Action != "account.confirm_code" || !strings.Contains(entries[0].Details, "passport,snils") {
			t.Fatalf("audit %+v", entries)
		}
		b := e.verifiedOther()
		if err := e.p.ConfirmInPerson(ctx, op, b.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "mfc-moscow-1"}); err != nil {
			t.Fatal(err)
		}
		if b, _ = e.p.Account(ctx, b.ID); b.Method != identity.ServiceCenter || !strings.Contains(b.Evidence, "operator=mfc1") {
			t.Fatalf("in person %+v", b)
		}
	})
}

func (e *env) verifiedOther() *identity.Account {
	e.t.Helper()
	a := e.register("Орлова", "+79169990000", "", "Volga-river-2026")
	p := profile()
	p.SNILS = "087-654-303 00"
	p.Passport.Number = "777777"
	e.reg.persons["08765430300"] = identity.PersonQuery{Surname: "Орлова", BirthDate: p.BirthDate}
	if err := e.p.SubmitProfile(context.Background(), a.ID, p, origin); err != nil {
		e.t.Fatal(err)
	}
	e.runJobs()
	a, _ = e.p.Account(context.Background(), a.ID)
	return a
}

// IDP-6: recovery by each identifier, the security answer, a code; an unknown identifier gets
// the same answers.
func TestRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.verified("Соколова", "+79161234567")
		for i, login := range []string{"+79161234567", "112-233-445 95"} {
			f, _ := e.p.StartRecovery(ctx, flow.API, "")
			if err := e.p.SubmitIdentifier(ctx, f, login, origin); err != nil {
				t.Fatal(err)
			}
			// A code left empty is named and spends none of the tries.
			for range identity.CodeTries + 1 {
				if err := e.p.SubmitRecoveryCode(ctx, f, " ", origin); requiredField(err) != "code" {
					t.Fatalf("%s: an empty code: %v", login, err)
				}
			}
			if err := e.p.SubmitRecoveryCode(ctx, f, e.lastCode("+79161234567"), origin); err != nil {
				t.Fatalf("%s: code: %v", login, err)
			}
			if f.State != identity.StepAnswer {
				t.Fatalf("no security question: %s", f.State)
			}
			for range 6 { // an answer left empty is named and spends no try
				if err := e.p.SubmitAnswer(ctx, f, "", origin); requiredField(err) != "answer" {
					t.Fatalf("an empty answer: %v", err)
				}
			}
			if err := e.p.SubmitAnswer(ctx, f, "Петрова", origin); fieldOf(err) != "answer" {
				t.Fatalf("wrong answer: %v", err)
			}
			if err := e.p.SubmitAnswer(ctx, f, "  смирнова ", origin); err != nil {
				t.Fatalf("right answer: %v", err)
			}
			pw := "New-password-" + string(rune('a'+i)) + "x9"
			if _, err := e.p.SubmitNewPassword(ctx, f, pw, pw, origin); err != nil {
				t.Fatal(err)
			}
			if _, err := e.p.Login(ctx, "+79161234567", pw, origin); err != nil {
				t.Fatalf("new password: %v", err)
			}
		}
		// An unknown phone: the same steps, the same answers, every code wrong.
		f, _ := e.p.StartRecovery(ctx, flow.API, "")
		if err := e.p.SubmitIdentifier(ctx, f, "+79990001122", origin); err != nil || f.State != identity.StepCode {
			t.Fatalf("unknown login: %v %s", err, f.State)
		}
		if err := e.p.SubmitRecoveryCode(ctx, f, "", origin); requiredField(err) != "code" {
			t.Fatalf("unknown login's empty code: %v", err)
		}
		if err := e.p.SubmitRecoveryCode(ctx, f, "123456", origin); fieldOf(err) != "code" {
			t.Fatalf("unknown login's code: %v", err)
		}
		_ = a
	})
}

// IDP-3: a foreign citizen with no СНИЛС is verified by the passport alone (the pension fund is
// not asked), and the result is told in the language they registered in.
func TestForeignCitizenVerification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		en := origin
		en.Lang = "en"
		f, err := e.p.StartRegistration(ctx, flow.API, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.p.SubmitContact(ctx, f, identity.Contact{Kind: identity.ForeignCitizen, Surname: "Müller", GivenName: "Anna", Email: "anna@example.org"}, en); err != nil {
			t.Fatal(err)
		}
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_email": e.lastCode("anna@example.org")}, en); err != nil {
			t.Fatal(err)
		}
		a, err := e.p.SubmitPassword(ctx, f, identity.Secret{Password: "Rhine-valley-2026", Again: "Rhine-valley-2026", Question: "First school?",
			Answer: "Lindenschule", Accepted: []string{"terms", "personal_data"}}, en)
		if err != nil {
			t.Fatal(err)
		}
		p := identity.Profile{Sex: "female", BirthDate: time.Date(1990, 3, 1, 0, 0, 0, 0, time.UTC), BirthPlace: "Hamburg", Citizenship: "DEU",
			Passport: identity.Document{Type: "passport_foreign", Number: "C01X00T47", IssuedOn: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)}}
		if err := e.p.SubmitProfile(ctx, a.ID, p, en); err != nil {
			t.Fatal(err)
		}
		e.runJobs()
		v, _ := e.p.Verification(ctx, a.ID)
		if v.State != identity.Verified || len(v.Checks) != 1 || v.Checks[0].Registry != identity.Migration {
			t.Fatalf("verification %+v", v)
		}
		told := false
		for _, m := range storetest.Sent(t, db, "anna@example.org") {
			if m.Key == "notify.idp.verified" {
				told = m.Lang == "en" && !strings.ContainsAny(m.Body, "абвгдеёжзийклмнопрстуфхцчшщыэюя")
			}
		}
		if !told {
			t.Fatal("the verification's result was not sent in English")
		}
	})
}

// IDP-3: a changed surname (after a marriage) sends a standard account back through
// verification: the level is lost and shown, the registries are asked about the new name, and
// once they agree the account carries it and is standard again.
func TestNameChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := e.verified("Соколова", "+79161234567")
		p := profile()
		p.Surname, p.GivenName, p.Patronymic = "Петрова", "Елена", "Викторовна"
		if err := e.p.SubmitProfile(ctx, a.ID, p, origin); err != nil {
			t.Fatal(err)
		}
		v, _ := e.p.Verification(ctx, a.ID)
		got, _ := e.p.Account(ctx, a.ID)
		if got.Level != identity.Simplified || v.LostLevel != identity.Standard || got.Surname != "Соколова" {
			t.Fatalf("after the change: level %s, lost %q, surname %s", got.Level, v.LostLevel, got.Surname)
		}
		e.runJobs() // the pension fund knows the СНИЛС under the old name: refused
		if v, _ = e.p.Verification(ctx, a.ID); v.State != identity.Refused || v.Reason != identity.ReasonSNILSMismatch {
			t.Fatalf("a name the registry does not know: %+v", v)
		}
		e.reg.persons["11223344595"] = identity.PersonQuery{Surname: "Петрова", BirthDate: p.BirthDate}
		if err := e.p.SubmitProfile(ctx, a.ID, p, origin); err != nil {
			t.Fatal(err)
		}
		e.runJobs()
		got, _ = e.p.Account(ctx, a.ID)
		if got.Level != identity.Standard || got.Surname != "Петрова" || got.GivenName != "Елена" {
			t.Fatalf("after the new name was verified: %s %s %s", got.Level, got.Surname, got.GivenName)
		}
		// A bad name is named.
		p.Surname = "Петрова2"
		if err := e.p.SubmitProfile(ctx, a.ID, p, origin); fieldOf(err) != "surname" {
			t.Fatalf("a surname with a digit: %v", err)
		}
	})
}
