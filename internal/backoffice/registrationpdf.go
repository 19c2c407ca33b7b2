package backoffice

import (
	"io"

	"github.com/kabinet/kabinet/internal/cabinet"
)

// HandoverPDF writes the login granted on a self-registration (KG-1) as a PDF for the applicant
// (A4, the top half), in the language the applicant registered in, set in PT Sans (package fonts:
// every letter of Kyrgyz — Ң Ө Ү — and Russian) with the login in Go Mono: the application, the
// decision's day and УГНС, the taxpayer, the login, where to log in (the cabinet and the Salyk.kg
// application) and a short memo. It carries no password: the applicant set it when registering.
func HandoverPDF(out io.Writer, h handover) error {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	r := h.R
	office := r.Office
	if h.OfficeName != "" {
		office += " — " + h.OfficeName
	}
	rows := []sheetRow{
		{Label: t("kg.handover.application"), Value: r.Number()},
		{Label: t("kg.handover.decided"), Value: h.Decided},
		{Label: t("kg.handover.office"), Value: office},
		{Label: t("kg.handover.applicant"), Value: r.Name + " (" + r.TIN + ")"},
	}
	if r.Type == cabinet.LegalEntity {
		rows = append(rows, sheetRow{Label: t("kg.handover.organization"), Value: r.OrgName + " (" + r.OrgTIN + ")"},
			sheetRow{Label: t("kg.handover.role"), Value: t("enum.signatory_role." + r.Role)})
	}
	rows = append(rows, sheetRow{Label: t("kg.handover.login"), Value: r.Login(), Mono: true}, sheetRow{Label: t("kg.handover.password"), Value: t("kg.handover.password_own")})
	return handoverSheet{DocTitle: t("kg.handover.title") + " " + r.Login(), Title: t("kg.handover.title"), Subtitle: t("kg.handover.subtitle"),
		At: r.DecidedAt, LabelWidth: 62, Rows: rows, MemoTitle: t("kg.handover.memo"), Memo: handoverMemo(h),
		Footer: t("kg.handover.issued_by", h.IssuedBy)}.write(out)
}

// handoverMemo is the memo handed over with the login (KG-1, KG-2), in the applicant's language.
func handoverMemo(h handover) []string {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	return []string{t("kg.handover.memo1", h.LoginURL), t("kg.handover.memo2"), t("kg.handover.memo3")}
}
