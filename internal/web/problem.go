package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// Status maps a problem code to its HTTP status. It is the one place where that mapping lives.
func Status(c problem.Code) int {
	switch c {
	case problem.Invalid:
		return http.StatusUnprocessableEntity
	case problem.NotFound:
		return http.StatusNotFound
	case problem.Conflict:
		return http.StatusConflict
	case problem.Unauthorized:
		return http.StatusUnauthorized
	case problem.Forbidden:
		return http.StatusForbidden
	case problem.TooMany:
		return http.StatusTooManyRequests
	case problem.TooLarge:
		return http.StatusRequestEntityTooLarge
	case problem.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ProblemBody is the RFC 9457 problem+json document kabinet sends for every API error.
type ProblemBody struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Code      string         `json:"code"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	Extra     map[string]any `json:"extra,omitempty"`
}

// FieldProblem names one bad field, the reason's key and its text in the request's language
// and in Russian and English.
type FieldProblem struct {
	Field     string `json:"field"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageRu string `json:"message_ru"`
	MessageEn string `json:"message_en"`
}

// LogInternal logs an error that is not a problem a user can be told about, with the request
// id and the route, never the query or the body (they may carry personal data).
func LogInternal(log *slog.Logger, r *http.Request, err error) {
	if log == nil {
		log = slog.Default()
	}
	log.ErrorContext(r.Context(), "internal error", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()))
}

// WriteProblem writes err as application/problem+json in the request's language. Errors that
// are not problems are logged with the request id and shown only as a neutral internal error.
func WriteProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p, ok := problem.As(err)
	if !ok || p.Code == problem.Internal {
		LogInternal(log, r, err)
		p = problem.New(problem.Internal, problem.MsgInternal)
	}
	body := problemBody(r, p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(body.Status)
	_ = json.NewEncoder(w).Encode(body)
}

func problemBody(r *http.Request, p *problem.Error) ProblemBody {
	lang := Lang(r)
	body := ProblemBody{
		Type:      "urn:kabinet:problem:" + string(p.Code),
		Title:     p.Message.In(lang),
		Status:    Status(p.Code),
		Code:      p.Message.Key,
		RequestID: RequestID(r.Context()),
		Extra:     p.Extra,
	}
	parts := make([]string, 0, len(p.Fields))
	for _, f := range p.Fields {
		body.Errors = append(body.Errors, FieldProblem{Field: f.Field, Code: f.Key, Message: f.In(lang), MessageRu: f.In("ru"), MessageEn: f.In("en")})
		parts = append(parts, f.Field+": "+f.In(lang))
	}
	body.Detail = strings.Join(parts, "; ")
	return body
}

// Label returns the label of an input field in lang (see i18n.Field).
func Label(lang, field string) string { return i18n.Field(field).In(lang) }

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// MaxJSONBody is the largest JSON request body accepted by default.
const MaxJSONBody = 1 << 20

var (
	msgBodyMalformed = problem.Msg("body.malformed")
	msgBodyUnknown   = problem.Msg("body.unknown_field")
	msgBodyType      = problem.Msg("body.type")
	msgBodyEmpty     = problem.Msg("body.empty")
	msgBodyObject    = problem.Msg("body.object")
	msgBodyDuplicate = problem.Msg("body.duplicate_field")
	msgContentType   = problem.Msg("body.content_type")
)

// DecodeJSON reads one JSON object from the request body into v. It refuses, with a problem
// naming the field (dotted: "identity_document.series") and the reason: a body that is not an
// object, unknown fields, a field given twice, wrong types, invalid UTF-8 and control characters
// in strings, trailing data and bodies over max bytes (0: MaxJSONBody).
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, max int64) error {
	if max <= 0 {
		max = MaxJSONBody
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/problem+json") {
		return problem.InvalidField("Content-Type", msgContentType)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return problem.New(problem.TooLarge, problem.MsgTooLarge)
		}
		return problem.InvalidField("body", msgBodyMalformed.With(i18n.Key("body.syntax")))
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return problem.InvalidField("body", msgBodyEmpty)
	}
	if trimmed[0] != '{' {
		return problem.InvalidField("body", msgBodyObject)
	}
	if err := jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true)); err != nil {
		return jsonProblem(err)
	}
	var fe problem.Fields
	checkStrings(&fe, reflect.ValueOf(v), "")
	return fe.Err()
}

// jsonProblem turns a decoding error into a problem naming the field.
func jsonProblem(err error) error {
	var se *jsonv2.SemanticError
	var syn *jsontext.SyntacticError
	switch {
	case errors.As(err, &se):
		field := pointerField(se.JSONPointer)
		switch {
		case errors.Is(se.Err, jsonv2.ErrUnknownName):
			return problem.InvalidField(field, msgBodyUnknown)
		case se.GoType != nil:
			return problem.InvalidField(field, msgBodyType.With(i18n.Key("json.kind."+jsonKind(se.GoType))))
		}
		return problem.InvalidField(field, msgBodyMalformed.With(i18n.Key("body.syntax")))
	case errors.As(err, &syn):
		field := pointerField(syn.JSONPointer)
		if errors.Is(syn.Err, jsontext.ErrDuplicateName) {
			return problem.InvalidField(field, msgBodyDuplicate)
		}
		if strings.Contains(syn.Error(), "invalid UTF-8") {
			return problem.InvalidField(field, msgInputUTF8.With(i18n.Field(field)))
		}
		if errors.Is(syn.Err, io.ErrUnexpectedEOF) {
			return problem.InvalidField("body", msgBodyMalformed.With(i18n.Key("body.truncated")))
		}
		return problem.InvalidField("body", msgBodyMalformed.With(i18n.Key("body.syntax")))
	}
	return problem.InvalidField("body", msgBodyMalformed.With(i18n.Key("body.syntax")))
}

// pointerField turns a JSON pointer ("/identity_document/series", "/documents/0/number") into
// the dotted field name of the API's errors ("identity_document.series", "documents.number").
func pointerField(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		if strings.Trim(tok, "0123456789") == "" {
			continue // an array index, or a member without a name
		}
		parts = append(parts, tok)
	}
	if len(parts) == 0 {
		return "body"
	}
	return strings.Join(parts, ".")
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		if t.String() == "time.Time" {
			return "string"
		}
		return "object"
	}
	return "value"
}
