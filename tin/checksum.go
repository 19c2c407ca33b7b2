package tin

// Weights of the ИНН check digits (TIN-5).
var (
	weights10 = [...]int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	weights11 = [...]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	weights12 = [...]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// checkDigit returns the weighted sum of the leading digits of d mod 11 mod 10 (so 10 becomes 0).
func checkDigit(d string, w []int) byte {
	sum := 0
	for i, wi := range w {
		sum += digit(d[i]) * wi
	}
	return byte('0' + sum%11%10)
}

// INNCheck10 returns the check digit of a 10-digit ИНН whose first 9 digits are d[:9].
func INNCheck10(d string) byte { return checkDigit(d, weights10[:]) }

// INNCheck12 returns the two check digits of a 12-digit ИНН whose first 10 digits are d[:10].
func INNCheck12(d string) (byte, byte) {
	c1 := checkDigit(d, weights11[:])
	buf := make([]byte, 11)
	copy(buf, d[:10])
	buf[10] = c1
	return c1, checkDigit(string(buf), weights12[:])
}

// snilsCheck returns the two check digits of a СНИЛС from its first 9 digits (TIN-5).
func snilsCheck(d string) string {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += digit(d[i]) * (9 - i)
	}
	switch {
	case sum < 100:
	case sum == 100 || sum == 101:
		sum = 0
	default:
		sum %= 101
		if sum == 100 {
			sum = 0
		}
	}
	return string([]byte{byte('0' + sum/10), byte('0' + sum%10)})
}

// modCheck returns (the number formed by d mod m) mod 10, for ОГРН (m = 11) and ОГРНИП (m = 13).
func modCheck(d string, m int) byte {
	r := 0
	for i := 0; i < len(d); i++ {
		r = (r*10 + digit(d[i])) % m
	}
	return byte('0' + r%10)
}
