package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
)

// Viewer is the signed-in user a page is shown to: a name to show and what they may do there.
type Viewer struct {
	Subject string
	Name    string
	Role    string // the viewer's role on the site, for the audit trail
	Perms   map[string]bool
	// Record is what the site's Authorize read to make the viewer (a citizen's account), so
	// that the page need not read it again.
	Record any
}

// Can reports whether the viewer may do perm (a site's own names: "register.write", …).
func (v *Viewer) Can(perm string) bool { return v != nil && v.Perms[perm] }

// Page is what every page template receives.
type Page struct {
	Site    *Site
	Lang    string
	Langs   []LangLink // the other languages
	Title   string
	Viewer  *Viewer // nil when nobody is signed in
	CSRF    string
	Flash   string
	Path    string // the page's own address, for the language switch to come back
	Form    url.Values
	Errors  map[string]string // field → message in Lang
	Problem string            // a message for the whole form or page
	// FirstError is the field of the form's first error (it gets the focus); ErrorList the
	// errors in the order of the rule that found them, for the summary above the form.
	FirstError string
	ErrorList  []ErrorItem
	Data       any
	// Profile is the jurisdiction the page is served in: a template shows the fields that
	// apply there ({{if .Profile.Register.KPP}}).
	Profile *jurisdiction.Profile
	zone    *time.Location // the jurisdiction's time zone
}

// ErrorItem is one line of a form's error summary: the message, linked to the field's message.
type ErrorItem struct{ ID, Message string }

// Local returns the catalogue key of the jurisdiction's own wording of key — key and the
// jurisdiction's code, "office.hint.region.kg" — when the catalogue has one, else key: a hint
// that gives an example (a region code, a country) gives one of the page's jurisdiction.
func (p *Page) Local(key string) string {
	if p.Profile != nil {
		if k := key + "." + string(p.Profile.Code); i18n.Has(i18n.Default, k) {
			return k
		}
	}
	return key
}

// T translates key into the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Zone returns the time zone of the page's times: the site's, else the jurisdiction's.
func (p *Page) Zone() *time.Location {
	if p.Site != nil && p.Site.Zone != nil || p.zone == nil {
		return p.Site.zone()
	}
	return p.zone
}

// When shows an instant as the site's people read it: day and time in the site's zone, else the
// jurisdiction's (Moscow time in Russia).
func (p *Page) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.Zone()).Format("02.01.2006 15:04")
}

// Enum returns the label of an enumerated value (a document type, a status, a sex …): the
// catalogue's "enum.<kind>.<code>". A page never shows the code itself.
func (p *Page) Enum(kind string, code any) string {
	c := fmt.Sprint(code)
	if c == "" {
		return ""
	}
	return i18n.T(p.Lang, "enum."+kind+"."+c)
}

// Value returns what the user typed into field, to show it again.
func (p *Page) Value(field string) string {
	if p.Form == nil {
		return ""
	}
	return p.Form.Get(field)
}

// Err returns the error of field, or "".
func (p *Page) Err(field string) string { return p.Errors[field] }

// Invalid returns the attributes of an input whose field has an error (aria-invalid and the
// id of its message), to write inside the tag: <input … {{.Invalid "surname"}}>.
func (p *Page) Invalid(field string) template.HTMLAttr {
	if p.Errors[field] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(ErrorID(field)) + `"`)
}

// ErrorID is the element id of a field's error message ("identity_document.series" →
// "identity_document-series-error").
func ErrorID(field string) string { return strings.ReplaceAll(field, ".", "-") + "-error" }

// renderer holds a site's page templates, each parsed with the shared layout and the site's
// partials (files whose names start with "_", such as _nav.html).
type renderer struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{"errorID": ErrorID, "map": pairs, "list": func(s ...string) []string { return s }}

// pairs makes a map of its arguments, key, value, key, value …, for passing several values to a
// partial: {{template "person" (map "P" $ "V" .)}}.
func pairs(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}

// page is a template file and the file system it is in.
type page struct {
	fsys fs.FS
	name string
}

func newRenderer(sources ...fs.FS) (*renderer, error) {
	rd := &renderer{pages: map[string]*template.Template{}}
	layout, err := fs.ReadFile(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	fields, err := fs.ReadFile(files, "templates/fields.html")
	if err != nil {
		return nil, err
	}
	layout = append(layout, fields...)
	var partials, pages []page
	for _, pagesFS := range sources {
		if pagesFS == nil {
			continue
		}
		names, err := fs.Glob(pagesFS, "*.html")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if strings.HasPrefix(n, "_") {
				partials = append(partials, page{pagesFS, n})
			} else {
				pages = append(pages, page{pagesFS, n})
			}
		}
	}
	parse := func(name string, src []byte) error {
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return err
		}
		for _, p := range partials {
			b, err := fs.ReadFile(p.fsys, p.name)
			if err != nil {
				return err
			}
			if _, err := t.New(p.name).Parse(string(b)); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
		}
		if _, err := t.New(name).Parse(string(src)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rd.pages[name] = t
		return nil
	}
	for _, n := range pages {
		if _, dup := rd.pages[n.name]; dup {
			return nil, fmt.Errorf("web: two pages named %s", n.name)
		}
		src, err := fs.ReadFile(n.fsys, n.name)
		if err != nil {
			return nil, err
		}
		if err := parse(n.name, src); err != nil {
			return nil, err
		}
	}
	errSrc, err := fs.ReadFile(files, "templates/error.html")
	if err != nil {
		return nil, err
	}
	if err := parse("error.html", errSrc); err != nil {
		return nil, err
	}
	return rd, nil
}

func (rd *renderer) render(w http.ResponseWriter, status int, name string, p *Page) error {
	t, ok := rd.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}
