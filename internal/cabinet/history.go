package cabinet

import (
	"context"
	"strings"
)

// The account's history and its notifications, as the security settings show them: logins and
// failed logins, new cards, changed passwords, representatives who acted, staff actions on the
// account; and every e-mail and SMS sent to the owner, with its state in the outbox.

// StaffDirectory is the tax administration's directory of staff members, which names the member
// who acted on an account in its history: a taxpayer knows the inspector by name, never by the
// login the audit log keeps.
type StaffDirectory interface {
	// StaffMember returns the name and the position ("" when none is recorded) of the member with
	// login; found is false when the directory has no such member.
	StaffMember(ctx context.Context, login string) (name, position string, found bool, err error)
}

// Events returns an account's history, the newest first. An event a staff member did is marked
// ByStaff and names them from the staff directory; a representative's TIN stays as it is.
func (s *Service) Events(ctx context.Context, tin string, limit int) ([]Event, error) {
	events, err := s.o.Store.Events(ctx, tin, limit)
	if err != nil {
		return nil, err
	}
	seen := map[string]actorName{}
	for i := range events {
		e := &events[i]
		if e.Actor == "" {
			continue
		}
		w, ok := seen[e.Actor]
		if !ok {
			if w, err = s.who(ctx, e.Actor); err != nil {
				return nil, err
			}
			seen[e.Actor] = w
		}
		e.ByStaff, e.StaffName, e.StaffPosition = w.staff, w.name, w.position
	}
	return events, nil
}

// actorName is who did an event as the history names them.
type actorName struct {
	name, position string
	staff          bool
}

// who tells a staff login from a representative's TIN among the actors of events, and names the
// staff member.
func (s *Service) who(ctx context.Context, actor string) (w actorName, err error) {
	if _, err := s.o.Profile.TIN.Parse(actor, s.now()); err == nil {
		return w, nil // a representative
	}
	if s.o.Staff != nil {
		name, position, found, err := s.o.Staff.StaffMember(ctx, actor)
		if err != nil {
			return w, err
		}
		if found && strings.TrimSpace(name) != "" {
			w.name, w.position, w.staff = strings.TrimSpace(name), strings.TrimSpace(position), true
			return w, nil
		}
	}
	// Digits only: a TIN of an older rule, never a login to hide. Else a login the directory
	// no longer knows (or a system's, "cli"), named only as the tax office's.
	w.staff = strings.Trim(actor, "0123456789") != ""
	return w, nil
}

// Notifications returns the messages sent to an account's owner, the newest first.
func (s *Service) Notifications(ctx context.Context, tin string, limit int) ([]Notification, error) {
	return s.o.Store.Notifications(ctx, tin, limit)
}

// RecordEvent records an event of the account (signed out everywhere, an extract issued …);
// actor is who did it when not the owner (a representative's TIN).
func (s *Service) RecordEvent(ctx context.Context, tin, kind, actor, details string, o Origin) error {
	return s.o.Store.Record(ctx, Effects{Events: []Event{s.event(tin, kind, o, actor, details)}})
}
