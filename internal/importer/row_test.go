package importer_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/importer"
)

// FuzzParsePersonRow checks that no import line makes the row parser panic, and that a row it
// accepts has the dates it was given.
func FuzzParsePersonRow(f *testing.F) {
	f.Add("Иванов,Иван,Иванович,1990-01-02,Москва,male,RUS,passport_ru,4500,123456,2010-01-01,,residence,7701,77,101000,Москва,Тверская,1,1")
	f.Add("a,b")
	f.Add(`"x,y",,,,,,,,,,,,,,,,,,,`)
	f.Add(",,,1990-02-30,,,,,,,,,,,,,,,,")
	f.Fuzz(func(t *testing.T, line string) {
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil {
			return
		}
		p, msg := importer.ParsePersonRow(rec)
		if msg != nil {
			if !i18n.Has("en", msg.Key) || !i18n.Has("ru", msg.Key) || strings.Contains(msg.In("ru"), "%!") {
				t.Fatalf("message without both languages: %+v", msg)
			}
			return
		}
		if d := strings.TrimSpace(rec[3]); d != "" && p.BirthDate.Format("2006-01-02") != d {
			t.Fatalf("birth date %q became %v", d, p.BirthDate)
		}
	})
}
