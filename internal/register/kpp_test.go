package register_test

import (
	"context"
	"testing"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-5, TIN-4: organizations with their КПП at their location, and КПП on every further ground
// (organization.go, kpp.go).

func TestOrganizationsAndKPP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		a := mustOrg(t, s, "7701", "1027700132195")
		b := mustOrg(t, s, "7701", "1027739609391")
		checkTIN(t, a.TIN, 10, "7701")
		if a.TIN[4:9] != "00001" || b.TIN[4:9] != "00002" {
			t.Fatalf("serials %s %s", a.TIN, b.TIN)
		}
		// REG-5: КПП at location with the TIN; serial per office and reason.
		if len(a.KPPs) != 1 || a.KPPs[0].Code != "770101001" || b.KPPs[0].Code != "770101002" {
			t.Fatalf("KPPs %+v %+v", a.KPPs, b.KPPs)
		}
		// Same ОГРН: the TIN the organization has.
		r, err := s.RegisterOrganization(ctx, inspector, register.OrganizationInput{FullName: "Другое", OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "7702"})
		if err != nil || r.Created || r.Taxpayer.TIN != a.TIN {
			t.Fatalf("same OGRN: %+v %v", r, err)
		}
		k, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7702", Subdivision: "Филиал"})
		if err != nil || k.Code != "770243001" || k.Reason != register.ReasonSubdivision {
			t.Fatalf("subdivision: %+v %v", k, err)
		}
		checkKPP(t, k.Code, "7702", "43")
		checkKPP(t, a.KPPs[0].Code, "7701", "01")
		k, err = s.AssignKPP(ctx, inspector, b.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7702", Subdivision: "Склад"})
		if err != nil || k.Code != "770243002" {
			t.Fatalf("second subdivision: %+v %v", k, err)
		}
		k, err = s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPProperty, TaxOffice: "5001"})
		if err != nil || k.Code != "500145001" {
			t.Fatalf("property: %+v %v", k, err)
		}
		if _, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPNewLocation, TaxOffice: "7701"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("new location at the same office: %v", err)
		}
		for _, reason := range []string{"60", "4A", "XX"} { // TIN-4: kpp_reasons.csv has 01–50 for a Russian organization
			if _, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701", Reason: reason}); fieldsOf(t, err)["reason"].Field == "" {
				t.Fatalf("reason %s for a Russian organization: %v", reason, err)
			}
		}
		if _, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7702", Subdivision: "Филиал\r\nN"}); fieldsOf(t, err)["subdivision"].Field == "" {
			t.Fatalf("line break in the subdivision: %v", err)
		}
		fe := func() map[string]problem.FieldError {
			_, err := s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: "nowhere", TaxOffice: "77"})
			return fieldsOf(t, err)
		}()
		if _, ok := fe["ground"]; !ok {
			t.Fatalf("fields %v", fe)
		}
		if _, ok := fe["tax_office"]; !ok {
			t.Fatalf("fields %v", fe)
		}
		k, err = s.AssignKPP(ctx, inspector, a.TIN, register.KPPInput{Ground: register.KPPNewLocation, TaxOffice: "7801"})
		if err != nil || k.Code != "780101001" {
			t.Fatalf("new location: %+v %v", k, err)
		}
		got, _ := s.Taxpayer(ctx, a.TIN)
		if got.TIN != a.TIN || got.TaxOffice != "7801" || len(got.KPPs) != 4 {
			t.Fatalf("after move: %+v", got)
		}
		person := mustRegister(t, s, uniquePerson(1))
		if _, err := s.AssignKPP(ctx, inspector, person.TIN, register.KPPInput{Ground: register.KPPProperty, TaxOffice: "7701"}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("KPP for a person: %v", err)
		}
		name := "ООО «Лютик»"
		up, err := s.UpdateOrganization(ctx, inspector, b.TIN, register.OrganizationUpdate{ShortName: &name})
		if err != nil || up.TIN != b.TIN || up.Organization.ShortName != name || up.History[len(up.History)-1].Fields[0].Old != "ООО «Ромашка»" {
			t.Fatalf("update org: %+v %v", up, err)
		}
		if _, err := s.RegisterOrganization(ctx, inspector, register.OrganizationInput{FullName: "X", OGRN: "1027700132194", Ground: "x", TaxOffice: "7799"}); err == nil {
			t.Fatal("bad organization accepted")
		} else if f := fieldsOf(t, err); len(f) != 3 {
			t.Fatalf("fields: %v", f)
		}
	})
}
