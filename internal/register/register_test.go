package register_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/tin"
)

// The register's conformance tests: every rule of SPEC section 2 through register.Service on
// SQLite and on PostgreSQL, one file per rule beside the rule (person_test.go for person.go …).
// The rules that need no storage are tested inside the package (person_check_test.go …).

func TestMain(m *testing.M) { storetest.Main(m) }

// The service, the actor, the clock and the persons of every test (registertest).
var (
	inspector    = registertest.Inspector
	fixedNow     = registertest.Now
	newService   = registertest.NewService
	person       = registertest.Person
	uniquePerson = registertest.UniquePerson
	searchTINs   = registertest.SearchTINs
	sameTINs     = registertest.SameTINs
)

// checkTIN parses a TIN with package tin: structure, office and check digits (TIN-1..3, TIN-5).
func checkTIN(t *testing.T, s string, length int, office string) {
	t.Helper()
	v, err := tin.ParseINN(s)
	if err != nil {
		t.Fatalf("TIN %q: %v", s, err)
	}
	if len(s) != length || v.TaxOffice != office {
		t.Fatalf("TIN %q: want %d digits at office %s, got %+v", s, length, office, v)
	}
	if office == register.ForeignOffice && (v.Type != tin.ForeignOrganization || v.KIO == "") {
		t.Fatalf("TIN %q: not a foreign organization's: %+v", s, v)
	}
}

func validINN(s string) bool {
	_, err := tin.ParseINN(s)
	return err == nil
}

// checkKPP parses a КПП with package tin (TIN-4).
func checkKPP(t *testing.T, code, office, reason string) {
	t.Helper()
	v, err := tin.ParseKPP(code)
	if err != nil || v.TaxOffice != office || v.Reason != reason {
		t.Fatalf("KPP %q: %+v %v, want office %s reason %s", code, v, err, office, reason)
	}
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mustRegister(t *testing.T, s *register.Service, in register.PersonInput) *register.Taxpayer {
	t.Helper()
	r, err := s.RegisterPerson(context.Background(), inspector, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Taxpayer == nil || !r.Created {
		t.Fatalf("want a new TIN, got %+v (review %+v)", r, r.Review)
	}
	return r.Taxpayer
}

func fieldsOf(t *testing.T, err error) map[string]problem.FieldError {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Code != problem.Invalid {
		t.Fatalf("want an invalid problem, got %v", err)
	}
	out := map[string]problem.FieldError{}
	for _, f := range p.Fields {
		if f.Key == "" || !i18n.Has("ru", f.Key) || !i18n.Has("en", f.Key) || strings.Contains(f.In("ru")+f.In("en"), "%!") {
			t.Errorf("field %s: message without key or translation: %+v", f.Field, f.Message)
		}
		out[f.Field] = f
	}
	return out
}

func mustOrg(t *testing.T, s *register.Service, office, ogrn string) *register.Taxpayer {
	t.Helper()
	r, err := s.RegisterOrganization(context.Background(), inspector, register.OrganizationInput{
		FullName: "Общество с ограниченной ответственностью «Ромашка»", ShortName: "ООО «Ромашка»", OGRN: ogrn,
		Ground: register.GroundCreation, TaxOffice: office, RegisteredOn: fixedNow.AddDate(0, 0, -1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Created {
		t.Fatalf("organization not created: %+v", r)
	}
	return r.Taxpayer
}
