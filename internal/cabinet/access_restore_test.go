package cabinet_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// KG-1, LK-2, LK-10, BO-5: access restored at the УГНС, over the Kyrgyz register and storage of
// both engines. Only an inspector of the taxpayer's УГНС (an administrator: any) restores it, and
// only with the passport shown; the one-time password logs in and must be replaced at once; the
// old password, the sessions and the mobile application's tokens end; the owner is told by the
// account's contacts; the restore and its print are audited without the passport's number; an
// unused one-time password expires and blocks the account, saying to turn to the УГНС; an
// organization's account passes to whichever of its head and accountant came. The Russian
// profile has no such restore (a new card is its way).
func TestKyrgyzAccessRestore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newKGEnv(t, db, cabinet.Terms{})
		insp := audit.Actor{Login: "asanova", Role: "inspector", RemoteAddr: "10.0.0.7"}
		p := e.outsider("", 0)
		r, _, err := e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "kyzyl-tash-1", Again: "kyzyl-tash-1",
			Phone: "+996 555 100 300"}, "ky")
		if err != nil {
			t.Fatal(err)
		}
		ok, err := e.svc.ApproveRegistration(ctx, insp, r.Office, r.Number(), true, "")
		if err != nil || len(ok.Notified) != 1 || ok.Notified[0] != "sms" {
			t.Fatalf("approve: %+v %v", ok, err)
		}
		if _, err := e.svc.Login(ctx, p.TIN, "kyzyl-tash-1", origin); err != nil {
			t.Fatal(err)
		}
		sessionStart := e.clock.Now()
		tok, err := e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: "kyzyl-tash-1", AcceptOffer: true, AcceptPrivacy: true}, origin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SessionAccount(ctx, p.TIN, sessionStart, nil); err != nil {
			t.Fatalf("the session before: %v", err)
		}

		// Refused: another УГНС's inspector, no passport, a TIN without an account.
		other := "006"
		if p.TaxOffice == other {
			other = "002"
		}
		req := cabinet.AccessRequest{TIN: p.TIN, PassportShown: true, Passport: "ID 7654321"}
		_, err = e.svc.RestoreAccess(ctx, insp, other, req)
		wantCode(t, err, problem.Forbidden, "lk.access.other_office")
		_, err = e.svc.RestoreAccess(ctx, insp, p.TaxOffice, cabinet.AccessRequest{TIN: p.TIN})
		wantCode(t, err, problem.Invalid, "lk.access.passport")
		if pr, _ := problem.As(err); pr.Fields[0].Field != "passport_shown" {
			t.Errorf("no passport: %+v", pr.Fields)
		}
		_, err = e.svc.RestoreAccess(ctx, insp, p.TaxOffice, cabinet.AccessRequest{TIN: e.outsider("", 3).TIN, PassportShown: true})
		wantCode(t, err, problem.NotFound, "lk.access.no_account")
		_, err = e.svc.RestoreAccess(ctx, insp, p.TaxOffice, cabinet.AccessRequest{TIN: "12345", PassportShown: true})
		wantCode(t, err, problem.Invalid, "")
		if a, _ := e.svc.Account(ctx, p.TIN); a.Temporary || a.CardID != "" {
			t.Fatalf("changed by a refused restore: %+v", a)
		}

		// Restored by the inspector of the УГНС.
		ra, err := e.svc.RestoreAccess(ctx, insp, p.TaxOffice, req)
		if err != nil || len(ra.OneTimePassword) != cabinet.TemporaryLength || ra.TIN != p.TIN || ra.Office != p.TaxOffice || ra.Passport != "ID 7654321" ||
			ra.Lang != "ky" || len(ra.Notified) != 1 || ra.Notified[0] != "sms" || ra.Holder != "" {
			t.Fatalf("restore: %+v %v", ra, err)
		}
		if body := e.lastMessage("+996555100300"); !strings.Contains(body, "калыбына келтирилди") || strings.Contains(body, ra.OneTimePassword) {
			t.Errorf("the notice, in Kyrgyz and without the password: %q", body)
		}
		_, err = e.svc.Login(ctx, p.TIN, "kyzyl-tash-1", origin)
		wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")
		if _, err := e.svc.SessionAccount(ctx, p.TIN, sessionStart, nil); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("a session of before the restore: %v", err)
		}
		if _, err := e.svc.MobileAccount(ctx, tok.Access); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("an access token of before the restore: %v", err)
		}
		if _, err := e.svc.RefreshMobile(ctx, tok.Refresh, origin); !problem.Is(err, problem.Unauthorized) {
			t.Errorf("a refresh token of before the restore: %v", err)
		}
		// The print checks the one-time password.
		_, err = e.svc.PrintAccessRestore(ctx, insp, p.TaxOffice, ra.ID, "wrong-password")
		wantCode(t, err, problem.Forbidden, "lk.access.password")
		_, err = e.svc.PrintAccessRestore(ctx, insp, other, ra.ID, ra.OneTimePassword)
		wantCode(t, err, problem.Forbidden, "lk.access.other_office")
		if pr, err := e.svc.PrintAccessRestore(ctx, insp, p.TaxOffice, ra.ID, ra.OneTimePassword); err != nil || pr.OneTimePassword != ra.OneTimePassword {
			t.Fatalf("print: %+v %v", pr, err)
		}
		// The one-time password logs in, must be replaced first, and is not the mobile application's.
		_, err = e.svc.LoginMobile(ctx, cabinet.MobileLogin{Login: p.TIN, Password: ra.OneTimePassword, AcceptOffer: true, AcceptPrivacy: true}, origin)
		wantCode(t, err, problem.Forbidden, "lk.mobile.temporary.kg") // the one-time password given at the УГНС
		res, err := e.svc.Login(ctx, p.TIN, ra.OneTimePassword, origin)
		if err != nil || !res.MustChange || res.Account.CardID != ra.ID {
			t.Fatalf("the one-time password: %+v %v", res, err)
		}
		_, err = e.svc.SetOwnPassword(ctx, p.TIN, res.Account.CardID, "short", "short", origin)
		wantCode(t, err, problem.Invalid, "lk.password.min")
		a, err := e.svc.SetOwnPassword(ctx, p.TIN, res.Account.CardID, "Chui-valley-2027", "Chui-valley-2027", origin)
		if err != nil || a.Temporary {
			t.Fatalf("the own password: %+v %v", a, err)
		}
		if res, err := e.svc.Login(ctx, p.TIN, "Chui-valley-2027", origin); err != nil || res.MustChange {
			t.Fatalf("the own password logs in: %+v %v", res, err)
		}
		_, err = e.svc.Login(ctx, p.TIN, ra.OneTimePassword, origin)
		wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")
		_, err = e.svc.PrintAccessRestore(ctx, insp, p.TaxOffice, ra.ID, ra.OneTimePassword)
		wantCode(t, err, problem.Conflict, "lk.access.not_temporary")
		list, err := e.svc.AccessRestores(ctx, p.TIN)
		if err != nil || len(list) != 1 || list[0].UsedAt.IsZero() || list[0].IssuedBy != "asanova" || list[0].Passport != "ID 7654321" ||
			!list[0].ExpiresAt.Equal(cabinet.AddMonth(list[0].IssuedAt, e.kg.Location())) {
			t.Fatalf("the restores kept: %+v %v", list, err)
		}
		entries, err := db.ListAudit(ctx, audit.Filter{Subject: p.TIN})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]string{}
		for _, en := range entries {
			actions[en.Action] = en.Details
			if strings.Contains(en.Details, "7654321") {
				t.Errorf("the passport's number in the audit log: %+v", en)
			}
		}
		if d := actions["lk.access.restore"]; !strings.Contains(d, "restore="+ra.ID) || !strings.Contains(d, "checked=passport") ||
			!strings.Contains(d, "office="+p.TaxOffice) || actions["lk.access.print"] != "restore="+ra.ID {
			t.Errorf("audit: %v", actions)
		}
		events, err := e.svc.Events(ctx, p.TIN, 50)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, ev := range events {
			kinds[ev.Kind] = true
		}
		if !kinds["access_restored"] || !kinds["password_set"] || !kinds["temporary_login"] {
			t.Errorf("the history: %v", kinds)
		}

		// An unused one-time password expires: the account is blocked, the УГНС named.
		ra2, err := e.svc.RestoreAccess(ctx, audit.Actor{Login: "admin", Role: "admin"}, "", req) // an administrator: any УГНС
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(32 * 24 * time.Hour)
		_, err = e.svc.Login(ctx, p.TIN, ra2.OneTimePassword, origin)
		wantCode(t, err, problem.Forbidden, "lk.login.blocked.kg")
		if pr, _ := problem.As(err); !strings.Contains(pr.Message.In("ru"), "УГНС") || strings.Contains(pr.Message.In("ru"), "карт") {
			t.Errorf("the block: %s", pr.Message.In("ru"))
		}

		// An organization's account passes to whichever of its head and accountant came.
		org := demo.KyrgyzOrganizations[0]
		accountant := e.persons[org.Accountant]
		if _, err := e.svc.AddAccount(ctx, insp, org.TIN, "Ala-Too-2026"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RestoreAccess(ctx, insp, org.TaxOffice, cabinet.AccessRequest{TIN: org.TIN, PassportShown: true, Holder: p.TIN})
		wantCode(t, err, problem.Invalid, "lk.reg.not_signatory")
		if pr, _ := problem.As(err); pr.Fields[0].Field != "holder" {
			t.Errorf("a stranger for the organization: %+v", pr.Fields)
		}
		ro, err := e.svc.RestoreAccess(ctx, insp, org.TaxOffice, cabinet.AccessRequest{TIN: org.TIN, PassportShown: true, Holder: accountant.TIN})
		if err != nil || ro.Holder != accountant.TIN || ro.HolderRole != "accountant" || len(ro.Notified) != 0 {
			t.Fatalf("the organization's restore: %+v %v", ro, err)
		}
		oa, err := e.svc.Account(ctx, org.TIN)
		if err != nil || oa.Signatory != accountant.TIN || oa.SignatoryRole != "accountant" || !oa.Temporary {
			t.Fatalf("the organization's account: %+v %v", oa, err)
		}
		if res, err := e.svc.Login(ctx, org.TIN, ro.OneTimePassword, origin); err != nil || !res.MustChange {
			t.Fatalf("the organization's one-time password: %+v %v", res, err)
		}
		ro2, err := e.svc.RestoreAccess(ctx, insp, org.TaxOffice, cabinet.AccessRequest{TIN: org.TIN, PassportShown: true}) // the holder kept
		if err != nil || ro2.Holder != accountant.TIN {
			t.Fatalf("the holder kept: %+v %v", ro2, err)
		}

		ru := newEnv(t, storetest.SQLite(t))
		_, err = ru.svc.RestoreAccess(ctx, inspector, "", cabinet.AccessRequest{TIN: "500100732259", PassportShown: true})
		wantCode(t, err, problem.NotFound, "lk.access.off")
	})
}

// KG-1: the state of an application for its applicant, by its number and their ИНН (or the
// organization's): both required and named when wrong; an unknown number and a wrong pair are
// the same NotFound; the look-ups of a number are limited; the decision shows, with the reason of
// a refusal; a refusal to an application without contacts notifies nobody, and says so.
func TestKyrgyzRegistrationStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newKGEnv(t, db, cabinet.Terms{})
		insp := audit.Actor{Login: "asanova", Role: "inspector"}
		p := e.outsider("", 0)
		r, _, err := e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "kyzyl-tash-1", Again: "kyzyl-tash-1"}, "ru")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RegistrationStatus(ctx, " ", "", origin)
		wantCode(t, err, problem.Invalid, "lk.required")
		if pr, _ := problem.As(err); len(pr.Fields) != 2 || pr.Fields[0].Field != "number" || pr.Fields[1].Field != "tin" ||
			!strings.Contains(pr.Fields[0].In("ru"), "Номер заявки") {
			t.Fatalf("both required: %+v", pr.Fields)
		}
		_, err = e.svc.RegistrationStatus(ctx, "2026000042", p.TIN, origin)
		wantCode(t, err, problem.Invalid, "lk.reg_status.number_format")
		_, err = e.svc.RegistrationStatus(ctx, r.Number(), "500100732259", origin)
		wantCode(t, err, problem.Invalid, "lk.tin_jurisdiction")
		got, err := e.svc.RegistrationStatus(ctx, " "+r.Number()+" ", p.TIN, origin)
		if err != nil || got.State != cabinet.AppSubmitted || got.Office != p.TaxOffice || got.PasswordHash != "" {
			t.Fatalf("waiting: %+v %v", got, err)
		}
		// The same answer for another's ИНН and for a number nobody has.
		_, wrongPair := e.svc.RegistrationStatus(ctx, r.Number(), e.outsider("", 1).TIN, origin)
		wantCode(t, wrongPair, problem.NotFound, "lk.reg_status.unknown")
		_, unknown := e.svc.RegistrationStatus(ctx, "2026-999999", p.TIN, origin)
		wantCode(t, unknown, problem.NotFound, "lk.reg_status.unknown")
		if wrongPair.Error() != unknown.Error() {
			t.Errorf("a wrong pair %q, an unknown number %q", wrongPair, unknown)
		}
		_, err = e.svc.RegistrationStatus(ctx, "2025-"+r.Number()[5:], p.TIN, origin)
		wantCode(t, err, problem.NotFound, "lk.reg_status.unknown")

		// Refused without a contact: nobody told, the page says it.
		rr, err := e.svc.RefuseRegistration(ctx, insp, "", r.Number(), "Паспорт не совпадает с данными реестра")
		if err != nil || len(rr.Notified) != 0 {
			t.Fatalf("refuse: %+v %v", rr, err)
		}
		got, err = e.svc.RegistrationStatus(ctx, r.Number(), p.TIN, origin)
		if err != nil || got.State != cabinet.AppRefused || got.Reason != "Паспорт не совпадает с данными реестра" || got.DecidedAt.IsZero() {
			t.Fatalf("refused: %+v %v", got, err)
		}

		// An organization's application, by the applicant's ИНН or the organization's.
		org := demo.KyrgyzOrganizations[0]
		head := e.persons[org.Head]
		rl, _, err := e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "legal", TIN: head.TIN, OrgTIN: org.TIN, Password: "Ala-Too-2026",
			Again: "Ala-Too-2026"}, "ru")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ApproveRegistration(ctx, insp, "", rl.Number(), true, ""); err != nil {
			t.Fatal(err)
		}
		for _, tin := range []string{head.TIN, org.TIN} {
			if got, err := e.svc.RegistrationStatus(ctx, rl.Number(), tin, origin); err != nil || got.State != cabinet.AppApproved || got.Login() != org.TIN {
				t.Fatalf("the organization's by %s: %+v %v", tin, got, err)
			}
		}

		// Guessing the ИНН of one number is limited (per number and address), however the number
		// is written.
		o := origin
		o.Address = "198.51.100.9"
		var last error
		for i := 0; i < cabinet.RegistrationStatusPolicy.PerClient.Max+1; i++ {
			n := rl.Number()
			if i%2 == 1 {
				n = fmt.Sprintf("%d-%d", rl.CreatedAt.Year(), rl.Seq)
			}
			_, last = e.svc.RegistrationStatus(ctx, n, e.outsider("", i%3+1).TIN, o)
		}
		wantCode(t, last, problem.TooMany, "limits.too_many")
		_, err = e.svc.RegistrationStatus(ctx, rl.Number(), head.TIN, o)
		wantCode(t, err, problem.TooMany, "limits.too_many")

		ru := newEnv(t, storetest.SQLite(t))
		_, err = ru.svc.RegistrationStatus(ctx, "2026-000001", "500100732259", origin)
		wantCode(t, err, problem.NotFound, "lk.reg.off")
	})
}

// KG-1: a concurrent burst of look-ups of one application's state with a wrong ИНН, from one
// address, reads the application at most as often as the limit per number and address allows;
// every other look-up is refused as too many, none fails otherwise.
func TestKyrgyzRegistrationStatusBurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newKGEnv(t, db, cabinet.Terms{})
		p := e.outsider("", 0)
		r, _, err := e.svc.SubmitRegistration(ctx, cabinet.RegistrationInput{Type: "individual", TIN: p.TIN, Password: "kyzyl-tash-1", Again: "kyzyl-tash-1"}, "ru")
		if err != nil {
			t.Fatal(err)
		}
		wrong := e.outsider("", 1).TIN
		const burst = 40
		var mu sync.Mutex
		codes := map[problem.Code]int{}
		var wg sync.WaitGroup
		for range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.RegistrationStatus(ctx, r.Number(), wrong, origin)
				p, _ := problem.As(err)
				mu.Lock()
				defer mu.Unlock()
				if p == nil {
					codes["unexpected: "+problem.Code(fmt.Sprint(err))]++
					return
				}
				codes[p.Code]++
			}()
		}
		wg.Wait()
		if limit := cabinet.RegistrationStatusPolicy.PerClient.Max; codes[problem.NotFound] > limit || codes[problem.NotFound] == 0 ||
			codes[problem.NotFound]+codes[problem.TooMany] != burst {
			t.Fatalf("a burst of %d: %v, want at most %d read (not found) and the rest too many", burst, codes, limit)
		}
	})
}
