package tin

import (
	"testing"
	"time"
)

func seeds(f *testing.F, s ...string) {
	for _, x := range s {
		f.Add(x)
	}
}

func FuzzParseINN(f *testing.F) {
	seeds(f, "7707083893", "526317984689", "9909012345", "", "７７０７", "\xff\xfe", "12345678901234567890")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseINN(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			_ = err.Error()
			_ = err.(*Error).Error()
			return
		}
		// A valid number rebuilds to itself from its parts.
		var rebuilt string
		n := 0
		for _, c := range v.Serial {
			n = n*10 + int(c-'0')
		}
		if v.Type == Individual {
			rebuilt, err = NewIndividualINN(v.TaxOffice, n)
		} else {
			rebuilt, err = NewOrganizationINN(v.TaxOffice, n)
		}
		if n > 0 && (err != nil || rebuilt != v.Digits) {
			t.Fatalf("%q rebuilt as %q, %v", v.Digits, rebuilt, err)
		}
	})
}

func FuzzParseKPP(f *testing.F) {
	seeds(f, "773601001", "7707AB001", "770700001", "", "7707Я1001")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseKPP(s)
		if err == nil && (len(v.Digits) != 9 || v.Reason == "00") {
			t.Fatalf("accepted %q", s)
		}
		if err != nil {
			_ = err.(*Error).Error()
		}
	})
}

func FuzzParseSNILS(f *testing.F) {
	seeds(f, "112-233-445 95", "11223344595", "112-233-445-95", "", "---------- --")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSNILS(s)
		if err == nil {
			if len(v.Digits) != 11 {
				t.Fatalf("accepted %q as %q", s, v.Digits)
			}
			if w, err := ParseSNILS(v.Format()); err != nil || w.Digits != v.Digits {
				t.Fatalf("format round trip of %q: %v", s, err)
			}
		} else {
			_ = err.(*Error).Error()
		}
	})
}

func FuzzParseOGRN(f *testing.F) {
	seeds(f, "1027700132195", "304500116000157", "", "x")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ParseOGRN(s); err != nil {
			_ = err.(*Error).Error()
		}
		if _, err := ParseOGRNIP(s); err != nil {
			_ = err.(*Error).Error()
		}
	})
}

func FuzzParseKG(f *testing.F) {
	seeds(f, "02507199510010", "21505199012345", "99999999999999", "")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseKGAt(s, now)
		if err == nil && v.Date.After(now) {
			t.Fatalf("future date accepted: %q", s)
		}
		if err != nil {
			_ = err.(*Error).Error()
		}
	})
}
