package register_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// KG-1, TIN-6: organizations of the Kyrgyz Republic keep their own ИНН and record their head and
// accountant by their personal ИНН (signatories.go, organization.go).

// kyrgyzOrganization is ОсОО «Жаңы Таң», registered on 25.07.1995 (its ИНН says so), at the
// УГНС of Октябрьский район of Bishkek.
func kyrgyzOrganization(head, accountant string) register.OrganizationInput {
	in := register.OrganizationInput{TIN: "02507199510010", FullName: "Общество с ограниченной ответственностью «Жаңы Таң»",
		ShortName: "ОсОО «Жаңы Таң»", Ground: register.GroundCreation, TaxOffice: "003",
		Address: register.Address{Region: "11", City: "Бишкек", Street: "улица Киевская", House: "96"}}
	if head != "" {
		in.Head = &register.Signatory{TIN: head}
	}
	if accountant != "" {
		in.Accountant = &register.Signatory{TIN: accountant}
	}
	return in
}

func TestSignatories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := registertest.NewKyrgyzService(db)
		head := mustRegister(t, s, kyrgyzPerson(1))
		acc := kyrgyzPerson(2)
		acc.Sex, acc.GivenName, acc.Surname, acc.Patronymic = register.Female, "Айжаңыл", "Төлөгөнова", "Бакытовна"
		acc.TIN = "1" + acc.TIN[1:]
		accountant := mustRegister(t, s, acc)
		res, err := s.RegisterOrganization(ctx, inspector, kyrgyzOrganization(head.TIN, accountant.TIN))
		if err != nil || !res.Created {
			t.Fatalf("register: %+v %v", res, err)
		}
		tp, err := s.Taxpayer(ctx, "02507199510010")
		if err != nil {
			t.Fatal(err)
		}
		o := tp.Organization
		if tp.TIN != "02507199510010" || len(tp.KPPs) != 0 || o.OGRN != "" || !o.RegisteredOn.Equal(time.Date(1995, 7, 25, 0, 0, 0, 0, time.UTC)) ||
			o.Head == nil || o.Head.TIN != head.TIN || o.Head.Name != "Үсөнбаев Жеңиш Өмүрбекович" ||
			o.Accountant == nil || o.Accountant.TIN != accountant.TIN || o.Accountant.Name != "Төлөгөнова Айжаңыл Бакытовна" {
			t.Fatalf("organization %+v head %+v accountant %+v", tp, o.Head, o.Accountant)
		}
		if o.SignatoryRole(head.TIN) != register.RoleHead || o.SignatoryRole(accountant.TIN) != register.RoleAccountant || o.SignatoryRole(kyrgyzPerson(3).TIN) != "" {
			t.Error("signatory roles")
		}
		// The same ИНН again is the same organization.
		again, err := s.RegisterOrganization(ctx, inspector, kyrgyzOrganization(head.TIN, ""))
		if err != nil || again.Created || again.Taxpayer.TIN != tp.TIN {
			t.Fatalf("again: %+v %v", again, err)
		}
		// A new accountant; the history keeps both; removing the accountant; the head stays required.
		third := mustRegister(t, s, kyrgyzPerson(3))
		upd, err := s.UpdateOrganization(ctx, inspector, tp.TIN, register.OrganizationUpdate{Accountant: &register.Signatory{TIN: third.TIN}})
		if err != nil || upd.Organization.Accountant.TIN != third.TIN {
			t.Fatalf("new accountant: %+v %v", upd, err)
		}
		last := upd.History[len(upd.History)-1]
		if len(last.Fields) != 1 || last.Fields[0].Field != "accountant" || !strings.HasPrefix(last.Fields[0].Old, accountant.TIN) || !strings.HasPrefix(last.Fields[0].New, third.TIN) {
			t.Fatalf("history %+v", last)
		}
		upd, err = s.UpdateOrganization(ctx, inspector, tp.TIN, register.OrganizationUpdate{Accountant: &register.Signatory{}})
		if err != nil || upd.Organization.Accountant != nil {
			t.Fatalf("accountant removed: %+v %v", upd.Organization, err)
		}
		_, err = s.UpdateOrganization(ctx, inspector, tp.TIN, register.OrganizationUpdate{Head: &register.Signatory{}})
		if _, ok := fieldsOf(t, err)["head.tin"]; !ok {
			t.Errorf("head removed: %v", err)
		}
		// What a Kyrgyz organization is checked against.
		for _, c := range []struct {
			name, field, text string
			in                register.OrganizationInput
		}{
			{"no head", "head.tin", "обязательно", kyrgyzOrganization("", "")},
			{"a head not on record", "head.tin", "нет в реестре", kyrgyzOrganization(kyrgyzPerson(9).TIN, "")},
			{"an organization as the accountant", "accountant.tin", "ИНН организации", kyrgyzOrganization(head.TIN, "02507199510010")},
			{"a person's ИНН", "tin", "ИНН физического лица", func() register.OrganizationInput {
				in := kyrgyzOrganization(head.TIN, "")
				in.TIN = head.TIN
				return in
			}()},
			{"an ОГРН", "ogrn", "не применяется", func() register.OrganizationInput {
				in := kyrgyzOrganization(head.TIN, "")
				in.TIN, in.OGRN = "01501200300042", "1027700132195"
				return in
			}()},
		} {
			in := c.in
			if c.name == "a head not on record" || c.name == "no head" || c.name == "an organization as the accountant" {
				in.TIN = "01501200300042"
			}
			_, err := s.RegisterOrganization(ctx, inspector, in)
			fs := fieldsOf(t, err)
			if f, ok := fs[c.field]; !ok || len(fs) != 1 || !strings.Contains(f.In("ru"), c.text) {
				t.Errorf("%s: %v, want one error on %s saying %q", c.name, err, c.field, c.text)
			}
		}
		// Neither a КПП nor a foreign organization's КИО.
		if _, err := s.AssignKPP(ctx, inspector, tp.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "002", Subdivision: "Филиал"}); !problem.Is(err, problem.Conflict) {
			t.Errorf("КПП: %v", err)
		}
		if _, err := s.RegisterForeignOrganization(ctx, inspector, register.ForeignOrganizationInput{KIO: "00001"}); !problem.Is(err, problem.Conflict) {
			t.Errorf("КИО: %v", err)
		}
		// Russia keeps no signatories.
		ru := registertest.NewService(db)
		in := register.OrganizationInput{FullName: "ООО «Ромашка»", OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "7701",
			Head: &register.Signatory{TIN: "500100732259"}}
		_, err = ru.RegisterOrganization(ctx, inspector, in)
		if f, ok := fieldsOf(t, err)["head.tin"]; !ok || !strings.Contains(f.In("ru"), "не применяется") {
			t.Errorf("a head in Russia: %v", err)
		}
	})
}
