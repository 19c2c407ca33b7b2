package register

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// REG-9: the extract confirming a TIN, a document a bank or a court accepts: it names the tax
// office in full with its address, the issuing officer by name and position, gives the time of
// issue in the office's time zone, has a unique number, and can be checked by anyone: the register
// keeps, under the number, what the extract stated and its PDF with the office's signature.

// Officer is the staff member who issues an extract, as the extract names them (REG-9).
type Officer struct {
	Login    string // for the audit log
	Name     string // full name; the login when the member has none
	Position string
}

// Extract is the register's extract confirming a TIN (REG-9).
type Extract struct {
	Number   string
	IssuedAt time.Time // UTC; the extract gives it in the office's time zone
	IssuedBy string    // the issuing officer's full name
	Position string    // the issuing officer's position
	// Office is the tax office the taxpayer is registered with, which issues the extract.
	Office   OfficeCard
	Taxpayer *Taxpayer
	// Country is the country of a foreign organization by its ОКСМ code (REG-8), for the extract
	// to name it in its language; nil for others, or for a code the directory lacks.
	Country *Country
	// Document is the extract as issued, when it was rendered (see Render).
	Document *ExtractDocument
}

// ExtractDocument is an extract as issued (REG-9): its PDF, in the language it was asked in, and
// the office's detached CMS signature of the PDF's bytes (nil when the register signs nothing).
type ExtractDocument struct {
	Lang      string
	PDF       []byte
	Signature []byte
}

// SHA256 returns the hexadecimal SHA-256 of the PDF, under which the register keeps it.
func (d *ExtractDocument) SHA256() string {
	h := sha256.Sum256(d.PDF)
	return hex.EncodeToString(h[:])
}

// Render makes the document of an extract once it has its number and its data: package
// extract renders the PDF and signs it. It runs outside any transaction.
type Render func(e *Extract) (*ExtractDocument, error)

// IssuedExtract is what the register keeps of an issued extract so that anyone can check it by
// its number (REG-9): what it stated at issue, the SHA-256 of its PDF and whether it was signed.
type IssuedExtract struct {
	Number     string
	IssuedAt   time.Time // UTC
	IssuedBy   string
	Position   string
	TIN        string
	Kind       Kind
	Name       string // the taxpayer's full name, or the organization's
	Status     Status // the TIN's status at issue
	EndReason  EndReason
	OfficeCode string
	OfficeName string // the office's full name
	TimeZone   string // the office's, in which the extract gave its time
	Lang       string
	SHA256     string // hexadecimal; "" when no document was kept
	Signed     bool
}

// ExtractFiles are the PDF and the detached signature kept with an issued extract.
type ExtractFiles struct {
	TIN       string
	PDF       []byte
	Signature []byte // nil when the extract was issued unsigned
}

var (
	msgExtractNotFound = problem.Msg("register.extract_not_found")
	msgExtractUnsigned = problem.Msg("register.extract_unsigned")
)

// extractCode is the alphabet of the random part of an extract number (Crockford's base 32:
// no I, L, O, U, so it reads back from paper without doubt).
const extractCode = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// reExtractNumber is the form of an extract number: "<year>-<7-digit serial>-<8 random characters>".
var reExtractNumber = regexp.MustCompile(`^[0-9]{4}-[0-9]{7}-[0-9A-HJKMNP-TV-Z]{8}$`)

// NormalizeExtractNumber returns an extract number as the register writes it (upper case, no
// spaces around) and whether it has the form of one.
func NormalizeExtractNumber(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s, len(s) <= 32 && reExtractNumber.MatchString(s)
}

// newExtractNumber makes a number from the year's serial, which keeps numbers unique, and 40
// random bits, which keep them from being guessed: the public verification answers anyone who
// knows a number, so knowing one must not tell the next (REG-9).
func newExtractNumber(year string, serial int64) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = extractCode[b[i]&31]
	}
	return fmt.Sprintf("%s-%07d-%s", year, serial, b), nil
}

// Extract issues an extract confirming the TIN (REG-9), issued by the officer: it takes the next
// number of the year, lets render make the document (outside any transaction), and records the
// extract with what it stated and its document; issuing it is recorded in the audit log. render
// may be nil (no document is kept). A number taken by an attempt that failed is not used again.
func (s *Service) Extract(ctx context.Context, actor audit.Actor, tin string, by Officer, render Render) (*Extract, error) {
	t, err := s.Taxpayer(ctx, tin)
	if err != nil {
		return nil, err
	}
	office, err := s.OfficeCard(ctx, t.TaxOffice)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	year := fmt.Sprint(now.Year())
	var serial int64
	if err := s.store.Update(ctx, func(tx Tx) error {
		serial, err = tx.NextSerials(ctx, scopeExtract, year, 1, 1)
		return err
	}); err != nil {
		return nil, err
	}
	number, err := newExtractNumber(year, serial)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(by.Name)
	if name == "" {
		name = by.Login
	}
	e := &Extract{Number: number, IssuedAt: now, IssuedBy: name, Position: strings.TrimSpace(by.Position), Office: office, Taxpayer: t}
	if t.Foreign != nil {
		if c, ok := s.ref.Country(t.Foreign.OKSM); ok {
			e.Country = &c
		}
	}
	if render != nil {
		if e.Document, err = render(e); err != nil {
			return nil, err
		}
	}
	rec, files := issuedRecord(e)
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertExtract(ctx, rec, files); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.extract", t.TIN, "extract="+e.Number))
	})
	return e, err
}

// Issued returns what the register keeps of the extract to answer for it later (REG-9).
func (e *Extract) Issued() *IssuedExtract {
	rec, _ := issuedRecord(e)
	return rec
}

// issuedRecord is what the register keeps of e.
func issuedRecord(e *Extract) (*IssuedExtract, ExtractFiles) {
	t := e.Taxpayer
	rec := &IssuedExtract{Number: e.Number, IssuedAt: e.IssuedAt, IssuedBy: e.IssuedBy, Position: e.Position, TIN: t.TIN, Kind: t.Kind,
		Name: TaxpayerName(t), Status: t.Status, OfficeCode: e.Office.Code, OfficeName: e.Office.FullName, TimeZone: e.Office.TimeZone}
	if t.Ending != nil {
		rec.EndReason = t.Ending.Reason
	}
	files := ExtractFiles{TIN: t.TIN}
	if d := e.Document; d != nil {
		rec.Lang, rec.SHA256, rec.Signed = d.Lang, d.SHA256(), len(d.Signature) > 0
		files.PDF, files.Signature = d.PDF, d.Signature
		// The office as the document names it (a УГНС in Kyrgyz in a Kyrgyz extract), so that
		// the check of the extract shows what the reader sees on paper.
		rec.OfficeName = e.Office.In(d.Lang).FullName
	}
	return rec, files
}

// TaxpayerName returns the full name of a person, an organization or a foreign organization.
func TaxpayerName(t *Taxpayer) string {
	switch {
	case t.Person != nil:
		return strings.Join(strings.Fields(t.Person.Surname+" "+t.Person.GivenName+" "+t.Person.Patronymic), " ")
	case t.Organization != nil:
		return t.Organization.FullName
	case t.Foreign != nil:
		return t.Foreign.NameRu
	}
	return ""
}

// IssuedExtract returns what the extract with number stated when it was issued (REG-9). A
// number that is malformed or was never issued is NotFound alike, without a look in the store
// for a malformed one.
func (s *Service) IssuedExtract(ctx context.Context, number string) (*IssuedExtract, error) {
	n, ok := NormalizeExtractNumber(number)
	if !ok {
		return nil, problem.New(problem.NotFound, msgExtractNotFound)
	}
	x, err := s.store.IssuedExtract(ctx, n)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, problem.Wrap(problem.NotFound, msgExtractNotFound, err)
	}
	return x, err
}

// ExtractFiles returns the PDF and the signature kept with the extract number of tin (REG-9); an
// extract of another TIN is NotFound, so is the signature of an extract issued unsigned when
// signature is asked for.
func (s *Service) ExtractFiles(ctx context.Context, tin, number string, signature bool) (*ExtractFiles, error) {
	n, ok := NormalizeExtractNumber(number)
	if !ok {
		return nil, problem.New(problem.NotFound, msgExtractNotFound)
	}
	f, err := s.store.ExtractFiles(ctx, n)
	if errors.Is(err, storeerr.ErrNotFound) || (err == nil && (f.TIN != tin || len(f.PDF) == 0)) {
		return nil, problem.Wrap(problem.NotFound, msgExtractNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	if signature && len(f.Signature) == 0 {
		return nil, problem.New(problem.NotFound, msgExtractUnsigned)
	}
	return f, nil
}
