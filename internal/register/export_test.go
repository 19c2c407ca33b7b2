package register

// What the tests of package register_test check inside the package.

// OfficeCards returns the cards of the embedded offices, by code (REG-9).
func OfficeCards() map[string]OfficeCard { return officeCards }

// NewExtractNumber, IsApostrophe and DocumentNumberKey are the unexported functions of the same
// names.
var (
	NewExtractNumber  = newExtractNumber
	IsApostrophe      = isApostrophe
	DocumentNumberKey = documentNumberKey
)

// MaxWordRunes and DocumentNumberMark are the unexported constants of the same names.
const (
	MaxWordRunes       = maxWordRunes
	DocumentNumberMark = documentNumberMark
)
