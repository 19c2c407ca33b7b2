package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/register"
)

// The Kyrgyz Republic's demo register (kabinet serve --profile kg --demo): citizens with Kyrgyz
// names in Cyrillic (the letters Ң, Ө and Ү included), their own 14-digit ИНН (TIN-6: 1 for a
// woman, 2 for a man, the date of birth, a serial), ID cards and passports, addresses of the
// regions of the УГНС that registered them; organizations with their own ИНН (0, the date of
// state registration, a serial) and their head and accountant (KG-1).

// kyrgyzSurnames are surnames with their male and female forms; the last ones the older form
// "son of", "daughter of" (уулу, кызы) after the father's name.
var kyrgyzSurnames = []name{
	{"Үсөнбаев", "Үсөнбаева"}, {"Төлөгөнов", "Төлөгөнова"}, {"Өмүрбеков", "Өмүрбекова"}, {"Асанов", "Асанова"}, {"Жумабаев", "Жумабаева"},
	{"Сыдыков", "Сыдыкова"}, {"Токтогулов", "Токтогулова"}, {"Абдыкадыров", "Абдыкадырова"}, {"Мамытов", "Мамытова"}, {"Осмонов", "Осмонова"},
	{"Исаков", "Исакова"}, {"Эшимов", "Эшимова"}, {"Шаршеналиев", "Шаршеналиева"}, {"Сүйүмбаев", "Сүйүмбаева"}, {"Жээнбеков", "Жээнбекова"},
	{"Ормонов", "Ормонова"}, {"Турдубаев", "Турдубаева"}, {"Бөрүбаев", "Бөрүбаева"}, {"Көчкөнов", "Көчкөнова"}, {"Бекмурзаев", "Бекмурзаева"},
	{"Калыев", "Калыева"}, {"Орозбеков", "Орозбекова"}, {"Дөөлөтов", "Дөөлөтова"}, {"Кененсариев", "Кененсариева"},
	{"Жеңиш уулу", "Жеңиш кызы"}, {"Бакыт уулу", "Бакыт кызы"},
}

var kyrgyzMaleNames = []string{"Жеңиш", "Нурлан", "Азамат", "Бакыт", "Эрлан", "Үсөн", "Өмүр", "Эрмек", "Темирлан", "Айбек", "Бекболот",
	"Мирлан", "Төлөгөн", "Күнболот", "Сүйүнбай", "Нурсултан", "Канат", "Тилек", "Адилет", "Медер"}
var kyrgyzFemaleNames = []string{"Айжаңыл", "Айгүл", "Гүлнара", "Бүбүсара", "Нургүл", "Айпери", "Жазгүл", "Чолпон", "Мээрим", "Мөлмөл",
	"Гүлзат", "Нурзада", "Бегайым", "Асель", "Жылдыз", "Элнура"}

// kyrgyzPatronymics are patronymics made from the father's name, the male and female forms.
var kyrgyzPatronymics = []name{
	{"Өмүрбекович", "Өмүрбековна"}, {"Бакытович", "Бакытовна"}, {"Талантович", "Талантовна"}, {"Нурланович", "Нурлановна"},
	{"Асанбекович", "Асанбековна"}, {"Төлөгөнович", "Төлөгөновна"}, {"Эркинович", "Эркиновна"}, {"Маратович", "Маратовна"},
	{"Сүйүнбаевич", "Сүйүнбаевна"}, {"Жеңишбекович", "Жеңишбековна"}, {"Кубанычбекович", "Кубанычбековна"}, {"Мелисович", "Мелисовна"},
}

// kyrgyzPlace is a УГНС with the region and the town of the addresses it serves.
type kyrgyzPlace struct {
	office, region, city, postal string
	streets                      []string
}

var kyrgyzPlaces = []kyrgyzPlace{
	{"002", "11", "Бишкек", "7200", []string{"проспект Чуй", "улица Киевская", "улица Токтогула"}},
	{"003", "11", "Бишкек", "7200", []string{"проспект Манаса", "улица Ахунбаева", "улица Исанова"}},
	{"004", "11", "Бишкек", "7200", []string{"бульвар Эркиндик", "улица Логвиненко", "проспект Жибек Жолу"}},
	{"005", "11", "Бишкек", "7200", []string{"улица Фрунзе", "проспект Мира", "улица Ибраимова"}},
	{"006", "21", "Ош", "7235", []string{"улица Ленина", "улица Курманжан Датки", "проспект Масалиева"}},
	{"011", "08", "с. Лебединовка", "", []string{"улица Ленина", "улица Садовая"}},
	{"013", "08", "Кант", "", []string{"улица Ленина", "улица Кожомкула"}},
	{"020", "02", "Каракол", "", []string{"улица Абдрахманова", "улица Торекулова"}},
	{"030", "04", "Нарын", "", []string{"улица Ленина", "улица Манаса"}},
	{"040", "07", "Талас", "", []string{"улица Манаса", "улица Ленина"}},
	{"050", "03", "Джалал-Абад", "", []string{"улица Токтогула", "улица Ленина"}},
	{"070", "05", "Баткен", "", []string{"улица Ленина", "улица Манаса"}},
}

// KyrgyzPersons returns n synthetic Kyrgyz taxpayers from a seeded generator: the same seed gives
// the same persons, with their own ИНН and documents unique within one call.
func KyrgyzPersons(seed uint64, n int) []register.PersonInput {
	r := rand.New(rand.NewPCG(seed, seed^0x51a1b2c3d4e5f607))
	out := make([]register.PersonInput, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, kyrgyzPerson(r, i))
	}
	return out
}

func kyrgyzPerson(r *rand.Rand, i int) register.PersonInput {
	male := r.IntN(2) == 0
	sn := kyrgyzSurnames[r.IntN(len(kyrgyzSurnames))]
	pt := kyrgyzPatronymics[r.IntN(len(kyrgyzPatronymics))]
	p := register.PersonInput{Sex: register.Female, Surname: sn.female, Patronymic: pt.female, GivenName: kyrgyzFemaleNames[r.IntN(len(kyrgyzFemaleNames))]}
	g := "1" // TIN-6: 1 for a woman, 2 for a man
	if male {
		p.Sex, p.Surname, p.Patronymic, p.GivenName = register.Male, sn.male, pt.male, kyrgyzMaleNames[r.IntN(len(kyrgyzMaleNames))]
		g = "2"
	}
	pl := kyrgyzPlaces[r.IntN(len(kyrgyzPlaces))]
	p.BirthDate = time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	// The serial is unique per row of a call, so no two persons share an ИНН.
	p.TIN = g + p.BirthDate.Format("02012006") + fmt.Sprintf("%05d", 10000+i)
	p.BirthPlace = pl.city
	if !strings.HasPrefix(pl.city, "с. ") {
		p.BirthPlace = "г. " + pl.city
	}
	p.Citizenship = "KGZ"
	issued := p.BirthDate.AddDate(18+r.IntN(20), r.IntN(12), r.IntN(28))
	if issued.After(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		issued = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	// An ID card (issued since 2017) or the passport before it; the number is unique per row.
	p.Document = register.IdentityDocument{Type: "passport_kg", Series: "AN", Number: fmt.Sprintf("%07d", 1200000+i*37), IssuedOn: issued}
	if r.IntN(3) != 0 {
		p.Document = register.IdentityDocument{Type: "id_card_kg", Series: "ID", Number: fmt.Sprintf("%07d", 3400000+i*41),
			IssuedOn: time.Date(2017+r.IntN(8), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)}
	}
	p.Ground = register.GroundResidence
	p.TaxOffice = pl.office
	p.Address = register.Address{Region: pl.region, City: pl.city, Street: pl.streets[r.IntN(len(pl.streets))], House: fmt.Sprint(1 + r.IntN(150))}
	if pl.postal != "" {
		p.Address.PostalCode = fmt.Sprintf("%s%02d", pl.postal, 1+r.IntN(80))
		p.Address.Flat = fmt.Sprint(1 + r.IntN(120))
	}
	return p
}

// KyrgyzOrganization is an organization of the Kyrgyz demo, with the demo persons (by their
// index in KyrgyzPersons) who are its head and accountant.
type KyrgyzOrganization struct {
	register.OrganizationInput
	Head, Accountant int // -1: none
}

// KyrgyzOrganizations are the demo organizations, each with its own ИНН: 0, the date of its state
// registration, a serial (TIN-6).
var KyrgyzOrganizations = []KyrgyzOrganization{
	{kyrgyzOrg("02507199510010", "Общество с ограниченной ответственностью «Жаңы Таң»", "ОсОО «Жаңы Таң»", "002", "11", "Бишкек", "улица Киевская", "96"), 0, 1},
	{kyrgyzOrg("01403200310217", "Общество с ограниченной ответственностью «Ала-Тоо Агро»", "ОсОО «Ала-Тоо Агро»", "013", "08", "Кант", "улица Ленина", "12"), 2, 3},
	{kyrgyzOrg("02206200810455", "Общество с ограниченной ответственностью «Ысык-Көл Тур»", "ОсОО «Ысык-Көл Тур»", "020", "02", "Каракол", "улица Абдрахманова", "115"), 4, -1},
	{kyrgyzOrg("01109199810032", "Открытое акционерное общество «Нарын Жүн»", "ОАО «Нарын Жүн»", "030", "04", "Нарын", "улица Ленина", "40"), 5, 6},
	{kyrgyzOrg("03001201510781", "Общество с ограниченной ответственностью «Ош Текстиль»", "ОсОО «Ош Текстиль»", "006", "21", "Ош", "улица Ленина", "205"), 7, 8},
	{kyrgyzOrg("01812200110099", "Общество с ограниченной ответственностью «Сүт Азык»", "ОсОО «Сүт Азык»", "001", "11", "Бишкек", "проспект Жибек Жолу", "493"), 9, 10},
}

func kyrgyzOrg(tin, full, short, office, region, city, street, house string) register.OrganizationInput {
	return register.OrganizationInput{TIN: tin, FullName: full, ShortName: short, Ground: register.GroundCreation, TaxOffice: office,
		Address: register.Address{Region: region, City: city, Street: street, House: house}}
}

// SeedKyrgyz registers n demo persons (at least the signatories the organizations name) and the
// organizations with their head and accountant. It is safe to run again: the register recognises
// every ИНН it already holds.
func SeedKyrgyz(ctx context.Context, reg *register.Service, n int) error {
	persons := KyrgyzPersons(1, max(n, 11))
	res, err := reg.RegisterPersons(ctx, system, persons)
	if err != nil {
		return err
	}
	for i, r := range res {
		if r.Err != nil {
			return fmt.Errorf("demo person %s: %w", persons[i].TIN, r.Err)
		}
	}
	for _, o := range KyrgyzOrganizations {
		in := o.OrganizationInput
		in.Head = &register.Signatory{TIN: persons[o.Head].TIN}
		if o.Accountant >= 0 {
			in.Accountant = &register.Signatory{TIN: persons[o.Accountant].TIN}
		}
		if _, err := reg.RegisterOrganization(ctx, system, in); err != nil {
			return fmt.Errorf("demo organization %s: %w", in.TIN, err)
		}
	}
	return nil
}
