package register

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
)

// REG-3 and TIN-6 where the register records the TINs persons have (the Kyrgyz Republic): each
// person is registered under the TIN they bring, checked by numbers.go. REG-3's duplicate checks
// hold in their form for recorded numbers:
//
//   - the same TIN again is the same taxpayer when the full name and the birth date agree: their
//     record is answered (Created false, the fields that differ in Mismatch) and nothing is
//     written; a duplicate that stopped being applied answers with the TIN kept for it (REG-7);
//   - a TIN on record for another person (another name or birth date) is refused;
//   - an identity document on record under another TIN is refused: it is that taxpayer's.
//
// No number is issued, so nothing waits for an inspector's review: two different TINs are two
// persons, namesakes or not. Under concurrency the unique keys decide (the TIN is the record's
// primary key, the document key unique): the request that loses runs again and finds the
// record the other one wrote.

// msgDocOtherTIN refuses a document on record under another TIN.
var msgDocOtherTIN = problem.Msg("register.document_other_tin")

// recordPersons is REG-3 and TIN-6 for a batch inside one transaction: out gets each row's
// record, new or found, or its refusal.
func (s *Service) recordPersons(ctx context.Context, tx Tx, actor audit.Actor, rows []pendingPerson, out []BatchResult, now time.Time) error {
	for _, r := range rows { // a retried transaction starts again from nothing
		out[r.idx] = BatchResult{}
	}
	keys := make([]string, len(rows))
	for j, r := range rows {
		keys[j] = r.key
	}
	known, err := tx.PersonsByDocuments(ctx, keys)
	if err != nil {
		return err
	}
	byTIN := map[string]int{} // TIN → the row of the batch answered for it
	byKey := map[string]int{} // document key → likewise
	follows := map[int]int{}  // row → the earlier row of the same person
	tins := map[int]string{}
	var fresh []int
	for j, r := range rows {
		tin := r.in.TIN
		if k, ok := byTIN[tin]; ok {
			if samePerson(&Person{Surname: rows[k].in.Surname, GivenName: rows[k].in.GivenName, Patronymic: rows[k].in.Patronymic,
				BirthDate: rows[k].in.BirthDate}, &r.in) {
				follows[j] = k
			} else {
				out[r.idx].Err = conflict("tin", msgTINTaken.With(tin))
			}
			continue
		}
		if k, ok := byKey[r.key]; ok && rows[k].in.TIN != tin {
			out[r.idx].Err = conflict("identity_document", msgDocOtherTIN.With(rows[k].in.TIN))
			continue
		}
		if holder := known[r.key]; holder != "" && holder != tin {
			out[r.idx].Err = conflict("identity_document", msgDocOtherTIN.With(holder))
			continue
		}
		t, err := tx.Taxpayer(ctx, tin)
		switch {
		case problem.Is(err, problem.NotFound):
			tins[j] = tin
			fresh = append(fresh, j)
		case err != nil:
			return err
		case t.Person != nil && samePerson(t.Person, &r.in):
			kept, err := finalKept(ctx, tx, tin)
			if err != nil {
				return err
			}
			out[r.idx].Result = Result{Taxpayer: kept, Mismatch: mismatch(kept, &r.in)}
		default:
			out[r.idx].Err = conflict("tin", msgTINTaken.With(tin))
			continue
		}
		byTIN[tin], byKey[r.key] = j, j
	}
	entries, err := s.insertPersons(ctx, tx, actor, rows, fresh, tins, out, now)
	if err != nil {
		return err
	}
	for j, k := range follows { // the same person twice in the batch: one record
		first := out[rows[k].idx]
		out[rows[j].idx] = BatchResult{Result: Result{Taxpayer: first.Taxpayer, Mismatch: mismatch(first.Taxpayer, &rows[j].in)}, Err: first.Err}
	}
	if len(entries) > 0 {
		return tx.Audit(ctx, entries...)
	}
	return nil
}

// conflict is a refusal of what the register holds, on one field.
func conflict(field string, m problem.Message) error {
	return &problem.Error{Code: problem.Conflict, Message: m, Fields: []problem.FieldError{{Field: field, Message: m}}}
}
