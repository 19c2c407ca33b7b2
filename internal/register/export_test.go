package register

// What the tests of package register_test check inside the package.

import "github.com/kabinet/kabinet/internal/jurisdiction"

// OfficeCards returns the cards of the embedded offices of a jurisdiction (the default one for
// the zero Profile), by code (REG-9).
func OfficeCards(p jurisdiction.Profile) map[string]OfficeCard {
	return directoryOf(p.OrDefault()).cards
}

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
