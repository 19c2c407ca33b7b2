package backoffice

import (
	"net/url"

	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// extracts returns the extract service (one that signs nothing when none was given).
func (h *Handler) extracts() *extract.Service {
	if h.d.Extracts != nil {
		return h.d.Extracts
	}
	return extract.NewService(h.d.Register, nil, "")
}

// extractFileURL is the back office's address of a file (pdf or p7s) of extract number of tin.
func extractFileURL(tin, number, format string) string {
	return Base + "taxpayers/" + tin + "/extract?number=" + url.QueryEscape(number) + "&format=" + format
}

// handleExtract issues an extract confirming the TIN (REG-9), issued by the signed-in member
// under their name and position, and shows it as a printable page with links to its signed PDF
// and the detached signature (?format=pdf sends the PDF at once). With ?number=N it sends the
// PDF (?format=pdf) or the signature (?format=p7s) of extract N of this TIN, issued before.
func (h *Handler) handleExtract(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	x := h.extracts()
	format, number := q.R.URL.Query().Get("format"), q.R.URL.Query().Get("number")
	if number != "" || format == "p7s" {
		f, err := x.Files(q.Ctx(), t, number, format == "p7s")
		if err != nil {
			return err
		}
		n, _ := register.NormalizeExtractNumber(number)
		if format == "p7s" {
			sendExtractFile(q, n, "p7s", f.Signature)
		} else {
			sendExtractFile(q, n, "pdf", f.PDF)
		}
		return nil
	}
	m, err := h.d.Staff.Member(q.Ctx(), q.Viewer.Subject)
	if err != nil {
		return err
	}
	base := x.BaseURL(web.ClientOf(q.R).Secure, q.R.Host)
	e, err := x.Issue(q.Ctx(), actor(q), t, register.Officer{Login: m.Login, Name: m.Name, Position: m.Position}, q.Page.Lang, base)
	if err != nil {
		return err
	}
	if format == "pdf" {
		sendExtractFile(q, e.Number, "pdf", e.Document.PDF)
		return nil
	}
	o := x.Options(e, base)
	o.PDFURL = extractFileURL(t, e.Number, "pdf")
	if x.Signed() {
		o.SignatureURL = extractFileURL(t, e.Number, "p7s")
	}
	q.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	return extract.HTML(q.W, e, q.Page.Lang, o)
}

// sendExtractFile sends the PDF or the detached signature (DER) of extract number.
func sendExtractFile(q *web.Request, number, format string, b []byte) {
	ctype := "application/pdf"
	if format == "p7s" {
		ctype = "application/pkcs7-signature"
	}
	q.W.Header().Set("Content-Type", ctype)
	q.W.Header().Set("Content-Disposition", `attachment; filename="extract-`+number+`.`+format+`"`)
	q.W.Header().Set("X-Extract-Number", number)
	q.W.Write(b)
}
