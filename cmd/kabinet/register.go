package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
)

const registerUsage = `usage:
  kabinet register import persons FILE.csv [--db …] [--errors FILE] [--results FILE] [--batch N]
      registers every row of FILE.csv with the register's rules (REG-3 dedupe: a person already
      registered keeps the TIN they have, so a re-run after a crash never issues a second TIN).
      The file is UTF-8 (an optional BOM is skipped), comma separated, with this header row:
        ` + importHeader + `
      birth_date and document_issued_on are YYYY-MM-DD; sex is male or female; citizenship is
      ISO 3166 alpha-3 (empty for a stateless person); ground is residence, stay, property,
      income_source or choice. Bad rows go to --errors (default FILE.errors.csv) with their line
      number and the reason in English and Russian; the import does not stop on them. Progress
      (counts only, no personal data) goes to standard error; one line per row (line, tin,
      outcome) goes to --results (default FILE.results.csv).
  kabinet register gen persons N [--seed S]
      writes N synthetic persons as an import CSV to standard output
`

// importColumns are the import file's columns, in order (docs/import.md).
var importColumns = strings.Split(importHeader, ",")

const importHeader = "surname,given_name,patronymic,birth_date,birth_place,sex,citizenship,document_type,document_series,document_number,document_issued_on,snils,ground,tax_office,region,postal_code,city,street,house,flat"

// runRegister implements `kabinet register`.
func runRegister(ctx context.Context, e *env, args []string) int {
	if len(args) < 2 || args[1] != "persons" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(e.stdout, registerUsage)
			return exitOK
		}
		fmt.Fprint(e.stderr, registerUsage)
		return exitUsage
	}
	switch args[0] {
	case "import":
		return runImport(ctx, e, args[2:])
	case "gen":
		return runGen(e, args[2:])
	}
	fmt.Fprintf(e.stderr, "kabinet register: unknown command %q\n%s", args[0], registerUsage)
	return exitUsage
}

// splitArgs lets the positional argument come before or after the flags.
func splitArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runGen(e *env, args []string) int {
	fs := flag.NewFlagSet("register gen persons", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	seed := fs.Uint64("seed", 1, "seed of the generator")
	pos, err := splitArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprint(e.stderr, registerUsage)
		return exitUsage
	}
	n, err := strconv.Atoi(pos[0])
	if err != nil || n < 0 {
		fmt.Fprintf(e.stderr, "kabinet register gen: N must be a non-negative number / N должно быть неотрицательным числом: %q\n", pos[0])
		return exitUsage
	}
	w := bufio.NewWriter(e.stdout)
	if err := writePersonsCSV(w, demo.Persons(*seed, n)); err != nil {
		fmt.Fprintln(e.stderr, "kabinet register gen:", err)
		return exitFailure
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(e.stderr, "kabinet register gen:", err)
		return exitFailure
	}
	return exitOK
}

// writePersonsCSV writes persons in the import format, header first.
func writePersonsCSV(w io.Writer, ps []register.PersonInput) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(importColumns); err != nil {
		return err
	}
	for _, p := range ps {
		rec := []string{p.Surname, p.GivenName, p.Patronymic, civil(p.BirthDate), p.BirthPlace, string(p.Sex),
			p.Citizenship, p.Document.Type, p.Document.Series, p.Document.Number, civil(p.Document.IssuedOn),
			p.SNILS, string(p.Ground), p.TaxOffice, p.Address.Region, p.Address.PostalCode, p.Address.City,
			p.Address.Street, p.Address.House, p.Address.Flat}
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

// importCounts are the progress counters (no personal data).
type importCounts struct {
	rows, created, existing, review, refused int
}

func runImport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("register import persons", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, registerUsage) }
	dsn := dbFlag(fs, e)
	errPath := fs.String("errors", "", "file for the refused rows (default FILE.errors.csv)")
	resPath := fs.String("results", "", "file for the per-row results (default FILE.results.csv)")
	batch := fs.Int("batch", 5000, "rows committed per transaction")
	pos, err := splitArgs(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if len(pos) != 1 || *batch < 1 {
		fmt.Fprint(e.stderr, registerUsage)
		return exitUsage
	}
	path := pos[0]
	if *errPath == "" {
		*errPath = strings.TrimSuffix(path, ".csv") + ".errors.csv"
	}
	if *resPath == "" {
		*resPath = strings.TrimSuffix(path, ".csv") + ".results.csv"
	}
	in, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet register import: cannot open the file / не удалось открыть файл: %v\n", err)
		return exitFailure
	}
	defer in.Close()
	br := bufio.NewReaderSize(in, 1<<16)
	if bom, _ := br.Peek(3); string(bom) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil || strings.Join(trimAll(head), ",") != importHeader {
		fmt.Fprintf(e.stderr, "kabinet register import: the header row must be / строка заголовка должна быть:\n%s\n", importHeader)
		return exitFailure
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		fmt.Fprintln(e.stderr, "kabinet register import:", err)
		return exitFailure
	}
	defer db.Close()
	svc, err := newServices(ctx, db)
	if err != nil {
		fmt.Fprintln(e.stderr, "kabinet register import:", err)
		return exitFailure
	}
	ef, err := os.Create(*errPath)
	if err != nil {
		fmt.Fprintln(e.stderr, "kabinet register import:", err)
		return exitFailure
	}
	defer ef.Close()
	rf, err := os.Create(*resPath)
	if err != nil {
		fmt.Fprintln(e.stderr, "kabinet register import:", err)
		return exitFailure
	}
	defer rf.Close()
	ew, rw := csv.NewWriter(ef), csv.NewWriter(rf)
	ew.Write([]string{"line", "reason", "причина"})
	rw.Write([]string{"line", "tin", "outcome"})

	var c importCounts
	start := time.Now()
	var rows []register.PersonInput
	var lines []int
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		res, err := svc.register.RegisterPersons(ctx, cliActor, rows)
		if err != nil {
			return err
		}
		for i, r := range res {
			line := strconv.Itoa(lines[i])
			switch {
			case r.Err != nil:
				c.refused++
				en, ru := reasons(r.Err)
				ew.Write([]string{line, en, ru})
			case r.Review != nil:
				c.review++
				rw.Write([]string{line, "", "review"})
			case r.Taxpayer != nil && r.Created:
				c.created++
				rw.Write([]string{line, r.Taxpayer.TIN, "created"})
			case r.Taxpayer != nil:
				c.existing++
				rw.Write([]string{line, r.Taxpayer.TIN, "existing"})
			}
		}
		ew.Flush()
		rw.Flush()
		c.rows += len(rows)
		rows, lines = rows[:0], lines[:0]
		el := time.Since(start).Seconds()
		fmt.Fprintf(e.stderr, "rows %d (%.0f/s): created %d, existing %d, review %d, refused %d\n",
			c.rows, float64(c.rows)/max(el, 1e-9), c.created, c.existing, c.review, c.refused)
		if err := ew.Error(); err != nil {
			return err
		}
		return rw.Error()
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				fmt.Fprintln(e.stderr, "kabinet register import:", err)
				return exitFailure
			}
			c.refused++
			c.rows++
			ew.Write([]string{strconv.Itoa(pe.Line), "malformed CSV: " + pe.Err.Error(), "ошибка формата CSV"})
			continue
		}
		p, msg := parsePersonRow(rec)
		if msg != nil {
			c.refused++
			c.rows++
			ew.Write([]string{strconv.Itoa(line), msg.En, msg.Ru})
			continue
		}
		rows = append(rows, p)
		lines = append(lines, line)
		if len(rows) >= *batch {
			if err := flush(); err != nil {
				fmt.Fprintln(e.stderr, "kabinet register import:", err)
				return exitFailure
			}
		}
	}
	if err := flush(); err != nil {
		fmt.Fprintln(e.stderr, "kabinet register import:", err)
		return exitFailure
	}
	ew.Flush()
	rw.Flush()
	fmt.Fprintf(e.stderr, "done: rows %d, created %d, existing %d, review %d, refused %d\n",
		c.rows, c.created, c.existing, c.review, c.refused)
	return exitOK
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
		return "internal error", "внутренняя ошибка"
	}
	en, ru = pe.Message.En, pe.Message.Ru
	for _, f := range pe.Fields {
		en += "; " + f.Field + ": " + f.En
		ru += "; " + f.Field + ": " + f.Ru
	}
	return en, ru
}

// parsePersonRow turns one CSV record into a PersonInput; the register validates the rest.
func parsePersonRow(rec []string) (register.PersonInput, *problem.Message) {
	if len(rec) != len(importColumns) {
		m := problem.Message{
			En: fmt.Sprintf("the row has %d columns, want %d", len(rec), len(importColumns)),
			Ru: fmt.Sprintf("в строке %d столбцов, нужно %d", len(rec), len(importColumns)),
		}
		return register.PersonInput{}, &m
	}
	rec = trimAll(rec)
	date := func(col int) (time.Time, *problem.Message) {
		if rec[col] == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, rec[col])
		if err != nil {
			return t, &problem.Message{
				En: fmt.Sprintf("%s: not a date YYYY-MM-DD", importColumns[col]),
				Ru: fmt.Sprintf("%s: не дата в формате ГГГГ-ММ-ДД", importColumns[col]),
			}
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
