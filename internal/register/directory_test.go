package register

import (
	"testing"
)

// The embedded regions and tax offices (directory.go).

func TestDirectory(t *testing.T) {
	if len(regionNames) < 85 {
		t.Fatalf("%d regions", len(regionNames))
	}
	seen := map[string]bool{}
	for _, o := range EmbeddedOffices() {
		if !isDigits(o.Code, 4) || o.Region != o.Code[:2] || o.Name == "" || seen[o.Code] {
			t.Fatalf("bad office %+v", o)
		}
		if _, ok := regionNames[o.Region]; !ok {
			t.Fatalf("office %s in unknown region", o.Code)
		}
		seen[o.Code] = true
	}
	for code := range regionNames {
		if code != "99" && !seen[code+"00"] {
			t.Errorf("no regional administration %s00", code)
		}
	}
	for _, c := range []string{"7701", "7751", "7801", "7842", "5001", "5050", ForeignOffice} {
		if !seen[c] {
			t.Errorf("office %s missing", c)
		}
	}
}
