package register

import (
	"context"
	"errors"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// The store reports what it did not find and which unique key was taken with the typed errors
// of package storeerr; this file turns them into the register's own problems, with the
// register's messages, at the one door between the rules and the Store.

// found returns err, or the register's NotFound problem with m when the store found nothing.
func found(err error, m problem.Message) error {
	if errors.Is(err, storeerr.ErrNotFound) {
		return problem.Wrap(problem.NotFound, m, err)
	}
	return err
}

// storage wraps a Store so that what the rules read and write speaks the register's problems.
type storage struct{ Store }

func (s storage) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	t, err := s.Store.Taxpayer(ctx, tin)
	return t, found(err, msgTaxpayerNotFound.With(tin))
}

func (s storage) Review(ctx context.Context, id int64) (*Review, error) {
	r, err := s.Store.Review(ctx, id)
	return r, found(err, msgReviewNotFound.With(id))
}

func (s storage) KIO(ctx context.Context, code string) (*KIO, error) {
	k, err := s.Store.KIO(ctx, code)
	return k, found(err, msgKIONotFound.With(code))
}

func (s storage) Office(ctx context.Context, code string) (*Office, error) {
	o, err := s.Store.Office(ctx, code)
	return o, found(err, msgOfficeUnknown.With(code))
}

// Update runs fn over a transaction that speaks the register's problems. A unique key still
// taken when fn gives up is a Conflict (it wraps the storeerr.KeyTaken, which update retries on).
func (s storage) Update(ctx context.Context, fn func(tx Tx) error) error {
	err := s.Store.Update(ctx, func(tx Tx) error { return fn(txStorage{tx}) })
	if errors.Is(err, storeerr.ErrKeyTaken) {
		if _, isProblem := problem.As(err); !isProblem {
			return problem.Wrap(problem.Conflict, problem.MsgConflict, err)
		}
	}
	return err
}

type txStorage struct{ Tx }

func (t txStorage) Taxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tp, err := t.Tx.Taxpayer(ctx, tin)
	return tp, found(err, msgTaxpayerNotFound.With(tin))
}

func (t txStorage) LockTaxpayer(ctx context.Context, tin string) (*Taxpayer, error) {
	tp, err := t.Tx.LockTaxpayer(ctx, tin)
	return tp, found(err, msgTaxpayerNotFound.With(tin))
}

func (t txStorage) Review(ctx context.Context, id int64) (*Review, error) {
	r, err := t.Tx.Review(ctx, id)
	return r, found(err, msgReviewNotFound.With(id))
}

func (t txStorage) KIO(ctx context.Context, code string) (*KIO, error) {
	k, err := t.Tx.KIO(ctx, code)
	return k, found(err, msgKIONotFound.With(code))
}

func (t txStorage) Office(ctx context.Context, code string) (*Office, error) {
	o, err := t.Tx.Office(ctx, code)
	return o, found(err, msgOfficeUnknown.With(code))
}

func (t txStorage) UpdateTaxpayer(ctx context.Context, tp *Taxpayer, nameNorm string) error {
	return found(t.Tx.UpdateTaxpayer(ctx, tp, nameNorm), msgTaxpayerNotFound.With(tp.TIN))
}
