package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/importer"
)

const registerUsage = `usage:
  kabinet register import persons FILE.csv [--db …] [--errors FILE] [--results FILE] [--batch N]
                                           [--checkpoint FILE] [--restart]
      registers every row of FILE.csv with the register's rules (REG-3 dedupe: a person already
      registered keeps the TIN they have, so a re-run after a crash never issues a second TIN).
      After each committed batch a checkpoint (default RESULTS.checkpoint) records where the
      import stands; the same command run again resumes after it (--restart reads from the start).
      The file is UTF-8 (an optional BOM is skipped), comma separated, with this header row:
        ` + importer.Header + `
      On a kg database, whose register records the ИНН persons have (TIN-6), each row begins
      with the person's ИНН, and so does the header: tin (or inn), then the columns above; a
      file without it is refused before any row is read.
      birth_date and document_issued_on are YYYY-MM-DD; sex is male or female; citizenship is
      ISO 3166 alpha-3 (empty for a stateless person); ground is residence, stay, property,
      income_source or choice. Bad rows go to --errors (default FILE.errors.csv) with their line
      number and the reason in English and Russian; the import does not stop on them. Progress
      (counts only, no personal data) goes to standard error; one line per row (line, tin,
      outcome) goes to --results (default FILE.results.csv).
  kabinet register gen persons N [--seed S]
      writes N synthetic persons as an import CSV to standard output
`

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
	if err := importer.WritePersons(w, demo.Persons(*seed, n)); err != nil {
		fmt.Fprintln(e.stderr, "kabinet register gen:", err)
		return exitFailure
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(e.stderr, "kabinet register gen:", err)
		return exitFailure
	}
	return exitOK
}

// runImport implements `kabinet register import persons`: its flags, and the outcome on standard
// error; package importer does the import.
func runImport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("register import persons", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, registerUsage) }
	dbf := dbFlag(fs, e)
	errPath := fs.String("errors", "", "file for the refused rows (default FILE.errors.csv)")
	resPath := fs.String("results", "", "file for the per-row results (default FILE.results.csv)")
	cpPath := fs.String("checkpoint", "", "checkpoint for resuming after a crash (default RESULTS.checkpoint)")
	restart := fs.Bool("restart", false, "ignore a checkpoint and read the file from the start")
	batch := fs.Int("batch", importer.DefaultBatch, "rows committed per transaction")
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
	in, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet register import: %s: %v\n", both("import.open"), err)
		return exitFailure
	}
	defer in.Close()
	// The file and its checkpoint are checked before the database is opened.
	p, err := importer.Prepare(in, importer.Options{ResultsPath: *resPath, ErrorsPath: *errPath, CheckpointPath: *cpPath, Restart: *restart,
		Batch: *batch, Database: dbf.dsn, Actor: cliActor, Progress: e.stderr})
	if err != nil {
		return fail(err)
	}
	db, err := openDB(ctx, dbf)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	svc, err := newApp(ctx, db, slog.New(slog.DiscardHandler))
	if err != nil {
		return fail(err)
	}
	c, err := p.Import(ctx, svc.Register)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(e.stderr, "done: rows %d, created %d, existing %d, review %d, refused %d\n",
		c.Rows, c.Created, c.Existing, c.Review, c.Refused)
	return exitOK
}

// both words a message of the command line in English and Russian, "english / русский".
func both(key string, args ...any) string {
	return i18n.T("en", key, args...) + " / " + i18n.T("ru", key, args...)
}
