package register

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// REG-3, BO-3: registrations held for an inspector when a person matches by name and birth data
// only, or gives a document or a СНИЛС on record for another person; and the inspector's decision.

// ReviewStatus is the state of a possible-duplicate review.
type ReviewStatus string

// Review states.
const (
	ReviewPending   ReviewStatus = "pending"
	ReviewSame      ReviewStatus = "same"      // the inspector found the person already has a TIN
	ReviewDifferent ReviewStatus = "different" // a different person: a new TIN was assigned
	ReviewRefused   ReviewStatus = "refused"   // the application was refused with a reason: no TIN
)

// Review is a registration held for an inspector because the register holds a person with the
// same name and birth data but no matching identity document (REG-3): neither silently a new TIN
// nor silently the old one.
type Review struct {
	ID         int64
	Status     ReviewStatus
	Input      PersonInput
	Candidates []string // TINs of the possible matches
	CreatedAt  time.Time
	CreatedBy  string
	DecidedAt  *time.Time
	DecidedBy  string
	ResultTIN  string
	Reason     string // why the application was refused (ReviewRefused)
}

// Messages of the reviews.
var (
	msgReviewNotFound = problem.Msg("register.review_not_found")
	msgReviewDecided  = problem.Msg("register.review_decided")
	msgNotCandidate   = problem.Msg("register.not_candidate")
)

// maxRefusalReason bounds the reason of a refusal, in characters.
const maxRefusalReason = 1000

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
	err := s.store.Update(ctx, func(tx Tx) error {
		res = Result{}
		rv, err := tx.Review(ctx, id)
		if err != nil {
			return err
		}
		if err := stillPending(rv); err != nil {
			return err
		}
		at := now.UTC()
		rv.DecidedAt, rv.DecidedBy = &at, actor.Login
		if sameAs != "" {
			res, err = s.decideSame(ctx, tx, actor, rv, sameAs, at)
		} else {
			res, err = s.decideDifferent(ctx, tx, actor, rv, now)
		}
		return err
	})
	return res, err
}

// decideSame closes a review with the candidate sameAs: the person's TIN is applied, and the
// document of the request becomes the person's current one unless it is on record for them.
func (s *Service) decideSame(ctx context.Context, tx Tx, actor audit.Actor, rv *Review, sameAs string, at time.Time) (Result, error) {
	if !slices.Contains(rv.Candidates, sameAs) {
		return Result{}, problem.InvalidField("same_as", msgNotCandidate.With(sameAs))
	}
	t, err := tx.LockTaxpayer(ctx, sameAs)
	if err != nil {
		return Result{}, err
	}
	if t.Status == StatusNotApplied {
		return Result{}, problem.New(problem.Conflict, msgNotApplied.With(sameAs))
	}
	key := DocumentKey(rv.Input.Document)
	holder, err := tx.PersonByDocument(ctx, key)
	if err != nil {
		return Result{}, err
	}
	if holder != "" && holder != sameAs {
		// REG-7: a document of a duplicate TIN is the person's whose TIN is kept.
		k, err := finalKept(ctx, tx, holder)
		if err != nil {
			return Result{}, err
		}
		if k.TIN != sameAs {
			return Result{}, problem.New(problem.Conflict, msgDocOther)
		}
		holder = sameAs
	}
	rv.Status, rv.ResultTIN = ReviewSame, sameAs
	if err := tx.UpdateReview(ctx, rv); err != nil {
		return Result{}, err
	}
	if holder == "" {
		if err := tx.InsertDocument(ctx, NewDocument{TIN: sameAs, Key: key}); err != nil {
			return Result{}, err
		}
		if err := tx.AddChange(ctx, sameAs, Change{At: at, Actor: actor.Login, Action: "document_added", Fields: []FieldChange{{Field: "identity_document", New: formatDocument(rv.Input.Document)}}, Note: fmt.Sprint("review ", rv.ID)}); err != nil {
			return Result{}, err
		}
		t.Person.Documents = append([]IdentityDocument{rv.Input.Document}, t.Person.Documents...)
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			return Result{}, err
		}
	}
	return Result{Taxpayer: t, Review: rv}, tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", rv.ID), "decision=same tin="+sameAs))
}

// decideDifferent closes a review as another person's: the request is registered with a new TIN,
// without the check of names (REG-3) that held it.
func (s *Service) decideDifferent(ctx context.Context, tx Tx, actor audit.Actor, rv *Review, now time.Time) (Result, error) {
	rv.Status = ReviewDifferent
	out := make([]BatchResult, 1)
	row := pendingPerson{idx: 0, in: rv.Input, key: DocumentKey(rv.Input.Document),
		nameNorm: NormalizeName(rv.Input.Surname, rv.Input.GivenName, rv.Input.Patronymic)}
	// The review is closed first so the registration below does not find it pending.
	if err := tx.UpdateReview(ctx, rv); err != nil {
		return Result{}, err
	}
	if err := s.registerPersons(ctx, tx, actor, []pendingPerson{row}, out, now, true); err != nil {
		return Result{}, err
	}
	if out[0].Taxpayer == nil {
		return Result{}, problem.New(problem.Conflict, msgDocOther)
	}
	rv.ResultTIN = out[0].Taxpayer.TIN
	if err := tx.UpdateReview(ctx, rv); err != nil {
		return Result{}, err
	}
	res := Result{Taxpayer: out[0].Taxpayer, Created: out[0].Created, Review: rv}
	return res, tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", rv.ID), "decision=different tin="+rv.ResultTIN))
}

// CheckRefusal checks a refusal of the review id as RefuseReview does — a reason, one line of
// text, and a review still pending — and writes nothing; it returns the review. The back office
// asks it before it shows the confirmation of the refusal.
func (s *Service) CheckRefusal(ctx context.Context, id int64, reason string) (*Review, error) {
	if _, err := checkRefusalReason(reason); err != nil {
		return nil, err
	}
	rv, err := s.store.Review(ctx, id)
	if err != nil {
		return nil, err
	}
	return rv, stillPending(rv)
}

// RefuseReview closes a review by refusing the application, with the reason the inspector gives
// (BO-3): the applicant gave the document or the СНИЛС of another person, say, and is neither
// that person nor may register with it. No TIN is assigned and no record changes; the reason is
// kept with the review and written to the audit log. The reason is required, one line of text.
func (s *Service) RefuseReview(ctx context.Context, actor audit.Actor, id int64, reason string) (*Review, error) {
	reason, err := checkRefusalReason(reason)
	if err != nil {
		return nil, err
	}
	at := s.now().UTC()
	var out *Review
	err = s.store.Update(ctx, func(tx Tx) error {
		rv, err := tx.Review(ctx, id)
		if err != nil {
			return err
		}
		if err := stillPending(rv); err != nil {
			return err
		}
		rv.Status, rv.Reason, rv.DecidedAt, rv.DecidedBy = ReviewRefused, reason, &at, actor.Login
		if err := tx.UpdateReview(ctx, rv); err != nil {
			return err
		}
		out = rv
		// The reason is free text: it comes last in the details, which are read up to their end.
		return tx.Audit(ctx, s.entry(actor, "person.review_decide", fmt.Sprint("review:", rv.ID), "decision=refused refusal="+reason))
	})
	return out, err
}

// checkRefusalReason checks the reason of a refusal and returns it on one line.
func checkRefusalReason(reason string) (string, error) {
	var fe problem.Fields
	if checkLine(&fe, "refusal_reason", reason) {
		reason = collapse(reason)
		checkText(&fe, "refusal_reason", reason, true, maxRefusalReason)
	}
	return reason, fe.Err()
}

// stillPending refuses a decision on a review that is decided already.
func stillPending(rv *Review) error {
	if rv.Status != ReviewPending {
		return problem.New(problem.Conflict, msgReviewDecided)
	}
	return nil
}
