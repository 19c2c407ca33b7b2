package cabinet_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/password"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// The Kyrgyz taxpayer cabinet over the real Kyrgyz register and storage of both engines:
// self-registration and the inspector's decision (KG-1, BO-3, BO-5), and the mobile login with
// the documents accepted (KG-2).

// kgEnv is a Kyrgyz register with the demo's persons and organizations, and the cabinet over it.
type kgEnv struct {
	*env
	persons []register.PersonInput
	kg      jurisdiction.Profile
}

// newKGEnv builds the Kyrgyz cabinet with terms (DefaultTerms when zero).
func newKGEnv(t *testing.T, db *store.DB, terms cabinet.Terms) *kgEnv {
	t.Helper()
	kg := jurisdiction.MustLookup(jurisdiction.KG)
	c := &clock{t: start}
	reg := register.New(store.NewRegister(db), register.Options{Now: c.Now, Profile: kg})
	ctx := context.Background()
	if err := reg.LoadOffices(ctx); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedKyrgyz(ctx, reg, 30); err != nil {
		t.Fatal(err)
	}
	e := &kgEnv{env: &env{t: t, db: db, clock: c, reg: reg}, persons: demo.KyrgyzPersons(1, 30), kg: kg}
	e.svc, e.hasher = e.cabinet(terms)
	return e
}

// cabinet returns a cabinet service over the environment's storage with terms.
func (e *kgEnv) cabinet(terms cabinet.Terms) (*cabinet.Service, *password.Hasher) {
	v, err := esign.NewVerifier(esign.Config{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	h := password.NewHasherWith(password.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	return cabinet.New(cabinet.Options{Store: store.NewCabinet(e.db), Register: app.CabinetRegister(e.reg), Hasher: h,
		Limits: limits.New(store.NewLimits(e.db), e.clock.Now), Verifier: v, Challenges: esign.NewChallenges(store.NewIdentity(e.db), 0, e.clock.Now),
		Now: e.clock.Now, Zone: e.kg.Location(), Profile: e.kg, Terms: terms}), h
}

// outsider returns a person of the register who signs for no demo organization, of office (any
// when "").
func (e *kgEnv) outsider(office string, skip int) register.PersonInput {
	signs := map[string]bool{}
	for _, o := range demo.KyrgyzOrganizations {
		signs[e.persons[o.Head].TIN] = true
		if o.Accountant >= 0 {
			signs[e.persons[o.Accountant].TIN] = true
		}
	}
	for _, p := range e.persons {
		if !signs[p.TIN] && (office == "" || p.TaxOffice == office) {
			if skip == 0 {
				return p
			}
			skip--
		}
	}
	e.t.Fatalf("no outsider of office %q", office)
	return register.PersonInput{}
}

// KG-1, BO-3, BO-5: «Поиск» fills the name and the УГНС; a Russian ИНН, an empty field, two
// passwords that differ and a short one are refused and nothing is saved; only the head or the
// accountant registers an organization; the inspector of the application's УГНС grants access
// after the passport, and the password set at registration logs in; a refusal names the reason;
// each applicant is told, each decision audited.
func TestKyrgyzRegistration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newKGEnv(t, db, cabinet.Terms{})
		p := e.outsider("", 0)
		f, err := e.svc.Search(ctx, cabinet.RegistrationInput{TIN: " " + p.TIN + " "}, false)
		if err != nil || f.Name != p.Surname+" "+p.GivenName+" "+p.Patronymic || f.Office != p.TaxOffice || f.OfficeName == "" {
			t.Fatalf("search: %+v %v", f, err)
		}
		_, err = e.svc.Search(ctx, cabinet.RegistrationInput{TIN: "500100732259"}, false)
		wantCode(t, err, problem.Invalid, "lk.tin_jurisdiction")
		if p, _ := problem.As(err); !strings.Contains(p.Fields[0].In("ru"), "российский ИНН") {
			t.Errorf("a Russian ИНН: %s", p.Fields[0].In("ru"))
		}
		_, err = e.svc.Search(ctx, cabinet.RegistrationInput{TIN: "21505199012399"}, false)
		wantCode(t, err, problem.Invalid, "lk.reg.no_person")

		in := cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "kyzyl-tash-1", Again: "", Phone: "0555 100 200" /* as typed at home */}
		_, _, err = e.svc.SubmitRegistration(ctx, in, "ky")
		wantCode(t, err, problem.Invalid, "lk.required")
		in.Again = "kyzyl-tash-2"
		_, _, err = e.svc.SubmitRegistration(ctx, in, "ky")
		wantCode(t, err, problem.Invalid, "lk.password.repeat")
		if p, _ := problem.As(err); p.Fields[0].Field != "password_repeat" || p.Fields[0].In("ru") != "Пароли не совпадают" || p.Fields[0].In("ky") != "Сырсөздөр дал келбейт" {
			t.Errorf("the passwords differ: %+v", p.Fields)
		}
		_, _, err = e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "short7!", Again: "short7!"}, "ru")
		wantCode(t, err, problem.Invalid, "lk.password.min")
		if list, _ := e.svc.Registrations(ctx, "", ""); len(list) != 0 {
			t.Fatalf("saved while a field was wrong: %+v", list)
		}
		in.Again = in.Password
		r, found, err := e.svc.SubmitRegistration(ctx, in, "ky")
		if err != nil || r.Office != p.TaxOffice || r.Login() != p.TIN || r.State != cabinet.AppSubmitted || r.Phone != "+996555100200" || found.Name == "" {
			t.Fatalf("submit: %+v %+v %v", r, found, err)
		}
		_, _, err = e.svc.SubmitRegistration(ctx, in, "ky")
		wantCode(t, err, problem.Invalid, "lk.reg.pending")
		if pe, _ := problem.As(err); strings.Contains(pe.Fields[0].In("ru"), r.Number()) { // with the ИНН it opens the application's state
			t.Errorf("a second application is told the first one's number: %s", pe.Fields[0].In("ru"))
		}
		if _, err := e.svc.Account(ctx, p.TIN); !problem.Is(err, problem.NotFound) {
			t.Fatalf("an account before the approval: %v", err)
		}

		// The organization: a person who is neither its head nor its accountant is refused.
		org := demo.KyrgyzOrganizations[0]
		head, accountant := e.persons[org.Head], e.persons[org.Accountant]
		legal := cabinet.RegistrationInput{Type: "legal", TIN: p.TIN, OrgTIN: org.TIN, Password: "Ala-Too-2026", Again: "Ala-Too-2026", Email: "buh@example.kg"}
		_, err = e.svc.Search(ctx, legal, true)
		wantCode(t, err, problem.Invalid, "lk.reg.not_signatory")
		_, _, err = e.svc.SubmitRegistration(ctx, legal, "ru")
		wantCode(t, err, problem.Invalid, "lk.reg.not_signatory")
		legal.TIN = accountant.TIN
		f, err = e.svc.Search(ctx, legal, true)
		if err != nil || f.OrgName != org.ShortName || f.Role != "accountant" || f.Office != org.TaxOffice {
			t.Fatalf("the organization's search: %+v %v", f, err)
		}
		rl, _, err := e.svc.SubmitRegistration(ctx, legal, "ru")
		if err != nil || rl.Login() != org.TIN || rl.Role != "accountant" || rl.Office != org.TaxOffice {
			t.Fatalf("legal: %+v %v", rl, err)
		}
		legal.TIN = head.TIN // the head, while the accountant's application waits
		_, _, err = e.svc.SubmitRegistration(ctx, legal, "ru")
		wantCode(t, err, problem.Invalid, "lk.reg.pending")

		// The inspector: another УГНС's is refused; the passport is required.
		insp := audit.Actor{Login: "asanova", Role: "inspector", RemoteAddr: "10.0.0.7"}
		other := "006"
		if r.Office == other {
			other = "002"
		}
		_, err = e.svc.ApproveRegistration(ctx, insp, other, r.Number(), true, "")
		wantCode(t, err, problem.Forbidden, "lk.reg.other_office")
		_, err = e.svc.ApproveRegistration(ctx, insp, r.Office, r.Number(), false, "")
		wantCode(t, err, problem.Invalid, "lk.reg.passport")
		ok, err := e.svc.ApproveRegistration(ctx, insp, r.Office, r.Number(), true, "ID 1234567")
		if err != nil || ok.State != cabinet.AppApproved || ok.Passport != "ID 1234567" || ok.DecidedBy != "asanova" {
			t.Fatalf("approve: %+v %v", ok, err)
		}
		_, err = e.svc.ApproveRegistration(ctx, insp, r.Office, r.Number(), true, "")
		wantCode(t, err, problem.Conflict, "lk.reg.decided")
		a, err := e.svc.Account(ctx, p.TIN)
		if err != nil || a.Source != cabinet.FromRegistration || a.Temporary || a.Signatory != "" {
			t.Fatalf("the account: %+v %v", a, err)
		}
		if body := e.lastMessage("+996555100200"); !strings.Contains(body, p.TIN) || !strings.Contains(body, "кирүү укугу берилди") {
			t.Errorf("the SMS of the approval, in Kyrgyz: %q", body)
		}
		res, err := e.svc.Login(ctx, p.TIN, "kyzyl-tash-1", origin)
		if err != nil || res.Account == nil || res.MustChange {
			t.Fatalf("login with the password set at registration: %+v %v", res, err)
		}
		_, err = e.svc.Login(ctx, "00000000000", "any", origin) // no demonstration account here (LK-9 is Russian)
		wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")

		// The organization's account is the accountant's; its login is the organization's ИНН.
		if _, err := e.svc.ApproveRegistration(ctx, insp, "", rl.Number(), true, ""); err != nil {
			t.Fatal(err)
		}
		oa, err := e.svc.Account(ctx, org.TIN)
		if err != nil || oa.Signatory != accountant.TIN || oa.SignatoryRole != "accountant" || oa.Name != org.ShortName {
			t.Fatalf("the organization's account: %+v %v", oa, err)
		}
		if _, err := e.svc.Login(ctx, org.TIN, "Ala-Too-2026", origin); err != nil {
			t.Fatalf("the organization's login: %v", err)
		}
		subj, err := e.svc.Subject(ctx, org.TIN)
		if err != nil || subj.FullName() != org.ShortName || subj.Office != org.TaxOffice {
			t.Fatalf("the organization's page: %+v %v", subj, err)
		}
		_, _, err = e.svc.SubmitRegistration(ctx, legal, "ru")
		wantCode(t, err, problem.Invalid, "lk.reg.account_exists")

		// A refusal with its reason; the applicant may apply again.
		q := e.outsider("", 1)
		rr, _, err := e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: q.TIN, Password: "Naryn-river-7", Again: "Naryn-river-7",
			Email: "q@example.kg"}, "ru")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RefuseRegistration(ctx, insp, rr.Office, rr.Number(), " ")
		wantCode(t, err, problem.Invalid, "lk.application.reason")
		refused, err := e.svc.RefuseRegistration(ctx, insp, rr.Office, rr.Number(), "Паспорт не предъявлен")
		if err != nil || refused.State != cabinet.AppRefused || len(refused.Notified) != 1 || refused.Notified[0] != "email" {
			t.Fatalf("refuse: %+v %v", refused, err)
		}
		if body := e.lastMessage("q@example.kg"); !strings.Contains(body, "Паспорт не предъявлен") || !strings.Contains(body, rr.Number()) {
			t.Errorf("the refusal's e-mail: %q", body)
		}
		if _, _, err := e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: q.TIN, Password: "Naryn-river-7",
			Again: "Naryn-river-7"}, "ru"); err != nil {
			t.Fatalf("applying again after a refusal: %v", err)
		}
		entries, err := db.ListAudit(ctx, audit.Filter{Actor: "asanova"})
		if err != nil || len(entries) != 3 {
			t.Fatalf("audit: %d %v", len(entries), err)
		}
		actions := map[string]bool{}
		for _, en := range entries {
			actions[en.Action] = true
		}
		if !actions["lk.registration.approve"] || !actions["lk.registration.refuse"] {
			t.Errorf("audit actions %v", actions)
		}
		queue, err := e.svc.Registrations(ctx, rr.Office, cabinet.AppSubmitted)
		if err != nil || len(queue) != 1 || queue[0].TIN != q.TIN {
			t.Errorf("the office's queue: %+v %v", queue, err)
		}
	})
}

// KG-1: the command line's account (as an approval) and the jurisdiction's rule of passwords;
// the Russian profile has no self-registration.
func TestKyrgyzAddAccount(t *testing.T) {
	ctx := context.Background()
	e := newKGEnv(t, storetest.SQLite(t), cabinet.Terms{})
	p := e.outsider("", 0)
	_, err := e.svc.AddAccount(ctx, inspector, p.TIN, "short")
	wantCode(t, err, problem.Invalid, "lk.password.min")
	a, err := e.svc.AddAccount(ctx, inspector, p.TIN, "Issyk-Kul-2026")
	if err != nil || a.TIN != p.TIN || a.Source != cabinet.FromRegistration {
		t.Fatalf("add: %+v %v", a, err)
	}
	_, err = e.svc.AddAccount(ctx, inspector, p.TIN, "Issyk-Kul-2026")
	wantCode(t, err, problem.Conflict, "lk.reg.account_exists")
	org := demo.KyrgyzOrganizations[1]
	oa, err := e.svc.AddAccount(ctx, inspector, org.TIN, "Issyk-Kul-2026")
	if err != nil || oa.Signatory != e.persons[org.Head].TIN || oa.SignatoryRole != "head" {
		t.Fatalf("an organization's: %+v %v", oa, err)
	}
	ru := newEnv(t, storetest.SQLite(t))
	_, err = ru.svc.AddAccount(ctx, inspector, "500100732259", "Issyk-Kul-2026")
	wantCode(t, err, problem.NotFound, "lk.reg.off")
	_, _, err = ru.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{}, "ru")
	wantCode(t, err, problem.NotFound, "lk.reg.off")
}

// KG-2: a login without the offer agreement or the privacy policy is refused naming each and its
// version, and accepted after; the acceptance is recorded with the version and the time and not
// asked again — until a new version is published; a wrong password is 401; a refresh token
// rotates and a used one revokes the chain; logout ends it; a new password ends the tokens issued
// before it. The Russian profile has no mobile login.
func TestKyrgyzMobileLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newKGEnv(t, db, cabinet.Terms{})
		p := e.outsider("", 0)
		if _, err := e.svc.AddAccount(ctx, inspector, p.TIN, "Issyk-Kul-2026"); err != nil {
			t.Fatal(err)
		}
		login := cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026"}
		_, err := e.svc.LoginMobile(ctx, login, origin)
		wantCode(t, err, problem.Forbidden, "lk.mobile.terms")
		pr, _ := problem.As(err)
		if len(pr.Fields) != 2 || pr.Fields[0].Field != "accept_offer" || pr.Fields[1].Field != "accept_privacy" ||
			!strings.Contains(pr.Message.In("ru"), "договор-оферта (версия 2026-01)") || !strings.Contains(pr.Message.In("ky"), "оферта келишими") {
			t.Fatalf("the refusal: %v %s", pr.Fields, pr.Message.In("ru"))
		}
		if v := pr.Extra["versions"].(map[string]string); v["offer"] != "2026-01" || v["privacy"] != "2026-01" {
			t.Errorf("versions %v", v)
		}
		login.AcceptOffer = true
		_, err = e.svc.LoginMobile(ctx, login, origin)
		wantCode(t, err, problem.Forbidden, "lk.mobile.terms")
		if pr, _ := problem.As(err); len(pr.Fields) != 1 || pr.Fields[0].Field != "accept_privacy" {
			t.Fatalf("only the privacy policy missing: %v", pr.Fields)
		}
		if acc, _ := e.svc.Acceptances(ctx, p.TIN); len(acc) != 0 {
			t.Fatalf("an acceptance recorded by a refused login: %+v", acc)
		}
		bad := login
		bad.Password, bad.AcceptPrivacy = "wrong-password", true
		_, err = e.svc.LoginMobile(ctx, bad, origin)
		wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")
		login.AcceptPrivacy = true
		tok, err := e.svc.LoginMobile(ctx, login, origin)
		if err != nil || !strings.HasPrefix(tok.Access, "kma_") || !strings.HasPrefix(tok.Refresh, "kmr_") || tok.ExpiresIn != 15*time.Minute {
			t.Fatalf("login: %+v %v", tok, err)
		}
		acc, err := e.svc.Acceptances(ctx, p.TIN)
		if err != nil || len(acc) != 2 || acc[0].Version != "2026-01" || acc[0].At.IsZero() || acc[0].Address != origin.Address {
			t.Fatalf("acceptances: %+v %v", acc, err)
		}
		if a, err := e.svc.MobileAccount(ctx, tok.Access); err != nil || a.TIN != p.TIN {
			t.Fatalf("the access token: %v", err)
		}
		// Accepted once, not asked again.
		if _, err := e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026"}, origin); err != nil {
			t.Fatalf("a second login: %v", err)
		}
		// A new version of the offer agreement is asked again, alone.
		svc2, _ := e.cabinet(cabinet.Terms{Offer: "2026-07", Privacy: "2026-01"})
		_, err = svc2.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026"}, origin)
		wantCode(t, err, problem.Forbidden, "lk.mobile.terms")
		if pr, _ := problem.As(err); len(pr.Fields) != 1 || pr.Fields[0].Field != "accept_offer" || !strings.Contains(pr.Fields[0].In("ru"), "2026-07") {
			t.Fatalf("the new version: %v", pr.Fields)
		}
		_, err = svc2.RefreshMobile(ctx, tok.Refresh, origin) // a refresh asks it too
		wantCode(t, err, problem.Forbidden, "lk.mobile.terms")
		if _, err := svc2.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026", AcceptOffer: true}, origin); err != nil {
			t.Fatal(err)
		}
		if acc, _ := e.svc.Acceptances(ctx, p.TIN); len(acc) != 3 || acc[0].Version != "2026-07" {
			t.Fatalf("the new version recorded: %+v", acc)
		}

		// Rotation: the refresh token is used once; a reuse revokes the chain.
		t1, err := e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026"}, origin)
		if err != nil {
			t.Fatal(err)
		}
		t2, err := e.svc.RefreshMobile(ctx, t1.Refresh, origin)
		if err != nil || t2.Refresh == t1.Refresh || t2.Access == t1.Access {
			t.Fatalf("refresh: %+v %v", t2, err)
		}
		_, err = e.svc.RefreshMobile(ctx, t1.Refresh, origin)
		wantCode(t, err, problem.Unauthorized, "lk.mobile.token")
		if _, err := e.svc.MobileAccount(ctx, t2.Access); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("the chain after a reuse: %v", err)
		}
		_, err = e.svc.RefreshMobile(ctx, t2.Refresh, origin)
		wantCode(t, err, problem.Unauthorized, "lk.mobile.token")
		// Logout revokes the chain; other logins keep theirs.
		t3, _ := e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026"}, origin)
		t4, _ := e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "Issyk-Kul-2026"}, origin)
		if err := e.svc.LogoutMobile(ctx, t3.Access, "", origin); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MobileAccount(ctx, t3.Access); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("after logout: %v", err)
		}
		if _, err := e.svc.RefreshMobile(ctx, t3.Refresh, origin); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("the refresh token after logout: %v", err)
		}
		if _, err := e.svc.MobileAccount(ctx, t4.Access); err != nil {
			t.Fatalf("another login's token: %v", err)
		}
		// An access token expires; a new password ends every token issued before it.
		e.clock.Add(16 * time.Minute)
		if _, err := e.svc.MobileAccount(ctx, t4.Access); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("an expired access token: %v", err)
		}
		e.clock.Add(time.Second)
		wantCode(t, e.svc.ChangePassword(ctx, p.TIN, "", "Talas-valley-9", "Talas-valley-9", origin), problem.Invalid, "lk.required")
		if err := e.svc.ChangePassword(ctx, p.TIN, "Issyk-Kul-2026", "Talas-valley-9", "Talas-valley-9", origin); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RefreshMobile(ctx, t4.Refresh, origin); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("a refresh token after a new password: %v", err)
		}
		if n, err := e.svc.CleanupMobile(ctx); err != nil || n == 0 {
			t.Errorf("cleanup: %d %v", n, err)
		}

		ru := newEnv(t, storetest.SQLite(t))
		_, err = ru.svc.LoginMobile(ctx, login, origin)
		wantCode(t, err, problem.NotFound, "lk.mobile.off")
	})
}

// KG-2: a burst of 50 concurrent wrong passwords from the mobile application computes at most
// the overall budget of hashes (the same limits as every login).
func TestKyrgyzMobileBurst(t *testing.T) {
	ctx := context.Background()
	e := newKGEnv(t, storetest.SQLite(t), cabinet.Terms{})
	p := e.outsider("", 0)
	if _, err := e.svc.AddAccount(ctx, inspector, p.TIN, "Issyk-Kul-2026"); err != nil {
		t.Fatal(err)
	}
	before := e.hasher.Computed()
	var wg sync.WaitGroup
	codes := make(chan problem.Code, 50)
	for i := range 50 {
		wg.Go(func() {
			o := origin
			o.Address = "192.0.2." + string(rune('1'+i%5))
			_, err := e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "wrong-password", AcceptOffer: true, AcceptPrivacy: true}, o)
			codes <- problem.CodeOf(err)
		})
	}
	wg.Wait()
	close(codes)
	seen := map[problem.Code]int{}
	for c := range codes {
		seen[c]++
	}
	if n := e.hasher.Computed() - before; n > int64(cabinet.LoginPolicy.Overall.Budget) || n == 0 {
		t.Errorf("%d hashes for a burst of 50 (answers %v), want at most %d", n, seen, cabinet.LoginPolicy.Overall.Budget)
	}
	if seen[problem.Unauthorized] == 0 || seen[problem.TooMany] == 0 || seen[problem.Internal] > 0 {
		t.Errorf("answers %v", seen)
	}
}

// KG-1: the form's «Поиск» answers with a person's name and УГНС, so one client address may make
// only so many look-ups an hour, a concurrent burst included, on both engines (a staff member's
// are not counted).
func TestKyrgyzSearchLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newKGEnv(t, db, cabinet.Terms{})
		ctx := context.Background()
		p := e.outsider("", 0)
		in := cabinet.RegistrationInput{TIN: p.TIN, Address: "198.51.100.7"}
		var found, refused atomic.Int32
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				f, err := e.svc.Search(ctx, in, false)
				switch {
				case err == nil && f.Name != "":
					found.Add(1)
				case problem.Is(err, problem.TooMany):
					refused.Add(1)
				default:
					t.Errorf("a look-up: %+v %v", f, err)
				}
			})
		}
		wg.Wait()
		if found.Load() != 30 || refused.Load() != 10 {
			t.Fatalf("40 look-ups at once from one address: %d answered with a name, %d refused; want 30 and 10", found.Load(), refused.Load())
		}
		if _, _, err := e.svc.SubmitRegistration(ctx, in, "ru"); !problem.Is(err, problem.TooMany) {
			t.Fatalf("a submission after them: %v", err)
		}
		in.Address = "" // an inspector's comparison with the register
		if _, err := e.svc.Search(ctx, in, false); err != nil {
			t.Fatalf("a staff member's look-up: %v", err)
		}
		in.Address = "198.51.100.8"
		if _, err := e.svc.Search(ctx, in, false); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}
