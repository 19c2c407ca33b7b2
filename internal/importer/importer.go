// Package importer is the bulk import of individuals into the register (docs/import.md). It reads
// a CSV file of persons and registers them in batches with the register's own rules
// (register.Service.RegisterPersons, REG-1…REG-4: a person already registered keeps the TIN they
// have), writes the outcome of every row to a results file and each refused row with its reasons
// to an errors file, and after each committed batch a checkpoint from which a run stopped even by
// kill -9 resumes. The command `kabinet register import persons` runs it; a job could as well. It
// holds no rule of the register and prints nothing but progress to the writer it is given.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
)

// Options configure an import.
type Options struct {
	// ResultsPath and ErrorsPath name the files of the outcome of every row (line,tin,outcome) and
	// of the refused rows (line,reason,причина). Both are required.
	ResultsPath, ErrorsPath string
	// CheckpointPath names the checkpoint: the results file's name with ".checkpoint" when empty.
	CheckpointPath string
	// Restart ignores a checkpoint and reads the input from the start.
	Restart bool
	// Batch is how many rows are committed per transaction: DefaultBatch when not positive.
	Batch int
	// Database names the database the rows go into (its name or URL): a checkpoint written for
	// another database is refused. Only its hash is kept.
	Database string
	// Actor registers the rows (the audit log names it).
	Actor audit.Actor
	// Progress receives, after each batch, a line of counts (no personal data); nil for none.
	Progress io.Writer
}

// DefaultBatch is how many rows an import commits per transaction unless told otherwise: larger
// batches are faster, and a crash loses at most one.
const DefaultBatch = 5000

// Report counts the rows of an import (no personal data).
type Report struct {
	Rows     int `json:"rows"`
	Created  int `json:"created"`
	Existing int `json:"existing"`
	Review   int `json:"review"`
	Refused  int `json:"refused"`
}

// Prepared is an import whose input header and checkpoint are checked, ready to register its
// rows: a command checks its input before it opens the database.
type Prepared struct {
	opts  Options
	in    *bufio.Reader
	id    inputID
	start int64 // byte offset of the first row to read: after the header, or at the checkpoint
	cp    *checkpoint
	tin   bool // the file has the persons' own TINs, its first column (RecordedHeader)
}

// Import registers every row of in (Prepare, then Prepared.Import).
func Import(ctx context.Context, reg *register.Service, in io.Reader, opts Options) (Report, error) {
	p, err := Prepare(in, opts)
	if err != nil {
		return Report{}, err
	}
	return p.Import(ctx, reg)
}

// Prepare checks the input's header (after an optional byte order mark) and, unless
// opts.Restart, reads the checkpoint an earlier run of the same input into the same database left:
// the import resumes after it. A checkpoint of another input or database is refused.
func Prepare(in io.Reader, opts Options) (*Prepared, error) {
	if opts.ResultsPath == "" || opts.ErrorsPath == "" {
		return nil, errors.New("importer: the results and errors files are required")
	}
	if opts.CheckpointPath == "" {
		opts.CheckpointPath = opts.ResultsPath + ".checkpoint"
	}
	if opts.Batch < 1 {
		opts.Batch = DefaultBatch
	}
	br := bufio.NewReaderSize(in, headSize)
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF {
		return nil, err
	}
	id, err := identify(in, head)
	if err != nil {
		return nil, err
	}
	base := 0 // where the header starts: after a byte order mark
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		base = 3
	}
	hr := csv.NewReader(bytes.NewReader(head[base:]))
	hr.FieldsPerRecord = -1
	rec, err := hr.Read()
	rec = trimAll(rec)
	tin := len(rec) > 0 && slices.Contains(tinColumns, strings.ToLower(rec[0]))
	if tin {
		rec = rec[1:]
	}
	if err != nil || strings.Join(rec, ",") != Header {
		return nil, errors.New(both("import.header") + ":\n" + Header + "\n" + both("import.header_tin") + ":\n" + RecordedHeader)
	}
	p := &Prepared{opts: opts, in: br, id: id, start: int64(base) + hr.InputOffset(), tin: tin}
	if opts.Restart {
		return p, nil
	}
	if p.cp, err = readCheckpoint(opts.CheckpointPath); err != nil {
		return nil, fmt.Errorf("%w; %s", err, both("import.restart"))
	}
	if p.cp != nil {
		if p.cp.Input != id || p.cp.DB != dbID(opts.Database) {
			return nil, errors.New(both("import.foreign_checkpoint", opts.CheckpointPath))
		}
		p.start = p.cp.Offset
	}
	return p, nil
}

// run is one import under way.
type run struct {
	*Prepared
	reg      *register.Service
	cr       *csv.Reader
	lineBase int // lines of the input before the reader's start
	c        Report
	ef, rf   *os.File
	ew, rw   *csv.Writer
	rows     []register.PersonInput
	lines    []int
	began    time.Time
	done0    int // rows done before this run
}

// Import registers the rows, batch after batch, writes their outcomes and the checkpoints, and
// removes the checkpoint at the end of the input. A file that does not fit the register's
// jurisdiction is refused before any row is read (fits).
func (p *Prepared) Import(ctx context.Context, reg *register.Service) (Report, error) {
	if err := p.fits(reg); err != nil {
		return Report{}, err
	}
	r := &run{Prepared: p, reg: reg}
	var err error
	if r.lineBase, err = skip(p.in, p.start); err != nil {
		return Report{}, err
	}
	r.cr = csv.NewReader(p.in)
	r.cr.FieldsPerRecord = -1
	if p.cp != nil {
		r.c = p.cp.Counts
	}
	if err := r.openOutputs(); err != nil {
		return r.c, err
	}
	defer r.ef.Close()
	defer r.rf.Close()
	if p.cp != nil {
		r.progress(both("import.resuming", r.lineBase))
	}
	r.began, r.done0 = time.Now(), r.c.Rows
	if err := r.readAll(ctx); err != nil {
		return r.c, err
	}
	if err := os.Remove(p.opts.CheckpointPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return r.c, err
	}
	return r.c, nil
}

// fits refuses a file whose TINs do not fit the register: a register that records the TINs
// persons have (TIN-6, the kg profile) needs each person's in the column tin, or every row would
// be refused; one that assigns them (REG-1) takes none.
func (p *Prepared) fits(reg *register.Service) error {
	code := reg.Profile().Code
	switch {
	case reg.Recorded() && !p.tin:
		return errors.New(both("import.tin_needed", code) + ":\n" + RecordedHeader)
	case !reg.Recorded() && p.tin:
		return errors.New(both("import.tin_assigned", code) + ":\n" + Header)
	}
	return nil
}

// openOutputs creates the results and errors files, or reopens those of the interrupted run
// cut back to their sizes at the checkpoint.
func (r *run) openOutputs() error {
	var err error
	if r.cp != nil {
		if r.ef, err = reopenAt(r.opts.ErrorsPath, r.cp.ErrorsSize); err == nil {
			if r.rf, err = reopenAt(r.opts.ResultsPath, r.cp.ResultsSize); err != nil {
				r.ef.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("%w; %s", err, both("import.restart"))
		}
	} else {
		if r.ef, err = os.Create(r.opts.ErrorsPath); err == nil {
			if r.rf, err = os.Create(r.opts.ResultsPath); err != nil {
				r.ef.Close()
			}
		}
		if err != nil {
			return err
		}
	}
	r.ew, r.rw = csv.NewWriter(r.ef), csv.NewWriter(r.rf)
	if r.cp == nil {
		r.ew.Write([]string{"line", "reason", i18n.T("ru", "import.reason")})
		r.rw.Write([]string{"line", "tin", "outcome"})
	}
	return nil
}

// readAll reads the rows to the end of the input: a row that cannot be read is refused at once,
// the others are registered a batch at a time.
func (r *run) readAll(ctx context.Context) error {
	for {
		rec, err := r.cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.cr.FieldPos(0)
		line += r.lineBase
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			r.c.Refused++
			r.c.Rows++
			m := problem.Msg("import.csv")
			r.ew.Write([]string{strconv.Itoa(pe.Line + r.lineBase), m.In("en") + ": " + pe.Err.Error(), m.In("ru")})
			continue
		}
		p, msg := parseRow(rec, r.tin)
		if msg != nil {
			r.c.Refused++
			r.c.Rows++
			r.ew.Write([]string{strconv.Itoa(line), msg.In("en"), msg.In("ru")})
			continue
		}
		r.rows = append(r.rows, p)
		r.lines = append(r.lines, line)
		if len(r.rows) >= r.opts.Batch {
			if err := r.flush(ctx); err != nil {
				return err
			}
		}
	}
	return r.flush(ctx)
}

// flush registers the pending rows in one transaction, writes their outcomes and then the
// checkpoint: a crash before the checkpoint makes a re-run repeat this batch, which REG-3
// answers with the TINs just committed.
func (r *run) flush(ctx context.Context) error {
	if len(r.rows) > 0 {
		res, err := r.reg.RegisterPersons(ctx, r.opts.Actor, r.rows)
		if err != nil {
			return err
		}
		for i, row := range res {
			r.write(r.lines[i], row)
		}
		r.c.Rows += len(r.rows)
		r.rows, r.lines = r.rows[:0], r.lines[:0]
	}
	r.ew.Flush()
	r.rw.Flush()
	if err := errors.Join(r.ew.Error(), r.rw.Error(), r.ef.Sync(), r.rf.Sync()); err != nil {
		return err
	}
	es, err1 := r.ef.Seek(0, io.SeekCurrent)
	rs, err2 := r.rf.Seek(0, io.SeekCurrent)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	el := time.Since(r.began).Seconds()
	r.progress(fmt.Sprintf("rows %d (%.0f/s): created %d, existing %d, review %d, refused %d",
		r.c.Rows, float64(r.c.Rows-r.done0)/max(el, 1e-9), r.c.Created, r.c.Existing, r.c.Review, r.c.Refused))
	return writeCheckpoint(r.opts.CheckpointPath, &checkpoint{Version: checkpointVersion, Input: r.id, DB: dbID(r.opts.Database),
		Offset: r.start + r.cr.InputOffset(), ResultsSize: rs, ErrorsSize: es, Counts: r.c})
}

// write records the outcome of the row at line: refused with its reasons, held for review, or
// its TIN, new or existing.
func (r *run) write(line int, res register.BatchResult) {
	l := strconv.Itoa(line)
	switch {
	case res.Err != nil:
		r.c.Refused++
		en, ru := reasons(res.Err)
		r.ew.Write([]string{l, en, ru})
	case res.Review != nil:
		r.c.Review++
		r.rw.Write([]string{l, "", "review"})
	case res.Taxpayer != nil && res.Created:
		r.c.Created++
		r.rw.Write([]string{l, res.Taxpayer.TIN, "created"})
	case res.Taxpayer != nil:
		r.c.Existing++
		r.rw.Write([]string{l, res.Taxpayer.TIN, "existing"})
	}
}

// progress writes a line of progress, when the import was given a writer for it.
func (r *run) progress(line string) {
	if r.opts.Progress != nil {
		fmt.Fprintln(r.opts.Progress, line)
	}
}
