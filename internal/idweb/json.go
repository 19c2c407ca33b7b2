package idweb

import (
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/session"
)

// What the site's pages show, as a JSON client (Accept: application/json) gets it: the same
// data, the enumerated values as codes with their labels in the request's language, times in
// RFC 3339.

func accountJSON(a *identity.Account, lang string) map[string]any {
	out := map[string]any{"id": a.ID, "kind": a.Kind, "kind_label": i18n.T(lang, "enum.reg_kind."+string(a.Kind)), "name": a.FullName(),
		"surname": a.Surname, "given_name": a.GivenName, "patronymic": a.Patronymic, "phone": a.Phone, "email": a.Email, "snils": a.SNILS,
		"level": a.Level, "level_label": i18n.T(lang, "enum.level."+string(a.Level)), "confirmation_method": a.Method}
	if a.Method != "" {
		out["confirmation_method_label"] = i18n.T(lang, "enum.method."+string(a.Method))
		out["confirmed_at"] = a.ConfirmedAt
	}
	if !a.Organization.IsZero() {
		out["organization"] = a.Organization
	}
	var consents []map[string]any
	for _, c := range a.Consents {
		consents = append(consents, map[string]any{"doc": c.Doc, "version": c.Version, "at": c.At})
	}
	out["consents"] = consents
	return out
}

func verificationJSON(v *identity.Verification, lang string) map[string]any {
	out := map[string]any{"state": v.State, "state_label": i18n.T(lang, "enum.verification."+string(v.State))}
	if v.Reason != "" {
		out["reason"], out["reason_text"] = v.Reason, i18n.T(lang, v.Reason)
	}
	if v.LostLevel != "" && v.State != identity.Verified {
		out["lost_level"] = v.LostLevel
	}
	if !v.SubmittedAt.IsZero() {
		out["submitted_at"] = v.SubmittedAt
	}
	if !v.DecidedAt.IsZero() {
		out["decided_at"] = v.DecidedAt
	}
	var checks []map[string]any
	for _, c := range v.Checks {
		ch := map[string]any{"registry": c.Registry, "state": c.State, "state_label": i18n.T(lang, "enum.check."+string(c.State))}
		if c.Reason != "" {
			ch["reason"], ch["reason_text"] = c.Reason, i18n.T(lang, c.Reason)
		}
		checks = append(checks, ch)
	}
	out["checks"] = checks
	return out
}

func lettersJSON(ls []identity.LetterView, lang string) []map[string]any {
	out := []map[string]any{}
	for _, l := range ls {
		m := map[string]any{"id": l.Letter.ID, "address": l.Letter.Address, "ordered_at": l.Letter.OrderedAt, "next_letter_at": l.NextAt,
			"tracked": l.Tracked}
		if l.Tracked {
			m["status"], m["status_label"] = l.Tracking.Status, i18n.T(lang, "enum.letter."+string(l.Tracking.Status))
			var hist []map[string]any
			for _, h := range l.Tracking.History {
				hist = append(hist, map[string]any{"status": h.Status, "at": h.At})
			}
			m["history"] = hist
		}
		out = append(out, m)
	}
	return out
}

func sessionsJSON(ss []session.Session, current string) []map[string]any {
	out := []map[string]any{}
	for _, s := range ss {
		out = append(out, map[string]any{"id": s.ID, "user_agent": s.UserAgent, "address": s.Address, "created_at": s.CreatedAt,
			"last_seen": s.LastSeen, "expires_at": s.ExpiresAt, "current": s.ID == current})
	}
	return out
}

func eventsJSON(es []identity.Event, lang string) []map[string]any {
	out := []map[string]any{}
	for _, e := range es {
		out = append(out, map[string]any{"at": e.At, "kind": e.Kind, "label": i18n.T(lang, "enum.event."+e.Kind), "address": e.Address,
			"device": e.Device})
	}
	return out
}

func servicesJSON(as []oidc.Access) []map[string]any {
	out := []map[string]any{}
	for _, a := range as {
		out = append(out, map[string]any{"client_id": a.ClientID, "name": a.ClientName, "scopes": a.Scopes, "granted_at": a.GrantedAt})
	}
	return out
}
