package tin

import (
	"fmt"
	"testing"
)

// TestString: every parsed number prints (fmt's %s and %v) as its digits, the form its parser
// takes back: the String methods are the library's API for printing a number.
func TestString(t *testing.T) {
	parse := func(v fmt.Stringer, err error) fmt.Stringer {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		v    fmt.Stringer
		want string
	}{
		{parse(ParseINN("7707083893")), "7707083893"},
		{parse(ParseKPP("770701001")), "770701001"},
		{parse(ParseOGRN(" 1027700132195")), "1027700132195"},
		{parse(ParseOGRNIP("304500116000157 ")), "304500116000157"},
		{parse(ParseSNILS("112-233-445 95")), "11223344595"},
		{parse(ParseKG("21505199012345")), "21505199012345"},
	} {
		if got := fmt.Sprint(c.v); got != c.want {
			t.Errorf("%T prints %q, want %q", c.v, got, c.want)
		}
	}
}
