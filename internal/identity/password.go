package identity

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/problem"
)

// IDP-1: the password of an account is at least MinPassword characters, typed twice alike, and
// not one of the passwords people choose most (data/common_passwords.txt, made by
// data/gen_common.go), nor the account's phone, e-mail or name.

// MinPassword is the shortest password.
const MinPassword = 8

//go:embed data/common_passwords.txt
var commonFile []byte

var (
	commonOnce sync.Once
	common     map[string]bool
)

// IsCommon reports whether pw (in any case) is on the list of common passwords.
func IsCommon(pw string) bool {
	commonOnce.Do(func() {
		common = map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(commonFile))
		for sc.Scan() {
			common[sc.Text()] = true
		}
	})
	return common[strings.ToLower(pw)]
}

var (
	msgPasswordShort    = problem.Msg("idp.password.short", MinPassword)
	msgPasswordCommon   = problem.Msg("idp.password.common")
	msgPasswordPersonal = problem.Msg("idp.password.personal")
	msgPasswordRepeat   = problem.Msg("idp.password.repeat")
	msgPasswordLong     = problem.Msg("idp.password.long")
)

// CheckPassword adds to fe what is wrong with pw (typed twice: pw and again) for an account
// whose identifiers and name are personal; field names the password's input.
func CheckPassword(fe *problem.Fields, field, pw, again string, personal ...string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPassword:
		fe.Add(field, msgPasswordShort)
	case n > 256:
		fe.Add(field, msgPasswordLong)
	case IsCommon(pw):
		fe.Add(field, msgPasswordCommon)
	default:
		lower := strings.ToLower(pw)
		for _, p := range personal {
			p = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(p), "+"))
			if len(p) >= 4 && strings.Contains(lower, p) {
				fe.Add(field, msgPasswordPersonal)
				break
			}
		}
	}
	if pw != again && !fe.Has(field) {
		fe.Add(field+"_confirm", msgPasswordRepeat)
	}
}
