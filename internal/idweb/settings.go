package idweb

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/oidc"
	"github.com/kabinet/kabinet/internal/web"
)

// The security settings: the password (the current one asked), the devices and sessions with
// "sign out everywhere", the services allowed to log in with the account (IDP-7) with "revoke",
// and the history of logins and security events.

func (h *Handler) handleSettings(q *web.Request) error {
	a, err := h.account(q)
	if err != nil {
		return err
	}
	sessions, err := h.site.SessionsOf(q.R, a.ID)
	if err != nil {
		return err
	}
	events, err := h.d.Identity.Events(q.Ctx(), a.ID, 50)
	if err != nil {
		return err
	}
	var services []oidc.Access
	if h.d.OIDC != nil {
		if services, err = h.d.OIDC.Accesses(q.Ctx(), a.ID); err != nil {
			return err
		}
	}
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"account": accountJSON(a, q.Page.Lang), "sessions": sessionsJSON(sessions, q.Session.ID),
			"events": eventsJSON(events, q.Page.Lang), "services": servicesJSON(services),
			"actions": map[string]string{"password": Base + "settings/password", "sessions": Base + "settings/sessions", "services": Base + "settings/services"}})
		return nil
	}
	q.Page.Title = q.Page.T("id.settings.title")
	q.Page.Data = map[string]any{"A": a, "Sessions": sessions, "Current": q.Session.ID, "Events": events, "Services": services}
	q.Render(http.StatusOK, "settings.html")
	return nil
}

func (h *Handler) handlePassword(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	err := h.d.Identity.ChangePassword(q.Ctx(), q.Viewer.Subject, q.R.PostFormValue("current_password"), q.R.PostFormValue("new_password"),
		q.R.PostFormValue("new_password_confirm"), origin(q, h.site))
	if err != nil {
		return q.FailTo(Base+"settings", err)
	}
	// A new password ends the other sessions; this one stays.
	if _, err := h.site.SignOutEverywhere(q.R, q.Viewer.Subject); err != nil {
		return err
	}
	q.Redirect(Base+"settings", "id.flash.password")
	return nil
}

func (h *Handler) handleSignOutEverywhere(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	if id := q.Form("end"); id != "" {
		if err := h.site.SignOutSession(q.R, q.Viewer.Subject, id); err != nil {
			return err
		}
		_ = h.d.Identity.RecordEvent(q.Ctx(), q.Viewer.Subject, "session_ended", origin(q, h.site))
		q.Redirect(Base+"settings", "id.flash.session_ended")
		return nil
	}
	if _, err := h.site.SignOutEverywhere(q.R, q.Viewer.Subject); err != nil {
		return err
	}
	_ = h.d.Identity.RecordEvent(q.Ctx(), q.Viewer.Subject, "signed_out_everywhere", origin(q, h.site))
	q.Redirect(Base+"settings", "id.flash.signed_out")
	return nil
}

// handleRevokeService revokes what the citizen allowed a service (IDP-7): its tokens stop
// working and it must ask again.
func (h *Handler) handleRevokeService(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	if h.d.OIDC == nil {
		return notFound()
	}
	if err := h.d.OIDC.RevokeAccess(q.Ctx(), q.Viewer.Subject, q.Form("client")); err != nil {
		return err
	}
	q.Redirect(Base+"settings", "id.flash.service_revoked")
	return nil
}

func (h *Handler) handleHome(q *web.Request) error {
	q.Page.Title = q.Page.T("id.home.title")
	if q.Viewer == nil {
		if web.WantsJSON(q.R) {
			web.WriteJSON(q.W, http.StatusOK, map[string]any{"signed_in": false, "login": Base + "login", "register": Base + "register",
				"recovery": Base + "recovery", "services": Base + "services", "centres": Base + "centres"})
			return nil
		}
		q.Render(http.StatusOK, "welcome.html")
		return nil
	}
	a, err := h.account(q)
	if err != nil {
		return err
	}
	// The page tells a simplified account where its verification is, and why a level was
	// lost (which leaves it simplified); a higher level has nothing of it to show.
	v := &identity.Verification{AccountID: a.ID}
	if a.Level == identity.Simplified {
		if v, err = h.d.Identity.VerificationStateOf(q.Ctx(), a); err != nil {
			return err
		}
	}
	if web.WantsJSON(q.R) {
		out := map[string]any{"account": accountJSON(a, q.Page.Lang)}
		if a.Level == identity.Simplified {
			out["verification"] = verificationJSON(v, q.Page.Lang)
		}
		out["next"] = map[identity.Level]string{identity.Simplified: Base + "profile", identity.Standard: Base + "confirm"}[a.Level]
		web.WriteJSON(q.W, http.StatusOK, out)
		return nil
	}
	q.Page.Data = newHomeView(q.Page, a, v)
	q.Render(http.StatusOK, "home.html")
	return nil
}

// homeView is what the account's home page shows, its labels put into words here rather than
// by the template: the page is the one every visit shows, and the template's calls were most
// of its cost.
type homeView struct {
	Name, Level, Method, Kind string
	OrgName, OrgOGRN          string
	Phone, Email, SNILS       string
	Simplified, Standard      bool
	ByMail                    bool // confirmed by a letter's code: not enough for the personal account (LK-6)
	// LostLevel says which level a change of verified data took away, until its verification
	// ends; the verification's state and, refused or not completed, why.
	LostLevel                         string
	InProgress, Refused, NotCompleted bool
	Reason                            string
}

func newHomeView(p *web.Page, a *identity.Account, v *identity.Verification) *homeView {
	h := &homeView{Name: a.FullName(), Level: p.Enum("level", a.Level), Kind: p.Enum("reg_kind", a.Kind),
		OrgName: a.Organization.Name, OrgOGRN: a.Organization.OGRN, Phone: web.PhoneText(a.Phone), Email: a.Email, SNILS: snilsText(a.SNILS),
		Simplified: a.Level == identity.Simplified, Standard: a.Level == identity.Standard, ByMail: a.Level == identity.Confirmed && a.Method == identity.Mail}
	if a.Method != "" {
		h.Method = p.Enum("method", a.Method)
	}
	if v.LostLevel != "" && v.State != identity.Verified {
		h.LostLevel = p.T("id.level_lost", p.Enum("level", v.LostLevel))
	}
	if h.Simplified {
		h.InProgress, h.Refused, h.NotCompleted = v.State == identity.InProgress, v.State == identity.Refused, v.State == identity.NotCompleted
		switch {
		case h.Refused:
			h.Reason = p.T("id.home.refused", p.T(v.Reason))
		case h.NotCompleted:
			h.Reason = p.T("id.home.not_completed", p.T(v.Reason))
		}
	}
	return h
}

// snilsText writes a СНИЛС as people read it: 112-233-445 95.
func snilsText(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:]
}
