package extract

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/register"
)

// VerifyPath is the public verification page of an extract, followed by its number (REG-9).
const VerifyPath = "/verify/extract/"

// Service issues extracts (REG-9): the register numbers and records each one; the service renders
// its PDF, with the QR code of the verification address, signs it with the office's key when one
// is configured, and hands both to the register to keep under the number.
type Service struct {
	reg       *register.Service
	signer    *Signer // nil: extracts are issued unsigned, and say so
	publicURL string  // the public base address, "https://kabinet.example"; "" for the request's
}

// NewService returns the extract service over the register. signer may be nil: extracts are then
// issued without a signature, say so on the paper, and are checked by their QR code alone.
// publicURL, when set, is the base of the verification address printed on extracts (else the
// address the request came to).
func NewService(reg *register.Service, signer *Signer, publicURL string) *Service {
	return &Service{reg: reg, signer: signer, publicURL: strings.TrimRight(publicURL, "/")}
}

// Signed reports whether extracts are signed.
func (s *Service) Signed() bool { return s != nil && s.signer != nil }

// Signer returns the signer of extracts, or nil.
func (s *Service) Signer() *Signer { return s.signer }

// BaseURL returns the public base address for a request that came over TLS or not (to kabinet or
// a trusted proxy) to host: the configured public URL when there is one.
func (s *Service) BaseURL(secure bool, host string) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if secure {
		scheme = "https"
	}
	return scheme + "://" + host
}

// VerifyURL returns the verification address of extract number under base.
func VerifyURL(base, number string) string {
	return strings.TrimRight(base, "/") + VerifyPath + url.PathEscape(number)
}

// Issue issues an extract of tin by the officer (REG-9): the register numbers it; the PDF is
// rendered in lang with the QR code of its verification address under base, signed when a key is
// configured, and kept with the number.
func (s *Service) Issue(ctx context.Context, actor audit.Actor, tin string, by register.Officer, lang, base string) (*register.Extract, error) {
	return s.reg.Extract(ctx, actor, tin, by, func(e *register.Extract) (*register.ExtractDocument, error) {
		var b bytes.Buffer
		if err := PDF(&b, e, lang, s.Options(e, base)); err != nil {
			return nil, err
		}
		doc := &register.ExtractDocument{Lang: lang, PDF: b.Bytes()}
		if s.signer != nil {
			sig, err := s.signer.Sign(doc.PDF, e.IssuedAt)
			if err != nil {
				return nil, err
			}
			doc.Signature = sig
		}
		return doc, nil
	})
}

// Options returns what an extract issued by this service shows besides the register's data.
func (s *Service) Options(e *register.Extract, base string) Options {
	o := Options{VerifyURL: VerifyURL(base, e.Number), Profile: s.reg.Profile()}
	if s.signer != nil {
		o.Signer = s.signer.Holder()
	}
	return o
}

// Files returns the PDF and the signature kept with extract number of tin; with signature, an
// extract issued unsigned is NotFound.
func (s *Service) Files(ctx context.Context, tin, number string, signature bool) (*register.ExtractFiles, error) {
	return s.reg.ExtractFiles(ctx, tin, number, signature)
}

// Issued returns what the extract with number stated (the public verification, REG-9).
func (s *Service) Issued(ctx context.Context, number string) (*register.IssuedExtract, error) {
	return s.reg.IssuedExtract(ctx, number)
}
