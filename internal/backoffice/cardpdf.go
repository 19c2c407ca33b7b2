package backoffice

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gomono"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract/fonts"
)

// CardPDF writes a registration card (LK-1) as a PDF document (A4, the top half: it is cut or
// folded), in lang, set in PT Sans (package fonts: every letter of Russian and Kyrgyz, as
// extracts are) with the login and password in Go Mono (Latin letters and digits): the date of issue, the tax office's code and name, the person's name, the login and
// the temporary password, its validity, and the memo. loginURL is the personal account's login
// page; its dates are in zone, the jurisdiction's (Moscow time, Bishkek time), and its memo asks
// for an own password of at least minPassword characters.
func CardPDF(out io.Writer, c *cabinet.IssuedCard, lang, loginURL, issuedBy string, zone *time.Location, minPassword int) error {
	t := func(key string, args ...any) string { return tr(lang, key, args...) }
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(t("office.card.title")+" "+c.TIN, true)
	pdf.SetCreator("kabinet", true)
	pdf.SetCreationDate(c.IssuedAt.UTC())
	pdf.SetModificationDate(c.IssuedAt.UTC())
	pdf.AddUTF8FontFromBytes(fonts.Family, "", fonts.Regular())
	pdf.AddUTF8FontFromBytes(fonts.Family, "B", fonts.Bold())
	pdf.AddUTF8FontFromBytes("mono", "", gomono.TTF)
	pdf.AddPage()
	pdf.SetFont(fonts.Family, "B", 15)
	pdf.MultiCell(0, 8, t("office.card.title"), "", "C", false)
	pdf.SetFont(fonts.Family, "", 10)
	pdf.MultiCell(0, 6, t("office.card.subtitle"), "", "C", false)
	pdf.Ln(4)
	office := c.Office
	if c.OfficeName != "" {
		office += " — " + c.OfficeName
	}
	rows := [][2]string{
		{t("office.card.issued"), c.IssuedAt.In(zone).Format("02.01.2006")},
		{t("office.card.office"), office},
		{t("office.card.name"), c.Name},
		{t("office.card.login"), c.TIN},
		{t("office.card.password"), c.TemporaryPassword},
		{t("office.card.expires"), c.ExpiresAt.In(zone).Format("02.01.2006")},
	}
	if !c.ActiveFrom.IsZero() {
		rows = append(rows, [2]string{t("office.card.active_from"), c.ActiveFrom.In(zone).Format("02.01.2006")})
	}
	const labelW, lh = 68.0, 8.0
	valueW := 210 - 20 - labelW // A4 less the default margins
	for i, r := range rows {
		// The label and the value side by side, both cells as tall as the taller one.
		valueFont, valueSize := fonts.Family, 10.0
		if i == 3 || i == 4 { // the login and the password: a font where 0 and O, l and I differ
			valueFont, valueSize = "mono", 14
		}
		pdf.SetFont(fonts.Family, "B", 10)
		labelLines := len(pdf.SplitText(r[0], labelW))
		pdf.SetFont(valueFont, "", valueSize)
		valueLines := len(pdf.SplitText(r[1], valueW))
		n := max(labelLines, valueLines, 1)
		x, y := pdf.GetXY()
		pdf.SetFont(fonts.Family, "B", 10)
		pdf.MultiCell(labelW, lh*float64(n)/float64(max(labelLines, 1)), r[0], "1", "L", false)
		pdf.SetXY(x+labelW, y)
		pdf.SetFont(valueFont, "", valueSize)
		pdf.MultiCell(0, lh*float64(n)/float64(max(valueLines, 1)), r[1], "1", "L", false)
		pdf.SetY(y + lh*float64(n))
	}
	pdf.Ln(5)
	pdf.SetFont(fonts.Family, "B", 11)
	pdf.MultiCell(0, 6, t("office.card.memo"), "", "L", false)
	pdf.SetFont(fonts.Family, "", 10)
	for i, line := range cardMemo(lang, c, loginURL, zone, minPassword) {
		pdf.MultiCell(0, 5, fmt.Sprintf("%d. %s", i+1, line), "", "L", false)
		pdf.Ln(1)
	}
	pdf.Ln(4)
	pdf.SetFont(fonts.Family, "", 9)
	pdf.MultiCell(0, 5, t("office.card.issued_by", issuedBy), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := out.Write(buf.Bytes())
	return err
}
