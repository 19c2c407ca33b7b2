package problem

import (
	"errors"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/tin"
)

// This file words for users the errors of kabinet's two public libraries, which carry codes and
// no texts: the numbers of package tin and the signatures of package esign.

// Number words a parse error of package tin for a user: the catalogue's "tin.<code>"
// (with the kind for lengths and first digits, the digit for check digits), whose arguments are
// the number's name, the position, what was found, what was expected and the end of a date's
// positions. Anything else is "tin.invalid".
func Number(err error) Message {
	var te *tin.Error
	if !errors.As(err, &te) {
		return Msg("tin.invalid", i18n.Key("tin.kind.inn"))
	}
	key := "tin." + te.Code
	switch te.Code {
	case "length", "first_digit":
		key += "." + te.Kind
	case "check_digit":
		if te.Digit != "" {
			key += "." + te.Digit
		}
	case "empty", "non_digit", "reason_range", "reason_char", "date", "future_date", "serial":
	default:
		key = "tin.invalid"
	}
	return Msg(key, i18n.Key("tin.kind."+te.Kind), te.Pos, te.Got, te.Want, te.Pos+7)
}

// Signature words a refusal of package esign for a user: the catalogue's "esign.<code>" (with the
// attribute at fault for a certificate's bad owner data). Anything else is "esign.malformed".
func Signature(err error) Message {
	ee, ok := esign.AsError(err)
	if !ok {
		return Msg("esign.malformed")
	}
	if ee.Code == esign.CodeBadAttribute {
		return Msg("esign.bad_attribute", i18n.Key("tin.kind."+ee.Attr))
	}
	return Msg("esign." + string(ee.Code))
}
