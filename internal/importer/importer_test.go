package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/importer"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

// cancelAfter cancels an import once it has reported n batches.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
	out    bytes.Buffer
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("rows ")) {
		if c.n--; c.n == 0 {
			c.cancel()
		}
	}
	return c.out.Write(p)
}

// TestImportResumesFromReader: an import from a reader that is not a file (as a job would give
// it) stops after its second batch; the same import again resumes after the checkpoint, and the
// results list every row once with one TIN each.
func TestImportResumesFromReader(t *testing.T) {
	db := storetest.SQLite(t)
	reg := registertest.NewService(db)
	var in bytes.Buffer
	if err := importer.WritePersons(&in, demo.Persons(5, 9)); err != nil {
		t.Fatal(err)
	}
	data := in.Bytes()
	dir := t.TempDir()
	opts := importer.Options{ResultsPath: filepath.Join(dir, "r.csv"), ErrorsPath: filepath.Join(dir, "e.csv"), Batch: 2,
		Database: "test", Actor: registertest.Inspector}
	ctx, cancel := context.WithCancel(context.Background())
	stop := &cancelAfter{n: 2, cancel: cancel}
	opts.Progress = stop
	if _, err := importer.Import(ctx, reg, bytes.NewReader(data), opts); err == nil {
		t.Fatalf("the import did not stop: %s", stop.out.String())
	}
	if _, err := os.Stat(opts.ResultsPath + ".checkpoint"); err != nil {
		t.Fatalf("no checkpoint: %v", err)
	}
	var progress bytes.Buffer
	opts.Progress = &progress
	rep, err := importer.Import(context.Background(), reg, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "resuming after line 5") || rep.Rows != 9 || rep.Created != 9 {
		t.Fatalf("report %+v, progress:\n%s", rep, progress.String())
	}
	f, err := os.Open(opts.ResultsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 10 {
		t.Fatalf("results: %v %v", recs, err)
	}
	lines, tins := map[string]bool{}, map[string]bool{}
	for _, r := range recs[1:] {
		if lines[r[0]] || tins[r[1]] || r[1] == "" || r[2] != "created" {
			t.Fatalf("results: %v", recs)
		}
		lines[r[0]], tins[r[1]] = true, true
	}
	if _, err := os.Stat(opts.ResultsPath + ".checkpoint"); !os.IsNotExist(err) {
		t.Fatalf("the checkpoint is left after a complete run: %v", err)
	}
	// A checkpoint of another input or database is not resumed from.
	if err := os.WriteFile(opts.ResultsPath+".checkpoint", []byte(`{"version":1,"db":"other"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Prepare(bytes.NewReader(data), opts); err == nil || !strings.Contains(err.Error(), "--restart") {
		t.Fatalf("a checkpoint of another database: %v", err)
	}
}

// TestPrepareHeader: the header row is required, after an optional byte order mark.
func TestPrepareHeader(t *testing.T) {
	opts := importer.Options{ResultsPath: filepath.Join(t.TempDir(), "r.csv"), ErrorsPath: filepath.Join(t.TempDir(), "e.csv")}
	for _, in := range []string{importer.Header + "\n", "\xef\xbb\xbf" + importer.Header + "\r\n", " " + strings.ReplaceAll(importer.Header, ",", " , ")} {
		if _, err := importer.Prepare(strings.NewReader(in), opts); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	for _, in := range []string{"", "a,b\n", "\xef\xbb\xbf\xef\xbb\xbf" + importer.Header + "\n"} {
		if _, err := importer.Prepare(strings.NewReader(in), opts); err == nil || !strings.Contains(err.Error(), importer.Header) {
			t.Errorf("%q: %v", in, err)
		}
	}
}
