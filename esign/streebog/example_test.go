package streebog_test

import (
	"fmt"

	"github.com/kabinet/kabinet/esign/streebog"
)

func ExampleSum256() {
	// The first message of RFC 6986, as a byte string.
	d := streebog.Sum256([]byte("012345678901234567890123456789012345678901234567890123456789012"))
	fmt.Printf("%x\n", d)
	// Output: 9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500
}
