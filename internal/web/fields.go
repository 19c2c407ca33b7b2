package web

import (
	"html/template"
	"strings"

	"github.com/kabinet/kabinet/internal/i18n"
)

// Field is one input of a form as the kit's partials ("input", "select", "textarea" in
// templates/fields.html) render it: its label, the value typed (kept after an error), its error
// with aria-invalid and aria-describedby, a mark when it is required, and the focus when it
// holds the form's first error.
type Field struct {
	Name      string // the form's field name
	ID        string // the element's id
	Err       string // the problem's field name (a dotted JSON name), Name by default
	Label     string
	Hint      string
	Type      string // text, date, email, tel, password, number …
	Required  bool
	Attrs     template.HTMLAttr // more attributes: inputmode, autocomplete, maxlength …
	Value     string
	Error     string
	ErrorID   string
	Autofocus bool
	Wide      bool     // two columns of a grid, for long values (an office's name)
	Options   []Option // for a select
	Blank     string   // the select's empty choice ("— выберите —"); none when empty
	// More are the ids of other elements of the page that describe the input (the list of a
	// password's rules under it), read out with its hint and its error.
	More []string
}

// DescribedBy is the input's aria-describedby: the ids of its hint, of what else describes it,
// and of its error.
func (f Field) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	ids = append(ids, f.More...)
	if f.Error != "" {
		ids = append(ids, f.ErrorID)
	}
	return strings.Join(ids, " ")
}

// Option is a choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// Field describes the input name labelled by the catalogue's labelKey. Options, each a word or
// a key=value: "required", "type=date", "err=identity_document.series" (the problem's field),
// "id=x", "hint=key" (a catalogue key, in the jurisdiction's own wording when it has one: Local),
// "blank" (a select with an empty first choice), "autofocus" (the focus when the page shows no
// field error; with errors, the first field at fault has it), "wide" (two columns of a grid),
// "describedby=id" (another element that describes the input, such as a list of rules),
// "enum=kind:a,b,c" (a select of enumerated values with their labels), and any other key=value
// is an attribute of the input ("inputmode=numeric", "autocomplete=family-name").
func (p *Page) Field(name, labelKey string, opts ...string) Field {
	f := Field{Name: name, ID: strings.NewReplacer(".", "_").Replace(name), Err: name, Label: p.T(labelKey), Type: "text"}
	var attrs []string
	var enumKind string
	var enumCodes []string
	focus := false
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "required":
			f.Required = true
		case "type":
			f.Type = v
		case "err":
			f.Err = v
		case "id":
			f.ID = v
		case "hint":
			f.Hint = p.T(p.Local(v))
		case "blank":
			f.Blank = i18n.T(p.Lang, "form.choose")
		case "autofocus":
			focus = true
		case "wide":
			f.Wide = true
		case "describedby":
			f.More = append(f.More, v)
		case "enum":
			enumKind, v, _ = strings.Cut(v, ":")
			enumCodes = strings.Split(v, ",")
		default:
			attrs = append(attrs, template.HTMLEscapeString(k)+`="`+template.HTMLEscapeString(v)+`"`)
		}
	}
	f.Attrs = template.HTMLAttr(strings.Join(attrs, " "))
	f.Value = p.Value(name)
	f.Error = p.Errors[f.Err]
	f.ErrorID = ErrorID(f.Err)
	f.Autofocus = f.Error != "" && f.Err == p.FirstError || focus && p.FirstError == ""
	for _, c := range enumCodes {
		f.Options = append(f.Options, Option{Value: c, Label: p.Enum(enumKind, c)})
	}
	f.markSelected()
	return f
}

// With returns f as a select of opts (their Selected set from the value typed).
func (f Field) With(opts []Option) Field {
	f.Options = append([]Option(nil), opts...)
	f.markSelected()
	return f
}

// Default returns f with value v when nothing was typed.
func (f Field) Default(v string) Field {
	if f.Value == "" {
		f.Value = v
		f.markSelected()
	}
	return f
}

func (f *Field) markSelected() {
	for i := range f.Options {
		f.Options[i].Selected = f.Options[i].Value == f.Value
	}
}
