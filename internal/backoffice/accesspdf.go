package backoffice

import (
	"io"
)

// AccessPDF writes the access restored at the УГНС (KG-1, LK-2, LK-10; access.go) as a PDF for
// the cabinet's owner (A4, the top half), in the owner's language, set in PT Sans (every letter
// of Kyrgyz and Russian) with the login and the one-time password in Go Mono, where 0 and O, 1
// and l differ: the day of issue and the УГНС, the taxpayer, who came for an organization's
// account, the login, the one-time password and until when it may be used, and a short memo.
func AccessPDF(out io.Writer, h accessHandoverData) error {
	w := h.words()
	r := h.R
	office := r.Office
	if h.OfficeName != "" {
		office += " — " + h.OfficeName
	}
	rows := []sheetRow{{w.Issued, h.Issued, false}, {w.Office, office, false}, {w.Taxpayer, r.Name + " (" + r.TIN + ")", false}}
	if r.Holder != "" {
		holder := r.Holder
		if h.HolderName != "" {
			holder = h.HolderName + " (" + r.Holder + ")"
		}
		if w.HolderRole != "" {
			holder += ", " + w.HolderRole
		}
		rows = append(rows, sheetRow{w.Holder, holder, false})
	}
	rows = append(rows, sheetRow{w.Login, r.TIN, true}, sheetRow{w.Password, r.OneTimePassword, true}, sheetRow{w.ValidUntil, h.Expires, false})
	return handoverSheet{DocTitle: w.Title + " " + r.TIN, Title: w.Title, Subtitle: w.Subtitle, At: r.IssuedAt, LabelWidth: 62, Rows: rows,
		MemoTitle: w.Memo, Memo: w.MemoLines, Footer: w.IssuedBy}.write(out)
}
