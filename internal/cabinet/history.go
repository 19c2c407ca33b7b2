package cabinet

import "context"

// The account's history and its notifications, as the security settings show them: logins and
// failed logins, new cards, changed passwords, representatives who acted, staff actions on the
// account; and every e-mail and SMS sent to the owner, with its state in the outbox.

// Events returns an account's history, the newest first.
func (s *Service) Events(ctx context.Context, tin string, limit int) ([]Event, error) {
	return s.o.Store.Events(ctx, tin, limit)
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
