package importer

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
)

// Header is the header row the import file must begin with (docs/import.md).
const Header = "surname,given_name,patronymic,birth_date,birth_place,sex,citizenship,document_type,document_series,document_number,document_issued_on,snils,ground,tax_office,region,postal_code,city,street,house,flat"

// Columns are the import file's columns, in order.
var Columns = strings.Split(Header, ",")

// TINColumn is the first column of a file whose persons bring their own TINs (TIN-6: the Kyrgyz
// ИНН), which a register that records them (jurisdiction.Recorded) needs and one that assigns
// them (REG-1) refuses; "inn" names it too.
const TINColumn = "tin"

// RecordedHeader is the header row of a file with the persons' own TINs.
const RecordedHeader = TINColumn + "," + Header

// tinColumns are the names the first column of the persons' own TINs may have.
var tinColumns = []string{TINColumn, "inn"}

// WritePersons writes persons in the import format, header first: with the first column tin
// when they have their own TINs (RecordedHeader), without when none has.
func WritePersons(w io.Writer, ps []register.PersonInput) error {
	own := slices.ContainsFunc(ps, func(p register.PersonInput) bool { return p.TIN != "" })
	cw := csv.NewWriter(w)
	head := Columns
	if own {
		head = append([]string{TINColumn}, Columns...)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, p := range ps {
		rec := []string{p.Surname, p.GivenName, p.Patronymic, civil(p.BirthDate), p.BirthPlace, string(p.Sex),
			p.Citizenship, p.Document.Type, p.Document.Series, p.Document.Number, civil(p.Document.IssuedOn),
			p.SNILS, string(p.Ground), p.TaxOffice, p.Address.Region, p.Address.PostalCode, p.Address.City,
			p.Address.Street, p.Address.House, p.Address.Flat}
		if own {
			rec = append([]string{p.TIN}, rec...)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func civil(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// ParsePersonRow turns one CSV record into a PersonInput; the register validates the rest. A
// record it cannot read (a wrong number of columns, a date not YYYY-MM-DD) gets the message why.
func ParsePersonRow(rec []string) (register.PersonInput, *problem.Message) {
	if len(rec) != len(Columns) {
		m := problem.Msg("import.columns", len(rec), len(Columns))
		return register.PersonInput{}, &m
	}
	rec = trimAll(rec)
	date := func(col int) (time.Time, *problem.Message) {
		if rec[col] == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, rec[col])
		if err != nil {
			m := problem.Msg("import.date", Columns[col])
			return t, &m
		}
		return t, nil
	}
	birth, m := date(3)
	if m != nil {
		return register.PersonInput{}, m
	}
	issued, m := date(10)
	if m != nil {
		return register.PersonInput{}, m
	}
	return register.PersonInput{
		Surname: rec[0], GivenName: rec[1], Patronymic: rec[2], BirthDate: birth, BirthPlace: rec[4],
		Sex: register.Sex(rec[5]), Citizenship: rec[6],
		Document: register.IdentityDocument{Type: rec[7], Series: rec[8], Number: rec[9], IssuedOn: issued},
		SNILS:    rec[11], Ground: register.PersonGround(rec[12]), TaxOffice: rec[13],
		Address: register.Address{Region: rec[14], PostalCode: rec[15], City: rec[16], Street: rec[17],
			House: rec[18], Flat: rec[19]},
	}, nil
}

// parseRow turns one CSV record of a file with (tin) or without the persons' own TINs into a
// PersonInput, as ParsePersonRow.
func parseRow(rec []string, tin bool) (register.PersonInput, *problem.Message) {
	if !tin {
		return ParsePersonRow(rec)
	}
	if len(rec) != len(Columns)+1 {
		m := problem.Msg("import.columns", len(rec), len(Columns)+1)
		return register.PersonInput{}, &m
	}
	p, m := ParsePersonRow(rec[1:])
	p.TIN = strings.TrimSpace(rec[0])
	return p, m
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// reasons renders a refused row's error in English and Russian, naming the fields.
func reasons(err error) (en, ru string) {
	pe, ok := problem.As(err)
	if !ok {
		pe = problem.New(problem.Internal, problem.MsgInternal)
	}
	en, ru = pe.Message.In("en"), pe.Message.In("ru")
	for _, f := range pe.Fields {
		en += "; " + f.Field + ": " + f.In("en")
		ru += "; " + f.Field + ": " + f.In("ru")
	}
	return en, ru
}

// both words a message in English and Russian, "english / русский".
func both(key string, args ...any) string {
	return i18n.T("en", key, args...) + " / " + i18n.T("ru", key, args...)
}
