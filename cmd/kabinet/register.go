package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
)

const registerUsage = `usage:
  kabinet register import persons FILE.csv [--db …] [--errors FILE] [--results FILE] [--batch N]
                                           [--checkpoint FILE] [--restart]
      registers every row of FILE.csv with the register's rules (REG-3 dedupe: a person already
      registered keeps the TIN they have, so a re-run after a crash never issues a second TIN).
      After each committed batch a checkpoint (default RESULTS.checkpoint) records where the
      import stands; the same command run again resumes after it (--restart reads from the start).
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
		fmt.Fprintf(e.stderr, "kabinet register gen: %s: %q\n", both("import.n"), pos[0])
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
	Rows     int `json:"rows"`
	Created  int `json:"created"`
	Existing int `json:"existing"`
	Review   int `json:"review"`
	Refused  int `json:"refused"`
}

func runImport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("register import persons", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, registerUsage) }
	dsn := dbFlag(fs, e)
	errPath := fs.String("errors", "", "file for the refused rows (default FILE.errors.csv)")
	resPath := fs.String("results", "", "file for the per-row results (default FILE.results.csv)")
	cpPath := fs.String("checkpoint", "", "checkpoint for resuming after a crash (default RESULTS.checkpoint)")
	restart := fs.Bool("restart", false, "ignore a checkpoint and read the file from the start")
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
	fail := func(err error) int {
		fmt.Fprintln(e.stderr, "kabinet register import:", err)
		return exitFailure
	}
	path := pos[0]
	if *errPath == "" {
		*errPath = strings.TrimSuffix(path, ".csv") + ".errors.csv"
	}
	if *resPath == "" {
		*resPath = strings.TrimSuffix(path, ".csv") + ".results.csv"
	}
	if *cpPath == "" {
		*cpPath = *resPath + ".checkpoint"
	}
	in, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet register import: %s: %v\n", both("import.open"), err)
		return exitFailure
	}
	defer in.Close()
	id, err := identifyInput(in)
	if err != nil {
		return fail(err)
	}
	var base int64 // where the header starts: after a byte order mark
	if bom := make([]byte, 3); func() bool { n, _ := in.ReadAt(bom, 0); return n == 3 }() && string(bom) == "\xef\xbb\xbf" {
		base = 3
	}
	if _, err := in.Seek(base, io.SeekStart); err != nil {
		return fail(err)
	}
	cr := csv.NewReader(bufio.NewReaderSize(in, 1<<16))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil || strings.Join(trimAll(head), ",") != importHeader {
		fmt.Fprintf(e.stderr, "kabinet register import: %s:\n%s\n", both("import.header"), importHeader)
		return exitFailure
	}

	// A checkpoint of an interrupted run of this file into this database: resume after it.
	var cp *importCheckpoint
	if !*restart {
		if cp, err = readCheckpoint(*cpPath); err != nil {
			return fail(fmt.Errorf("%w; %s", err, both("import.restart")))
		}
		if cp != nil && (cp.Input != id || cp.DB != dbID(*dsn)) {
			return fail(errors.New(both("import.foreign_checkpoint", *cpPath)))
		}
	}
	var c importCounts
	lineBase := 0 // lines before the reader's start
	start := base // byte offset of the reader's start
	if cp != nil {
		if lineBase, err = countLines(in, cp.Offset); err != nil {
			return fail(err)
		}
		if _, err := in.Seek(cp.Offset, io.SeekStart); err != nil {
			return fail(err)
		}
		start, c = cp.Offset, cp.Counts
		cr = csv.NewReader(bufio.NewReaderSize(in, 1<<16))
		cr.FieldsPerRecord = -1
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	svc, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		return fail(err)
	}
	var ef, rf *os.File
	if cp != nil {
		if ef, err = reopenAt(*errPath, cp.ErrorsSize); err == nil {
			rf, err = reopenAt(*resPath, cp.ResultsSize)
		}
		if err != nil {
			return fail(fmt.Errorf("%w; %s", err, both("import.restart")))
		}
		fmt.Fprintln(e.stderr, both("import.resuming", lineBase))
	} else {
		if ef, err = os.Create(*errPath); err == nil {
			rf, err = os.Create(*resPath)
		}
		if err != nil {
			return fail(err)
		}
	}
	defer ef.Close()
	defer rf.Close()
	ew, rw := csv.NewWriter(ef), csv.NewWriter(rf)
	if cp == nil {
		ew.Write([]string{"line", "reason", i18n.T("ru", "import.reason")})
		rw.Write([]string{"line", "tin", "outcome"})
	}

	began := time.Now()
	done0 := c.Rows
	var rows []register.PersonInput
	var lines []int
	// flush registers the pending rows in one transaction, writes their outcomes and then the
	// checkpoint: a crash before the checkpoint makes a re-run repeat this batch, which REG-3
	// answers with the TINs just committed.
	flush := func() error {
		if len(rows) > 0 {
			res, err := svc.Register.RegisterPersons(ctx, cliActor, rows)
			if err != nil {
				return err
			}
			for i, r := range res {
				line := strconv.Itoa(lines[i])
				switch {
				case r.Err != nil:
					c.Refused++
					en, ru := reasons(r.Err)
					ew.Write([]string{line, en, ru})
				case r.Review != nil:
					c.Review++
					rw.Write([]string{line, "", "review"})
				case r.Taxpayer != nil && r.Created:
					c.Created++
					rw.Write([]string{line, r.Taxpayer.TIN, "created"})
				case r.Taxpayer != nil:
					c.Existing++
					rw.Write([]string{line, r.Taxpayer.TIN, "existing"})
				}
			}
			c.Rows += len(rows)
			rows, lines = rows[:0], lines[:0]
		}
		ew.Flush()
		rw.Flush()
		if err := errors.Join(ew.Error(), rw.Error(), ef.Sync(), rf.Sync()); err != nil {
			return err
		}
		es, err1 := ef.Seek(0, io.SeekCurrent)
		rs, err2 := rf.Seek(0, io.SeekCurrent)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		el := time.Since(began).Seconds()
		fmt.Fprintf(e.stderr, "rows %d (%.0f/s): created %d, existing %d, review %d, refused %d\n",
			c.Rows, float64(c.Rows-done0)/max(el, 1e-9), c.Created, c.Existing, c.Review, c.Refused)
		return writeCheckpoint(*cpPath, &importCheckpoint{Version: checkpointVersion, Input: id, DB: dbID(*dsn),
			Offset: start + cr.InputOffset(), ResultsSize: rs, ErrorsSize: es, Counts: c})
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		line += lineBase
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fail(err)
			}
			c.Refused++
			c.Rows++
			m := problem.Msg("import.csv")
			ew.Write([]string{strconv.Itoa(pe.Line + lineBase), m.In("en") + ": " + pe.Err.Error(), m.In("ru")})
			continue
		}
		p, msg := parsePersonRow(rec)
		if msg != nil {
			c.Refused++
			c.Rows++
			ew.Write([]string{strconv.Itoa(line), msg.In("en"), msg.In("ru")})
			continue
		}
		rows = append(rows, p)
		lines = append(lines, line)
		if len(rows) >= *batch {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if err := os.Remove(*cpPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	fmt.Fprintf(e.stderr, "done: rows %d, created %d, existing %d, review %d, refused %d\n",
		c.Rows, c.Created, c.Existing, c.Review, c.Refused)
	return exitOK
}

// countLines counts the line breaks in the first n bytes of f.
func countLines(f *os.File, n int64) (int, error) {
	buf := make([]byte, 1<<16)
	lines := 0
	r := io.NewSectionReader(f, 0, n)
	for {
		k, err := r.Read(buf)
		lines += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// reopenAt opens an output file of an interrupted run and cuts it back to size, the size it had
// at the checkpoint; what was written after it is written again.
func reopenAt(path string, size int64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() < size {
		err = errors.New(both("import.shorter", path))
	}
	if err == nil {
		err = f.Truncate(size)
	}
	if err == nil {
		_, err = f.Seek(size, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
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

// parsePersonRow turns one CSV record into a PersonInput; the register validates the rest.
func parsePersonRow(rec []string) (register.PersonInput, *problem.Message) {
	if len(rec) != len(importColumns) {
		m := problem.Msg("import.columns", len(rec), len(importColumns))
		return register.PersonInput{}, &m
	}
	rec = trimAll(rec)
	date := func(col int) (time.Time, *problem.Message) {
		if rec[col] == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, rec[col])
		if err != nil {
			m := problem.Msg("import.date", importColumns[col])
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

// both words a message of the command line in English and Russian, "english / русский".
func both(key string, args ...any) string {
	return i18n.T("en", key, args...) + " / " + i18n.T("ru", key, args...)
}
