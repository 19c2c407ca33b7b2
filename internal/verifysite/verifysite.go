// Package verifysite is the public page that checks an extract from the register (REG-9): at
// /verify/extract/{number}, the address the extract's QR code carries, anyone, without signing
// in, learns whether an extract with that number was issued and what it stated (when and by
// which tax office, the TIN, the name and the TIN's status at issue), and may compare a PDF with
// the one issued by its SHA-256. It answers only for the number it is given: there is no search
// and no list, and the numbers hold a random part so that knowing one does not tell another. A
// made-up or malformed number gets a plain "no such extract" (404). It is a site of the web kit
// (package web), in Russian and English, with no session of its own.
package verifysite

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Base is the site's base path; ExtractPath the page of an extract, followed by its number.
const (
	Base        = "/verify/"
	ExtractPath = extract.VerifyPath
)

// Extracts is what the site asks of the register: what an issued extract stated.
type Extracts interface {
	Issued(ctx context.Context, number string) (*register.IssuedExtract, error)
}

// Handler serves the verification site.
type Handler struct {
	x    Extracts
	site *web.Site
}

// New returns the site. It fails only if the embedded templates are broken, which the tests
// catch.
func New(x Extracts, log *slog.Logger) (*Handler, error) {
	pages, err := fs.Sub(templates, "templates")
	if err != nil {
		return nil, err
	}
	// Its texts (verify.*) are in Russian and English; Kyrgyz ones would add "ky" here.
	site, err := web.NewSite(web.Site{Name: "verify", Base: Base, Tagline: "verify.tagline", Login: "/verify/extract", Home: "/verify/extract", Log: log,
		Languages: []string{"ru", "en"}}, pages)
	if err != nil {
		return nil, err
	}
	return &Handler{x: x, site: site}, nil
}

// Routes registers the site's pages on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	h.site.Mount(mux)
	mux.Handle("GET /verify/extract", h.site.Page(web.Public, h.handleLookup))
	mux.Handle("GET /verify/extract/{number}", h.site.Page(web.Public, h.handleExtract))
	mux.Handle("POST /verify/extract/{number}", h.site.Page(web.Public, h.handleCompare))
	mux.Handle("/verify/", h.site.Page(web.Public, func(q *web.Request) error {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}))
}

// view is what the page shows.
type view struct {
	Number   string
	Extract  *register.IssuedExtract
	Issued   string // the local date and time of issue, as the extract gave it
	Office   string
	NameKey  string // the label of the name: a person's or an organization's
	Compared string // "match", "mismatch", "none" (no file was kept) or "" (not compared)
	NotFound bool
}

// private keeps the page out of caches and search engines: it shows a taxpayer's data.
func private(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex, nofollow")
}

// handleLookup shows the form to type a number, and sends a typed number to its page.
func (h *Handler) handleLookup(q *web.Request) error {
	private(q.W)
	q.Page.Title = q.Page.T(q.Page.Local("verify.title")) // ЕГРН is Russia's register
	if raw := q.R.URL.Query().Get("number"); raw != "" {
		if n, ok := register.NormalizeExtractNumber(raw); ok {
			http.Redirect(q.W, q.R, ExtractPath+url.PathEscape(n), http.StatusSeeOther)
			return nil
		}
		q.Page.Title = q.Page.T("verify.not_found_title")
		q.Page.Form = url.Values{"number": {raw}}
		q.Page.Data = view{NotFound: true}
		q.Render(http.StatusNotFound, "verify.html")
		return nil
	}
	q.Page.Data = view{}
	q.Render(http.StatusOK, "verify.html")
	return nil
}

// handleExtract answers for the extract with the number of the address.
func (h *Handler) handleExtract(q *web.Request) error {
	return h.show(q, "", http.StatusOK)
}

// handleCompare compares an uploaded PDF with the one issued under the number, by SHA-256; the
// file is read, hashed and forgotten.
func (h *Handler) handleCompare(q *web.Request) error {
	compared := "mismatch"
	f, _, err := q.R.FormFile("file")
	if err != nil {
		q.Page.FieldErrors(problem.InvalidField("file", problem.Msg("verify.no_file")))
		return h.show(q, "", http.StatusUnprocessableEntity)
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, io.LimitReader(f, web.MaxFormBody)); err != nil {
		return err
	}
	got := hex.EncodeToString(sum.Sum(nil))
	x, err := h.x.Issued(q.Ctx(), q.R.PathValue("number"))
	if err != nil && !problem.Is(err, problem.NotFound) {
		return err // nothing was compared: not a "changed file"
	}
	if err == nil {
		switch {
		case x.SHA256 == "":
			compared = "none"
		case x.SHA256 == got:
			compared = "match"
		}
	}
	return h.show(q, compared, http.StatusOK)
}

// show renders the answer for the number of the address: what the extract stated, or "no
// such extract" with 404.
func (h *Handler) show(q *web.Request, compared string, status int) error {
	private(q.W)
	x, err := h.x.Issued(q.Ctx(), q.R.PathValue("number"))
	if problem.Is(err, problem.NotFound) {
		q.Page.Title = q.Page.T("verify.not_found_title")
		q.Page.Form = url.Values{"number": {q.R.PathValue("number")}} // to correct a typo in place
		q.Page.Data = view{NotFound: true}
		q.Render(http.StatusNotFound, "verify.html")
		return nil
	}
	if err != nil {
		return err
	}
	card := register.OfficeCard{Office: register.Office{Code: x.OfficeCode, Name: x.OfficeName}, FullName: x.OfficeName, TimeZone: x.TimeZone}
	v := view{Number: x.Number, Extract: x, Issued: extract.LocalTime(x.IssuedAt, card, q.Page.Lang), Compared: compared, NameKey: "extract.name"}
	if x.Kind != register.KindPerson {
		v.NameKey = "extract.org"
	}
	if x.OfficeName != "" {
		v.Office = q.Page.T("extract.office_code", x.OfficeName, x.OfficeCode)
	} else {
		v.Office = x.OfficeCode
	}
	q.Page.Title = q.Page.T("verify.found", x.Number)
	q.Page.Data = v
	q.Render(status, "verify.html")
	return nil
}
