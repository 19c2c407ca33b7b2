package backoffice

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gomono"

	"github.com/kabinet/kabinet/internal/extract/fonts"
)

// handoverSheet is what the office hands a taxpayer on paper — a registration card (LK-1), the
// login granted on a self-registration (KG-1), a one-time password of a restored access — laid
// out alike: A4, the top half (it is cut or folded), set in PT Sans (package fonts: every letter
// of Russian and Kyrgyz, as extracts are), a titled table of label and value, the secrets typed
// in Go Mono (where 0 and O, 1 and l differ), a numbered memo and who issued it.
type handoverSheet struct {
	DocTitle        string    // the PDF's title
	Title, Subtitle string    // the sheet's heading
	At              time.Time // when it was issued: the PDF's dates
	LabelWidth      float64   // mm
	Rows            []sheetRow
	MemoTitle       string
	Memo            []string
	Footer          string // who issued it
}

// sheetRow is a line of the sheet's table; Mono sets its value in Go Mono, larger.
type sheetRow struct {
	Label, Value string
	Mono         bool
}

// write writes the sheet as a PDF to out.
func (s handoverSheet) write(out io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(s.DocTitle, true)
	pdf.SetCreator("kabinet", true)
	pdf.SetCreationDate(s.At.UTC())
	pdf.SetModificationDate(s.At.UTC())
	pdf.AddUTF8FontFromBytes(fonts.Family, "", fonts.Regular())
	pdf.AddUTF8FontFromBytes(fonts.Family, "B", fonts.Bold())
	pdf.AddUTF8FontFromBytes("mono", "", gomono.TTF)
	pdf.AddPage()
	pdf.SetFont(fonts.Family, "B", 15)
	pdf.MultiCell(0, 8, s.Title, "", "C", false)
	pdf.SetFont(fonts.Family, "", 10)
	pdf.MultiCell(0, 6, s.Subtitle, "", "C", false)
	pdf.Ln(4)
	const lh = 8.0
	labelW := s.LabelWidth
	valueW := 210 - 20 - labelW // A4 less the default margins
	for _, r := range s.Rows {
		// The label and the value side by side, both cells as tall as the taller one.
		valueFont, valueSize := fonts.Family, 10.0
		if r.Mono {
			valueFont, valueSize = "mono", 14
		}
		pdf.SetFont(fonts.Family, "B", 10)
		labelLines := len(pdf.SplitText(r.Label, labelW))
		pdf.SetFont(valueFont, "", valueSize)
		valueLines := len(pdf.SplitText(r.Value, valueW))
		n := max(labelLines, valueLines, 1)
		x, y := pdf.GetXY()
		pdf.SetFont(fonts.Family, "B", 10)
		pdf.MultiCell(labelW, lh*float64(n)/float64(max(labelLines, 1)), r.Label, "1", "L", false)
		pdf.SetXY(x+labelW, y)
		pdf.SetFont(valueFont, "", valueSize)
		pdf.MultiCell(0, lh*float64(n)/float64(max(valueLines, 1)), r.Value, "1", "L", false)
		pdf.SetY(y + lh*float64(n))
	}
	pdf.Ln(5)
	pdf.SetFont(fonts.Family, "B", 11)
	pdf.MultiCell(0, 6, s.MemoTitle, "", "L", false)
	pdf.SetFont(fonts.Family, "", 10)
	for i, line := range s.Memo {
		pdf.MultiCell(0, 5, fmt.Sprintf("%d. %s", i+1, line), "", "L", false)
		pdf.Ln(1)
	}
	pdf.Ln(4)
	pdf.SetFont(fonts.Family, "", 9)
	pdf.MultiCell(0, 5, s.Footer, "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := out.Write(buf.Bytes())
	return err
}
