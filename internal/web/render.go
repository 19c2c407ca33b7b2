package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/kabinet/kabinet/internal/problem"
)

//go:embed templates/*.html static/*
var files embed.FS

// Static serves the shared static files (the style sheet) under /static/.
func Static() http.Handler {
	sub, _ := fs.Sub(files, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// Page is what every page template receives.
type Page struct {
	Lang    string
	Title   string
	User    string // the logged-in person's display name, empty when logged out
	Role    string
	CSRF    string
	Flash   string
	Path    string // for the language switch to come back
	Form    url.Values
	Errors  map[string]string // field → message in Lang
	Problem string            // a message for the whole form
	Data    any
	cat     Catalog
}

// T translates key into the page's language.
func (p *Page) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// Value returns what the user typed into field, to show it again.
func (p *Page) Value(field string) string {
	if p.Form == nil {
		return ""
	}
	return p.Form.Get(field)
}

// Err returns the error of field, or "".
func (p *Page) Err(field string) string { return p.Errors[field] }

// Renderer renders pages: the shared layout (templates/layout.html) with one page template.
type Renderer struct {
	cat   Catalog
	pages map[string]*template.Template
	log   *slog.Logger
}

// NewRenderer parses each page template of pagesFS (files named *.html) with the shared layout.
func NewRenderer(pagesFS fs.FS, cat Catalog, log *slog.Logger) (*Renderer, error) {
	if log == nil {
		log = slog.Default()
	}
	r := &Renderer{cat: Merge(Common, cat), pages: map[string]*template.Template{}, log: log}
	layout, err := fs.ReadFile(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(pagesFS, "*.html")
	if err != nil {
		return nil, err
	}
	add := func(name string, src []byte) error {
		t, err := template.New("layout").Parse(string(layout))
		if err != nil {
			return err
		}
		if _, err := t.New(name).Parse(string(src)); err != nil {
			return err
		}
		r.pages[name] = t
		return nil
	}
	for _, n := range names {
		src, err := fs.ReadFile(pagesFS, n)
		if err != nil {
			return nil, err
		}
		if err := add(n, src); err != nil {
			return nil, err
		}
	}
	errSrc, _ := fs.ReadFile(files, "templates/error.html")
	if err := add("error.html", errSrc); err != nil {
		return nil, err
	}
	return r, nil
}

// Catalog returns the renderer's catalog.
func (rd *Renderer) Catalog() Catalog { return rd.cat }

// NewPage returns a page for the request, in its language.
func (rd *Renderer) NewPage(r *http.Request, title string) *Page {
	lang := PageLang(r)
	p := &Page{Lang: lang, cat: rd.cat, Path: r.URL.RequestURI(), Errors: map[string]string{}}
	p.Title = rd.cat.T(lang, title)
	return p
}

// Render writes page name with status.
func (rd *Renderer) Render(w http.ResponseWriter, status int, name string, p *Page) {
	t, ok := rd.pages[name]
	if !ok {
		rd.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		rd.log.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Error renders an error page for err: its status, a neutral text, the request id. Internal
// errors are logged with the request id and never shown.
func (rd *Renderer) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := problem.CodeOf(err)
	status := Status(code)
	p := rd.NewPage(r, "error.title")
	if code == problem.Internal {
		rd.log.ErrorContext(r.Context(), "internal error", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
	}
	if pe, ok := problem.As(err); ok && code != problem.Internal {
		p.Problem = pe.Message.In(p.Lang)
	}
	p.Data = map[string]any{"Status": status, "RequestID": RequestID(r.Context())}
	rd.Render(w, status, "error.html", p)
}

var notFound *Renderer

// NotFound writes the shared 404 page.
func NotFound(w http.ResponseWriter, r *http.Request) {
	if notFound == nil {
		notFound, _ = NewRenderer(emptyFS{}, nil, nil)
	}
	notFound.Error(w, r, problem.New(problem.NotFound, problem.MsgNotFound))
}

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) { return nil, fs.ErrNotExist }

// FieldErrors turns a problem's field errors into messages in lang keyed by field.
func FieldErrors(err error, lang string) (map[string]string, string, bool) {
	p, ok := problem.As(err)
	if !ok || p.Code != problem.Invalid {
		return nil, "", false
	}
	out := map[string]string{}
	for _, f := range p.Fields {
		if _, dup := out[f.Field]; !dup {
			out[f.Field] = f.In(lang)
		}
	}
	return out, p.Message.In(lang), true
}
