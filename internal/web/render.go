package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
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

// ErrorItem is one line of an error summary: the message, linked to the field's message (ID)
// on a form; an error page, which has no form, lists the message alone (no ID).
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

// LangSwitch is the links to the page in the site's other languages (Langs), written here
// rather than by the layout: the few attributes of each link cost a page less as Go than as
// template actions.
func (p *Page) LangSwitch() template.HTML {
	var b strings.Builder
	for _, l := range p.Langs {
		c := template.HTMLEscapeString(l.Code)
		b.WriteString(`<a class="lang-switch" id="lang-` + c + `" href="` + template.HTMLEscapeString(l.Href) + `" lang="` + c + `" hreflang="` + c + `">` +
			template.HTMLEscapeString(l.Name) + `</a>`)
	}
	return template.HTML(b.String())
}

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
// partials (files whose names start with "_", such as _nav.html). Every page is parsed once at
// start, so that a broken template stops the start; the set a page renders with, its fixed
// texts put in for a language (fixTexts), is parsed the first time the page is shown in that
// language and kept: a process holds the sets of the languages its users read, not of every
// language of the catalogue (the sets are most of an idle server's heap, which every garbage
// collection walks).
type renderer struct {
	site     *Site // the site whose pages these are (nil: none, in tests)
	layout   []byte
	partials []page
	sources  map[string][]byte // a page's source by its name
	sets     sync.Map          // setKey → *template.Template
}

// setKey names a page's set in a language ("" for the page as written: its texts as calls),
// and whether it is the set of the site the renderer belongs to, whose own values the layout
// has put in too (fixSite).
type setKey struct {
	lang, name string
	own        bool
}

// set returns the page name's set for lang, parsing it the first time; own is whether the page
// is shown by the renderer's own site (Page.Site), whose values are then fixed in the layout.
func (rd *renderer) set(lang, name string, own bool) (*template.Template, error) {
	own = own && rd.site != nil && lang != ""
	k := setKey{lang, name, own}
	if t, ok := rd.sets.Load(k); ok {
		return t.(*template.Template), nil
	}
	src, ok := rd.sources[name]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	if lang != "" && !slices.Contains(i18n.Languages(), lang) {
		return rd.set("", name, false)
	}
	t, err := parseSet(rd.layout, rd.partials, name, src)
	if err != nil {
		return nil, err
	}
	if lang != "" {
		for _, tt := range t.Templates() {
			if tt.Tree == nil {
				continue
			}
			fixTexts(tt.Tree.Root, lang)
			if own && tt.Name() == "layout" {
				rd.fixSite(tt.Tree.Root, lang)
			}
		}
	}
	// Two first requests may parse it at once: both render with the one kept.
	stored, _ := rd.sets.LoadOrStore(k, t)
	return stored.(*template.Template), nil
}

var funcs = template.FuncMap{"errorID": ErrorID, "map": pairs, "list": func(s ...string) []string { return s }, "phone": PhoneText}

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

// parseSet parses the page src named name with the shared layout and the site's partials.
func parseSet(layout []byte, partials []page, name string, src []byte) (*template.Template, error) {
	t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
	if err != nil {
		return nil, err
	}
	for _, p := range partials {
		b, err := fs.ReadFile(p.fsys, p.name)
		if err != nil {
			return nil, err
		}
		if _, err := t.New(p.name).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
	}
	if _, err := t.New(name).Parse(string(src)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// fixTexts replaces, in a page's parse tree, every call of .T or $.T whose one argument is a
// constant key by the key's text in lang, HTML-escaped: the page then calls
// no method for its fixed texts, which made most of the cost of rendering it.
func fixTexts(n parse.Node, lang string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if a, ok := c.(*parse.ActionNode); ok {
				if key, ok := constantT(a.Pipe); ok {
					n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(template.HTMLEscapeString(i18n.T(lang, key)))}
					continue
				}
			}
			fixTexts(c, lang)
		}
	case *parse.IfNode:
		fixTexts(n.List, lang)
		fixTexts(n.ElseList, lang)
	case *parse.RangeNode:
		fixTexts(n.List, lang)
		fixTexts(n.ElseList, lang)
	case *parse.WithNode:
		fixTexts(n.List, lang)
		fixTexts(n.ElseList, lang)
	}
}

// constantT returns the key of a pipeline that is exactly .T or $.T of a constant string.
func constantT(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 2 {
		return "", false
	}
	key, ok := p.Cmds[0].Args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	switch f := p.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		return key.Text, len(f.Ident) == 1 && f.Ident[0] == "T"
	case *parse.VariableNode:
		return key.Text, len(f.Ident) == 2 && f.Ident[0] == "$" && f.Ident[1] == "T"
	}
	return "", false
}

// fixSite puts the site's own values into the layout's parse tree for lang: its language, its
// home and base paths and its tagline, in the actions of the layout itself (not inside a range
// or with, where the dot is something else), HTML-escaped like the fixed texts.
func (rd *renderer) fixSite(n parse.Node, lang string) {
	values := map[string]string{".Lang": lang, ".Site.Home": rd.site.Home, ".Site.Base": rd.site.Base, ".T .Site.Tagline": i18n.T(lang, rd.site.Tagline)}
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for i, c := range n.Nodes {
				if a, ok := c.(*parse.ActionNode); ok && len(a.Pipe.Decl) == 0 {
					if v, ok := values[a.Pipe.String()]; ok {
						n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(template.HTMLEscapeString(v))}
						continue
					}
				}
				walk(c)
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.ElseList) // the body's dot is an element
		case *parse.WithNode:
			walk(n.ElseList)
		}
	}
	walk(n)
}

// page is a template file and the file system it is in.
type page struct {
	fsys fs.FS
	name string
}

func newRenderer(sources ...fs.FS) (*renderer, error) {
	rd := &renderer{sources: map[string][]byte{}}
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
	rd.layout, rd.partials = layout, partials
	parsePage := func(name string, src []byte) error {
		// Parsed once to stop a start with a broken template; the sets come when shown.
		if _, err := parseSet(layout, partials, name, src); err != nil {
			return err
		}
		rd.sources[name] = src
		return nil
	}
	for _, n := range pages {
		if _, dup := rd.sources[n.name]; dup {
			return nil, fmt.Errorf("web: two pages named %s", n.name)
		}
		src, err := fs.ReadFile(n.fsys, n.name)
		if err != nil {
			return nil, err
		}
		if err := parsePage(n.name, src); err != nil {
			return nil, err
		}
	}
	errSrc, err := fs.ReadFile(files, "templates/error.html")
	if err != nil {
		return nil, err
	}
	if err := parsePage("error.html", errSrc); err != nil {
		return nil, err
	}
	return rd, nil
}

func (rd *renderer) render(w http.ResponseWriter, status int, name string, p *Page) error {
	t, err := rd.set(p.Lang, name, p.Site == rd.site)
	if err != nil {
		return err
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			pageBuffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The whole page is known: its length spares the response a chunked encoding.
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// pageBuffers are the buffers pages are rendered into, reused.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}
