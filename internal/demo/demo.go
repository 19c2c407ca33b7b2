// Package demo makes synthetic, realistic register data: persons with correct Russian name forms,
// passports and addresses, organizations with КПП, a foreign organization with its КИО, and the
// special cases a newcomer should see (a deceased person, a duplicate pointing to its kept TIN, a
// registration held for review). Deterministic for a given seed; running Seed twice adds nothing.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/tin"
)

type name struct{ male, female string }

// Surnames with their male and female forms.
var surnames = []name{
	{"Иванов", "Иванова"}, {"Смирнов", "Смирнова"}, {"Кузнецов", "Кузнецова"}, {"Попов", "Попова"}, {"Васильев", "Васильева"},
	{"Петров", "Петрова"}, {"Соколов", "Соколова"}, {"Михайлов", "Михайлова"}, {"Новиков", "Новикова"}, {"Фёдоров", "Фёдорова"},
	{"Морозов", "Морозова"}, {"Волков", "Волкова"}, {"Алексеев", "Алексеева"}, {"Лебедев", "Лебедева"}, {"Семёнов", "Семёнова"},
	{"Егоров", "Егорова"}, {"Павлов", "Павлова"}, {"Козлов", "Козлова"}, {"Степанов", "Степанова"}, {"Николаев", "Николаева"},
	{"Орлов", "Орлова"}, {"Андреев", "Андреева"}, {"Макаров", "Макарова"}, {"Никитин", "Никитина"}, {"Захаров", "Захарова"},
	{"Зайцев", "Зайцева"}, {"Соловьёв", "Соловьёва"}, {"Борисов", "Борисова"}, {"Яковлев", "Яковлева"}, {"Григорьев", "Григорьева"},
	{"Романов", "Романова"}, {"Воробьёв", "Воробьёва"}, {"Сергеев", "Сергеева"}, {"Кудрявцев", "Кудрявцева"}, {"Белов", "Белова"},
	{"Тарасов", "Тарасова"}, {"Белоусов", "Белоусова"}, {"Комаров", "Комарова"}, {"Ковалёв", "Ковалёва"}, {"Ильин", "Ильина"},
	{"Гусев", "Гусева"}, {"Титов", "Титова"}, {"Кравченко", "Кравченко"}, {"Шевченко", "Шевченко"}, {"Чернов", "Чернова"},
	{"Жуков", "Жукова"}, {"Крылов", "Крылова"}, {"Виноградов", "Виноградова"}, {"Богданов", "Богданова"}, {"Медведев", "Медведева"},
}

var maleNames = []string{"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил",
	"Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван", "Денис", "Евгений", "Даниил", "Тимофей", "Владимир", "Павел", "Олег", "Игорь", "Николай"}
var femaleNames = []string{"Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Наталья", "Марина", "Полина", "Елена", "Дарья",
	"Алиса", "Ксения", "Ольга", "Татьяна", "Ирина", "Юлия", "Светлана", "Вера", "Людмила", "Софья"}

// Patronymics: the father's name and the male and female forms.
var patronymics = []name{
	{"Александрович", "Александровна"}, {"Дмитриевич", "Дмитриевна"}, {"Сергеевич", "Сергеевна"}, {"Андреевич", "Андреевна"},
	{"Алексеевич", "Алексеевна"}, {"Михайлович", "Михайловна"}, {"Иванович", "Ивановна"}, {"Владимирович", "Владимировна"},
	{"Николаевич", "Николаевна"}, {"Петрович", "Петровна"}, {"Евгеньевич", "Евгеньевна"}, {"Викторович", "Викторовна"},
	{"Павлович", "Павловна"}, {"Олегович", "Олеговна"}, {"Игоревич", "Игоревна"}, {"Юрьевич", "Юрьевна"}, {"Ильич", "Ильинична"},
}

type place struct {
	region, office, city, postal string
	streets                      []string
}

var places = []place{
	{"77", "7736", "Москва", "119", []string{"Ленинский проспект", "улица Вавилова", "Профсоюзная улица"}},
	{"77", "7707", "Москва", "127", []string{"Тверская улица", "Новослободская улица", "улица Дмитровка"}},
	{"77", "7702", "Москва", "129", []string{"Проспект Мира", "Сретенка", "улица Гиляровского"}},
	{"78", "7801", "Санкт-Петербург", "199", []string{"Большой проспект В.О.", "Средний проспект В.О.", "Кадетская линия"}},
	{"78", "7842", "Санкт-Петербург", "191", []string{"Литейный проспект", "Фурштатская улица", "улица Некрасова"}},
	{"50", "5001", "Балашиха", "143", []string{"шоссе Энтузиастов", "улица Советская", "проспект Ленина"}},
	{"52", "5201", "Нижний Новгород", "603", []string{"Большая Покровская улица", "улица Рождественская", "Алексеевская улица"}},
	{"66", "6601", "Екатеринбург", "620", []string{"проспект Ленина", "улица Малышева", "улица 8 Марта"}},
	{"16", "1601", "Казань", "420", []string{"улица Баумана", "улица Пушкина", "Кремлёвская улица"}},
	{"54", "5406", "Новосибирск", "630", []string{"Красный проспект", "улица Ленина", "Вокзальная магистраль"}},
}

// Persons returns n synthetic persons from a seeded generator: the same seed gives the same
// persons. Passport numbers are unique within one call.
func Persons(seed uint64, n int) []register.PersonInput {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]register.PersonInput, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, person(r, seed, i))
	}
	return out
}

func person(r *rand.Rand, seed uint64, i int) register.PersonInput {
	male := r.IntN(2) == 0
	sn := surnames[r.IntN(len(surnames))]
	pt := patronymics[r.IntN(len(patronymics))]
	p := register.PersonInput{Sex: register.Female, Surname: sn.female, Patronymic: pt.female, GivenName: femaleNames[r.IntN(len(femaleNames))]}
	if male {
		p.Sex, p.Surname, p.Patronymic, p.GivenName = register.Male, sn.male, pt.male, maleNames[r.IntN(len(maleNames))]
	}
	pl := places[r.IntN(len(places))]
	birth := time.Date(1940+r.IntN(65), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	p.BirthDate = birth
	p.BirthPlace = "г. " + pl.city
	p.Citizenship = "RUS"
	issued := birth.AddDate(20+r.IntN(25), r.IntN(12), r.IntN(28))
	if issued.After(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		issued = birth.AddDate(20, 0, 0)
	}
	// The series starts with the region's two digits and the year of issue; the number is unique
	// per (seed, i).
	number := (uint64(i)*7919 + seed*104729) % 1000000
	p.Document = register.IdentityDocument{Type: "passport_ru", Series: fmt.Sprintf("%s%02d", pl.region, issued.Year()%100),
		Number: fmt.Sprintf("%06d", number), IssuedOn: issued}
	// Registered with the tax office when the passport was issued, or, for a passport older than
	// the register's TINs for individuals, on a day of its first years. No further draw of the
	// generator: the persons of a seed stay the ones other packages know.
	p.RegisteredOn = issued
	if issued.Before(registerStart) {
		p.RegisteredOn = registerStart.AddDate(0, 0, int(number%3650))
	}
	if r.IntN(3) == 0 {
		nine := fmt.Sprintf("%09d", 2000000+r.IntN(990000000))
		p.SNILS, _ = tin.NewSNILS(nine)
	}
	p.Ground = register.GroundResidence
	p.TaxOffice = pl.office
	p.Address = register.Address{Country: "RUS", Region: pl.region, PostalCode: fmt.Sprintf("%s%03d", pl.postal, r.IntN(1000)), City: pl.city,
		Street: pl.streets[r.IntN(len(pl.streets))], House: fmt.Sprint(1 + r.IntN(120)), Flat: fmt.Sprint(1 + r.IntN(300))}
	return p
}

// registerStart is when the demo register begins to hold persons' registrations.
var registerStart = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)

var system = audit.Actor{Login: "demo", Role: "system"}

var organizations = []register.OrganizationInput{
	{FullName: "Общество с ограниченной ответственностью «Северное сияние»", ShortName: "ООО «Северное сияние»", Ground: register.GroundCreation, TaxOffice: "7736"},
	{FullName: "Акционерное общество «Волжский завод точной механики»", ShortName: "АО «ВЗТМ»", Ground: register.GroundCreation, TaxOffice: "5201"},
	{FullName: "Общество с ограниченной ответственностью «Уральские пироги»", ShortName: "ООО «Уральские пироги»", Ground: register.GroundCreation, TaxOffice: "6601"},
	{FullName: "Публичное акционерное общество «Невская транспортная компания»", ShortName: "ПАО «НТК»", Ground: register.GroundReorganization, TaxOffice: "7801"},
	{FullName: "Общество с ограниченной ответственностью «Сибирский лес»", ShortName: "ООО «Сибирский лес»", Ground: register.GroundCreation, TaxOffice: "5406"},
}

// Seed registers n demo persons and the special cases. It is safe to run again: the register
// recognises everyone it already holds.
func Seed(ctx context.Context, reg *register.Service, n int) error {
	persons := Persons(1, n)
	for start := 0; start < len(persons); start += 500 {
		end := min(start+500, len(persons))
		res, err := reg.RegisterPersons(ctx, system, persons[start:end])
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Err != nil {
				return fmt.Errorf("demo person: %w", r.Err)
			}
		}
	}
	for i, o := range organizations {
		o.OGRN, _ = tin.NewOGRN(fmt.Sprintf("1%02d%s%s%05d", 2+i*3, o.TaxOffice[:2], o.TaxOffice[2:], 10000+i*137))
		o.RegisteredOn = time.Date(2002+i*3, time.Month(2+i), 10+i, 0, 0, 0, 0, time.UTC)
		pl := placeOf(o.TaxOffice)
		o.Address = register.Address{Country: "RUS", Region: pl.region, City: pl.city, Street: pl.streets[0], House: fmt.Sprint(10 + i)}
		res, err := reg.RegisterOrganization(ctx, system, o)
		if err != nil {
			return fmt.Errorf("demo organization %d: %w", i, err)
		}
		if res.Created && i < 2 {
			if _, err := reg.AssignKPP(ctx, system, res.Taxpayer.TIN, register.KPPInput{Ground: register.KPPSubdivision, TaxOffice: "7707", Subdivision: "Обособленное подразделение в Москве"}); err != nil {
				return err
			}
		}
	}
	if _, err := reg.RegisterForeignOrganization(ctx, system, register.ForeignOrganizationInput{
		Identification: register.KIOInput{NameRu: "Нордик Шиппинг Лимитед", NameLatin: "Nordic Shipping Limited", Address: "12 Harbour Road, Limassol",
			Country: "Кипр", OKSM: "196", RegNumber: "HE 123456", TaxCode: "12123456X"},
		TaxOffice: "7702", Reason: "51"}); err != nil {
		return fmt.Errorf("demo foreign organization: %w", err)
	}
	if len(persons) < 3 {
		return nil
	}
	// A deceased person: the TIN stops being applied (REG-7), after the registration.
	died := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	if !persons[0].RegisteredOn.Before(died) {
		died = persons[0].RegisteredOn.AddDate(0, 1, 0)
	}
	if err := endOnce(ctx, reg, persons[0], register.Ending{Reason: register.EndDeath, On: died}); err != nil {
		return err
	}
	// A duplicate: a second TIN of the same person, pointing to the kept one.
	dup := persons[1]
	dup.Document.Series, dup.Document.Number = "0000", "000001"
	dup.BirthPlace = "г. Тверь"
	dup.SNILS = ""
	kept, err := reg.RegisterPerson(ctx, system, persons[1])
	if err != nil {
		return err
	}
	second, err := reg.RegisterPerson(ctx, system, dup)
	if err != nil {
		return err
	}
	if second.Review != nil && second.Taxpayer == nil {
		// Decide it as a different person, then find the duplicate a year later: both exist.
		if second, err = reg.DecideReview(ctx, system, second.Review.ID, ""); err != nil {
			return err
		}
	}
	if second.Taxpayer != nil && second.Taxpayer.Status != register.StatusNotApplied && second.Taxpayer.TIN != kept.Taxpayer.TIN {
		if _, err := reg.MarkDuplicate(ctx, system, second.Taxpayer.TIN, kept.Taxpayer.TIN, "demo"); err != nil {
			return err
		}
	}
	// A registration held for review: same name and birth as persons[2], another passport.
	held := persons[2]
	held.Document.Series, held.Document.Number = "0000", "000002"
	held.SNILS = ""
	_, err = reg.RegisterPerson(ctx, system, held)
	return err
}

func endOnce(ctx context.Context, reg *register.Service, p register.PersonInput, e register.Ending) error {
	res, err := reg.RegisterPerson(ctx, system, p)
	if err != nil {
		return err
	}
	if res.Taxpayer == nil || res.Taxpayer.Status == register.StatusNotApplied {
		return nil
	}
	_, err = reg.Deregister(ctx, system, res.Taxpayer.TIN, e)
	return err
}

func placeOf(office string) place {
	for _, p := range places {
		if p.office == office {
			return p
		}
	}
	return places[0]
}
