package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

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
// and in both languages.
type FieldProblem struct {
	Field     string `json:"field"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageRu string `json:"message_ru"`
	MessageEn string `json:"message_en"`
}

// WriteProblem writes err as application/problem+json. Errors that are not problems are logged
// with the request id and shown only as a neutral internal error.
func WriteProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p, ok := problem.As(err)
	if !ok || p.Code == problem.Internal {
		if log != nil {
			log.ErrorContext(r.Context(), "internal error", "err", err, "method", r.Method, "path", r.URL.Path, "request_id", RequestID(r.Context()))
		}
		p = problem.New(problem.Internal, problem.MsgInternal)
	}
	lang := Lang(r)
	status := Status(p.Code)
	body := ProblemBody{
		Type:      "urn:kabinet:problem:" + string(p.Code),
		Title:     p.Message.In(lang),
		Status:    status,
		Code:      p.Message.Key,
		RequestID: RequestID(r.Context()),
		Extra:     p.Extra,
	}
	for _, f := range p.Fields {
		body.Errors = append(body.Errors, FieldProblem{Field: f.Field, Code: f.Key, Message: f.In(lang), MessageRu: f.Ru, MessageEn: f.En})
	}
	if len(p.Fields) > 0 {
		parts := make([]string, 0, len(p.Fields))
		for _, f := range p.Fields {
			parts = append(parts, f.Field+": "+f.In(lang))
		}
		body.Detail = strings.Join(parts, "; ")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

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
	msgBodyMalformed = problem.Msg("body.malformed", "Тело запроса не является корректным JSON: %s", "The request body is not valid JSON: %s")
	msgBodyUnknown   = problem.Msg("body.unknown_field", "Неизвестное поле", "Unknown field")
	msgBodyType      = problem.Msg("body.type", "Неверный тип значения: ожидается %s", "Wrong value type: want %s")
	msgBodyEmpty     = problem.Msg("body.empty", "Пустое тело запроса", "Empty request body")
	msgBodyTrailing  = problem.Msg("body.trailing", "После JSON-объекта есть лишние данные", "Data after the JSON object")
	msgContentType   = problem.Msg("body.content_type", "Ожидается Content-Type: application/json", "Content-Type must be application/json")
)

// DecodeJSON reads one JSON object from the request body into v, refusing unknown fields,
// trailing data, wrong types and bodies over max bytes (0: MaxJSONBody), with a problem naming the
// field and the reason.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, max int64) error {
	if max <= 0 {
		max = MaxJSONBody
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/problem+json") {
		return problem.InvalidField("Content-Type", msgContentType)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &tooBig):
			return problem.New(problem.TooLarge, problem.MsgTooLarge)
		case errors.Is(err, io.EOF):
			return problem.InvalidField("body", msgBodyEmpty)
		case errors.As(err, &typeErr):
			return problem.InvalidField(typeErr.Field, msgBodyType.Format(typeErr.Type.String()))
		case errors.As(err, &syntaxErr):
			return problem.InvalidField("body", msgBodyMalformed.Format(fmt.Sprintf("offset %d", syntaxErr.Offset)))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return problem.InvalidField(name, msgBodyUnknown)
		default:
			return problem.InvalidField("body", msgBodyMalformed.Format(err.Error()))
		}
	}
	if dec.More() {
		return problem.InvalidField("body", msgBodyTrailing)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return problem.New(problem.TooLarge, problem.MsgTooLarge)
		}
		return problem.InvalidField("body", msgBodyTrailing)
	}
	return nil
}
