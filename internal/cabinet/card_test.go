package cabinet_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// LK-1, LK-2, BO-2: a card is issued after the documents were checked; its temporary password
// works once to set the own one, which is permanent; the card is used. The staff action is in
// the audit log with the documents checked.
func TestCardIssueAndFirstLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tin := e.person("Соколова", "Елена", "Викторовна", time.Date(1985, 4, 12, 0, 0, 0, 0, time.UTC), "")
		// The passport always; the TIN certificate when the office is not the person's.
		_, err := e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: tin})
		wantCode(t, err, problem.Invalid, "lk.card.checklist")
		_, err = e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: tin, Office: "7707", Checks: cabinet.Checklist{PassportShown: true}})
		if p, _ := problem.As(err); p == nil || len(p.Fields) != 1 || p.Fields[0].Field != "tin_certificate_shown" {
			t.Fatalf("another office without the TIN certificate: %v", err)
		}
		c, err := e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: tin, Office: "7707", Checks: cabinet.Checklist{PassportShown: true, TINCertificateShown: true}})
		if err != nil {
			t.Fatal(err)
		}
		if c.TIN != tin || c.Office != "7707" || c.OfficeName == "" || c.Name != "Соколова Елена Викторовна" || len(c.TemporaryPassword) != cabinet.TemporaryLength ||
			!c.ExpiresAt.Truncate(time.Minute).Equal(time.Date(2027, 1, 2, 10, 0, 0, 0, time.UTC)) || c.Reissue {
			t.Fatalf("card %+v", c)
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Subject: tin, Action: "lk.card.issue"})
		if len(entries) != 1 || entries[0].Actor.Login != "ivanova" {
			t.Fatalf("audit %+v", entries)
		}
		// A wrong password, then the temporary one: the own password must be set first.
		_, err = e.svc.Login(ctx, tin, "wrong", origin)
		wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")
		res, err := e.svc.Login(ctx, " "+tin[:6]+" "+tin[6:], c.TemporaryPassword, origin)
		if err != nil || !res.MustChange || res.Account.CardID != c.ID {
			t.Fatalf("temporary login: %+v %v", res, err)
		}
		_, err = e.svc.SetOwnPassword(ctx, tin, c.ID, "short", "short", origin)
		wantCode(t, err, problem.Invalid, "lk.password.rules")
		if _, err := e.svc.SetOwnPassword(ctx, tin, c.ID, "Volga-2026!", "Volga-2026!", origin); err != nil {
			t.Fatal(err)
		}
		// Permanent: a month later still works; the temporary one does not.
		e.clock.Add(40 * 24 * time.Hour)
		if _, err := e.svc.Login(ctx, tin, c.TemporaryPassword, origin); !problem.Is(err, problem.Unauthorized) {
			t.Fatalf("the temporary password after the change: %v", err)
		}
		if res, err := e.svc.Login(ctx, tin, "Volga-2026!", origin); err != nil || res.MustChange {
			t.Fatalf("own password: %+v %v", res, err)
		}
		cards, _ := e.svc.Cards(ctx, tin)
		if len(cards) != 1 || cards[0].State != cabinet.CardUsed {
			t.Fatalf("cards %+v", cards)
		}
		// A replay of the change (another tab) is refused.
		_, err = e.svc.SetOwnPassword(ctx, tin, c.ID, "Other-2026!", "Other-2026!", origin)
		wantCode(t, err, problem.Conflict, "lk.stale")
	})
}

// LK-2, LK-10: a card unused for a month blocks the account with a plain message (told only to
// whoever typed its password); a new card replaces it: the old password is refused, every
// session ends at once, the new card works.
func TestCardExpiresAndReissue(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	tin := e.person("Громова", "Вера", "Павловна", time.Date(1970, 1, 30, 0, 0, 0, 0, time.UTC), "")
	old := e.card(tin)
	e.clock.Add(31 * 24 * time.Hour)
	_, err := e.svc.Login(ctx, tin, old.TemporaryPassword, origin)
	wantCode(t, err, problem.Forbidden, "lk.login.blocked")
	if p, _ := problem.As(err); p == nil || !strings.Contains(p.Message.In("ru"), "любую налоговую инспекцию") {
		t.Fatalf("blocked: %v", err)
	}
	_, err = e.svc.Login(ctx, tin, "wrong", origin)
	wantCode(t, err, problem.Unauthorized, "lk.bad_credentials")
	sessionStart := e.clock.Now()
	if _, err := e.svc.SessionAccount(ctx, tin, sessionStart, nil); err == nil {
		t.Fatal("a blocked account opens a session")
	}
	e.clock.Add(time.Hour)
	fresh := e.card(tin)
	if !fresh.Reissue {
		t.Fatal("not marked as a re-issue")
	}
	if _, err := e.svc.Login(ctx, tin, old.TemporaryPassword, origin); !problem.Is(err, problem.Unauthorized) {
		t.Fatalf("the old card: %v", err)
	}
	res, err := e.svc.Login(ctx, tin, fresh.TemporaryPassword, origin)
	if err != nil || !res.MustChange {
		t.Fatalf("the new card: %+v %v", res, err)
	}
	_, err = e.svc.SetOwnPassword(ctx, tin, fresh.ID, "Kama-river-7!", "Kama-river-7!", origin)
	if err != nil {
		t.Fatal(err)
	}
	// A session started before a later re-issue ends: it no longer counts.
	e.clock.Add(time.Minute)
	started := e.clock.Now()
	if _, err := e.svc.SessionAccount(ctx, tin, started, nil); err != nil {
		t.Fatalf("a live session: %v", err)
	}
	e.clock.Add(time.Minute)
	third := e.card(tin)
	if _, err := e.svc.SessionAccount(ctx, tin, started, nil); err == nil {
		t.Fatal("a session from before the new card still counts")
	}
	if _, err := e.svc.Login(ctx, tin, "Kama-river-7!", origin); !problem.Is(err, problem.Unauthorized) {
		t.Fatalf("the own password after a new card: %v", err)
	}
	cards, _ := e.svc.Cards(ctx, tin)
	if len(cards) != 3 || cards[0].ID != third.ID || cards[0].State != cabinet.CardIssued || cards[1].State != cabinet.CardReplaced || cards[2].State != cabinet.CardReplaced {
		t.Fatalf("cards %+v", cards)
	}
}

// LK-2: a card carried over from an earlier system is dated by its issue: one older than a month
// blocks at once; a date in the future is refused; the month ends on the last day of a short one.
func TestCardCarriedOver(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	tin := e.person("Орлова", "Мария", "Дмитриевна", time.Date(1990, 6, 1, 0, 0, 0, 0, time.UTC), "")
	c, err := e.svc.IssueCard(ctx, audit.Actor{Login: "cli", Role: "system"}, cabinet.CardRequest{TIN: tin, Unchecked: true, IssuedAt: start.AddDate(0, 0, -40)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Login(ctx, tin, c.TemporaryPassword, origin)
	wantCode(t, err, problem.Forbidden, "lk.login.blocked")
	_, err = e.svc.IssueCard(ctx, audit.Actor{Login: "cli", Role: "system"}, cabinet.CardRequest{TIN: tin, Unchecked: true, IssuedAt: start.Add(time.Hour)})
	wantCode(t, err, problem.Invalid, "lk.card.issued_future")
	if got := cabinet.AddMonth(time.Date(2027, 1, 31, 9, 0, 0, 0, time.UTC), time.UTC); !got.Equal(time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("a month from 31 January: %s", got)
	}
	// An unknown TIN, a TIN that is not a person's.
	_, err = e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: "7707083893", Checks: cabinet.Checklist{PassportShown: true}})
	wantCode(t, err, problem.Invalid, "lk.tin_format")
	_, err = e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: "500100732259", Checks: cabinet.Checklist{PassportShown: true}})
	wantCode(t, err, problem.NotFound, "lk.tin_unknown")
}

// fields returns the fields a problem names, in order.
func fields(err error) []string {
	p, _ := problem.As(err)
	if p == nil {
		return nil
	}
	var out []string
	for _, f := range p.Fields {
		out = append(out, f.Field)
	}
	return out
}

// BO-2, LK-8: who came for a card. The person shows their passport; a representative shows their
// own passport and a notarized power of attorney valid on the day, instead of the person's
// passport; a parent (an adoptive parent) receives the card of a child of 14 to 17 with their own
// passport and the child's birth or adoption certificate, never an adult's. Each case's documents
// are checked and recorded in the card's audit entry with who came.
func TestCardWhoCame(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	adult := e.person("Белова", "Нина", "Степановна", time.Date(1940, 5, 9, 0, 0, 0, 0, time.UTC), "")
	// 15 on the tests' day (2 December 2026), with the passport got at 14.
	res, err := e.reg.RegisterPerson(ctx, audit.Actor{Login: "test", Role: "system"}, register.PersonInput{Surname: "Белова", GivenName: "Софья",
		Patronymic: "Олеговна", BirthDate: time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC), BirthPlace: "г. Москва", Sex: register.Female, Citizenship: "RUS",
		Ground: register.GroundResidence, TaxOffice: "7736",
		Document: register.IdentityDocument{Type: "passport_ru", Series: "4525", Number: "700001", IssuedOn: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)},
		Address:  register.Address{Country: "RUS", Region: "77", PostalCode: "119334", City: "Москва", Street: "Ленинский проспект", House: "32"}})
	if err != nil || res.Taxpayer == nil {
		t.Fatalf("register: %+v %v", res, err)
	}
	teen := res.Taxpayer.TIN
	today := start.Format(time.DateOnly)
	issue := func(tin string, c cabinet.Checklist) (*cabinet.IssuedCard, error) {
		return e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: tin, Checks: c})
	}
	audited := func(tin string) string {
		t.Helper()
		entries, err := e.db.ListAudit(ctx, audit.Filter{Subject: tin})
		if err != nil || len(entries) == 0 || !strings.HasPrefix(entries[0].Action, "lk.card.") {
			t.Fatalf("audit of %s: %+v %v", tin, entries, err)
		}
		return entries[0].Details
	}

	// A representative: the person's passport is not what is asked; their own, the power of
	// attorney with its number, notary and validity are.
	_, err = issue(adult, cabinet.Checklist{Came: cabinet.CameRepresentative, PassportShown: true})
	if got := strings.Join(fields(err), " "); got != "bearer_name bearer_passport_shown attorney_shown attorney_number attorney_notary attorney_valid_until" {
		t.Fatalf("a representative without documents: %q %v", got, err)
	}
	rep := cabinet.Checklist{Came: cabinet.CameRepresentative, BearerName: " Белова  Ольга Игоревна ", BearerPassportShown: true, AttorneyShown: true,
		AttorneyNumber: "77 АГ 1234567", AttorneyNotary: "Иванова Т. П., нотариус г. Москвы", AttorneyValidUntil: start.AddDate(0, 0, -1).Format(time.DateOnly)}
	_, err = issue(adult, rep)
	wantCode(t, err, problem.Invalid, "lk.card.attorney_expired")
	rep.AttorneyValidUntil = today // valid through its last day
	c, err := issue(adult, rep)
	if err != nil {
		t.Fatal(err)
	}
	if c.Came != cabinet.CameRepresentative || c.Bearer != "Белова Ольга Игоревна" || strings.Join(c.Checked, ",") != "representative_passport,power_of_attorney" {
		t.Fatalf("the card a representative received: %+v", c)
	}
	if d := audited(adult); !strings.Contains(d, `came=representative bearer="Белова Ольга Игоревна" attorney="77 АГ 1234567" notary="Иванова Т. П., нотариус г. Москвы" attorney_until=`+today) ||
		!strings.Contains(d, "checked=representative_passport,power_of_attorney") {
		t.Fatalf("audit: %s", d)
	}
	// The card works for the principal, as any card.
	if res, err := e.svc.Login(ctx, adult, c.TemporaryPassword, origin); err != nil || !res.MustChange {
		t.Fatalf("the principal's login: %+v %v", res, err)
	}

	// A parent: not for an adult; for a minor, their passport and the certificate.
	_, err = issue(adult, cabinet.Checklist{Came: cabinet.CameParent, BearerName: "Белов Олег", BearerPassportShown: true, CertificateShown: true})
	wantCode(t, err, problem.Invalid, "lk.card.parent_adult")
	_, err = issue(teen, cabinet.Checklist{Came: cabinet.CameParent})
	if got := strings.Join(fields(err), " "); got != "bearer_name bearer_passport_shown certificate_shown" {
		t.Fatalf("a parent without documents: %q %v", got, err)
	}
	c, err = issue(teen, cabinet.Checklist{Came: cabinet.CameParent, BearerName: "Белов Олег Петрович", BearerPassportShown: true, CertificateShown: true})
	if err != nil || c.Came != cabinet.CameParent || strings.Join(c.Checked, ",") != "parent_passport,birth_certificate" {
		t.Fatalf("the card a parent received: %+v %v", c, err)
	}
	if d := audited(teen); !strings.Contains(d, `came=parent bearer="Белов Олег Петрович"`) {
		t.Fatalf("audit: %s", d)
	}

	// The person: the passport; who came is the person when the form does not say.
	_, err = issue(teen, cabinet.Checklist{Came: cabinet.CameSelf})
	wantCode(t, err, problem.Invalid, "lk.card.checklist")
	c, err = issue(teen, cabinet.Checklist{PassportShown: true})
	if err != nil || c.Came != cabinet.CameSelf || strings.Join(c.Checked, ",") != "passport" {
		t.Fatalf("the person's own card: %+v %v", c, err)
	}
	if d := audited(teen); strings.Contains(d, "came=") {
		t.Fatalf("audit of the person's own card: %s", d)
	}
	_, err = issue(teen, cabinet.Checklist{Came: "neighbour", PassportShown: true})
	wantCode(t, err, problem.Invalid, "lk.card.came")
	// Another office: the TIN certificate too, whoever came.
	_, err = e.svc.IssueCard(ctx, inspector, cabinet.CardRequest{TIN: adult, Office: "7707", Checks: rep})
	if got := strings.Join(fields(err), " "); got != "tin_certificate_shown" {
		t.Fatalf("a representative at another office: %q %v", got, err)
	}
}
