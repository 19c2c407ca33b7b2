package backoffice

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gomono"

	"github.com/kabinet/kabinet/internal/extract/fonts"
)

// AccessPDF writes the access restored at the УГНС (KG-1, LK-2, LK-10; access.go) as a PDF for
// the cabinet's owner (A4, the top half), in the owner's language, set in PT Sans (every letter
// of Kyrgyz and Russian) with the login and the one-time password in Go Mono, where 0 and O, 1
// and l differ: the day of issue and the УГНС, the taxpayer, who came for an organization's
// account, the login, the one-time password and until when it may be used, and a short memo.
func AccessPDF(out io.Writer, h accessHandoverData) error {
	w := h.words()
	r := h.R
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(w.Title+" "+r.TIN, true)
	pdf.SetCreator("kabinet", true)
	pdf.SetCreationDate(r.IssuedAt.UTC())
	pdf.SetModificationDate(r.IssuedAt.UTC())
	pdf.AddUTF8FontFromBytes(fonts.Family, "", fonts.Regular())
	pdf.AddUTF8FontFromBytes(fonts.Family, "B", fonts.Bold())
	pdf.AddUTF8FontFromBytes("mono", "", gomono.TTF)
	pdf.AddPage()
	pdf.SetFont(fonts.Family, "B", 15)
	pdf.MultiCell(0, 8, w.Title, "", "C", false)
	pdf.SetFont(fonts.Family, "", 10)
	pdf.MultiCell(0, 6, w.Subtitle, "", "C", false)
	pdf.Ln(4)
	office := r.Office
	if h.OfficeName != "" {
		office += " — " + h.OfficeName
	}
	type row struct {
		label, value string
		mono         bool
	}
	rows := []row{{w.Issued, h.Issued, false}, {w.Office, office, false}, {w.Taxpayer, r.Name + " (" + r.TIN + ")", false}}
	if r.Holder != "" {
		holder := r.Holder
		if h.HolderName != "" {
			holder = h.HolderName + " (" + r.Holder + ")"
		}
		if w.HolderRole != "" {
			holder += ", " + w.HolderRole
		}
		rows = append(rows, row{w.Holder, holder, false})
	}
	rows = append(rows, row{w.Login, r.TIN, true}, row{w.Password, r.OneTimePassword, true}, row{w.ValidUntil, h.Expires, false})
	const labelW, lh = 62.0, 8.0
	valueW := 210 - 20 - labelW
	for _, x := range rows {
		valueFont, valueSize := fonts.Family, 10.0
		if x.mono {
			valueFont, valueSize = "mono", 14
		}
		pdf.SetFont(fonts.Family, "B", 10)
		labelLines := len(pdf.SplitText(x.label, labelW))
		pdf.SetFont(valueFont, "", valueSize)
		valueLines := len(pdf.SplitText(x.value, valueW))
		n := max(labelLines, valueLines, 1)
		px, py := pdf.GetXY()
		pdf.SetFont(fonts.Family, "B", 10)
		pdf.MultiCell(labelW, lh*float64(n)/float64(max(labelLines, 1)), x.label, "1", "L", false)
		pdf.SetXY(px+labelW, py)
		pdf.SetFont(valueFont, "", valueSize)
		pdf.MultiCell(0, lh*float64(n)/float64(max(valueLines, 1)), x.value, "1", "L", false)
		pdf.SetY(py + lh*float64(n))
	}
	pdf.Ln(5)
	pdf.SetFont(fonts.Family, "B", 11)
	pdf.MultiCell(0, 6, w.Memo, "", "L", false)
	pdf.SetFont(fonts.Family, "", 10)
	for i, line := range w.MemoLines {
		pdf.MultiCell(0, 5, fmt.Sprintf("%d. %s", i+1, line), "", "L", false)
		pdf.Ln(1)
	}
	pdf.Ln(4)
	pdf.SetFont(fonts.Family, "", 9)
	pdf.MultiCell(0, 5, w.IssuedBy, "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := out.Write(buf.Bytes())
	return err
}
