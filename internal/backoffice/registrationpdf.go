package backoffice

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gomono"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract/fonts"
)

// HandoverPDF writes the login granted on a self-registration (KG-1) as a PDF for the applicant
// (A4, the top half), in the language the applicant registered in, set in PT Sans (package fonts:
// every letter of Kyrgyz — Ң Ө Ү — and Russian) with the login in Go Mono: the application, the
// decision's day and УГНС, the taxpayer, the login, where to log in (the cabinet and the Salyk.kg
// application) and a short memo. It carries no password: the applicant set it when registering.
func HandoverPDF(out io.Writer, h handover) error {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	r := h.R
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(t("kg.handover.title")+" "+r.Login(), true)
	pdf.SetCreator("kabinet", true)
	pdf.SetCreationDate(r.DecidedAt.UTC())
	pdf.SetModificationDate(r.DecidedAt.UTC())
	pdf.AddUTF8FontFromBytes(fonts.Family, "", fonts.Regular())
	pdf.AddUTF8FontFromBytes(fonts.Family, "B", fonts.Bold())
	pdf.AddUTF8FontFromBytes("mono", "", gomono.TTF)
	pdf.AddPage()
	pdf.SetFont(fonts.Family, "B", 15)
	pdf.MultiCell(0, 8, t("kg.handover.title"), "", "C", false)
	pdf.SetFont(fonts.Family, "", 10)
	pdf.MultiCell(0, 6, t("kg.handover.subtitle"), "", "C", false)
	pdf.Ln(4)
	office := r.Office
	if h.OfficeName != "" {
		office += " — " + h.OfficeName
	}
	rows := [][2]string{
		{t("kg.handover.application"), r.Number()},
		{t("kg.handover.decided"), h.Decided},
		{t("kg.handover.office"), office},
		{t("kg.handover.applicant"), r.Name + " (" + r.TIN + ")"},
	}
	if r.Type == cabinet.LegalEntity {
		rows = append(rows, [2]string{t("kg.handover.organization"), r.OrgName + " (" + r.OrgTIN + ")"},
			[2]string{t("kg.handover.role"), t("enum.signatory_role." + r.Role)})
	}
	rows = append(rows, [2]string{t("kg.handover.login"), r.Login()}, [2]string{t("kg.handover.password"), t("kg.handover.password_own")})
	const labelW, lh = 62.0, 8.0
	valueW := 210 - 20 - labelW
	for _, row := range rows {
		valueFont, valueSize := fonts.Family, 10.0
		if row[0] == t("kg.handover.login") { // a font where 0 and O, 1 and l differ
			valueFont, valueSize = "mono", 14
		}
		pdf.SetFont(fonts.Family, "B", 10)
		labelLines := len(pdf.SplitText(row[0], labelW))
		pdf.SetFont(valueFont, "", valueSize)
		valueLines := len(pdf.SplitText(row[1], valueW))
		n := max(labelLines, valueLines, 1)
		x, y := pdf.GetXY()
		pdf.SetFont(fonts.Family, "B", 10)
		pdf.MultiCell(labelW, lh*float64(n)/float64(max(labelLines, 1)), row[0], "1", "L", false)
		pdf.SetXY(x+labelW, y)
		pdf.SetFont(valueFont, "", valueSize)
		pdf.MultiCell(0, lh*float64(n)/float64(max(valueLines, 1)), row[1], "1", "L", false)
		pdf.SetY(y + lh*float64(n))
	}
	pdf.Ln(5)
	pdf.SetFont(fonts.Family, "B", 11)
	pdf.MultiCell(0, 6, t("kg.handover.memo"), "", "L", false)
	pdf.SetFont(fonts.Family, "", 10)
	for i, line := range handoverMemo(h) {
		pdf.MultiCell(0, 5, fmt.Sprintf("%d. %s", i+1, line), "", "L", false)
		pdf.Ln(1)
	}
	pdf.Ln(4)
	pdf.SetFont(fonts.Family, "", 9)
	pdf.MultiCell(0, 5, t("kg.handover.issued_by", h.IssuedBy), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := out.Write(buf.Bytes())
	return err
}

// handoverMemo is the memo handed over with the login (KG-1, KG-2), in the applicant's language.
func handoverMemo(h handover) []string {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	return []string{t("kg.handover.memo1", h.LoginURL), t("kg.handover.memo2"), t("kg.handover.memo3")}
}
