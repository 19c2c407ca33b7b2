package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/tin"
)

func runCmd(t testing.TB, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

type tinLine struct {
	Input string            `json:"input"`
	Kind  string            `json:"kind"`
	Valid bool              `json:"valid"`
	Error string            `json:"error"`
	Parts map[string]string `json:"parts"`
}

func TestTinValidateArgs(t *testing.T) {
	code, out, _ := runCmd(t, "", "tin", "validate", "7707083893", "526317984689")
	if code != exitOK {
		t.Fatalf("exit %d, out %q", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "7707083893 valid") || !strings.HasPrefix(lines[1], "526317984689 valid") {
		t.Fatalf("output %q", out)
	}
	code, out, _ = runCmd(t, "", "tin", "validate", "7707083893", "7707083894")
	if code != exitFailure || !strings.Contains(out, "7707083894 invalid: TIN: check digit at position 10 is 4, want 3") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestTinValidateJSONStdin(t *testing.T) {
	in := "7707083893\r\n526317984689\n\n7707O83893\n\"\\\xff\n"
	code, out, _ := runCmd(t, in, "tin", "validate", "--json", "-")
	if code != exitFailure {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines: %q", len(lines), out)
	}
	var got []tinLine
	for _, l := range lines {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &raw); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for _, k := range []string{"input", "kind", "valid", "error", "parts"} {
			if _, ok := raw[k]; !ok {
				t.Fatalf("line %q lacks %q", l, k)
			}
		}
		var tl tinLine
		json.Unmarshal([]byte(l), &tl)
		got = append(got, tl)
	}
	if !got[0].Valid || got[0].Parts["tax_office"] != "7707" || got[0].Parts["type"] != "organization" || got[0].Error != "" || got[0].Kind != "inn" {
		t.Errorf("line 1: %+v", got[0])
	}
	if !got[1].Valid || got[1].Parts["type"] != "individual" {
		t.Errorf("line 2: %+v", got[1])
	}
	if got[2].Valid || got[2].Input != "" || !strings.Contains(got[2].Error, "empty") {
		t.Errorf("line 3 (blank): %+v", got[2])
	}
	if got[3].Valid || !strings.Contains(got[3].Error, "position 5") || len(got[3].Parts) != 0 {
		t.Errorf("line 4: %+v", got[3])
	}
	if got[4].Valid || got[4].Input != "\"\\\uFFFD" {
		t.Errorf("line 5: %+v", got[4])
	}
}

func TestTinValidateKinds(t *testing.T) {
	for _, tc := range []struct {
		kind, good, bad string
	}{
		{"kpp", "773601001", "770700001"},
		{"snils", "112-233-445 95", "112-233-445 96"},
		{"ogrn", "1027700132195", "1027700132196"},
		{"ogrnip", "304500116000157", "304500116000158"},
		{"kg", "21505199012345", "31505199012345"},
	} {
		if code, out, _ := runCmd(t, "", "tin", "validate", "--kind", tc.kind, "--json", tc.good); code != exitOK || !strings.Contains(out, `"valid":true`) || !strings.Contains(out, `"kind":"`+tc.kind+`"`) {
			t.Errorf("%s %s: exit %d %s", tc.kind, tc.good, code, out)
		}
		if code, out, _ := runCmd(t, "", "tin", "validate", "--kind="+tc.kind, tc.bad); code != exitFailure || !strings.Contains(out, "invalid") {
			t.Errorf("%s %s: exit %d %s", tc.kind, tc.bad, code, out)
		}
	}
}

func TestTinValidateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"tin"},
		{"tin", "check", "7707083893"},
		{"tin", "validate"},
		{"tin", "validate", "--kind", "passport", "1"},
		{"tin", "validate", "--bogus", "1"},
		{"nosuchcommand"},
	} {
		if code, _, errOut := runCmd(t, "", args...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// BenchmarkTinValidateStdin validates 1,000,000 lines from stdin and reports lines/s and the
// ratio of the time to a baseline that only reads the same lines and writes them out.
func BenchmarkTinValidateStdin(b *testing.B) {
	var src bytes.Buffer
	for i := 1; i <= 1_000_000; i++ {
		inn, _ := tin.NewIndividualINN("7707", i%999999+1)
		if i%10 == 0 {
			inn = inn[:11] + "x"
		}
		src.WriteString(inn)
		src.WriteByte('\n')
	}
	data := src.Bytes()
	var base time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		sc := bufio.NewScanner(bytes.NewReader(data))
		w := bufio.NewWriter(io.Discard)
		for sc.Scan() {
			w.Write(sc.Bytes())
			w.WriteByte('\n')
		}
		w.Flush()
		base += time.Since(t0)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := run(context.Background(), []string{"tin", "validate", "--json", "-"}, &env{stdin: bytes.NewReader(data), stdout: io.Discard, stderr: io.Discard})
		if code != exitFailure {
			b.Fatal(fmt.Sprint("exit ", code))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)*1e6/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(b.Elapsed())/float64(base), "x_baseline")
}
