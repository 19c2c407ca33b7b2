package backoffice

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

func safeBack(back string) string {
	if !strings.HasPrefix(back, "/office/") || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
		return "/office/"
	}
	return back
}

func (h *Handler) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if sess, _ := h.d.Sessions.Get(r, "staff"); sess != nil {
		http.Redirect(w, r, "/office/", http.StatusSeeOther)
		return
	}
	p := h.rd.NewPage(r, "login.title")
	p.CSRF = web.CSRFToken(w, r, nil)
	p.Form = url.Values{"back": {safeBack(r.URL.Query().Get("back"))}}
	h.rd.Render(w, http.StatusOK, "login.html", p)
}

// handleLogin checks the password; the lockout lives in staff.Service, per account; the
// server adds a per-address rate limit.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.rd.Error(w, r, problem.New(problem.Invalid, problem.MsgInvalid))
		return
	}
	if err := web.CheckCSRF(r, nil); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	p := h.rd.NewPage(r, "login.title")
	p.CSRF = web.CSRFToken(w, r, nil)
	login := strings.TrimSpace(r.PostFormValue("login"))
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	m, err := h.d.Staff.Login(r.Context(), login, r.PostFormValue("password"), host)
	if err != nil {
		pe, ok := problem.As(err)
		if !ok || (pe.Code != problem.Unauthorized && pe.Code != problem.TooMany) {
			h.rd.Error(w, r, err)
			return
		}
		p.Problem = pe.Message.In(p.Lang)
		p.Form = url.Values{"login": {login}, "back": {safeBack(r.PostFormValue("back"))}}
		h.rd.Render(w, web.Status(pe.Code), "login.html", p)
		return
	}
	if _, err := h.d.Sessions.Start(w, r, "staff", m.Login); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	http.Redirect(w, r, safeBack(r.PostFormValue("back")), http.StatusSeeOther)
}

func (h *Handler) handleLogout(q *req) error {
	h.d.Sessions.End(q.w, q.r)
	http.Redirect(q.w, q.r, "/office/login", http.StatusSeeOther)
	return nil
}
