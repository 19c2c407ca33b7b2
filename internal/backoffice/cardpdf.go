package backoffice

import (
	"io"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
)

// CardPDF writes a registration card (LK-1) as a PDF document (A4, the top half: it is cut or
// folded), in lang, set in PT Sans (package fonts: every letter of Russian and Kyrgyz, as
// extracts are) with the login and password in Go Mono (Latin letters and digits): the date of issue, the tax office's code and name, the person's name, the login and
// the temporary password, its validity, and the memo. loginURL is the personal account's login
// page; its dates are in zone, the jurisdiction's (Moscow time, Bishkek time), and its memo asks
// for an own password of at least minPassword characters.
func CardPDF(out io.Writer, c *cabinet.IssuedCard, lang, loginURL, issuedBy string, zone *time.Location, minPassword int) error {
	t := func(key string, args ...any) string { return tr(lang, key, args...) }
	office := c.Office
	if c.OfficeName != "" {
		office += " — " + c.OfficeName
	}
	rows := []sheetRow{
		{Label: t("office.card.issued"), Value: c.IssuedAt.In(zone).Format("02.01.2006")},
		{Label: t("office.card.office"), Value: office},
		{Label: t("office.card.name"), Value: c.Name},
		{Label: t("office.card.login"), Value: c.TIN, Mono: true},
		{Label: t("office.card.password"), Value: c.TemporaryPassword, Mono: true},
		{Label: t("office.card.expires"), Value: c.ExpiresAt.In(zone).Format("02.01.2006")},
	}
	if !c.ActiveFrom.IsZero() {
		rows = append(rows, sheetRow{Label: t("office.card.active_from"), Value: c.ActiveFrom.In(zone).Format("02.01.2006")})
	}
	return handoverSheet{DocTitle: t("office.card.title") + " " + c.TIN, Title: t("office.card.title"), Subtitle: t("office.card.subtitle"),
		At: c.IssuedAt, LabelWidth: 68, Rows: rows, MemoTitle: t("office.card.memo"), Memo: cardMemo(lang, c, loginURL, zone, minPassword),
		Footer: t("office.card.issued_by", issuedBy)}.write(out)
}
