package lkweb

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

// The security settings of the viewer's own account (never a principal's): the password (the
// current one asked, LK-3), online recovery with a confirmed e-mail, a confirmed phone and a
// code word (LK-4), the devices and sessions with "sign out everywhere", the history of logins
// and the notifications sent.

const settingsPath = Base + "settings"

func (h *Handler) handleSettings(q *web.Request, st *State) error {
	a := st.Account
	now := h.d.Cabinet.Now()
	var (
		sessions []session.Session
		events   []cabinet.Event
		notices  []cabinet.Notification
		pending  = map[string]string{}
		current  string
	)
	if st.Demo {
		events, notices = cabinet.DemoEvents(now), cabinet.DemoNotifications(now)
		sessions = []session.Session{{ID: q.Session.ID, UserAgent: q.R.UserAgent(), Address: web.ClientAddr(q.R), CreatedAt: q.Session.CreatedAt}}
		current = q.Session.ID
	} else {
		var err error
		if sessions, err = h.site.SessionsOf(q.R, a.TIN); err != nil {
			return err
		}
		if events, err = h.d.Cabinet.Events(q.Ctx(), a.TIN, 50); err != nil {
			return err
		}
		if notices, err = h.d.Cabinet.Notifications(q.Ctx(), a.TIN, 50); err != nil {
			return err
		}
		pending["email"] = h.d.Cabinet.PendingContact(q.Ctx(), a.TIN, cabinet.ForEmail)
		pending["phone"] = h.d.Cabinet.PendingContact(q.Ctx(), a.TIN, cabinet.ForPhone)
		current = q.Session.ID
	}
	q.Page.Title = q.Page.T("lk.settings.title")
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"tin": a.TIN, "email": a.Email, "email_confirmed": a.EmailConfirmed, "phone": a.Phone,
			"phone_confirmed": a.PhoneConfirmed, "recovery_on": a.RecoveryOn, "recovery_off": a.RecoveryOff, "events": len(events), "notifications": len(notices)})
		return nil
	}
	q.Page.Data = map[string]any{"A": a, "S": st, "Sessions": sessions, "Current": current, "Events": events, "Notices": notices,
		"Pending": pending, "Rules": h.d.Cabinet.PasswordRules(q.Page.Lang), "Blocked": a.RecoveryOff == cabinet.RecoveryOffCodeWord}
	q.Render(http.StatusOK, "settings.html")
	return nil
}

// failSettings shows the settings again after a failed form, keeping nothing secret.
func failSettings(q *web.Request, err error) error {
	web.DropSecrets(q.R.PostForm)
	return q.FailTo(settingsPath, err)
}

func (h *Handler) handlePassword(q *web.Request, st *State) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	err := h.d.Cabinet.ChangePassword(q.Ctx(), st.Account.TIN, q.R.PostFormValue("current_password"), q.R.PostFormValue("new_password"),
		q.R.PostFormValue("new_password_confirm"), origin(q, h.site))
	if err != nil {
		return failSettings(q, err)
	}
	// A new password ends the other sessions; this one stays.
	if _, err := h.site.SignOutEverywhere(q.R, st.Account.TIN); err != nil {
		return err
	}
	q.Redirect(settingsPath, "lk.flash.password")
	return nil
}

func (h *Handler) handleContact(p cabinet.Purpose) func(q *web.Request, st *State) error {
	return func(q *web.Request, st *State) error {
		if err := web.JSONForm(q.W, q.R); err != nil {
			return err
		}
		if err := h.d.Cabinet.SendContactCode(q.Ctx(), st.Account.TIN, p, q.Form(string(p)), origin(q, h.site)); err != nil {
			return failSettings(q, err)
		}
		q.Redirect(settingsPath+"#recovery-title", "lk.flash.code_sent")
		return nil
	}
}

func (h *Handler) handleConfirm(p cabinet.Purpose) func(q *web.Request, st *State) error {
	return func(q *web.Request, st *State) error {
		if err := web.JSONForm(q.W, q.R); err != nil {
			return err
		}
		if err := h.d.Cabinet.ConfirmContact(q.Ctx(), st.Account.TIN, p, q.Form(string(p)+"_code"), origin(q, h.site)); err != nil {
			// A code that has expired takes its form off the page: the error goes under the
			// field that sends a new one.
			if pe, ok := problem.As(err); ok && len(pe.Fields) == 1 && pe.Fields[0].Key == "lk.code.expired" {
				web.DropSecrets(q.R.PostForm)
				return q.FailTo(settingsPath, err, web.Rename{string(p) + "_code": string(p)})
			}
			return failSettings(q, err)
		}
		flash := "lk.flash.confirmed_email"
		if p == cabinet.ForPhone {
			flash = "lk.flash.confirmed_phone"
		}
		q.Redirect(settingsPath+"#recovery-title", flash)
		return nil
	}
}

func (h *Handler) handleRecoverySettings(q *web.Request, st *State) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	var err error
	flash := "lk.flash.recovery_on"
	if q.Form("action") == "off" {
		err, flash = h.d.Cabinet.DisableRecovery(q.Ctx(), st.Account.TIN, origin(q, h.site)), "lk.flash.recovery_off"
	} else {
		err = h.d.Cabinet.EnableRecovery(q.Ctx(), st.Account.TIN, q.R.PostFormValue("code_word"), q.R.PostFormValue("code_word_confirm"), origin(q, h.site))
	}
	if err != nil {
		return failSettings(q, err)
	}
	q.Redirect(settingsPath+"#recovery-title", flash)
	return nil
}

func (h *Handler) handleSessions(q *web.Request, st *State) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	if id := q.Form("end"); id != "" {
		if err := h.site.SignOutSession(q.R, st.Account.TIN, id); err != nil {
			return err
		}
	} else {
		if _, err := h.site.SignOutEverywhere(q.R, st.Account.TIN); err != nil {
			return err
		}
		_ = h.d.Cabinet.SignedOutEverywhere(q.Ctx(), st.Account.TIN, origin(q, h.site))
	}
	q.Redirect(settingsPath, "lk.flash.signed_out")
	return nil
}
