// Package extract renders the register's extract confirming a TIN (REG-9) as a printable HTML
// page and as a PDF, in any language of the catalogue. It holds no rule: the register decides what an
// extract contains and records its issue.
package extract

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/register"
)

//go:embed extract.html
var files embed.FS

var page = template.Must(template.New("extract.html").ParseFS(files, "extract.html"))

// Row is one line of the extract: a label and a value.
type Row struct{ Label, Value string }

// Doc is the extract laid out for rendering.
type Doc struct {
	Lang     string
	Title    string
	Subtitle string
	Number   string
	Issued   string
	IssuedBy string
	Rows     []Row
	KPPTitle string
	KPPs     []Row
	Footer   string
	// Labels of the page's own words.
	NumberLabel, IssuedByLabel string
}

func w(lang, key string) string { return i18n.T(lang, "extract."+key) }

func enum(lang, kind string, code any) string {
	return i18n.T(lang, fmt.Sprintf("enum.%s.%v", kind, code))
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02.01.2006")
}

// Layout turns an extract into rows in lang ("ru" or "en").
func Layout(e *register.Extract, lang string) Doc {
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	t := e.Taxpayer
	d := Doc{Lang: lang, Title: w(lang, "title"), Subtitle: w(lang, "subtitle"), Number: e.Number,
		Issued: e.IssuedAt.UTC().Format("02.01.2006 15:04 UTC"), IssuedBy: e.IssuedBy, Footer: w(lang, "footer"), KPPTitle: w(lang, "kpps"),
		NumberLabel: w(lang, "number"), IssuedByLabel: w(lang, "issued_by")}
	add := func(key, v string) {
		if v != "" {
			d.Rows = append(d.Rows, Row{w(lang, key), v})
		}
	}
	add("tin", t.TIN)
	add("kind", enum(lang, "kind", t.Kind))
	status := enum(lang, "status", t.Status)
	if t.Ending != nil && t.Status == register.StatusNotApplied {
		status += " (" + enum(lang, "end_reason", t.Ending.Reason) + ", " + day(t.Ending.On) + ")"
	}
	add("status", status)
	if t.Ending != nil && t.Ending.KeptTIN != "" {
		add("kept", t.Ending.KeptTIN)
	}
	if p := t.Person; p != nil {
		add("name", strings.TrimSpace(p.Surname+" "+p.GivenName+" "+p.Patronymic))
		add("birth", day(p.BirthDate))
		add("birth_place", p.BirthPlace)
	}
	if o := t.Organization; o != nil {
		add("org", o.FullName)
		add("ogrn", o.OGRN)
	}
	if k := t.Foreign; k != nil {
		add("org", k.NameRu+" / "+k.NameLatin)
		add("kio", k.Code)
	}
	add("office", t.TaxOffice)
	add("registered", day(t.RegisteredOn))
	for _, k := range t.KPPs {
		d.KPPs = append(d.KPPs, Row{k.Code, fmt.Sprintf("%s, %s %s", enum(lang, "kpp_ground", k.Ground), w(lang, "office"), k.TaxOffice)})
	}
	return d
}

// HTML writes the extract as a self-contained printable page.
func HTML(out io.Writer, e *register.Extract, lang string) error {
	return page.Execute(out, Layout(e, lang))
}

// PDF writes the extract as a PDF document (A4), with the Go fonts, which cover Cyrillic.
func PDF(out io.Writer, e *register.Extract, lang string) error {
	d := Layout(e, lang)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(d.Title+" "+e.Taxpayer.TIN, true)
	pdf.SetCreator("kabinet", true)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.AddPage()
	pdf.SetFont("go", "B", 14)
	pdf.MultiCell(0, 7, d.Title, "", "C", false)
	pdf.SetFont("go", "", 10)
	pdf.MultiCell(0, 6, d.Subtitle, "", "C", false)
	pdf.Ln(4)
	pdf.SetFont("go", "", 9)
	pdf.CellFormat(0, 5, fmt.Sprintf("%s: %s    %s: %s", w(d.Lang, "number"), d.Number, w(d.Lang, "issued"), d.Issued), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	row := func(r Row) {
		pdf.SetFont("go", "B", 10)
		x, y := pdf.GetXY()
		pdf.MultiCell(65, 6, r.Label, "1", "L", false)
		h := pdf.GetY() - y
		pdf.SetXY(x+65, y)
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 6, r.Value, "1", "L", false)
		if pdf.GetY()-y < h {
			pdf.SetY(y + h)
		}
	}
	for _, r := range d.Rows {
		row(r)
	}
	if len(d.KPPs) > 0 {
		pdf.Ln(4)
		pdf.SetFont("go", "B", 11)
		pdf.MultiCell(0, 6, d.KPPTitle, "", "L", false)
		for _, r := range d.KPPs {
			row(r)
		}
	}
	pdf.Ln(6)
	pdf.SetFont("go", "", 9)
	pdf.MultiCell(0, 5, w(d.Lang, "issued_by")+": "+d.IssuedBy+". "+d.Footer, "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := out.Write(buf.Bytes())
	return err
}
