// Package extract makes the register's extract confirming a TIN (REG-9) a document a bank or a
// court accepts: it renders the extract as a printable HTML page and as a PDF, in any language of
// the catalogue, naming the tax office in full with its address and the issuing officer by name
// and position, giving the time of issue in the office's time zone, with a QR code of the public
// verification address; it signs the PDF with the office's key (package esign, GOST R 34.10-2012,
// a detached CMS signature), and issues extracts through the register, which keeps each one under
// its number. It holds no rule: the register decides what an extract contains and records it.
package extract

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/kabinet/kabinet/internal/extract/fonts"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/register"
)

//go:embed extract.html
var files embed.FS

var page = template.Must(template.New("extract.html").ParseFS(files, "extract.html"))

// Row is one line of the extract: a label and a value.
type Row struct{ Label, Value string }

// Options are what an extract shows besides the register's data: how it can be checked, and the
// links the HTML page gives beside it.
type Options struct {
	// VerifyURL is the public verification page of the extract, which its QR code carries.
	VerifyURL string
	// Signer names the holder of the certificate the PDF is signed with; "" when it is not signed.
	Signer string
	// PDFURL and SignatureURL, when set, are links the HTML page shows (not printed): the PDF of
	// this extract and its detached signature.
	PDFURL, SignatureURL string
	// Notice, when set, is a note the HTML page shows above the document and does not print: in
	// a personal account, who is acting for whom (LK-8).
	Notice string
	// Profile is the jurisdiction whose register issues the extract: its title and wording are
	// the jurisdiction's own where the catalogue has them ("extract.title.kg": not the Russian
	// ЕГРН); the default jurisdiction's when zero.
	Profile jurisdiction.Profile
}

// Doc is the extract laid out for rendering.
type Doc struct {
	Lang     string
	Title    string
	Subtitle string
	Number   string
	Issued   string // local date and time of issue, with the office's UTC offset
	IssuedBy string
	Position string
	Rows     []Row
	KPPTitle string
	KPPs     []Row
	Footer   string
	// Mark is what makes the extract checkable: the signature note and the verification address.
	SignatureNote string
	VerifyText    string
	VerifyURL     string
	QR            template.URL // the QR code as a data: URL, for the HTML page
	QRAlt         string
	qrPNG         []byte
	PDFURL        string
	SignatureURL  string
	// Labels of the page's own words.
	NumberLabel, IssuedLabel, IssuedByLabel, PositionLabel, PDFLabel, SignatureLabel, FilesLabel string
	Notice                                                                                       string
}

// wording returns how an extract words key in lang: in the jurisdiction's own wording where the
// catalogue has one ("extract.title.kg"), else the common one (i18n.Local).
func wording(p jurisdiction.Profile) func(lang, key string, args ...any) string {
	code := string(p.OrDefault().Code)
	return func(lang, key string, args ...any) string {
		return i18n.T(lang, i18n.Local("extract."+key, code), args...)
	}
}

func enum(lang, kind string, code any) string {
	return i18n.T(lang, fmt.Sprintf("enum.%s.%v", kind, code))
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02.01.2006")
}

// LocalTime formats an instant as the extract of an office in the time zone c gives it: date,
// time and the UTC offset, in lang.
func LocalTime(t time.Time, c register.OfficeCard, lang string) string {
	local := t.In(c.Location())
	return i18n.T(lang, "extract.local_time", local.Format("02.01.2006 15:04"), local.Format("-07:00"))
}

// Layout turns an extract into rows in lang ("ru" or "en").
func Layout(e *register.Extract, lang string, o Options) Doc {
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	t := e.Taxpayer
	w := wording(o.Profile)
	d := Doc{Lang: lang, Notice: o.Notice, Title: w(lang, "title"), Subtitle: w(lang, "subtitle"), Number: e.Number,
		Issued: LocalTime(e.IssuedAt, e.Office, lang), IssuedBy: e.IssuedBy, Position: e.Position, Footer: w(lang, "footer"), KPPTitle: w(lang, "kpps"),
		NumberLabel: w(lang, "number"), IssuedLabel: w(lang, "issued"), IssuedByLabel: w(lang, "issued_by"), PositionLabel: w(lang, "position"),
		PDFURL: o.PDFURL, SignatureURL: o.SignatureURL, PDFLabel: w(lang, "pdf"), SignatureLabel: w(lang, "signature"), FilesLabel: w(lang, "files")}
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
		add("name", register.TaxpayerName(t))
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
		country := k.Country // REG-8: the country by its ОКСМ code, named in the extract's language
		if c := e.Country; c != nil {
			country = c.In(lang)
		}
		add("country", w(lang, "country_oksm", country, k.OKSM))
	}
	card := e.Office.In(lang) // a УГНС in Kyrgyz in a Kyrgyz extract
	office := card.FullName
	if office == "" {
		office = card.Name
	}
	if office == "" {
		add("office", t.TaxOffice)
	} else {
		add("office", w(lang, "office_code", office, e.Office.Code))
	}
	add("office_address", card.Address)
	add("registered", day(t.RegisteredOn))
	for _, k := range t.KPPs {
		v := fmt.Sprintf("%s, %s %s", enum(lang, "kpp_ground", k.Ground), w(lang, "office"), k.TaxOffice)
		if k.Ground != register.KPPLocation { // REG-5: the location of a further ground, kept with its КПП
			if a := addressLine(k.Address); a != "" {
				v += "; " + a
			}
		}
		d.KPPs = append(d.KPPs, Row{k.Code, v})
	}
	if o.Signer != "" {
		d.SignatureNote = w(lang, "signed", e.Number, o.Signer)
	} else {
		d.SignatureNote = w(lang, "unsigned")
	}
	if o.VerifyURL != "" {
		d.VerifyURL, d.VerifyText, d.QRAlt = o.VerifyURL, w(lang, "verify"), w(lang, "qr_alt")
		if png, err := QRPNG(o.VerifyURL); err == nil {
			d.qrPNG = png
			d.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
		}
	}
	return d
}

// addressLine writes the address of a КПП registration on one line (a Russian one: the
// location in Russia of a subdivision, property or a new location).
func addressLine(a register.Address) string {
	var parts []string
	for _, p := range []string{a.PostalCode, a.City, a.Street, a.House, a.Flat, a.Text} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// HTML writes the extract as a self-contained printable page.
func HTML(out io.Writer, e *register.Extract, lang string, o Options) error {
	return page.Execute(out, Layout(e, lang, o))
}

// PDF writes the extract as a PDF document (A4), set in PT Sans (package fonts), which has every
// letter of Russian and of Kyrgyz (Ң ң Ө ө Ү ү).
func PDF(out io.Writer, e *register.Extract, lang string, o Options) error {
	d := Layout(e, lang, o)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(d.Title+" "+e.Taxpayer.TIN, true)
	pdf.SetSubject(d.NumberLabel+" "+d.Number, true)
	pdf.SetCreator("kabinet", true)
	pdf.SetCreationDate(e.IssuedAt.UTC())
	pdf.SetModificationDate(e.IssuedAt.UTC())
	pdf.AddUTF8FontFromBytes(fonts.Family, "", fonts.Regular())
	pdf.AddUTF8FontFromBytes(fonts.Family, "B", fonts.Bold())
	pdf.AddPage()
	pdf.SetFont(fonts.Family, "B", 14)
	pdf.MultiCell(0, 7, d.Title, "", "C", false)
	pdf.SetFont(fonts.Family, "", 10)
	pdf.MultiCell(0, 6, d.Subtitle, "", "C", false)
	pdf.Ln(4)
	pdf.SetFont(fonts.Family, "", 9)
	pdf.MultiCell(0, 5, fmt.Sprintf("%s: %s    %s: %s", d.NumberLabel, d.Number, d.IssuedLabel, d.Issued), "", "L", false)
	pdf.Ln(2)
	row := func(r Row) {
		pdf.SetFont(fonts.Family, "B", 10)
		x, y := pdf.GetXY()
		pdf.MultiCell(65, 6, r.Label, "1", "L", false)
		h := pdf.GetY() - y
		pdf.SetXY(x+65, y)
		pdf.SetFont(fonts.Family, "", 10)
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
		pdf.SetFont(fonts.Family, "B", 11)
		pdf.MultiCell(0, 6, d.KPPTitle, "", "L", false)
		for _, r := range d.KPPs {
			row(r)
		}
	}
	pdf.Ln(6)
	pdf.SetFont(fonts.Family, "", 10)
	pdf.MultiCell(0, 5, d.IssuedByLabel+": "+d.IssuedBy, "", "L", false)
	if d.Position != "" {
		pdf.MultiCell(0, 5, d.PositionLabel+": "+d.Position, "", "L", false)
	}
	pdf.MultiCell(0, 5, d.IssuedLabel+": "+d.Issued, "", "L", false)
	pdf.Ln(4)
	const qrSide = 34.0 // mm: about 6 px a module at 150 dpi for a URL of 60 characters
	if d.qrPNG != nil {
		if pdf.GetY()+qrSide > 280 {
			pdf.AddPage()
		}
		x, y := pdf.GetX(), pdf.GetY()
		pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(d.qrPNG))
		pdf.ImageOptions("qr", x, y, qrSide, qrSide, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, d.VerifyURL)
		pdf.SetXY(x+qrSide+4, y+2)
		pdf.SetFont(fonts.Family, "", 9)
		pdf.MultiCell(0, 5, d.VerifyText, "", "L", false)
		pdf.SetX(x + qrSide + 4)
		pdf.MultiCell(0, 5, d.VerifyURL, "", "L", false)
		pdf.SetX(x + qrSide + 4)
		pdf.MultiCell(0, 5, d.SignatureNote, "", "L", false)
		if pdf.GetY() < y+qrSide {
			pdf.SetY(y + qrSide)
		}
	} else {
		pdf.SetFont(fonts.Family, "", 9)
		pdf.MultiCell(0, 5, d.SignatureNote, "", "L", false)
	}
	pdf.Ln(3)
	pdf.SetFont(fonts.Family, "", 9)
	pdf.MultiCell(0, 5, d.Footer, "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := out.Write(buf.Bytes())
	return err
}
