package register_test

import (
	"context"
	"testing"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// REG-8, TIN-3: foreign organizations and the КИО directory (foreign.go).

func TestForeignOrganizationsAndKIO(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		ctx := context.Background()
		id := register.KIOInput{NameRu: "Глобал Трейд Лимитед", NameLatin: "Global Trade Limited", Address: "1 Main St, Dublin", Country: "Ирландия", OKSM: "372", RegNumber: "IE123456", TaxCode: "IE9S99999L"}
		r, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: id})
		if err != nil || !r.Created {
			t.Fatalf("foreign: %+v %v", r, err)
		}
		// TIN-3: 9909 + КИО + check digit.
		checkTIN(t, r.Taxpayer.TIN, 10, "9909")
		if r.Taxpayer.TIN[4:9] != "00001" || r.Taxpayer.Foreign.Code != "00001" || r.Taxpayer.KPPs[0].Code != "990950001" {
			t.Fatalf("foreign TIN/KIO/KPP: %+v %+v", r.Taxpayer, r.Taxpayer.KPPs)
		}
		checkKPP(t, r.Taxpayer.KPPs[0].Code, "9909", "50")
		// REG-8: the КИО is reused, by ОКСМ + registration number and by code.
		r2, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: id})
		if err != nil || r2.Created || r2.Taxpayer.TIN != r.Taxpayer.TIN {
			t.Fatalf("reuse: %+v %v", r2, err)
		}
		r3, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{KIO: "00001"})
		if err != nil || r3.Taxpayer.TIN != r.Taxpayer.TIN {
			t.Fatalf("by code: %+v %v", r3, err)
		}
		if _, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{KIO: "00077"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("unknown KIO: %v", err)
		}
		id2 := id
		id2.RegNumber, id2.NameRu = "IE777", "Второй Лимитед"
		r4, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: id2, Reason: "51", TaxOffice: "7701"})
		if err != nil || r4.Taxpayer.Foreign.Code != "00002" || r4.Taxpayer.KPPs[0].Code != "770151001" {
			t.Fatalf("second: %+v %v", r4, err)
		}
		k, err := s.AssignKPP(ctx, inspector, r.Taxpayer.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701"})
		if err != nil || k.Reason != "50" {
			t.Fatalf("foreign KPP: %+v %v", k, err)
		}
		if _, err := s.AssignKPP(ctx, inspector, r.Taxpayer.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701", Reason: "01"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("Russian reason for a foreign organization: %v", err)
		}
		// Changes by application: the code stays, the date of change is set, history is kept.
		id.NameRu = "Глобал Трейд Холдинг"
		kio, err := s.UpdateKIO(ctx, inspector, "00001", id)
		if err != nil || kio.Code != "00001" || kio.ChangedOn == nil || kio.NameRu != id.NameRu {
			t.Fatalf("update KIO: %+v %v", kio, err)
		}
		got, _ := s.Taxpayer(ctx, r.Taxpayer.TIN)
		if got.Foreign.NameRu != id.NameRu || got.History[len(got.History)-1].Action != "kio_changed" {
			t.Fatalf("after KIO change: %+v %+v", got.Foreign, got.History)
		}
		list, err := s.ListKIO(ctx, "глобал", 10)
		if err != nil || len(list) != 1 || list[0].Code != "00001" {
			t.Fatalf("list KIO: %+v %v", list, err)
		}
		_, err = s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{Identification: register.KIOInput{OKSM: "12"}, Reason: "01"})
		f := fieldsOf(t, err)
		for _, name := range []string{"identification.name_ru", "identification.name_latin", "identification.oksm", "identification.country", "reason"} {
			if _, ok := f[name]; !ok {
				t.Errorf("no error on %s: %v", name, f)
			}
		}
		// The reference data: ОКСМ, the country its code names (in Russian or English), the КПП
		// reasons of a foreign organization (REG-8, TIN-4), every field one line of text.
		de := register.KIOInput{NameRu: "Дойче Машинен ГмбХ", NameLatin: "Deutsche Maschinen GmbH", Country: "Германия", OKSM: "276", RegNumber: "HRB 1"}
		for _, c := range []struct {
			name  string
			edit  func(*register.ForeignOrganizationInput)
			field string
		}{
			{"OKSM code of no country", func(in *register.ForeignOrganizationInput) { in.Identification.OKSM = "999" }, "identification.oksm"},
			{"country of another code", func(in *register.ForeignOrganizationInput) { in.Identification.Country = "Франция" }, "identification.country"},
			{"reason XX", func(in *register.ForeignOrganizationInput) { in.Reason = "XX" }, "reason"},
			{"Russian reason", func(in *register.ForeignOrganizationInput) { in.Reason = "43" }, "reason"},
			{"line break in the name", func(in *register.ForeignOrganizationInput) { in.Identification.NameRu = "Дойче\nМашинен" }, "identification.name_ru"},
			{"NUL in the address", func(in *register.ForeignOrganizationInput) { in.Identification.Address = "Berlin\x00" }, "identification.address"},
			{"ESC in the Russian address", func(in *register.ForeignOrganizationInput) {
				in.Address = register.Address{Region: "77", Street: "\x1b[31m"}
			}, "address.street"},
		} {
			in := register.ForeignOrganizationInput{Identification: de}
			c.edit(&in)
			_, err := s.RegisterForeignOrganization(ctx, inspector, in)
			if f := fieldsOf(t, err); len(f) != 1 || f[c.field].Field == "" {
				t.Errorf("%s: fields %v, want one on %s", c.name, f, c.field)
			}
		}
		for _, country := range []string{"ГЕРМАНИЯ", "Germany", "Федеративная Республика Германия", "federal republic of germany"} {
			in := register.ForeignOrganizationInput{Identification: de}
			in.Identification.Country = country
			if _, err := s.RegisterForeignOrganization(ctx, inspector, in); err != nil {
				t.Errorf("country %q of OKSM 276: %v", country, err)
			}
		}
		k, err = s.AssignKPP(ctx, inspector, r.Taxpayer.TIN, register.KPPInput{Ground: register.KPPOther, TaxOffice: "7701", Reason: "XX"})
		if fieldsOf(t, err)["reason"].Field == "" {
			t.Fatalf("KPP reason XX: %+v %v", k, err)
		}
		if _, err := s.UpdateKIO(ctx, inspector, "00001", register.KIOInput{NameRu: "Глобал", NameLatin: "Global", Country: "Германия", OKSM: "372"}); fieldsOf(t, err)["identification.country"].Field == "" {
			t.Fatalf("KIO changed to a country of another code: %v", err)
		}
	})
}
