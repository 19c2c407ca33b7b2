package register

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/internal/audit"
)

// REG-9: the extract confirming a TIN.

// Extract issues an extract confirming the TIN (REG-9); issuing it is recorded in the audit log.
// Extract numbers are unique: "<year>-<7-digit serial>".
func (s *Service) Extract(ctx context.Context, actor audit.Actor, tin string) (*Extract, error) {
	t, err := s.Taxpayer(ctx, tin)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var e *Extract
	err = s.store.Update(ctx, func(tx Tx) error {
		year := fmt.Sprint(now.Year())
		n, err := tx.NextSerials(ctx, scopeExtract, year, 1, 1)
		if err != nil {
			return err
		}
		e = &Extract{Number: fmt.Sprintf("%s-%07d", year, n), IssuedAt: now, IssuedBy: actor.Login, Taxpayer: t}
		if err := tx.InsertExtract(ctx, e); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.extract", t.TIN, "extract="+e.Number))
	})
	return e, err
}
