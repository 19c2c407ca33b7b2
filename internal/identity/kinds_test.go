package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// IDP-1: a representative of a legal entity names the organization they act for (optional):
// its ОГРН, checked, and its name are recorded with the account; another kind records none.
func TestRepresentativeOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		start := func(c identity.Contact) (*flow.Flow, error) {
			f, _ := e.p.StartRegistration(ctx, flow.API, "")
			return f, e.p.SubmitContact(ctx, f, c, origin)
		}
		c := identity.Contact{Kind: identity.LegalEntity, Surname: "Орлов", GivenName: "Пётр", Phone: "+79165550111",
			OrgOGRN: "1027700132196", OrgName: "ООО «Ромашка»"}
		if _, err := start(c); fieldOf(err) != "organization_ogrn" {
			t.Fatalf("an ОГРН with a wrong check digit: %v", err)
		}
		c.OrgOGRN = " 1027700132195 "
		f, err := start(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.p.SubmitCodes(ctx, f, map[string]string{"code_phone": e.lastCode("+79165550111")}, origin); err != nil {
			t.Fatal(err)
		}
		a, err := e.p.SubmitPassword(ctx, f, identity.Secret{Password: "Volga-river-2026", Again: "Volga-river-2026", Question: "Любимая книга?",
			Answer: "Дубровский", Accepted: []string{"terms", "personal_data"}}, origin)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.p.Account(ctx, a.ID)
		if got.Kind != identity.LegalEntity || got.Organization != (identity.Organization{OGRN: "1027700132195", Name: "ООО «Ромашка»"}) {
			t.Fatalf("the representative's account: %s %+v", got.Kind, got.Organization)
		}
		// A citizen's registration keeps no organization, whatever is sent.
		f, err = start(identity.Contact{Kind: identity.RussianCitizen, Surname: "Орлова", GivenName: "Анна", Phone: "+79165550112",
			OrgOGRN: "not checked", OrgName: "ООО «Ромашка»"})
		if err != nil {
			t.Fatalf("a citizen with an organization's fields: %v", err)
		}
		if f.Data["organization_ogrn"] != "" || f.Data["organization_name"] != "" {
			t.Fatalf("a citizen's flow kept an organization: %+v", f.Data)
		}
	})
}

// BO-4: a foreign passport keeps its letters: the operator finds a foreigner by the number as
// written (in either case, its letters typed on a Russian keyboard too), and another passport
// that differs only in letters is another passport.
func TestOperatorFindsForeignPassport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		foreigner := func(phone, number string) *identity.Account {
			a := e.register("Müller", phone, "", "Rhine-valley-2026")
			p := identity.Profile{Sex: "female", BirthDate: time.Date(1990, 3, 1, 0, 0, 0, 0, time.UTC), BirthPlace: "Hamburg", Citizenship: "DEU",
				Passport: identity.Document{Type: "passport_foreign", Number: number, IssuedOn: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)}}
			a, _ = e.p.Account(ctx, a.ID)
			a.Kind = identity.ForeignCitizen
			if err := e.st.UpdateAccount(ctx, *a, identity.Effects{}); err != nil {
				t.Fatal(err)
			}
			if err := e.p.SubmitProfile(ctx, a.ID, p, origin); err != nil {
				t.Fatal(err)
			}
			e.runJobs()
			a, _ = e.p.Account(ctx, a.ID)
			if a.Level != identity.Standard {
				t.Fatalf("%s: %s", number, a.Level)
			}
			return a
		}
		// A foreign citizen's account with Russia chosen is told that a Russian citizen needs
		// another account, not asked for a Russian passport it cannot give.
		b := e.register("Müller", "+4915112345677", "", "Rhine-valley-2026")
		b, _ = e.p.Account(ctx, b.ID)
		b.Kind = identity.ForeignCitizen
		if err := e.st.UpdateAccount(ctx, *b, identity.Effects{}); err != nil {
			t.Fatal(err)
		}
		err := e.p.SubmitProfile(ctx, b.ID, identity.Profile{Sex: "female", BirthDate: time.Date(1990, 3, 1, 0, 0, 0, 0, time.UTC), BirthPlace: "Hamburg",
			Citizenship: "RUS", Passport: identity.Document{Type: "passport_foreign", Number: "C01X00T46", IssuedOn: time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC)}}, origin)
		if pe, ok := problem.As(err); !ok || len(pe.Fields) != 1 || pe.Fields[0].Field != "citizenship" || pe.Fields[0].Message.Key != "idp.citizenship_foreign" {
			t.Fatalf("a foreign citizen's account with Russia chosen: %v", err)
		}
		anna := foreigner("+4915112345678", "C01X00T47")
		other := foreigner("+4915112345679", "C01Y00T47")
		for _, q := range []string{"C01X00T47", "c01x00t47", "C01X 00T47", "С01Х00Т47" /* Cyrillic С, Х, Т */} {
			found, err := e.p.FindForOperator(ctx, q)
			if err != nil || len(found) != 1 || found[0].ID != anna.ID {
				t.Errorf("find by %q: %d found, %v", q, len(found), err)
			}
		}
		if found, _ := e.p.FindForOperator(ctx, "C01Y00T47"); len(found) != 1 || found[0].ID != other.ID {
			t.Errorf("the other passport: %v", found)
		}
		if found, _ := e.p.FindForOperator(ctx, "010047"); len(found) != 0 {
			t.Errorf("the digits alone found %d accounts", len(found))
		}
		if _, err := e.p.FindForOperator(ctx, "Müller"); fieldOf(err) != "q" {
			t.Errorf("a name: %v", err)
		}
	})
}

// BO-4: what the operator noted is kept with the confirmation and in the audit entry.
func TestOperatorNoteKept(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	a := e.verified("Соколова", "+79161234567")
	op := audit.Actor{Login: "mfc1", Role: "operator", RemoteAddr: "10.1.1.1"}
	note := "паспорт старого образца, фото сверено"
	if err := e.p.ConfirmInPerson(ctx, op, a.ID, identity.Checklist{PassportShown: true, SNILSShown: true, Centre: "mfc-moscow-1", Note: "  " + note + " "}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.p.Account(ctx, a.ID)
	entries, _ := e.db.ListAudit(ctx, audit.Filter{Subject: "account:" + a.ID})
	if !strings.Contains(got.Evidence, `note="`+note+`"`) || len(entries) != 1 || !strings.Contains(entries[0].Details, `note="`+note+`"`) {
		t.Fatalf("the note: evidence %q, audit %+v", got.Evidence, entries)
	}
}

// IDP-1: each text a registration accepts exists, in every version the provider records, in
// Russian and English.
func TestConsentDocuments(t *testing.T) {
	for _, d := range identity.DefaultDocuments {
		for _, lang := range []string{"ru", "en"} {
			text, ok := identity.DocumentText(d.Doc, d.Version, lang)
			if !ok || len(text) < 3 || !strings.Contains(text[0], d.Version) {
				t.Errorf("%s %s in %s: %v %q", d.Doc, d.Version, lang, ok, text)
			}
		}
	}
	if _, ok := identity.DocumentText("terms", "1999-01", "ru"); ok {
		t.Error("a version that does not exist")
	}
}

// IDP-1: the generated list of common passwords refuses the patterns people use most.
func TestCommonPasswords(t *testing.T) {
	for _, pw := range []string{"zaq12wsx", "aa123456", "123123123", "qwertyui", "87654321", "asdf1234", "1234qwer", "q1w2e3r4t5", "1qaz2wsx",
		"Password1", "QWERTY123", "йцукенгш", "пароль123", "ghbdtn12", "iloveyou", "11111111", "qwerty2024"} {
		if !identity.IsCommon(pw) {
			t.Errorf("%q is not on the list", pw)
		}
	}
	for _, pw := range []string{"Volga-river-2026", "Kama-river-2027", "пароль от Волги 1"} {
		if identity.IsCommon(pw) {
			t.Errorf("%q is on the list", pw)
		}
	}
}
