package streebog

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func reverse(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}

// RFC 6986 section 10: the messages are written there as numbers, so their byte strings are the
// reversed hex; the digests are written as the tools print them.
func TestRFC6986(t *testing.T) {
	m1, _ := hex.DecodeString("323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130")
	m2, _ := hex.DecodeString("fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1")
	cases := []struct {
		msg        []byte
		d512, d256 string
	}{
		{reverse(m1),
			"1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
			"9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"},
		{reverse(m2),
			"1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
			"9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"},
	}
	for i, tc := range cases {
		if got := Sum512(tc.msg); hex.EncodeToString(got[:]) != tc.d512 {
			t.Errorf("M%d 512: %x", i+1, got)
		}
		if got := Sum256(tc.msg); hex.EncodeToString(got[:]) != tc.d256 {
			t.Errorf("M%d 256: %x", i+1, got)
		}
	}
}

// Against Debian's gost12sum on random inputs of many lengths.
func TestGost12sum(t *testing.T) {
	bin, err := exec.LookPath("gost12sum")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gost12sum required under CI=true (package gostsum)")
		}
		t.Skip("gost12sum not installed")
	}
	for _, n := range []int{0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 1000, 4096, 65537} {
		msg := make([]byte, n)
		rand.Read(msg)
		for _, long := range []bool{false, true} {
			args := []string{}
			want := ""
			if long {
				args = append(args, "-l")
				d := Sum512(msg)
				want = hex.EncodeToString(d[:])
			} else {
				d := Sum256(msg)
				want = hex.EncodeToString(d[:])
			}
			cmd := exec.Command(bin, args...)
			cmd.Stdin = bytes.NewReader(msg)
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Fields(string(out))[0]; got != want {
				t.Errorf("len %d long=%v: gost12sum %s, ours %s", n, long, got, want)
			}
		}
	}
}

func TestStreaming(t *testing.T) {
	msg := make([]byte, 1000)
	rand.Read(msg)
	for _, split := range []int{0, 1, 63, 64, 65, 500, 999} {
		h := New256()
		h.Write(msg[:split])
		mid := h.Sum(nil) // Sum must not disturb the state
		h.Write(msg[split:])
		want := Sum256(msg)
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("split %d: %x != %x", split, got, want)
		}
		if w := Sum256(msg[:split]); !bytes.Equal(mid, w[:]) {
			t.Fatalf("intermediate Sum at %d wrong", split)
		}
		h.Reset()
		h.Write(msg)
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatal("after Reset")
		}
	}
	if New512().Size() != 64 || New256().Size() != 32 || New256().BlockSize() != 64 {
		t.Fatal("sizes")
	}
}

func FuzzStreebog(f *testing.F) {
	f.Add([]byte("hello"), uint8(3))
	f.Add(make([]byte, 200), uint8(64))
	f.Fuzz(func(t *testing.T, msg []byte, chunk uint8) {
		c := int(chunk) + 1
		h := New512()
		for i := 0; i < len(msg); i += c {
			end := i + c
			if end > len(msg) {
				end = len(msg)
			}
			h.Write(msg[i:end])
		}
		want := Sum512(msg)
		if !bytes.Equal(h.Sum(nil), want[:]) {
			t.Fatal("streaming differs from one-shot")
		}
	})
}
