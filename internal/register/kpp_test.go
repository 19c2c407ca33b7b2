package register_test

import (
	"context"
	"slices"
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

// REG-5, REG-6: a КПП on a further ground keeps the address of that ground with the КПП; the
// organization's own address does not change, not even at a new location under another office,
// and the history says which address was given.
func TestKPPAddressIsTheKPPs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		own := register.Address{Region: "77", PostalCode: "125009", City: "Москва", Street: "Тверская улица", House: "7"}
		r, err := s.RegisterOrganization(ctx, inspector, register.OrganizationInput{FullName: "Общество с ограниченной ответственностью «Вектор»",
			OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "7701", Address: own})
		if err != nil {
			t.Fatal(err)
		}
		org := r.Taxpayer.TIN
		there := register.Address{Region: "78", City: "Санкт-Петербург", Street: "Невский проспект", House: "28"}
		for _, in := range []register.KPPInput{
			{Ground: register.KPPNewLocation, TaxOffice: "7801"},                 // no address given
			{Ground: register.KPPNewLocation, TaxOffice: "5001", Address: there}, // an address given
			{Ground: register.KPPSubdivision, TaxOffice: "7801", Subdivision: "Филиал", Address: there},
			{Ground: register.KPPProperty, TaxOffice: "7802", Address: register.Address{}}, // none
		} {
			k, err := s.AssignKPP(ctx, inspector, org, in)
			if err != nil {
				t.Fatalf("%s: %v", in.Ground, err)
			}
			if k.Address != in.Address {
				t.Fatalf("%s: the КПП's address %+v, want %+v", in.Ground, k.Address, in.Address)
			}
		}
		got, err := s.Taxpayer(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if got.Organization.Address != own {
			t.Fatalf("the organization's address became %+v, want %+v", got.Organization.Address, own)
		}
		if got.TaxOffice != "5001" {
			t.Fatalf("office after the new locations: %s", got.TaxOffice)
		}
		addr := map[string]register.Address{}
		for _, k := range got.KPPs {
			addr[k.Code] = k.Address
		}
		if len(got.KPPs) != 5 || addr["770101001"] != own || addr["500101001"] != there || addr["780143001"] != there || addr["780101001"] != (register.Address{}) {
			t.Fatalf("KPPs: %+v", got.KPPs)
		}
		for _, c := range got.History {
			for _, f := range c.Fields {
				if f.Field == "address" {
					t.Fatalf("the history records a change of the organization's address: %+v", c)
				}
			}
		}
		moved := got.History[2]
		if moved.Action != "kpp_assigned" || !slices.Contains(moved.Fields, register.FieldChange{Field: "kpp_address", New: "78, Санкт-Петербург, Невский проспект, 28"}) ||
			!slices.Contains(moved.Fields, register.FieldChange{Field: "tax_office", Old: "7801", New: "5001"}) {
			t.Fatalf("history of the new location: %+v", moved)
		}
	})
}
