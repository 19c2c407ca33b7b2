package tin

import (
	"testing"
	"time"
)

// baseline is the cheapest possible check of a number: all ASCII digits. Each benchmark reports
// its time as a ratio to this baseline measured in the same run (x_baseline).
func baseline(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func benchRatio(b *testing.B, in string, parse func(string) error) {
	b.Helper()
	b.ReportAllocs()
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		if !baseline(in) {
			b.Fatal("baseline")
		}
	}
	base := time.Since(t0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := parse(in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if base > 0 {
		b.ReportMetric(float64(b.Elapsed())/float64(base), "x_baseline")
	}
}

func BenchmarkParseINN10(b *testing.B) {
	benchRatio(b, "7707083893", func(s string) error { _, err := ParseINN(s); return err })
}
func BenchmarkParseINN12(b *testing.B) {
	benchRatio(b, "526317984689", func(s string) error { _, err := ParseINN(s); return err })
}
func BenchmarkParseKPP(b *testing.B) {
	benchRatio(b, "773601001", func(s string) error { _, err := ParseKPP(s); return err })
}
func BenchmarkParseSNILS(b *testing.B) {
	benchRatio(b, "11223344595", func(s string) error { _, err := ParseSNILS(s); return err })
}
func BenchmarkParseOGRN(b *testing.B) {
	benchRatio(b, "1027700132195", func(s string) error { _, err := ParseOGRN(s); return err })
}
func BenchmarkParseOGRNIP(b *testing.B) {
	benchRatio(b, "304500116000157", func(s string) error { _, err := ParseOGRNIP(s); return err })
}
func BenchmarkParseKG(b *testing.B) {
	benchRatio(b, "21505199012345", func(s string) error { _, err := ParseKG(s); return err })
}
