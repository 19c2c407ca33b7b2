package tin_test

import (
	"fmt"

	"github.com/kabinet/kabinet/tin"
)

func ExampleParseINN() {
	v, err := tin.ParseINN("7707083893")
	fmt.Println(v.Type, v.TaxOffice, v.Serial, err)
	_, err = tin.ParseINN("7707083894")
	fmt.Println(err)
	// Output:
	// organization 7707 08389 <nil>
	// TIN: check digit at position 10 is 4, want 3
}

func ExampleNewIndividualINN() {
	inn, _ := tin.NewIndividualINN("5263", 179846)
	fmt.Println(inn)
	// Output: 526317984689
}
