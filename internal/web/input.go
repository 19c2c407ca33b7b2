package web

import (
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// The refusal of bad input: every text a user sends — a path segment, a query parameter, a form
// field, a JSON string — is valid UTF-8 without control characters (a form field or a JSON string
// may hold line breaks and tabs; a query or a path none), or the request is refused with 422
// naming the field, before any of it reaches a rule or the database.

var (
	msgInputUTF8    = problem.Msg("input.utf8")
	msgInputControl = problem.Msg("input.control")
)

// CheckText returns the reason s is refused, or ok. multiline allows \n, \r and \t.
func CheckText(s string, multiline bool) (problem.Message, bool) {
	if !utf8.ValidString(s) {
		return msgInputUTF8, false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return msgInputControl, false
		}
	}
	return problem.Message{}, true
}

func fieldErr(fe *problem.Fields, field string, m problem.Message) {
	fe.Add(field, m.With(i18n.Field(field)))
}

// CheckURL refuses a request whose path or query parameters hold bad text. The path is named
// "path"; a parameter by its name.
func CheckURL(r *http.Request) error {
	var fe problem.Fields
	if m, ok := CheckText(r.URL.Path, false); !ok {
		fieldErr(&fe, "path", m)
	}
	if strings.Contains(r.URL.RawQuery, "%") || strings.ContainsFunc(r.URL.RawQuery, func(r rune) bool { return r < 0x20 || r >= 0x7f }) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			fieldErr(&fe, "query", msgInputUTF8)
		}
		checkValues(&fe, q, false)
	}
	return fe.Err()
}

// CheckForm refuses form values (and names) with bad text.
func CheckForm(form url.Values) error {
	var fe problem.Fields
	checkValues(&fe, form, true)
	return fe.Err()
}

func checkValues(fe *problem.Fields, vals url.Values, multiline bool) {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m, ok := CheckText(k, false); !ok {
			fieldErr(fe, "query", m)
			continue
		}
		for _, v := range vals[k] {
			if m, ok := CheckText(v, multiline); !ok {
				fieldErr(fe, k, m)
				break
			}
		}
	}
}

// checkStrings walks a decoded JSON value and refuses strings with control characters, naming
// each by its dotted JSON path ("identity_document.series"). Invalid UTF-8 is refused by the
// decoder itself.
func checkStrings(fe *problem.Fields, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStrings(fe, v.Elem(), path)
		}
	case reflect.String:
		if m, ok := CheckText(v.String(), true); !ok {
			fieldErr(fe, path, m)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag := f.Tag.Get("json"); tag != "" {
				if n, _, _ := strings.Cut(tag, ","); n == "-" {
					continue
				} else if n != "" {
					name = n
				}
			}
			checkStrings(fe, v.Field(i), join(path, name))
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			checkStrings(fe, v.Index(i), path)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String {
				if m, ok := CheckText(k.String(), false); !ok {
					fieldErr(fe, path, m)
				}
				checkStrings(fe, iter.Value(), join(path, k.String()))
			}
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
