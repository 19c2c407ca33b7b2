package password

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h := NewHasher(2)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "Correct-Horse-7")
	if err != nil || !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("%q %v", enc, err)
	}
	if ok, err := h.Verify(ctx, enc, "Correct-Horse-7"); !ok || err != nil {
		t.Fatal("right password refused")
	}
	if ok, _ := h.Verify(ctx, enc, "correct-horse-7"); ok {
		t.Fatal("wrong password accepted")
	}
	enc2, _ := h.Hash(ctx, "Correct-Horse-7")
	if enc2 == enc {
		t.Fatal("same salt twice")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", strings.Replace(enc, "m=19456", "m=99999999", 1)} {
		if _, err := h.Verify(ctx, bad, "x"); err != ErrMalformed {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The semaphore holds: never more than the bound hash at once, and waiting respects the context.
func TestBoundedConcurrency(t *testing.T) {
	h := NewHasherWith(Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 2)
	var peak atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.Hash(context.Background(), "pw")
			if n := int32(h.InUse()); n > peak.Load() {
				peak.Store(n)
			}
		}()
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Fatalf("peak %d > 2", peak.Load())
	}
	h.sem <- struct{}{}
	h.sem <- struct{}{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); err == nil {
		t.Fatal("hash ran past a full semaphore with a cancelled context")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Fuzz(func(t *testing.T, s string) {
		p, _, _, err := Decode(s)
		if err == nil && (p.Memory > 1<<22 || p.Time > 100) {
			t.Fatal("accepted unbounded parameters")
		}
	})
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(0)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Hash(context.Background(), "Correct-Horse-7")
		}
	})
}
