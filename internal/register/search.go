package register

import (
	"context"
	"strings"

	"github.com/kabinet/kabinet/internal/problem"
)

// Reading the register: one taxpayer by TIN, and the search.

// Taxpayer returns the record with its KPPs and history (FindTaxpayerByTIN). A TIN that is not
// applied any more still answers, with its status, reason and the kept TIN (REG-7).
func (s *Service) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tin = strings.TrimSpace(tin)
	if !isDigits(tin, 10) && !isDigits(tin, 12) {
		return nil, notFound(tin)
	}
	return s.resolved(ctx, s.store, tin)
}

// MaxSearchOffset bounds how deep a search may page (a narrower query finds the rest), so that
// no request makes the store hold more than a few thousand rows.
const MaxSearchOffset = 5000

// Search finds taxpayers by a TIN or its prefix, a name prefix (case-insensitive, ё = е), an
// identity document number, ОГРН or КИО, with filters; it uses indexes only.
func (s *Service) Search(ctx context.Context, f SearchFilter) ([]Summary, error) {
	if f.Offset > MaxSearchOffset {
		return nil, problem.InvalidField("offset", msgOffsetMax.With(MaxSearchOffset))
	}
	q := Query{Kind: f.Kind, Status: f.Status, Limit: f.Limit, Offset: f.Offset}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	text := strings.TrimSpace(f.Query)
	compact := normalizeCode(text)
	switch {
	case text == "":
		q.MatchNoText = true
	case digitsOnly(compact):
		if len(compact) <= 12 {
			q.TINPrefix = compact
		}
		if len(compact) == 13 || len(compact) == 15 {
			q.OGRN = compact
		}
		if len(compact) == 5 {
			q.KIO = compact
		}
		q.DocKeys = documentKeys(compact)
	default:
		q.NamePrefix = NormalizeName(text)
		if strings.ContainsAny(compact, "0123456789") {
			q.DocKeys = documentKeys(compact)
		}
	}
	out, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Summary{}
	}
	return out, nil
}
