package register

import (
	"context"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
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

// Deregistration is a deregistration (or a duplicate) checked against the record and not yet
// written: what Deregister would record (REG-6, REG-7). The confirmation of an irreversible step
// shows it before anything is written.
type Deregistration struct {
	Taxpayer *Taxpayer // the record as it stands
	// Ending is the ending as it would be recorded: its date a civil date, its note on one line,
	// a duplicate's kept TIN followed to the TIN that is applied.
	Ending Ending
	Stops  bool      // the TIN stops being applied for ever (REG-7)
	Kept   *Taxpayer // the record whose TIN is kept, when the ending names one
}

// EndReasons lists the reasons a record of kind k in status st may end for, as an inspector is
// offered them (REG-6, REG-7): an active record ends for any reason of its kind; a deregistered
// one may only stop being applied (a person's death, an organization's liquidation or
// reorganization, a foreign organization's redomiciliation); a TIN that is not applied is final.
// Duplicates, which name the TIN that is kept, are not among them.
func EndReasons(k Kind, st Status) []EndReason {
	var all []EndReason
	switch k {
	case KindPerson:
		all = []EndReason{EndMoved, EndDeath, EndOther}
	case KindOrganization:
		all = []EndReason{EndLiquidation, EndReorganization, EndOther}
	case KindForeign:
		all = []EndReason{EndLiquidation, EndReorganization, EndRedomiciled, EndOther}
	}
	var out []EndReason
	for _, r := range all { // the rule of canEnd, for a record in the state st
		if stops, ok := stopsApplying(k, r); ok && canEnd(&Taxpayer{Status: st}, stops) == nil {
			out = append(out, r)
		}
	}
	return out
}

// CheckDeregistration checks a deregistration exactly as Deregister does — the request (date,
// reason, kept TIN) and the record as it stands (the reason for its kind, its state, the date
// against its birth or registration, the kept TIN) — and writes nothing. The back office asks it
// before it shows the confirmation of what cannot be undone.
func (s *Service) CheckDeregistration(ctx context.Context, tin string, e Ending) (*Deregistration, error) {
	e, err := s.endingInput(tin, e)
	if err != nil {
		return nil, err
	}
	t, err := s.store.Taxpayer(ctx, tin)
	if err != nil {
		return nil, err
	}
	return endingOf(ctx, s.store, t, e)
}

// Deregister ends a registration on the date e.On, which is required (REG-6, REG-7). Death and
// liquidation (and reorganization, redomiciliation) stop the TIN being applied (REG-7); other
// reasons keep it applied (REG-6); a duplicate stops being applied and points to the kept TIN
// e.KeptTIN. A registration that has ended cannot end again: a deregistered record may only stop
// being applied (a deregistered person dies, a deregistered organization is liquidated or found a
// duplicate); a TIN that is not applied is final. The checks are CheckDeregistration's.
func (s *Service) Deregister(ctx context.Context, actor audit.Actor, tin string, e Ending) (*Taxpayer, error) {
	e, err := s.endingInput(tin, e)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.LockTaxpayer(ctx, tin)
		if err != nil {
			return err
		}
		d, err := endingOf(ctx, tx, t, e)
		if err != nil {
			return err
		}
		if d.Ending.Reason == EndDuplicate {
			return s.writeDuplicate(ctx, tx, actor, d, now)
		}
		return s.writeEnding(ctx, tx, actor, d, now)
	})
	if err != nil {
		return nil, err
	}
	return s.Taxpayer(ctx, tin)
}

// MarkDuplicate stops applying duplicateTIN, which then points to keptTIN (REG-7), as of today: a
// Deregister for the reason "duplicate". A kept TIN that is itself a duplicate is followed to the
// TIN that is applied. A deregistered record can be found a duplicate; a TIN that is not applied
// already cannot.
func (s *Service) MarkDuplicate(ctx context.Context, actor audit.Actor, duplicateTIN, keptTIN, note string) (*Taxpayer, error) {
	return s.Deregister(ctx, actor, duplicateTIN, Ending{Reason: EndDuplicate, KeptTIN: keptTIN, Note: note, On: civil(s.now())})
}

// CheckDuplicate checks MarkDuplicate's request as it would be made now, and writes nothing
// (CheckDeregistration for the reason "duplicate", dated today).
func (s *Service) CheckDuplicate(ctx context.Context, duplicateTIN, keptTIN, note string) (*Deregistration, error) {
	return s.CheckDeregistration(ctx, duplicateTIN, Ending{Reason: EndDuplicate, KeptTIN: keptTIN, Note: note, On: civil(s.now())})
}

// endingInput checks what a deregistration asks for by itself, before the record is read: a
// known reason, the date (required, not in the future), the note, the kept TIN's form (in the
// order of the form's fields). It returns e with its date as a civil date and its note on one
// line.
func (s *Service) endingInput(tin string, e Ending) (Ending, error) {
	var fe problem.Fields
	switch e.Reason {
	case EndDeath, EndLiquidation, EndReorganization, EndRedomiciled, EndDuplicate, EndMoved, EndOther:
	case "":
		fe.Add("reason", fieldMsg(msgRequired, "reason_end"))
	default:
		fe.Add("reason", problem.Msg("register.end_reason_unknown"))
	}
	switch {
	case e.On.IsZero():
		fe.Add("on", fieldMsg(msgRequired, "on"))
	case civil(e.On).After(civil(s.now())):
		fe.Add("on", problem.Msg("register.end_future"))
	}
	e.On = civil(e.On)
	if checkLine(&fe, "note", e.Note) {
		e.Note = collapse(e.Note)
		checkText(&fe, "note", e.Note, false, 1000)
	}
	e.KeptTIN = strings.TrimSpace(e.KeptTIN)
	switch {
	case e.KeptTIN == "" && e.Reason == EndDuplicate:
		fe.Add("kept_tin", fieldMsg(msgRequired, "kept_tin"))
	case e.KeptTIN != "" && !s.validTIN(e.KeptTIN):
		fe.Add("kept_tin", msgTINFormat)
	case e.KeptTIN != "" && e.KeptTIN == tin:
		fe.Add("kept_tin", msgKeptSelf)
	}
	return e, fe.Err()
}

// endingOf checks the ending e (checked by endingInput) against the record t as it stands, read
// through r: the reason for its kind, its state, the date, the kept TIN (REG-6, REG-7). It is the
// one place these rules live, for the check before a confirmation and for the write alike.
func endingOf(ctx context.Context, r Reader, t *Taxpayer, e Ending) (*Deregistration, error) {
	stops, ok := stopsApplying(t.Kind, e.Reason)
	if !ok {
		return nil, problem.InvalidField("reason", msgEndReason)
	}
	if err := canEnd(t, stops); err != nil {
		return nil, err
	}
	if err := checkEndDate(t, e.On); err != nil {
		return nil, err
	}
	d := &Deregistration{Taxpayer: t, Ending: e, Stops: stops}
	switch {
	case e.Reason == EndDuplicate:
		kept, err := finalKept(ctx, r, e.KeptTIN)
		if problem.Is(err, problem.NotFound) {
			return nil, problem.InvalidField("kept_tin", msgTaxpayerNotFound.With(e.KeptTIN))
		} else if err != nil {
			return nil, err
		}
		switch {
		case kept.TIN == t.TIN: // the chain of kept TINs comes back to this one
			return nil, problem.InvalidField("kept_tin", msgKeptSelf)
		case kept.Status == StatusNotApplied:
			return nil, problem.InvalidField("kept_tin", msgKeptNotApplied)
		case (kept.Kind == KindPerson) != (t.Kind == KindPerson):
			return nil, problem.InvalidField("kept_tin", msgKeptKind)
		}
		d.Kept, d.Ending.KeptTIN = kept, kept.TIN
	case e.KeptTIN != "":
		kept, err := r.Taxpayer(ctx, e.KeptTIN)
		if problem.Is(err, problem.NotFound) {
			return nil, problem.InvalidField("kept_tin", msgTaxpayerNotFound.With(e.KeptTIN))
		} else if err != nil {
			return nil, err
		}
		d.Kept = kept
	}
	return d, nil
}

// writeEnding records a deregistration checked by endingOf: the status, the ending, the history
// and the audit entry, both with the date the registration ended (REG-6).
func (s *Service) writeEnding(ctx context.Context, tx Tx, actor audit.Actor, d *Deregistration, now time.Time) error {
	t, e := d.Taxpayer, d.Ending
	old := t.Status
	t.Ending = &e
	t.Status = StatusDeregistered
	action := "deregistered"
	if d.Stops {
		t.Status = StatusNotApplied
		action = "not_applied"
	}
	if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
		return err
	}
	fs := []FieldChange{{Field: "status", Old: string(old), New: string(t.Status)}, {Field: "reason", New: string(e.Reason)},
		{Field: "on", New: formatDate(e.On)}}
	if err := tx.AddChange(ctx, t.TIN, Change{At: now.UTC(), Actor: actor.Login, Action: action, Fields: fs, Note: e.Note}); err != nil {
		return err
	}
	return tx.Audit(ctx, s.entry(actor, "taxpayer.deregister", t.TIN, "reason="+string(e.Reason)+" status="+string(t.Status)+" on="+formatDate(e.On)))
}

// writeDuplicate records a duplicate checked by endingOf: the TIN stops being applied and points
// to the kept one, and both histories say so (REG-7).
func (s *Service) writeDuplicate(ctx context.Context, tx Tx, actor audit.Actor, d *Deregistration, now time.Time) error {
	t, e := d.Taxpayer, d.Ending
	old := t.Status
	t.Status = StatusNotApplied
	t.Ending = &Ending{Reason: EndDuplicate, On: e.On, KeptTIN: e.KeptTIN, Note: e.Note}
	if err := tx.UpdateTaxpayer(ctx, t, nameNormOf(t)); err != nil {
		return err
	}
	fs := []FieldChange{{Field: "status", Old: string(old), New: string(StatusNotApplied)}, {Field: "kept_tin", New: e.KeptTIN},
		{Field: "on", New: formatDate(e.On)}}
	if err := tx.AddChange(ctx, t.TIN, Change{At: now.UTC(), Actor: actor.Login, Action: "duplicate_of", Fields: fs, Note: e.Note}); err != nil {
		return err
	}
	if err := tx.AddChange(ctx, e.KeptTIN, Change{At: now.UTC(), Actor: actor.Login, Action: "duplicate_kept", Fields: []FieldChange{{Field: "duplicate_tin", New: t.TIN}}}); err != nil {
		return err
	}
	return tx.Audit(ctx, s.entry(actor, "taxpayer.duplicate", t.TIN, "kept="+e.KeptTIN+" on="+formatDate(e.On)))
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
