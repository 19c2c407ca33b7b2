package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// The extract confirming a TIN (REG-9): GET /api/v1/taxpayers/{tin}/extract issues one (JSON,
// ?format=html or ?format=pdf); with ?number=N it answers about extract N of that TIN instead of
// issuing another: what it stated (JSON), its PDF (?format=pdf) or the office's detached
// signature of the PDF (?format=p7s).

var (
	msgFormat        = problem.Msg("api.format")
	msgExtractNumber = problem.Msg("api.extract_number")
)

// officeCardJSON is the tax office an extract names.
type officeCardJSON struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Address  string `json:"address,omitempty"`
	TimeZone string `json:"time_zone"`
}

// statedJSON is what an extract stated of the taxpayer when it was issued.
type statedJSON struct {
	TIN       string `json:"tin"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	EndReason string `json:"end_reason,omitempty"`
}

// extractJSON is an issued extract: what it stated, how to check it and where its files are.
type extractJSON struct {
	Number        string         `json:"number"`
	IssuedAt      time.Time      `json:"issued_at"`
	IssuedAtLocal string         `json:"issued_at_local"` // in the office's time zone, with its offset
	IssuedBy      string         `json:"issued_by"`
	Position      string         `json:"position,omitempty"`
	Office        officeCardJSON `json:"office"`
	Stated        statedJSON     `json:"stated"`
	VerifyURL     string         `json:"verify_url"`
	Signed        bool           `json:"signed"`
	PDFSHA256     string         `json:"pdf_sha256,omitempty"`
	PDFURL        string         `json:"pdf_url,omitempty"`
	SignatureURL  string         `json:"signature_url,omitempty"`
	Taxpayer      *taxpayerJSON  `json:"taxpayer,omitempty"` // the record, when the extract is issued by this call
}

// extracts returns the extract service (one that signs nothing when none was given).
func (h *Handler) extracts() *extract.Service {
	if h.d.Extracts != nil {
		return h.d.Extracts
	}
	return extract.NewService(h.d.Register, nil, "")
}

// extractFileURL is the address of a file (pdf or p7s) of extract number of tin in this API.
func extractFileURL(tin, number, format string) string {
	return "/api/v1/taxpayers/" + tin + "/extract?number=" + url.QueryEscape(number) + "&format=" + format
}

func issuedOut(x *register.IssuedExtract, base string) extractJSON {
	card := register.OfficeCard{Office: register.Office{Code: x.OfficeCode}, FullName: x.OfficeName, TimeZone: x.TimeZone}
	out := extractJSON{Number: x.Number, IssuedAt: x.IssuedAt.UTC(), IssuedAtLocal: x.IssuedAt.In(card.Location()).Format(time.RFC3339),
		IssuedBy: x.IssuedBy, Position: x.Position, Office: officeCardJSON{Code: x.OfficeCode, Name: x.OfficeName, TimeZone: card.Location().String()},
		Stated:    statedJSON{TIN: x.TIN, Kind: string(x.Kind), Name: x.Name, Status: string(x.Status), EndReason: string(x.EndReason)},
		VerifyURL: extract.VerifyURL(base, x.Number), Signed: x.Signed, PDFSHA256: x.SHA256}
	if x.SHA256 != "" {
		out.PDFURL = extractFileURL(x.TIN, x.Number, "pdf")
	}
	if x.Signed {
		out.SignatureURL = extractFileURL(x.TIN, x.Number, "p7s")
	}
	return out
}

// handleExtract issues an extract of the path's TIN by the token's member, or with ?number= answers
// for one issued before (REG-9).
func (h *Handler) handleExtract(w http.ResponseWriter, r *http.Request) error {
	t, err := h.pathTIN(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	format, number := q.Get("format"), q.Get("number")
	switch format {
	case "", "json", "html", "pdf", "p7s":
	default:
		return problem.InvalidField("format", msgFormat)
	}
	x := h.extracts()
	base := x.BaseURL(web.ClientOf(r).Secure, r.Host)
	if number != "" || format == "p7s" {
		if number == "" {
			return problem.InvalidField("number", msgExtractNumber)
		}
		return h.serveIssuedExtract(w, r, x, t, number, format, base)
	}
	m := member(r)
	e, err := x.Issue(r.Context(), actor(r), t, register.Officer{Login: m.Login, Name: m.Name, Position: m.Position}, web.Lang(r), base)
	if err != nil {
		return err
	}
	w.Header().Set("X-Extract-Number", e.Number)
	if x.Signed() {
		w.Header().Set("Link", `<`+extractFileURL(t, e.Number, "p7s")+`>; rel="alternate"; type="application/pkcs7-signature"`)
	}
	switch format {
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return extract.HTML(w, e, web.Lang(r), x.Options(e, base))
	case "pdf":
		writeExtractFile(w, e.Number, "pdf", e.Document.PDF)
		return nil
	}
	out := issuedOut(e.Issued(), base)
	out.Office.Address = e.Office.Address
	tp := taxpayerOut(e.Taxpayer)
	out.Taxpayer = &tp
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// serveIssuedExtract answers about extract number of tin, issued before: what it stated, its
// PDF or its signature.
func (h *Handler) serveIssuedExtract(w http.ResponseWriter, r *http.Request, x *extract.Service, tin, number, format, base string) error {
	if n, ok := register.NormalizeExtractNumber(number); ok {
		number = n
	}
	switch format {
	case "pdf", "p7s":
		f, err := x.Files(r.Context(), tin, number, format == "p7s")
		if err != nil {
			return err
		}
		if format == "pdf" {
			writeExtractFile(w, number, "pdf", f.PDF)
		} else {
			writeExtractFile(w, number, "p7s", f.Signature)
		}
		return nil
	case "html":
		return problem.InvalidField("format", msgFormat)
	}
	issued, err := x.Issued(r.Context(), number)
	if err == nil && issued.TIN != tin {
		err = problem.New(problem.NotFound, problem.Msg("register.extract_not_found"))
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, issuedOut(issued, base))
	return nil
}

// writeExtractFile sends the PDF or the detached signature (DER) of extract number.
func writeExtractFile(w http.ResponseWriter, number, format string, b []byte) {
	ctype := "application/pdf"
	if format == "p7s" {
		ctype = "application/pkcs7-signature"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="extract-`+number+`.`+format+`"`)
	w.Write(b)
}
