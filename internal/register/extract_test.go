package register_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-9: every embedded office has a full name, an address and a time zone that loads; the
// regions far from Moscow keep their own time.
func TestOfficeCards(t *testing.T) {
	if len(register.OfficeCards(jurisdiction.Profile{})) != len(register.EmbeddedOffices(jurisdiction.Profile{})) {
		t.Fatalf("%d cards for %d offices", len(register.OfficeCards(jurisdiction.Profile{})), len(register.EmbeddedOffices(jurisdiction.Profile{})))
	}
	for code, c := range register.OfficeCards(jurisdiction.Profile{}) {
		if c.FullName == "" || c.Address == "" || c.Code != code || strings.Contains(c.FullName, "ФНС России") {
			t.Errorf("office %s: %+v", code, c)
		}
		if loc, err := time.LoadLocation(c.TimeZone); err != nil || c.Location().String() != loc.String() {
			t.Errorf("office %s: time zone %q: %v", code, c.TimeZone, err)
		}
	}
	for code, want := range map[string]string{"7736": "Europe/Moscow", "6601": "Asia/Yekaterinburg", "2501": "Asia/Vladivostok", "3901": "Europe/Kaliningrad"} {
		if got := register.OfficeCards(jurisdiction.Profile{})[code].TimeZone; got != want {
			t.Errorf("office %s: %s, want %s", code, got, want)
		}
	}
	if c := register.OfficeCards(jurisdiction.Profile{})["7736"]; c.FullName != "Инспекция Федеральной налоговой службы № 36 по г. Москве" || !strings.Contains(c.Address, "г. Москва") {
		t.Errorf("7736: %+v", c)
	}
}

// A directory file of the three columns of before still reads: its offices are named in full
// by their name and keep Moscow time; a bad time zone or a missing column is refused.
func TestParseOffices(t *testing.T) {
	cards, err := register.ParseOffices(strings.NewReader("code,region,name\n7799,77,\"Инспекция ФНС России № 99 по г. Москве\"\n"))
	if err != nil || len(cards) != 1 || cards[0].FullName != "Инспекция ФНС России № 99 по г. Москве" || cards[0].TimeZone != register.DefaultTimeZone || cards[0].Address != "" {
		t.Fatalf("three columns: %+v %v", cards, err)
	}
	cards, err = register.ParseOffices(strings.NewReader("region,code,name,time_zone,address\n66,6699,Инспекция,Asia/Yekaterinburg,\"620000, г. Екатеринбург\"\n"))
	if err != nil || len(cards) != 1 || cards[0].Code != "6699" || cards[0].TimeZone != "Asia/Yekaterinburg" || cards[0].Address != "620000, г. Екатеринбург" {
		t.Fatalf("columns in another order: %+v %v", cards, err)
	}
	// Columns name.LANG, full_name.LANG and address.LANG name the office in another language;
	// In gives the card in that language and leaves what it lacks as the directory's own.
	cards, err = register.ParseOffices(strings.NewReader("code,region,name,full_name,address,name.ky,address.ky\n006,21,УГНС по г. Ош,Управление по г. Ош,г. Ош,Ош шаары боюнча УГНС,Ош шаары\n"))
	if err != nil || len(cards) != 1 {
		t.Fatalf("languages: %+v %v", cards, err)
	}
	if ky := cards[0].In("ky"); ky.Name != "Ош шаары боюнча УГНС" || ky.Address != "Ош шаары" || ky.FullName != "Управление по г. Ош" || ky.Code != "006" {
		t.Errorf("in ky: %+v", ky)
	}
	if ru := cards[0].In("ru"); ru.Name != "УГНС по г. Ош" || ru.Address != "г. Ош" {
		t.Errorf("in ru: %+v", ru)
	}
	// Every УГНС of the Kyrgyz directory is named in Kyrgyz too.
	for code, c := range register.OfficeCards(jurisdiction.MustLookup(jurisdiction.KG)) {
		if ky := c.In("ky"); ky.Name == c.Name || ky.FullName == c.FullName || ky.Address == c.Address {
			t.Errorf("УГНС %s has no Kyrgyz name or address: %+v", code, ky)
		}
	}
	for _, bad := range []string{"code,name\n7799,X\n", "code,region,name,time_zone\n7799,77,X,Mars/Olympus\n", "code,region,name\n,77,X\n", ""} {
		if _, err := register.ParseOffices(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// Extract numbers are the year, the year's serial and eight random characters that read back
// from paper (no I, L, O, U); they are typed in any case.
func TestExtractNumber(t *testing.T) {
	seen := map[string]bool{}
	for i := range 200 {
		n, err := register.NewExtractNumber("2026", int64(42+i))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := register.NormalizeExtractNumber(strings.ToLower(n)); !ok || got != n || !strings.HasPrefix(n, fmt.Sprintf("2026-%07d-", 42+i)) || strings.ContainsAny(n[13:], "ILOU") {
			t.Fatalf("%q: %q %v", n, got, ok)
		}
		seen[n[13:]] = true
	}
	if len(seen) < 199 {
		t.Fatalf("the random part repeats: %d distinct of 200", len(seen))
	}
	for _, bad := range []string{"", "2026-0000042", "2026-0000042-7K3QX9P", "2026-0000042-7K3QX9PDX", "2026-0000042-7K3QX9PI", "x026-0000042-7K3QX9PD", "2026-0000042-7K3QX9PD\n1"} {
		if _, ok := register.NormalizeExtractNumber(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestOfficesAndExtract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		offices, err := s.Offices(ctx)
		if err != nil || len(offices) < 500 {
			t.Fatalf("offices: %d %v", len(offices), err)
		}
		in := uniquePerson(1)
		in.TaxOffice = "7760"
		if _, err := s.RegisterPerson(ctx, inspector, in); !problem.Is(err, problem.Invalid) {
			t.Fatalf("unknown office: %v", err)
		}
		if err := s.AddOffice(ctx, inspector, register.Office{Code: "7760", Name: "Инспекция ФНС России № 60 по г. Москве"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddOffice(ctx, inspector, register.Office{Code: "7760", Name: "Снова"}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("office twice: %v", err)
		}
		if err := s.AddOffice(ctx, inspector, register.Office{Code: "0001", Name: ""}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("bad office: %v", err)
		}
		tp := mustRegister(t, s, in)
		checkTIN(t, tp.TIN, 12, "7760")
		// REG-9: the extract names the officer by name and position, and the office (one added at
		// run time: its name, Moscow time); the register keeps what it stated under the number.
		officer := register.Officer{Login: "insp1", Name: "Иванова Анна Сергеевна", Position: "Главный государственный налоговый инспектор"}
		e1, err := s.Extract(ctx, inspector, tp.TIN, officer, nil)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := s.Extract(ctx, inspector, tp.TIN, register.Officer{Login: "insp1"}, nil)
		if err != nil || e1.Number == e2.Number || e1.IssuedBy != officer.Name || e1.Position != officer.Position || e2.IssuedBy != "insp1" ||
			e1.Office.FullName != "Инспекция ФНС России № 60 по г. Москве" || e1.Office.TimeZone != register.DefaultTimeZone || e1.Taxpayer.TIN != tp.TIN {
			t.Fatalf("extracts: %+v %+v %v", e1, e2, err)
		}
		if x, err := s.IssuedExtract(ctx, e1.Number); err != nil || x.TIN != tp.TIN || x.IssuedBy != officer.Name || x.Position != officer.Position ||
			x.OfficeCode != "7760" || x.Status != register.StatusActive || x.Name == "" || x.IssuedAt.Sub(e1.IssuedAt).Abs() > time.Millisecond {
			t.Fatalf("issued extract: %+v %v", x, err)
		}
		if got, _ := db.ListAudit(ctx, audit.Filter{Subject: tp.TIN, Action: "taxpayer.extract"}); len(got) != 2 {
			t.Fatalf("extract audit: %+v", got)
		}
		if _, err := s.Extract(ctx, inspector, "7701000019", officer, nil); !problem.Is(err, problem.NotFound) {
			t.Fatalf("extract of unknown: %v", err)
		}
		if e1.Country != nil {
			t.Fatalf("a person's extract names a country: %+v", e1.Country)
		}
		// REG-8: a foreign organization's extract has its country from ОКСМ, to be named in the
		// extract's language.
		f, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: register.KIOInput{
			NameRu: "Нордлихт ГмбХ", NameLatin: "Nordlicht GmbH", Country: "Германия", OKSM: "276", RegNumber: "HRB 1"}})
		if err != nil {
			t.Fatal(err)
		}
		if e, err := s.Extract(ctx, inspector, f.Taxpayer.TIN, officer, nil); err != nil || e.Country == nil || e.Country.In("en") != "Germany" || e.Country.In("ru") != "Германия" {
			t.Fatalf("foreign organization's extract: %+v %v", e, err)
		}
	})
}

// REG-9: the register keeps the office of an issued extract as its document names it — a УГНС in
// Kyrgyz in a Kyrgyz extract — so that the public check shows what the reader has on paper.
func TestIssuedExtractOfficeInItsLanguage(t *testing.T) {
	db := storetest.SQLite(t)
	s := registertest.NewKyrgyzService(db)
	ctx := context.Background()
	tp := mustRegister(t, s, registertest.KyrgyzPerson(3))
	card, err := s.OfficeCard(ctx, tp.TaxOffice)
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"ky": card.In("ky").FullName, "ru": card.FullName} {
		e, err := s.Extract(ctx, inspector, tp.TIN, register.Officer{Login: "asanova"}, func(*register.Extract) (*register.ExtractDocument, error) {
			return &register.ExtractDocument{Lang: lang, PDF: []byte("%PDF-1.7 " + lang)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if x, err := s.IssuedExtract(ctx, e.Number); err != nil || x.OfficeName != want {
			t.Errorf("%s: the office kept as %q, the document names it %q (%v)", lang, x.OfficeName, want, err)
		}
	}
	if card.In("ky").FullName == card.FullName {
		t.Fatal("the office has no Kyrgyz name: the test proves nothing")
	}
}
