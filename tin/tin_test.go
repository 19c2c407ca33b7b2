package tin

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Real published numbers (large companies' registration data) and constructed edge cases.
func TestParseINN(t *testing.T) {
	valid := []struct {
		in     string
		typ    INNType
		office string
		serial string
	}{
		{"7707083893", Organization, "7707", "08389"},
		{"7736050003", Organization, "7736", "05000"},
		{"7736207543", Organization, "7736", "20754"},
		{"7702070139", Organization, "7702", "07013"},
		{"526317984689", Individual, "5263", "179846"},
		{"500100732259", Individual, "5001", "007322"},
		{" 7707083893\t", Organization, "7707", "08389"},
		{"7707000030", Organization, "7707", "00003"}, // check value 10 → 0
		{"9909012345" + "", ForeignOrganization, "9909", "01234"},
	}
	// Fix the foreign example's check digit by construction.
	valid[len(valid)-1].in = "990901234" + string(INNCheck10("990901234"))
	for _, tc := range valid {
		v, err := ParseINN(tc.in)
		if err != nil {
			t.Errorf("ParseINN(%q): %v", tc.in, err)
			continue
		}
		if v.Type != tc.typ || v.TaxOffice != tc.office || v.Serial != tc.serial {
			t.Errorf("ParseINN(%q) = %+v, want type %s office %s serial %s", tc.in, v, tc.typ, tc.office, tc.serial)
		}
		if v.Type == ForeignOrganization && v.KIO != tc.serial {
			t.Errorf("ParseINN(%q): KIO %q, want %q", tc.in, v.KIO, tc.serial)
		}
	}
	invalid := []struct {
		in, code string
		pos      int
	}{
		{"", "empty", 0},
		{"   ", "empty", 0},
		{"770708389", "length", 0},
		{"77070838931", "length", 0},
		{"7707O83893", "non_digit", 5},
		{"77070838９3", "non_digit", 9},
		{"7707083894", "check_digit", 10},
		{"526317984699", "check_digit", 11},
		{"526317984680", "check_digit", 12},
		{"7707000031", "check_digit", 10},
	}
	for _, tc := range invalid {
		_, err := ParseINN(tc.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseINN(%q): err %v, want *Error", tc.in, err)
			continue
		}
		if e.Code != tc.code || e.Pos != tc.pos {
			t.Errorf("ParseINN(%q): code %s pos %d (%v), want %s pos %d", tc.in, e.Code, e.Pos, e, tc.code, tc.pos)
		}
		if !strings.HasPrefix(e.Error(), "TIN: ") {
			t.Errorf("ParseINN(%q): error %q does not name the kind", tc.in, e.Error())
		}
	}
}

func TestINNCheckValueTenBecomesZero(t *testing.T) {
	// 770700003: 7·2+7·4+0·10+7·3+0·5+0·9+0·4+0·6+3·8 = 87; 87 mod 11 = 10 → check digit 0.
	if c := INNCheck10("770700003"); c != '0' {
		t.Fatalf("check of 770700003 = %c, want 0", c)
	}
	// 7707000008: first check sum 7·7+7·2+0·4+7·10+0·3+0·5+0·9+0·4+0·6+8·8 = 197; 197 mod 11 = 10 → 0.
	c1, _ := INNCheck12("7707000008")
	if c1 != '0' {
		t.Fatalf("first check of 7707000008 = %c, want 0", c1)
	}
	inn, err := NewIndividualINN("7707", 8)
	if err != nil || inn[10] != '0' {
		t.Fatalf("NewIndividualINN(7707, 8) = %s, %v", inn, err)
	}
	if _, err := ParseINN(inn); err != nil {
		t.Fatal(err)
	}
}

func TestParseKPP(t *testing.T) {
	for _, in := range []string{"773601001", "997250001", "7707AB001", "77070Z001", "770701001"} {
		if _, err := ParseKPP(in); err != nil {
			t.Errorf("ParseKPP(%q): %v", in, err)
		}
	}
	v, _ := ParseKPP("997250001")
	if v.TaxOffice != "9972" || v.Reason != "50" || v.Serial != "001" || !v.Foreign() {
		t.Errorf("ParseKPP(997250001) = %+v foreign=%v", v, v.Foreign())
	}
	if v, _ := ParseKPP("773601001"); v.Foreign() {
		t.Errorf("773601001 must not be foreign")
	}
	for _, tc := range []struct{ in, code string }{
		{"770700001", "reason_range"},
		{"7707ab001", "reason_char"},
		{"7707Я1001", "reason_char"},
		{"77A701001", "non_digit"},
		{"77070100", "length"},
		{"", "empty"},
	} {
		_, err := ParseKPP(tc.in)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("ParseKPP(%q) = %v, want code %s", tc.in, err, tc.code)
		}
	}
}

func TestParseSNILS(t *testing.T) {
	valid := []string{"112-233-445 95", "11223344595", "08765430300", "112 233 445 95", "112-233-445-95"}
	for _, in := range valid {
		if _, err := ParseSNILS(in); err != nil {
			t.Errorf("ParseSNILS(%q): %v", in, err)
		}
	}
	// Weighted sums (weights 9..1) chosen for the boundary cases of the check rule.
	cases := []struct {
		nine  string
		sum   int
		check string
	}{
		{"001326678", 99, "99"},
		{"001508815", 100, "00"},
		{"001437544", 101, "00"},
		{"001318759", 102, "01"},
		{"006996682", 201, "00"}, // 201 mod 101 = 100 → 00
	}
	for _, tc := range cases {
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(tc.nine[i]-'0') * (9 - i)
		}
		if sum != tc.sum {
			t.Fatalf("test data: sum of %s is %d, not %d", tc.nine, sum, tc.sum)
		}
		got, err := NewSNILS(tc.nine)
		if err != nil || got[9:] != tc.check {
			t.Errorf("NewSNILS(%s) = %s, %v; want check %s", tc.nine, got, err, tc.check)
		}
		if _, err := ParseSNILS(tc.nine + tc.check); err != nil {
			t.Errorf("ParseSNILS(%s%s): %v", tc.nine, tc.check, err)
		}
		wrong := "11"
		if tc.check == "11" {
			wrong = "12"
		}
		if _, err := ParseSNILS(tc.nine + wrong); err == nil {
			t.Errorf("ParseSNILS(%s%s) accepted a wrong check", tc.nine, wrong)
		}
	}
	// Numbers up to 001-001-998 carry no check.
	if _, err := ParseSNILS("00100199800"); err != nil {
		t.Errorf("unchecked range: %v", err)
	}
	for _, tc := range []struct {
		in, code string
		pos      int
	}{
		{"112-233-445 96", "check_digit", 13},
		{"11223344596", "check_digit", 10},
		{"112-2x3-445 95", "non_digit", 6},
		{"1122334459", "length", 0},
	} {
		_, err := ParseSNILS(tc.in)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Pos != tc.pos {
			t.Errorf("ParseSNILS(%q) = %v, want %s at %d", tc.in, err, tc.code, tc.pos)
		}
	}
	if v, _ := ParseSNILS("11223344595"); v.Format() != "112-233-445 95" {
		t.Errorf("Format = %q", v.Format())
	}
}

func TestParseOGRN(t *testing.T) {
	for _, in := range []string{"1027700132195", "1027700070518", "1027700229193", "1027739609391"} {
		v, err := ParseOGRN(in)
		if err != nil {
			t.Errorf("ParseOGRN(%q): %v", in, err)
		}
		if v.Region != "77" {
			t.Errorf("ParseOGRN(%q).Region = %s", in, v.Region)
		}
	}
	for _, tc := range []struct{ in, code string }{
		{"1027700132196", "check_digit"},
		{"2027700132195", "first_digit"},
		{"102770013219", "length"},
	} {
		_, err := ParseOGRN(tc.in)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("ParseOGRN(%q) = %v, want %s", tc.in, err, tc.code)
		}
	}
	if _, err := ParseOGRNIP("304500116000157"); err != nil {
		t.Errorf("ParseOGRNIP: %v", err)
	}
	for _, tc := range []struct{ in, code string }{
		{"304500116000158", "check_digit"},
		{"104500116000157", "first_digit"},
		{"30450011600015", "length"},
	} {
		_, err := ParseOGRNIP(tc.in)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("ParseOGRNIP(%q) = %v, want %s", tc.in, err, tc.code)
		}
	}
}

func TestParseKG(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	v, err := ParseKGAt("02507199510010", now)
	if err != nil || v.Type != KGOrganization || v.Date.Format("2006-01-02") != "1995-07-25" || v.Serial != "10010" {
		t.Errorf("organization: %+v, %v", v, err)
	}
	v, err = ParseKGAt("21505199012345", now)
	if err != nil || v.Type != KGMale || v.Date.Format("2006-01-02") != "1990-05-15" {
		t.Errorf("male: %+v, %v", v, err)
	}
	if v, err := ParseKGAt("12902200000001", now); err != nil || v.Type != KGFemale {
		t.Errorf("29 Feb 2000 female: %+v %v", v, err)
	}
	for _, tc := range []struct{ in, code string }{
		{"31505199012345", "first_digit"},
		{"22902200100001", "date"},        // 29.02.2001
		{"21513199012345", "date"},        // month 13
		{"20005199012345", "date"},        // day 0
		{"22311202600001", "future_date"}, // 23.11.2026, the day after now
		{"2150519901234", "length"},
		{"2150519901234x", "non_digit"},
	} {
		_, err := ParseKGAt(tc.in, now)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("ParseKGAt(%q) = %v, want %s", tc.in, err, tc.code)
		}
	}
	if _, err := ParseKGAt("22211202600001", now); err != nil {
		t.Errorf("today must be accepted: %v", err)
	}
}

func TestBuilders(t *testing.T) {
	for serial := 1; serial <= 999999; serial += 9973 {
		inn, err := NewIndividualINN("0001", serial)
		if err != nil {
			t.Fatal(err)
		}
		v, err := ParseINN(inn)
		if err != nil || v.Type != Individual || v.Region != "00" {
			t.Fatalf("%s: %+v %v", inn, v, err)
		}
	}
	if _, err := NewIndividualINN("7707", 0); err == nil {
		t.Error("serial 0 accepted")
	}
	if _, err := NewOrganizationINN("7707", 100000); err == nil {
		t.Error("serial 100000 accepted")
	}
	if _, err := NewOrganizationINN("77a7", 1); err == nil {
		t.Error("bad office accepted")
	}
	f, err := NewForeignINN(42)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ParseINN(f); err != nil || v.Type != ForeignOrganization || v.KIO != "00042" {
		t.Fatalf("foreign %s: %+v %v", f, v, err)
	}
	if k, err := NewKPP("7736", "01", 1); err != nil || k != "773601001" {
		t.Errorf("NewKPP = %s, %v", k, err)
	}
	if _, err := NewKPP("7736", "00", 1); err == nil {
		t.Error("reason 00 accepted")
	}
	if o, err := NewOGRN("102770013219"); err != nil || o != "1027700132195" {
		t.Errorf("NewOGRN = %s, %v", o, err)
	}
	if o, err := NewOGRNIP("30450011600015"); err != nil || o != "304500116000157" {
		t.Errorf("NewOGRNIP = %s, %v", o, err)
	}
}

func TestErrorMessages(t *testing.T) {
	_, err := ParseINN("526317984699")
	var e *Error
	errors.As(err, &e)
	if !strings.Contains(e.Error(), "first check digit at position 11 is 9, want 8") {
		t.Errorf("en: %s", e.Error())
	}
	if e.Digit != "first" || e.Pos != 11 || e.Got != "9" || e.Want != "8" {
		t.Errorf("fields: %+v", e)
	}
}
