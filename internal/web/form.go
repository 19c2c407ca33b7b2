package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

func trim(s string) string { return strings.TrimSpace(s) }

func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

func isJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

func asMaxBytes(err error, target **http.MaxBytesError) bool { return errors.As(err, target) }

// JSONForm lets a JSON client post what a form posts: a flat JSON object of strings (and
// booleans, taken as "1" when true) becomes the request's posted form, refused like any JSON
// body when malformed. A form request is left as it is.
func JSONForm(w http.ResponseWriter, r *http.Request) error {
	if !isJSON(r) {
		return nil
	}
	var m map[string]any
	if err := DecodeJSON(w, r, &m, 1<<20); err != nil {
		return err
	}
	r.PostForm = url.Values{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			r.PostForm.Set(k, v)
		case bool:
			if v {
				r.PostForm.Set(k, "1")
			}
		case float64:
			r.PostForm.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
		case nil:
		default:
			return problem.InvalidField(k, msgBodyType.With(i18n.Key("json.kind.string")))
		}
	}
	r.Form = r.PostForm
	return nil
}
