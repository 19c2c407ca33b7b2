package register

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// REG-3: registrations held for an inspector when a person matches by name and birth data only.

// Reviews lists possible-duplicate reviews with the given status (all when empty), oldest first.
func (s *Service) Reviews(ctx context.Context, status ReviewStatus, limit int) ([]Review, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.store.Reviews(ctx, status, limit)
}

// Review returns one review.
func (s *Service) Review(ctx context.Context, id int64) (*Review, error) {
	return s.store.Review(ctx, id)
}

// DecideReview closes a review: sameAs is the TIN of the candidate the person turned out to be
// (that TIN is applied and the new document added to it), or "" for a different person (a new TIN
// is assigned). A request held because its document or СНИЛС is on record for the candidate
// cannot be a different person with that document or СНИЛС (REG-3): that decision is a Conflict,
// and the request is to be corrected and made again.
func (s *Service) DecideReview(ctx context.Context, actor audit.Actor, id int64, sameAs string) (Result, error) {
	now := s.now()
	var res Result
	err := s.update(ctx, func(tx Tx) error {
		res = Result{}
		rv, err := tx.Review(ctx, id)
		if err != nil {
			return err
		}
		if rv.Status != ReviewPending {
			return problem.New(problem.Conflict, msgReviewDecided)
		}
		at := now.UTC()
		rv.DecidedAt, rv.DecidedBy = &at, actor.Login
		key := DocumentKey(rv.Input.Document)
		if sameAs != "" {
			found := false
			for _, c := range rv.Candidates {
				found = found || c == sameAs
			}
			if !found {
				return problem.InvalidField("same_as", msgNotCandidate.With(sameAs))
			}
			t, err := tx.LockTaxpayer(ctx, sameAs)
			if err != nil {
				return err
			}
			if t.Status == StatusNotApplied {
				return problem.New(problem.Conflict, msgNotApplied.With(sameAs))
			}
			holder, err := tx.PersonByDocument(ctx, key)
			if err != nil {
				return err
			}
			if holder != "" && holder != sameAs {
				// REG-7: a document of a duplicate TIN is the person's whose TIN is kept.
				k, err := finalKept(ctx, tx, holder)
				if err != nil {
					return err
				}
				if k.TIN != sameAs {
					return problem.New(problem.Conflict, msgDocOther)
				}
				holder = sameAs
			}
			rv.Status, rv.ResultTIN = ReviewSame, sameAs
			if err := tx.UpdateReview(ctx, rv); err != nil {
				return err
			}
			if holder == "" {
				if err := tx.InsertDocument(ctx, NewDocument{TIN: sameAs, Key: key}); err != nil {
					return err
				}
				if err := tx.AddChange(ctx, sameAs, Change{At: at, Actor: actor.Login, Action: "document_added", Fields: []FieldChange{{Field: "identity_document", New: formatDocument(rv.Input.Document)}}, Note: fmt.Sprint("review ", id)}); err != nil {
					return err
				}
				t.Person.Documents = append([]IdentityDocument{rv.Input.Document}, t.Person.Documents...)
				if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
					return err
				}
			}
			res = Result{Taxpayer: t, Review: rv}
			return tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", id), "decision=same tin="+sameAs))
		}
		rv.Status = ReviewDifferent
		out := make([]BatchResult, 1)
		row := pendingPerson{idx: 0, in: rv.Input, key: key, nameNorm: NormalizeName(rv.Input.Surname, rv.Input.GivenName, rv.Input.Patronymic)}
		// The review is closed first so the registration below does not find it pending.
		if err := tx.UpdateReview(ctx, rv); err != nil {
			return err
		}
		if err := s.registerPersons(ctx, tx, actor, []pendingPerson{row}, out, now, true); err != nil {
			return err
		}
		if out[0].Taxpayer == nil {
			return problem.New(problem.Conflict, msgDocOther)
		}
		rv.ResultTIN = out[0].Taxpayer.TIN
		if err := tx.UpdateReview(ctx, rv); err != nil {
			return err
		}
		res = Result{Taxpayer: out[0].Taxpayer, Created: out[0].Created, Review: rv}
		return tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", id), "decision=different tin="+rv.ResultTIN))
	})
	return res, err
}
