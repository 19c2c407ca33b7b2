package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates/*.html static/*
var files embed.FS

// Static serves the shared static files (style sheets, icons) under /static/: files only, never
// a directory listing.
func Static() http.Handler {
	sub, _ := fs.Sub(files, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if st, err := fs.Stat(sub, name); name == "" || strings.HasSuffix(name, "/") || err != nil || st.IsDir() {
			NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
