package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/importer"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// readResults maps the line number of each row to its TIN from a results file.
func readResults(t *testing.T, path string) map[int]string {
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
	out := map[int]string{}
	for _, r := range recs[1:] {
		n, err := strconv.Atoi(r[0])
		if err != nil {
			t.Fatal(err)
		}
		out[n] = r[1]
	}
	return out
}

// TestImportCrashSafe kills the import with SIGKILL after some batches are committed and checks
// that a re-run gives every row exactly one TIN, and that committed rows keep theirs (REG-3).
func TestImportCrashSafe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kabinet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 3000
	dir := t.TempDir()
	file := filepath.Join(dir, "persons.csv")
	var buf bytes.Buffer
	if err := importer.WritePersons(&buf, demo.Persons(7, n)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	dbs := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "k.db") },
		"postgres": func(t *testing.T) string { return storetest.URL(t) },
	}
	for name, dsn := range dbs {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			res1 := filepath.Join(t.TempDir(), "first.csv")
			cmd := exec.Command(bin, "register", "import", "persons", file, "--db", db, "--batch", "50", "--results", res1,
				"--errors", filepath.Join(t.TempDir(), "e.csv"))
			cmd.Env = append(os.Environ(), "KABINET_DB=")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			batches := 0
			for sc.Scan() && batches < 3 {
				if strings.HasPrefix(sc.Text(), "rows ") {
					batches++
				}
			}
			if batches < 3 {
				t.Fatalf("the import ended before three batches were committed")
			}
			cmd.Process.Signal(syscall.SIGKILL)
			go func() {
				for sc.Scan() {
				}
			}()
			cmd.Wait()
			first := readResults(t, res1) // rows whose batch committed and were flushed before the kill
			if len(first) == 0 || len(first) >= n {
				t.Fatalf("first run recorded %d rows, want some but not all", len(first))
			}

			res2 := filepath.Join(t.TempDir(), "second.csv")
			out, err := exec.Command(bin, "register", "import", "persons", file, "--db", db, "--results", res2,
				"--errors", filepath.Join(t.TempDir(), "e2.csv")).CombinedOutput()
			if err != nil {
				t.Fatalf("re-run: %v\n%s", err, out)
			}
			second := readResults(t, res2)
			if len(second) != n {
				t.Fatalf("re-run gave %d results, want %d\n%s", len(second), n, out)
			}
			seen := map[string]int{}
			for line, tin := range second {
				if tin == "" {
					t.Fatalf("line %d has no TIN", line)
				}
				if prev, ok := seen[tin]; ok {
					t.Fatalf("TIN %s given to lines %d and %d", tin, prev, line)
				}
				seen[tin] = line
				if old, ok := first[line]; ok && old != tin {
					t.Fatalf("line %d: TIN %s before the crash, %s after", line, old, tin)
				}
			}
			st, err := store.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var count int
			if err := st.SQL.QueryRow("SELECT count(*) FROM reg_taxpayers").Scan(&count); err != nil {
				t.Fatal(err)
			}
			if count != n {
				t.Fatalf("the register holds %d taxpayers after the re-run, want %d", count, n)
			}
			if !strings.Contains(string(out), "done: rows "+strconv.Itoa(n)) {
				t.Fatalf("summary missing: %s", out)
			}
		})
	}
}

// TestImportResume kills the import after some batches and runs the same command again: it
// resumes after the last checkpoint, and the output files end with every line exactly once.
func TestImportResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kabinet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 3000
	dir := t.TempDir()
	file := filepath.Join(dir, "persons.csv")
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf")
	if err := importer.WritePersons(&buf, demo.Persons(11, n)); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("short,row\n") // one refused row, in the errors file
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "k.db")
	args := []string{"register", "import", "persons", file, "--db", db, "--batch", "50"}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KABINET_DB=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	batches := 0
	for sc.Scan() && batches < 4 {
		if strings.HasPrefix(sc.Text(), "rows ") {
			batches++
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Wait()
	if batches < 4 {
		t.Fatal("the import ended before four batches were committed")
	}
	results := filepath.Join(dir, "persons.results.csv")
	first := readResults(t, results)
	cp := results + ".checkpoint"
	if _, err := os.Stat(cp); err != nil {
		t.Fatalf("no checkpoint after the kill: %v", err)
	}
	// What a run writes after its last checkpoint is written again by the resumed run: simulate
	// outcomes flushed just before the kill, which the resumed run must cut away.
	for _, name := range []string{results, filepath.Join(dir, "persons.errors.csv")} {
		f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("999999,000000000000,created\n")
		f.Close()
	}

	// A changed input file is not resumed.
	changed := filepath.Join(dir, "changed.csv")
	os.WriteFile(changed, append(buf.Bytes(), "short,row\n"...), 0o600)
	os.Rename(file, file+".orig")
	os.Rename(changed, file)
	c := exec.Command(bin, args...)
	c.Env = cmd.Env
	out, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--restart") || !strings.Contains(string(out), "другому файлу") {
		t.Fatalf("a changed file was resumed: %v\n%s", err, out)
	}
	os.Rename(file+".orig", file)

	c = exec.Command(bin, args...)
	c.Env = cmd.Env
	out, err = c.CombinedOutput()
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`resuming after line (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the re-run did not resume:\n%s", out)
	}
	if after, _ := strconv.Atoi(string(m[1])); after < 1+3*50 {
		t.Fatalf("resumed after line %d, want at least the three committed batches", after)
	}
	if !strings.Contains(string(out), "done: rows "+strconv.Itoa(n+1)+",") || !strings.Contains(string(out), "refused 1") {
		t.Fatalf("summary:\n%s", out)
	}
	if _, err := os.Stat(cp); !os.IsNotExist(err) {
		t.Fatalf("the checkpoint is left after a complete run: %v", err)
	}
	// Every data line once: lines 2..n+1 in the results, line n+2 in the errors.
	f, _ := os.Open(results)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	lines := map[int]bool{}
	tins := map[string]bool{}
	for _, r := range recs[1:] {
		l, _ := strconv.Atoi(r[0])
		if lines[l] || tins[r[1]] || r[1] == "" {
			t.Fatalf("line %d (TIN %q) reported twice or without a TIN", l, r[1])
		}
		if l > n+2 {
			t.Fatalf("line %d written after the checkpoint survived the resumed run", l)
		}
		lines[l], tins[r[1]] = true, true
		if old, ok := first[l]; ok && old != r[1] {
			t.Fatalf("line %d: TIN %s before the crash, %s after", l, old, r[1])
		}
	}
	for l := 2; l <= n+1; l++ {
		if !lines[l] {
			t.Fatalf("line %d missing from the results", l)
		}
	}
	errs, _ := os.ReadFile(filepath.Join(dir, "persons.errors.csv"))
	if strings.Contains(string(errs), "999999") {
		t.Fatalf("a line written after the checkpoint survived in the errors file:\n%s", errs)
	}
	if got := strings.Count(string(errs), "\n"+strconv.Itoa(n+2)+","); got != 1 {
		t.Fatalf("the refused line %d is reported %d times:\n%s", n+2, got, errs)
	}
}

// TestImportBadRows checks that bad rows are reported with line and reason, in both languages,
// without stopping the import.
func TestImportBadRows(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p.csv")
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf")
	if err := importer.WritePersons(&buf, demo.Persons(3, 5)); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("short,row\n")
	buf.WriteString("Петров,Пётр,Петрович,01.02.1990,Москва,male,RUS,passport_ru,4500,123456,2010-01-01,,residence,7701,77,101000,Москва,Тверская,1,1\n")
	buf.WriteString("Петров,Пётр,Петрович,1990-02-01,Москва,alien,RUS,passport_ru,4500,123456,2010-01-01,,residence,7701,77,101000,Москва,Тверская,1,1\n")
	os.WriteFile(file, buf.Bytes(), 0o600)
	var stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, getenv: func(string) string { return "" }}
	code := runRegister(context.Background(), e, []string{"import", "persons", file, "--db", filepath.Join(dir, "k.db")})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "created 5, existing 0, review 0, refused 3") {
		t.Fatalf("summary: %s", stderr.String())
	}
	if strings.Contains(stderr.String(), "123456") || strings.Contains(stderr.String(), "Петров") {
		t.Fatalf("personal data in progress output: %s", stderr.String())
	}
	errs, _ := os.ReadFile(filepath.Join(dir, "p.errors.csv"))
	for _, want := range []string{`7,"the row has 2 columns`, "8,birth_date: not a date", "не дата", "\n9,"} {
		if !strings.Contains(string(errs), want) {
			t.Errorf("errors file lacks %q:\n%s", want, errs)
		}
	}
	// Bad header.
	os.WriteFile(file, []byte("a,b\n"), 0o600)
	if code := runRegister(context.Background(), e, []string{"import", "persons", file, "--db", filepath.Join(dir, "k.db")}); code != exitFailure {
		t.Fatalf("bad header: exit %d", code)
	}
}

// TestImportSNILSOfAnotherPerson: a row with the СНИЛС of a person on record (or of an earlier
// row) whose name and birth date differ is held for review, never reported as that person's
// TIN (REG-3); a row with a control character in a field is refused, whether the person on
// record was committed in an earlier batch or is in the same one.
func TestImportSNILSOfAnotherPerson(t *testing.T) {
	for _, batch := range []string{"1", "5000"} {
		t.Run("batch "+batch, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "p.csv")
			rows := importer.Header + "\n" +
				"Петров,Пётр,Петрович,1990-02-01,Москва,male,RUS,passport_ru,4500,123456,2010-01-01,112-233-445 95,residence,7701,77,101000,Москва,Тверская,1,1\n" +
				"Сидорова,Анна,Ивановна,1985-07-15,Казань,female,RUS,passport_ru,9200,654321,2005-08-01,112-233-445 95,residence,7701,77,101000,Москва,Тверская,2,2\n" +
				"Кузнецов,Иван,Ильич,1970-03-03,Тверь,male,RUS,passport_ru,2800,222222,1995-04-04,,residence,7701,77,101000,Мос\x1bква,Тверская,3,3\n" +
				"Кузнецов,Иван,Ильич,1970-03-03,Тверь,male,RUS,passport_ru,2800,222222,1995-04-04,,residence,7701,77,101000,Москва,\"Тверская\n4\",3,3\n"
			if err := os.WriteFile(file, []byte(rows), 0o600); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, getenv: func(string) string { return "" }}
			if code := runRegister(context.Background(), e, []string{"import", "persons", file, "--db", filepath.Join(dir, "k.db"), "--batch", batch}); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "created 1, existing 0, review 1, refused 2") {
				t.Fatalf("summary: %s", stderr.String())
			}
			f, _ := os.Open(filepath.Join(dir, "p.results.csv"))
			recs, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil || len(recs) != 3 {
				t.Fatalf("results: %v %v", recs, err)
			}
			if recs[1][0] != "2" || recs[1][2] != "created" || recs[2][0] != "3" || recs[2][1] != "" || recs[2][2] != "review" {
				t.Fatalf("outcomes: %v", recs)
			}
			errs, _ := os.ReadFile(filepath.Join(dir, "p.errors.csv"))
			for _, want := range []string{"\n4,", "address.city: City or town contains a control character", "address.street:", "управляющий символ"} {
				if !strings.Contains(string(errs), want) {
					t.Errorf("errors file lacks %q:\n%s", want, errs)
				}
			}
		})
	}
}
