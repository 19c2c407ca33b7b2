package cabinet_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-7, BO-3: an online application with its required fields, a number and a key for its
// printable page; the inspector finds it, compares it with the register, issues the card, which
// works from the next day; or refuses it with a reason. Both in the audit log.
func TestOnlineApplication(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	tin := e.person("Степанова", "Алёна", "Игоревна", time.Date(1991, 10, 10, 0, 0, 0, 0, time.UTC), "")
	_, _, err := e.svc.SubmitApplication(ctx, cabinet.ApplicationInput{Surname: "Smith1"}, "ru")
	p, _ := problem.As(err)
	if p == nil {
		t.Fatal("an empty application accepted")
	}
	fields := map[string]bool{}
	for _, f := range p.Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{"surname", "given_name", "birth_date", "document_type", "document_number", "document_issued_on", "phone", "consent"} {
		if !fields[f] {
			t.Errorf("%s not marked: %v", f, p.Fields)
		}
	}
	in := cabinet.ApplicationInput{Surname: "Степанова", GivenName: "Алена", BirthDate: "1991-10-10", DocType: "passport_ru", DocSeries: "45 11",
		DocNumber: "123456", DocIssuedOn: "2011-10-20", Phone: "+7 916 555-77-88", Consent: true}
	// Too long a "issued by" is named with its limit, in the applicant's language.
	long := in
	long.DocIssuedBy = strings.Repeat("ОВД ", 76)
	_, _, err = e.svc.SubmitApplication(ctx, long, "ru")
	if p, _ := problem.As(err); p == nil || len(p.Fields) != 1 || p.Fields[0].Field != "document_issued_by" ||
		p.Fields[0].In("ru") != "Поле «Кем выдан документ» — не длиннее 300 знаков" || p.Fields[0].In("en") != "Document issued by: at most 300 characters" {
		t.Fatalf("a long issuer: %v", err)
	}
	a, key, err := e.svc.SubmitApplication(ctx, in, "ru")
	if err != nil {
		t.Fatal(err)
	}
	if a.Number() != "2026-000001" || key == "" {
		t.Fatalf("number %s key %q", a.Number(), key)
	}
	if _, err := e.svc.OpenApplication(ctx, a.Number(), "wrong-key"); !problem.Is(err, problem.NotFound) {
		t.Fatalf("opened with a wrong key: %v", err)
	}
	if got, err := e.svc.OpenApplication(ctx, a.Number(), key); err != nil || got.Data.DocSeries != "4511" {
		t.Fatalf("open: %+v %v", got, err)
	}
	queue, err := e.svc.Applications(ctx, cabinet.AppSubmitted, "СТЕПАН")
	if err != nil || len(queue) != 1 {
		t.Fatalf("queue: %v %v", queue, err)
	}
	// The TIN is needed; another person's is refused; the documents are checked.
	other := e.person("Петрова", "Анна", "Ивановна", time.Date(1991, 10, 10, 0, 0, 0, 0, time.UTC), "")
	_, err = e.svc.ApproveApplication(ctx, inspector, a.Number(), cabinet.Approval{Checks: cabinet.Checklist{PassportShown: true}})
	wantCode(t, err, problem.Invalid, "lk.application.tin_needed")
	_, err = e.svc.ApproveApplication(ctx, inspector, a.Number(), cabinet.Approval{TIN: other, Checks: cabinet.Checklist{PassportShown: true}})
	wantCode(t, err, problem.Invalid, "lk.application.mismatch")
	_, err = e.svc.ApproveApplication(ctx, inspector, a.Number(), cabinet.Approval{TIN: tin, Office: "5201"})
	if p, _ := problem.As(err); p == nil || len(p.Fields) != 2 {
		t.Fatalf("another office, nothing checked: %v", err)
	}
	c, err := e.svc.ApproveApplication(ctx, inspector, a.Number(), cabinet.Approval{TIN: tin, Office: "5201",
		Checks: cabinet.Checklist{PassportShown: true, TINCertificateShown: true}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Application != a.Number() || !c.ActiveFrom.Equal(time.Date(2026, 12, 2, 21, 0, 0, 0, time.UTC)) {
		t.Fatalf("card %+v", c)
	}
	// Not today; from the next day (00:00 in Moscow).
	_, err = e.svc.Login(ctx, tin, c.TemporaryPassword, origin)
	wantCode(t, err, problem.Forbidden, "lk.login.not_yet")
	e.clock.Add(11 * time.Hour)
	if res, err := e.svc.Login(ctx, tin, c.TemporaryPassword, origin); err != nil || !res.MustChange {
		t.Fatalf("the next day: %+v %v", res, err)
	}
	if _, err := e.svc.ApproveApplication(ctx, inspector, a.Number(), cabinet.Approval{TIN: tin, Checks: cabinet.Checklist{PassportShown: true}}); !problem.Is(err, problem.Conflict) {
		t.Fatalf("approved twice: %v", err)
	}
	// A refusal needs a reason.
	b, _, err := e.svc.SubmitApplication(ctx, cabinet.ApplicationInput{Surname: "Иванов", GivenName: "Иван", BirthDate: "1980-01-01",
		DocType: "passport_ru", DocNumber: "654321", DocIssuedOn: "2001-01-01", Email: "ivan@example.org", Consent: true}, "ru")
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.RefuseApplication(ctx, inspector, b.Number(), " "), problem.Invalid, "lk.application.reason")
	if err := e.svc.RefuseApplication(ctx, inspector, b.Number(), "Заявитель не явился"); err != nil {
		t.Fatal(err)
	}
	if e.messagesTo("ivan@example.org") != 1 {
		t.Fatal("the applicant was not told")
	}
	for _, action := range []string{"lk.application.approve", "lk.application.refuse"} {
		if entries, _ := e.db.ListAudit(ctx, audit.Filter{Action: action}); len(entries) != 1 {
			t.Fatalf("%s: %+v", action, entries)
		}
	}
}

// An application's number is read only as it is written ("2026-000042", spaces around allowed):
// what ParseNumber accepts is four digits, a hyphen and digits, and writing it back gives the
// same year and sequence.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"2026-000042", " 2026-1 ", "2026-+5", "+026-1", "2026--5", "2026-0", "20261", "2026-1234567890123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, year, ok := cabinet.ParseNumber(s)
		if !ok {
			return
		}
		if !regexp.MustCompile(`^[0-9]{4}-[0-9]{1,12}$`).MatchString(strings.TrimSpace(s)) {
			t.Errorf("%q is accepted as %d-%d", s, year, seq)
		}
		seq2, year2, ok2 := cabinet.ParseNumber(fmt.Sprintf("%04d-%06d", year, seq))
		if !ok2 || seq2 != seq || year2 != year {
			t.Errorf("%q: %d-%d written back reads as %d-%d, %v", s, year, seq, year2, seq2, ok2)
		}
	})
}
