package cabinet

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// KG-2: before the mobile application logs a taxpayer in, the taxpayer accepts the offer
// agreement (договор-оферта) and the privacy policy (seed 004: the checkbox that makes «Вход»
// active). Each document has a version, configured when kabinet starts (--offer-version,
// --privacy-version); the account's acceptance of each version is recorded with its time and
// address. A login that does not accept a document whose current version the account has not
// accepted yet is refused (403), naming what is missing and the versions to accept — so a new
// version published is asked again.

// The documents a mobile login accepts.
const (
	DocOffer   = "offer"   // the offer agreement, договор-оферта
	DocPrivacy = "privacy" // the privacy policy, политика конфиденциальности
)

// Documents lists the documents in the order they are named.
var Documents = []string{DocOffer, DocPrivacy}

// Terms are the current versions of the documents.
type Terms struct {
	Offer   string
	Privacy string
}

// DefaultTerms are the versions when none is configured.
var DefaultTerms = Terms{Offer: "2026-01", Privacy: "2026-01"}

// Version returns the current version of doc.
func (t Terms) Version(doc string) string {
	if doc == DocPrivacy {
		return t.Privacy
	}
	return t.Offer
}

// Check reports what is wrong with configured versions: each is 1 to 32 printable characters
// without spaces.
func (t Terms) Check() error {
	for _, d := range Documents {
		v := t.Version(d)
		if v == "" || len(v) > 32 || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
			return fmt.Errorf("the version of the %s document %q: 1 to 32 printable characters, no spaces", d, v)
		}
	}
	return nil
}

// Acceptance is an account's acceptance of one version of a document (KG-2).
type Acceptance struct {
	TIN      string
	Document string
	Version  string
	At       time.Time
	Address  string // the client's address
}

// Terms returns the current versions of the documents.
func (s *Service) Terms() Terms { return s.o.Terms }

// Acceptances returns what the account tin accepted, the newest first.
func (s *Service) Acceptances(ctx context.Context, tin string) ([]Acceptance, error) {
	return s.o.Store.Acceptances(ctx, tin)
}

var (
	msgTerms         = problem.Msg("lk.mobile.terms")
	msgTermsDocument = problem.Msg("lk.mobile.accept")
)

// accept returns the acceptances a login records — each current version it accepts that the
// account has not accepted before — or the Forbidden problem naming each document whose current
// version neither the account nor the request accepts, with the versions in its Extra.
func (s *Service) accept(ctx context.Context, tin string, accepts map[string]bool, at time.Time, address string) ([]Acceptance, error) {
	had, err := s.o.Store.Acceptances(ctx, tin)
	if err != nil {
		return nil, err
	}
	accepted := func(doc, version string) bool {
		for _, a := range had {
			if a.Document == doc && a.Version == version {
				return true
			}
		}
		return false
	}
	var (
		out     []Acceptance
		fe      problem.Fields
		missing []map[string]string
		names   []any
	)
	for _, d := range Documents {
		v := s.o.Terms.Version(d)
		switch {
		case accepted(d, v):
		case accepts[d]:
			out = append(out, Acceptance{TIN: tin, Document: d, Version: v, At: at.UTC(), Address: address})
		default:
			doc := i18n.Key("enum.terms." + d)
			fe.Add("accept_"+d, msgTermsDocument.With(doc, v))
			missing = append(missing, map[string]string{"document": d, "version": v})
			names = append(names, problem.Msg("lk.mobile.document").With(doc, v))
		}
	}
	if len(fe) > 0 {
		p := problem.New(problem.Forbidden, msgTerms.With(joined(names)))
		p.Fields = fe
		versions := map[string]string{}
		for _, d := range Documents {
			versions[d] = s.o.Terms.Version(d)
		}
		p.Extra = map[string]any{"missing": missing, "versions": versions}
		return nil, p
	}
	return out, nil
}

// joined is a list of messages as one text in the reader's language.
type joined []any

// In returns the texts joined by "; ".
func (j joined) In(lang string) string {
	parts := make([]string, len(j))
	for i, m := range j {
		parts[i] = m.(i18n.Localized).In(lang)
	}
	return strings.Join(parts, "; ")
}
