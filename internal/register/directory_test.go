package register

import (
	"testing"

	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// The embedded regions and tax offices of each jurisdiction (directory.go).

func TestDirectory(t *testing.T) {
	ru := directoryOf(jurisdiction.MustLookup(jurisdiction.RU))
	if len(ru.regions) < 85 {
		t.Fatalf("%d regions", len(ru.regions))
	}
	seen := map[string]bool{}
	for _, o := range EmbeddedOffices(jurisdiction.Profile{}) {
		if !isDigits(o.Code, 4) || o.Region != o.Code[:2] || o.Name == "" || seen[o.Code] {
			t.Fatalf("bad office %+v", o)
		}
		if _, ok := ru.regions[o.Region]; !ok {
			t.Fatalf("office %s in unknown region", o.Code)
		}
		seen[o.Code] = true
	}
	for code := range ru.regions {
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

// TestDirectoryKyrgyz: the УГНС have 3-digit codes, each in a known region of the Kyrgyz
// Republic with its full name, address and Bishkek time; the offices of Bishkek, Osh, every
// region and the large taxpayers are there.
func TestDirectoryKyrgyz(t *testing.T) {
	kg := directoryOf(jurisdiction.MustLookup(jurisdiction.KG))
	if len(kg.regions) != 9 {
		t.Fatalf("%d regions", len(kg.regions))
	}
	regions := map[string]bool{}
	for _, o := range EmbeddedOffices(jurisdiction.MustLookup(jurisdiction.KG)) {
		c := kg.cards[o.Code]
		if !isDigits(o.Code, 3) || o.Name == "" || c.FullName == "" || c.Address == "" || c.TimeZone != "Asia/Bishkek" {
			t.Errorf("bad office %+v", c)
		}
		if _, ok := kg.regions[o.Region]; !ok {
			t.Errorf("office %s in unknown region %q", o.Code, o.Region)
		}
		regions[o.Region] = true
	}
	if len(regions) != len(kg.regions) {
		t.Errorf("offices in %d regions of %d", len(regions), len(kg.regions))
	}
	for code, name := range map[string]string{"001": "УККН (крупные налогоплательщики)", "002": "УГНС по Ленинскому району г. Бишкек",
		"003": "УГНС по Октябрьскому району г. Бишкек", "004": "УГНС по Первомайскому району г. Бишкек", "005": "УГНС по Свердловскому району г. Бишкек",
		"006": "УГНС по г. Ош", "010": "УГНС по Чуйской области", "020": "УГНС по Иссык-Кульской области", "030": "УГНС по Нарынской области",
		"040": "УГНС по Таласской области", "050": "УГНС по Джалал-Абадской области", "060": "УГНС по Ошской области", "070": "УГНС по Баткенской области"} {
		if got := kg.index[code].Name; got != name {
			t.Errorf("office %s: %q, want %q", code, got, name)
		}
	}
}
