package web

import (
	"errors"
	"mime"
	"net/http"
	"strings"
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
