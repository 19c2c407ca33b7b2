package streebog

import (
	"crypto/sha256"
	"hash"
	"testing"
)

func benchHash(b *testing.B, h hash.Hash, n int) {
	buf := make([]byte, n)
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.Reset()
		h.Write(buf)
		h.Sum(nil)
	}
}

// Throughput beside crypto/sha256 on the same inputs; benchstat or the MB/s column gives the ratio.
func BenchmarkStreebog256_8K(b *testing.B) { benchHash(b, New256(), 8<<10) }
func BenchmarkStreebog512_8K(b *testing.B) { benchHash(b, New512(), 8<<10) }
func BenchmarkSHA256_8K(b *testing.B)      { benchHash(b, sha256.New(), 8<<10) }
func BenchmarkStreebog256_1M(b *testing.B) { benchHash(b, New256(), 1<<20) }
func BenchmarkSHA256_1M(b *testing.B)      { benchHash(b, sha256.New(), 1<<20) }
