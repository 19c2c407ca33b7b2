package register

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/tin"
)

// REG-6, REG-7: deregistration, and the TINs that stop being applied (death, liquidation,
// duplicates), each pointing to the TIN that is kept.

// EndReason says why a registration ended or a TIN stopped being applied (REG-6, REG-7).
type EndReason string

// Reasons. Death, liquidation, reorganization (by transformation, division or into another
// entity), redomiciliation and duplicate stop the TIN being applied; moved and other only end the
// registration at an office.
const (
	EndDeath          EndReason = "death"
	EndLiquidation    EndReason = "liquidation"
	EndReorganization EndReason = "reorganization"
	EndRedomiciled    EndReason = "redomiciled"
	EndDuplicate      EndReason = "duplicate"
	EndMoved          EndReason = "moved"
	EndOther          EndReason = "other"
)

// Ending records why a registration ended or the TIN stopped being applied.
type Ending struct {
	Reason  EndReason
	On      time.Time
	KeptTIN string // for EndDuplicate (and reorganization into another entity): the TIN that is kept
	Note    string
}

// Messages of deregistration and duplicates.
var (
	msgKeptSelf              = problem.Msg("register.kept_self")
	msgKeptNotApplied        = problem.Msg("register.kept_not_applied")
	msgKeptKind              = problem.Msg("register.kept_kind")
	msgTINFormat             = problem.Msg("register.tin_format")
	msgEndReason             = problem.Msg("register.end_reason")
	msgAlreadyDeregistered   = problem.Msg("register.already_deregistered")
	msgEndBeforeBirth        = problem.Msg("register.end_before_birth")
	msgEndBeforeState        = problem.Msg("register.end_before_state_registration")
	msgEndBeforeRegistration = problem.Msg("register.end_before_registration")
)

// resolved reads a record; a duplicate's ending names the TIN that is applied in the end, however
// many duplicates the chain of kept TINs passes through (REG-7).
func (s *Service) resolved(ctx context.Context, r Reader, tin string) (*Taxpayer, error) {
	t, err := r.Taxpayer(ctx, tin)
	if err != nil {
		return nil, err
	}
	if e := t.Ending; e != nil && e.Reason == EndDuplicate && e.KeptTIN != "" {
		k, err := finalKept(ctx, r, e.KeptTIN, t.TIN)
		if err != nil {
			return nil, err
		}
		e.KeptTIN = k.TIN
	}
	return t, nil
}

// finalKept follows the chain of kept TINs of duplicates from tin to the record that is applied
// (REG-7): the one walk of the chain. A TIN met again (or one of seen, where the walk began) ends
// it with the record read there, so that a chain that comes back on itself cannot loop.
func finalKept(ctx context.Context, r Reader, tin string, seen ...string) (*Taxpayer, error) {
	met := map[string]bool{}
	for _, s := range seen {
		met[s] = true
	}
	for {
		t, err := r.Taxpayer(ctx, tin)
		if err != nil {
			return nil, err
		}
		if met[tin] || t.Status != StatusNotApplied || t.Ending == nil || t.Ending.Reason != EndDuplicate || t.Ending.KeptTIN == "" {
			return t, nil
		}
		met[tin] = true
		tin = t.Ending.KeptTIN
	}
}

// stopsApplying says whether an ending stops the TIN being applied for this kind (REG-7), and
// whether the reason applies to the kind at all.
func stopsApplying(k Kind, r EndReason) (stops, ok bool) {
	switch r {
	case EndDeath:
		return true, k == KindPerson
	case EndLiquidation, EndReorganization, EndRedomiciled:
		return true, k != KindPerson
	case EndDuplicate:
		return true, true
	case EndMoved, EndOther:
		return false, true
	}
	return false, false
}

// Deregister ends a registration on the date e.On, which is required (REG-6, REG-7). Death and
// liquidation (and reorganization, redomiciliation) stop the TIN being applied (REG-7); other
// reasons keep it applied (REG-6). A registration that has ended cannot end again: a
// deregistered record may only stop being applied (a deregistered person dies, a deregistered
// organization is liquidated or found a duplicate); a TIN that is not applied is final.
func (s *Service) Deregister(ctx context.Context, actor audit.Actor, tin string, e Ending) (*Taxpayer, error) {
	now := s.now()
	var fe problem.Fields
	switch {
	case e.On.IsZero():
		fe.Add("on", fieldMsg(msgRequired, "on"))
	case civil(e.On).After(civil(now)):
		fe.Add("on", problem.Msg("register.end_future"))
	}
	e.On = civil(e.On)
	if checkLine(&fe, "note", e.Note) {
		e.Note = collapse(e.Note)
		checkText(&fe, "note", e.Note, false, 1000)
	}
	if _, ok := stopsApplying(KindPerson, e.Reason); !ok && e.Reason != EndLiquidation && e.Reason != EndReorganization && e.Reason != EndRedomiciled {
		fe.Add("reason", problem.Msg("register.end_reason_unknown"))
	}
	switch {
	case e.KeptTIN == "" && e.Reason == EndDuplicate:
		fe.Add("kept_tin", fieldMsg(msgRequired, "kept_tin"))
	case e.KeptTIN != "" && !validTIN(e.KeptTIN):
		fe.Add("kept_tin", msgTINFormat)
	case e.KeptTIN != "" && e.KeptTIN == tin:
		fe.Add("kept_tin", msgKeptSelf)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if e.Reason == EndDuplicate {
		return s.markDuplicate(ctx, actor, tin, e.KeptTIN, e.Note, e.On)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		stops, ok := stopsApplying(t.Kind, e.Reason)
		if !ok {
			return problem.InvalidField("reason", msgEndReason)
		}
		if err := canEnd(t, stops); err != nil {
			return err
		}
		if err := checkEndDate(t, e.On); err != nil {
			return err
		}
		if e.KeptTIN != "" {
			if _, err := tx.Taxpayer(ctx, e.KeptTIN); problem.Is(err, problem.NotFound) {
				return problem.InvalidField("kept_tin", msgTaxpayerNotFound.With(e.KeptTIN))
			} else if err != nil {
				return err
			}
		}
		old := t.Status
		ending := e
		t.Ending = &ending
		t.Status = StatusDeregistered
		action := "deregistered"
		if stops {
			t.Status = StatusNotApplied
			action = "not_applied"
		}
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			return err
		}
		// REG-6: the history and the audit entry record the date the registration ended.
		fs := []FieldChange{{Field: "status", Old: string(old), New: string(t.Status)}, {Field: "reason", New: string(e.Reason)},
			{Field: "on", New: formatDate(e.On)}}
		if err := tx.AddChange(ctx, tin, Change{At: now.UTC(), Actor: actor.Login, Action: action, Fields: fs, Note: e.Note}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.deregister", tin, "reason="+string(e.Reason)+" status="+string(t.Status)+" on="+formatDate(e.On)))
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, tin)
}

// canEnd refuses to end a registration that has ended already (REG-6, REG-7): a TIN that is not
// applied stays so, and a deregistered record may only stop being applied.
func canEnd(t *Taxpayer, stops bool) error {
	switch {
	case t.Status == StatusNotApplied:
		return problem.New(problem.Conflict, msgNotApplied.With(t.TIN))
	case t.Status == StatusDeregistered && !stops:
		return problem.New(problem.Conflict, msgAlreadyDeregistered.With(t.TIN))
	}
	return nil
}

// checkEndDate refuses an ending dated before the taxpayer existed or was registered: before a
// person's birth, an organization's state registration, or the registration in the register.
func checkEndDate(t *Taxpayer, on time.Time) error {
	switch {
	case t.Person != nil && !t.Person.BirthDate.IsZero() && on.Before(civil(t.Person.BirthDate)):
		return problem.InvalidField("on", msgEndBeforeBirth.With(civilDate(civil(t.Person.BirthDate))))
	case t.Organization != nil && !t.Organization.RegisteredOn.IsZero() && on.Before(civil(t.Organization.RegisteredOn)):
		return problem.InvalidField("on", msgEndBeforeState.With(civilDate(civil(t.Organization.RegisteredOn))))
	case !t.RegisteredOn.IsZero() && on.Before(civil(t.RegisteredOn)):
		return problem.InvalidField("on", msgEndBeforeRegistration.With(civilDate(civil(t.RegisteredOn))))
	}
	return nil
}

// MarkDuplicate stops applying duplicateTIN, which then points to keptTIN (REG-7), as of today. A
// kept TIN that is itself a duplicate is followed to the TIN that is applied. A deregistered
// record can be found a duplicate; a TIN that is not applied already cannot.
func (s *Service) MarkDuplicate(ctx context.Context, actor audit.Actor, duplicateTIN, keptTIN, note string) (*Taxpayer, error) {
	var fe problem.Fields
	if keptTIN == "" {
		fe.Add("kept_tin", fieldMsg(msgRequired, "kept_tin"))
	} else if !validTIN(keptTIN) {
		fe.Add("kept_tin", msgTINFormat)
	} else if keptTIN == duplicateTIN {
		fe.Add("kept_tin", msgKeptSelf)
	}
	if checkLine(&fe, "note", note) {
		note = collapse(note)
		checkText(&fe, "note", note, false, 1000)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.markDuplicate(ctx, actor, duplicateTIN, keptTIN, note, civil(s.now()))
}

// markDuplicate is MarkDuplicate with checked input and the date the duplicate stops being applied.
func (s *Service) markDuplicate(ctx context.Context, actor audit.Actor, duplicateTIN, keptTIN, note string, on time.Time) (*Taxpayer, error) {
	now := s.now()
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, duplicateTIN)
		if err != nil {
			return err
		}
		if err := canEnd(t, true); err != nil {
			return err
		}
		if err := checkEndDate(t, on); err != nil {
			return err
		}
		kept, err := finalKept(ctx, tx, keptTIN)
		if problem.Is(err, problem.NotFound) {
			return problem.InvalidField("kept_tin", msgTaxpayerNotFound.With(keptTIN))
		} else if err != nil {
			return err
		}
		switch {
		case kept.TIN == duplicateTIN:
			return problem.InvalidField("kept_tin", msgKeptSelf)
		case kept.Status == StatusNotApplied:
			return problem.InvalidField("kept_tin", msgKeptNotApplied)
		case (kept.Kind == KindPerson) != (t.Kind == KindPerson):
			return problem.InvalidField("kept_tin", msgKeptKind)
		}
		old := t.Status
		t.Status = StatusNotApplied
		t.Ending = &Ending{Reason: EndDuplicate, On: on, KeptTIN: kept.TIN, Note: note}
		if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
			return err
		}
		fs := []FieldChange{{Field: "status", Old: string(old), New: string(StatusNotApplied)}, {Field: "kept_tin", New: kept.TIN},
			{Field: "on", New: formatDate(on)}}
		if err := tx.AddChange(ctx, duplicateTIN, Change{At: now.UTC(), Actor: actor.Login, Action: "duplicate_of", Fields: fs, Note: note}); err != nil {
			return err
		}
		if err := tx.AddChange(ctx, kept.TIN, Change{At: now.UTC(), Actor: actor.Login, Action: "duplicate_kept", Fields: []FieldChange{{Field: "duplicate_tin", New: duplicateTIN}}}); err != nil {
			return err
		}
		return tx.Audit(ctx, s.entry(actor, "taxpayer.duplicate", duplicateTIN, "kept="+kept.TIN+" on="+formatDate(on)))
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, duplicateTIN)
}

// validTIN reports whether s is a 10- or 12-digit TIN with valid check digits.
func validTIN(s string) bool {
	_, err := tin.ParseINN(s)
	return err == nil
}
