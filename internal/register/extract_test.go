package register

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// REG-9: every embedded office has a full name, an address and a time zone that loads; the
// regions far from Moscow keep their own time.
func TestOfficeCards(t *testing.T) {
	if len(officeCards) != len(embeddedOffices) {
		t.Fatalf("%d cards for %d offices", len(officeCards), len(embeddedOffices))
	}
	for code, c := range officeCards {
		if c.FullName == "" || c.Address == "" || c.Code != code || strings.Contains(c.FullName, "ФНС России") {
			t.Errorf("office %s: %+v", code, c)
		}
		if loc, err := time.LoadLocation(c.TimeZone); err != nil || c.Location().String() != loc.String() {
			t.Errorf("office %s: time zone %q: %v", code, c.TimeZone, err)
		}
	}
	for code, want := range map[string]string{"7736": "Europe/Moscow", "6601": "Asia/Yekaterinburg", "2501": "Asia/Vladivostok", "3901": "Europe/Kaliningrad"} {
		if got := officeCards[code].TimeZone; got != want {
			t.Errorf("office %s: %s, want %s", code, got, want)
		}
	}
	if c := officeCards["7736"]; c.FullName != "Инспекция Федеральной налоговой службы № 36 по г. Москве" || !strings.Contains(c.Address, "г. Москва") {
		t.Errorf("7736: %+v", c)
	}
}

// A directory file of the three columns of before still reads: its offices are named in full
// by their name and keep Moscow time; a bad time zone or a missing column is refused.
func TestParseOffices(t *testing.T) {
	cards, err := ParseOffices(strings.NewReader("code,region,name\n7799,77,\"Инспекция ФНС России № 99 по г. Москве\"\n"))
	if err != nil || len(cards) != 1 || cards[0].FullName != "Инспекция ФНС России № 99 по г. Москве" || cards[0].TimeZone != DefaultTimeZone || cards[0].Address != "" {
		t.Fatalf("three columns: %+v %v", cards, err)
	}
	cards, err = ParseOffices(strings.NewReader("region,code,name,time_zone,address\n66,6699,Инспекция,Asia/Yekaterinburg,\"620000, г. Екатеринбург\"\n"))
	if err != nil || len(cards) != 1 || cards[0].Code != "6699" || cards[0].TimeZone != "Asia/Yekaterinburg" || cards[0].Address != "620000, г. Екатеринбург" {
		t.Fatalf("columns in another order: %+v %v", cards, err)
	}
	for _, bad := range []string{"code,name\n7799,X\n", "code,region,name,time_zone\n7799,77,X,Mars/Olympus\n", "code,region,name\n,77,X\n", ""} {
		if _, err := ParseOffices(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// Extract numbers are the year, the year's serial and eight random characters that read back
// from paper (no I, L, O, U); they are typed in any case.
func TestExtractNumber(t *testing.T) {
	seen := map[string]bool{}
	for i := range 200 {
		n, err := newExtractNumber("2026", int64(42+i))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := NormalizeExtractNumber(strings.ToLower(n)); !ok || got != n || !strings.HasPrefix(n, fmt.Sprintf("2026-%07d-", 42+i)) || strings.ContainsAny(n[13:], "ILOU") {
			t.Fatalf("%q: %q %v", n, got, ok)
		}
		seen[n[13:]] = true
	}
	if len(seen) < 199 {
		t.Fatalf("the random part repeats: %d distinct of 200", len(seen))
	}
	for _, bad := range []string{"", "2026-0000042", "2026-0000042-7K3QX9P", "2026-0000042-7K3QX9PDX", "2026-0000042-7K3QX9PI", "x026-0000042-7K3QX9PD", "2026-0000042-7K3QX9PD\n1"} {
		if _, ok := NormalizeExtractNumber(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
