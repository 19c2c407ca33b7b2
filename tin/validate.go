package tin

import "fmt"

// Kinds lists the kinds of number Validate knows, as the CLI and the API name them.
var Kinds = []string{"inn", "kpp", "snils", "ogrn", "ogrnip", "kg"}

// Validate parses s as a number of kind and returns its named parts, or the parser's *Error.
// An unknown kind is an error of its own (not an *Error).
func Validate(kind, s string) (map[string]string, error) {
	switch kind {
	case "inn":
		return parts(ParseINN(s))
	case "kpp":
		return parts(ParseKPP(s))
	case "snils":
		return parts(ParseSNILS(s))
	case "ogrn":
		return parts(ParseOGRN(s))
	case "ogrnip":
		return parts(ParseOGRNIP(s))
	case "kg":
		return parts(ParseKG(s))
	}
	return nil, fmt.Errorf("tin: unknown kind %q", kind)
}

// KnownKind reports whether Validate knows kind.
func KnownKind(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func parts[T interface{ Parts() map[string]string }](v T, err error) (map[string]string, error) {
	if err != nil {
		return nil, err
	}
	return v.Parts(), nil
}
