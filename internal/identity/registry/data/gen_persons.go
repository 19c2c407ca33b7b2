//go:build ignore

// gen_persons writes persons.csv, the persons the reference registry knows (IDP-3): a few made
// to show each outcome and delay of a verification, then every demo taxpayer of package demo
// (the ones `kabinet serve --demo` puts in the register) that has a СНИЛС, so that a newcomer
// can register with one of them and pass the ИНН check too. All of them are synthetic; the
// СНИЛС check digits are computed with package tin. Run `go run gen_persons.go` here to make
// the file again (after a change to package demo, for instance).
package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/tin"
)

// showcase are the persons made to show the outcomes: nine digits of the СНИЛС (the check
// digits are added), the passport's series (region and year of issue) and number, its status,
// the delay, and what the person shows.
var showcase = []struct {
	surname, given, patronymic, birth, nine, series, number, status, delay, shows string
}{
	{"Соколова", "Анна", "Сергеевна", "1988-05-14", "112233445", "4508", "123456", "valid", "1m", "verified after a minute"},
	{"Кузнецов", "Дмитрий", "Андреевич", "1979-11-02", "134589271", "4024", "551203", "valid", "5m", "verified after five minutes"},
	{"Лебедева", "Екатерина", "Игоревна", "1992-03-27", "156702938", "4612", "300917", "valid", "30m", "verified after half an hour"},
	{"Морозов", "Алексей", "Викторович", "1965-08-09", "171845096", "2210", "448120", "valid", "4h", "verified after four hours"},
	{"Никитина", "Ольга", "Павловна", "1983-01-19", "183906724", "6503", "214578", "valid", "24h", "verified after a day"},
	{"Васильев", "Игорь", "Николаевич", "1958-12-30", "195027361", "9204", "731066", "valid", "120h", "verified after five days, the longest"},
	{"Орлова", "Мария", "Дмитриевна", "1996-07-07", "204163857", "5016", "902341", "invalid", "2m", "refused after two minutes: the passport is invalid"},
	{"Захаров", "Сергей", "Олегович", "1971-04-23", "218370495", "4516", "118204", "invalid", "0s", "refused at once: the passport is invalid"},
	{"Фёдоров", "Николай", "Петрович", "1969-02-11", "226481503", "4014", "667215", "valid", "0s", "verified at once (ё and е are the same letter)"},
	{"Ильина", "Татьяна", "Юрьевна", "2004-09-16", "237598162", "4518", "045532", "valid", "", "verified after the registry's default delay"},
}

func main() {
	f, err := os.Create("persons.csv")
	if err != nil {
		fail(err)
	}
	fmt.Fprint(f, `# The persons the reference registry knows (IDP-3), all synthetic; made by gen_persons.go.
# Columns: surname, given_name, patronymic, birth_date (YYYY-MM-DD), snils, passport_series,
# passport_number, passport_status (valid | invalid), delay (a Go duration; empty: the default).
# A СНИЛС the file lacks is refused as unknown; one given with another name or birth date as
# belonging to someone else; a passport the file lacks for the person as unknown.
#
# Persons that show the outcomes:
`)
	for _, p := range showcase {
		sn, err := tin.NewSNILS(p.nine)
		if err != nil {
			fail(err)
		}
		v, _ := tin.ParseSNILS(sn)
		fmt.Fprintf(f, "#   %s %s %s, %s, СНИЛС %s, passport %s %s: %s\n", p.surname, p.given, p.patronymic, p.birth, v.Format(), p.series, p.number, p.shows)
	}
	fmt.Fprint(f, "#\n# Then the demo taxpayers of package demo that have a СНИЛС, with the default delay.\n")
	w := csv.NewWriter(f)
	write := func(rec ...string) {
		if err := w.Write(rec); err != nil {
			fail(err)
		}
	}
	write("surname", "given_name", "patronymic", "birth_date", "snils", "passport_series", "passport_number", "passport_status", "delay")
	for _, p := range showcase {
		sn, _ := tin.NewSNILS(p.nine)
		write(p.surname, p.given, p.patronymic, p.birth, sn, p.series, p.number, p.status, p.delay)
	}
	for i, p := range demo.Persons(1, 300) {
		if p.SNILS == "" {
			continue
		}
		status := "valid"
		if i == 0 {
			status = "invalid" // demo.Seed records this person's death
		}
		write(p.Surname, p.GivenName, p.Patronymic, p.BirthDate.Format("2006-01-02"), strings.ReplaceAll(p.SNILS, "-", ""),
			p.Document.Series, p.Document.Number, status, "")
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen_persons:", err)
	os.Exit(1)
}
