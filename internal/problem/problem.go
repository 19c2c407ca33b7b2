// Package problem is kabinet's one error type for anything a user can be told: a code that the web
// layer maps to an HTTP status, a message (a key of the catalogue with its arguments), and the
// fields at fault. It owns no transport: the mapping to statuses, pages and RFC 9457 bodies lives in
// the web layer, in one place.
package problem

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
)

// Code classifies an error for the transport; the web layer maps each to one HTTP status.
type Code string

// The codes kabinet uses.
const (
	Invalid      Code = "invalid"      // the input is wrong; Fields say where
	NotFound     Code = "not_found"    // the thing asked for does not exist (or may not be seen)
	Conflict     Code = "conflict"     // the request clashes with the current state
	Unauthorized Code = "unauthorized" // no or wrong credentials
	Forbidden    Code = "forbidden"    // credentials fine, action not allowed
	TooMany      Code = "too_many"     // rate limit or lockout
	TooLarge     Code = "too_large"    // body over the limit
	Unavailable  Code = "unavailable"  // a dependency is down; retry later
	Internal     Code = "internal"     // a bug or an unexpected failure; details only in the log
)

// Message is a user-visible text: a stable key of the catalogue (package i18n) and the arguments
// of its format. Domain packages build messages; the transports turn them into text in the
// reader's language. An argument of type i18n.Key or Message is translated in that language too.
type Message struct {
	Key  string
	Args []any
}

// Msg builds a Message from a catalogue key and its arguments.
func Msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// With returns a copy of m with args as the arguments of its format.
func (m Message) With(args ...any) Message { return Message{Key: m.Key, Args: args} }

// In returns the text of m in lang.
func (m Message) In(lang string) string { return i18n.T(lang, m.Key, m.Args...) }

// FieldError names one field at fault and why. Field is the name the client used (JSON name or form
// field, dotted for nested fields: "identity_document.number").
type FieldError struct {
	Field string
	Message
}

// Error is a user-facing error.
type Error struct {
	Code    Code
	Message Message
	Fields  []FieldError
	// Extra carries machine-readable details a client may need (e.g. the kept TIN, a review id).
	Extra map[string]any
	// Err is the cause, for logs only; it is never shown to a user.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message.In("en"))
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.In("en"))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with a code and a message.
func New(code Code, m Message) *Error { return &Error{Code: code, Message: m} }

// Wrap returns an Error with a code and message whose cause is err (kept for logs).
func Wrap(code Code, m Message, err error) *Error { return &Error{Code: code, Message: m, Err: err} }

// The generic messages, used when nothing more specific applies.
var (
	MsgInvalid      = Msg("invalid")
	MsgNotFound     = Msg("not_found")
	MsgConflict     = Msg("conflict")
	MsgUnauthorized = Msg("unauthorized")
	MsgForbidden    = Msg("forbidden")
	MsgTooMany      = Msg("too_many")
	MsgTooLarge     = Msg("too_large")
	MsgUnavailable  = Msg("unavailable")
	MsgInternal     = Msg("internal")
	// MsgRequired is a required field left empty; its argument is the field's label.
	MsgRequired = Msg("required")
)

// Fields collects field errors while validating input.
type Fields []FieldError

// Add records that field is wrong for the reason m.
func (f *Fields) Add(field string, m Message) { *f = append(*f, FieldError{Field: field, Message: m}) }

// Has reports whether field already has an error.
func (f Fields) Has(field string) bool {
	for _, e := range f {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Required adds MsgRequired for field when v is empty or only spaces, and reports whether v has
// any text.
func (f *Fields) Required(field, v string) bool { return f.RequiredAs(MsgRequired, field, v) }

// RequiredAs is Required in a service's own wording: m, whose argument is the field's label.
func (f *Fields) RequiredAs(m Message, field, v string) bool {
	if strings.TrimSpace(v) == "" {
		f.Add(field, m.With(i18n.Field(field)))
		return false
	}
	return true
}

// Err returns an Invalid error carrying the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: MsgInvalid, Fields: f}
}

// InvalidField returns an Invalid error for one field.
func InvalidField(field string, m Message) *Error {
	return &Error{Code: Invalid, Message: MsgInvalid, Fields: []FieldError{{Field: field, Message: m}}}
}

// As returns err as *Error if it is one (or wraps one).
func As(err error) (*Error, bool) {
	var p *Error
	if errors.As(err, &p) {
		return p, true
	}
	return nil, false
}

// CodeOf returns the code of err; errors that are not problems are Internal.
func CodeOf(err error) Code {
	if p, ok := As(err); ok {
		return p.Code
	}
	return Internal
}

// Is reports whether err is a problem with the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
