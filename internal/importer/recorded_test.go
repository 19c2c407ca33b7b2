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
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/register/registertest"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TIN-6, REG-3: where the register records the TINs persons have (the kg profile) the file gives
// each person's in its first column, tin (or inn), and every row is recorded under it — once: a
// second run finds them; a file without the column is refused before any row is read (it would
// refuse every row), and a register that assigns TINs (REG-1) refuses a file with one.
func TestImportRecordedTINs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		reg := registertest.NewKyrgyzService(db)
		if err := reg.LoadOffices(ctx); err != nil {
			t.Fatal(err)
		}
		persons := demo.KyrgyzPersons(3, 7)
		var in bytes.Buffer
		if err := importer.WritePersons(&in, persons); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(in.String(), importer.RecordedHeader+"\n") {
			t.Fatalf("the header of persons with their TINs: %.300s", in.String())
		}
		dir := t.TempDir()
		opts := importer.Options{ResultsPath: filepath.Join(dir, "r.csv"), ErrorsPath: filepath.Join(dir, "e.csv"), Database: "test", Actor: registertest.Inspector}
		for run, want := range []string{"created", "existing"} {
			rep, err := importer.Import(ctx, reg, bytes.NewReader(in.Bytes()), opts)
			if err != nil || rep.Rows != len(persons) || rep.Refused != 0 {
				t.Fatalf("run %d: %+v %v\n%s", run, rep, err, readFile(t, opts.ErrorsPath))
			}
			recs := readCSV(t, opts.ResultsPath)
			for i, r := range recs[1:] {
				if r[1] != persons[i].TIN || r[2] != want {
					t.Fatalf("run %d, row %d: %v, want %s %s", run, i+1, r, persons[i].TIN, want)
				}
			}
		}
		tp, err := reg.Taxpayer(ctx, persons[4].TIN)
		if err != nil || tp.Person == nil || tp.Person.Surname != persons[4].Surname {
			t.Fatalf("the fifth person: %+v %v", tp, err)
		}
		// The column may be called inn.
		inn := strings.Replace(in.String(), importer.TINColumn+",", "inn,", 1)
		if rep, err := importer.Import(ctx, reg, strings.NewReader(inn), opts); err != nil || rep.Existing != len(persons) {
			t.Fatalf("inn: %+v %v", rep, err)
		}

		// Without the column: refused as a whole, before any row, saying what the file needs.
		var bare bytes.Buffer
		if err := importer.WritePersons(&bare, stripTINs(persons)); err != nil {
			t.Fatal(err)
		}
		noCol := importer.Options{ResultsPath: filepath.Join(dir, "r2.csv"), ErrorsPath: filepath.Join(dir, "e2.csv"), Database: "test", Actor: registertest.Inspector}
		_, err = importer.Import(ctx, reg, bytes.NewReader(bare.Bytes()), noCol)
		if err == nil || !strings.Contains(err.Error(), "first column tin") || !strings.Contains(err.Error(), "в первом столбце tin") ||
			!strings.Contains(err.Error(), importer.RecordedHeader) {
			t.Fatalf("a kg file without TINs: %v", err)
		}
		if _, err := os.Stat(noCol.ResultsPath); !os.IsNotExist(err) {
			t.Errorf("the refused file left results: %v", err)
		}

		// A register that assigns TINs takes no TIN column.
		_, err = importer.Import(ctx, registertest.NewService(db), bytes.NewReader(in.Bytes()), noCol)
		if err == nil || !strings.Contains(err.Error(), "assigns TINs itself") || !strings.Contains(err.Error(), "сам присваивает ИНН") {
			t.Fatalf("a file with TINs for a register that assigns them: %v", err)
		}
	})
}

// A row of a file with TINs has one column more; a row with one too few is refused with the
// count it needs.
func TestParseRecordedRow(t *testing.T) {
	var in bytes.Buffer
	if err := importer.WritePersons(&in, []register.PersonInput{registertest.KyrgyzPerson(5)}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&in).ReadAll()
	if err != nil || len(recs) != 2 || len(recs[1]) != len(importer.Columns)+1 {
		t.Fatalf("%v %v", recs, err)
	}
	if _, msg := importer.ParsePersonRow(recs[1]); msg == nil || !strings.Contains(msg.In("en"), "expected 20") {
		t.Fatalf("the row with its TIN read as one without: %v", msg)
	}
}

// stripTINs returns the persons without their TINs.
func stripTINs(ps []register.PersonInput) []register.PersonInput {
	out := make([]register.PersonInput, len(ps))
	for i, p := range ps {
		p.TIN = ""
		out[i] = p
	}
	return out
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, _ := os.ReadFile(path)
	return string(b)
}
