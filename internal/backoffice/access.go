package backoffice

import (
	"bytes"
	"net/http"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// KG-1, LK-2, LK-10, BO-5: restoring access to a taxpayer's cabinet at the УГНС, mounted where the
// jurisdiction registers by application and issues no cards (the Kyrgyz Republic). The inspector
// finds the account by ИНН (a person's or an organization's) — from the taxpayer's page, the
// account's page or the queue of registrations — and, on the account's page, records that the
// passport was shown in person (with what was noted of it; for an organization, who came: its
// head or accountant) and issues a one-time password. Only an inspector of the taxpayer's УГНС
// does it (an administrator: of any). The password is shown once, on a handover to print in the
// owner's language and as a PDF (accesspdf.go), whose form posts it back to be checked; the old
// password, every session and every login of the mobile application end at once, the owner is
// told by the account's contacts when it has any, and the restore and each print are in the
// audit log. The rules are package cabinet's (access_restore.go).

func accessURL(tin string) string { return "/office/access/" + tin }

// handleAccessFind finds the account to restore by the ИНН typed (GET ?tin=), or shows the form.
func (h *Handler) handleAccessFind(q *web.Request) error {
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.access.title")
	if query := q.R.URL.Query(); query.Has("tin") {
		tin := query.Get("tin") // an empty one is asked for by AccessAccount
		a, _, err := h.d.Cabinet.AccessAccount(q.Ctx(), office, tin)
		if err != nil {
			q.R.PostForm = q.R.URL.Query() // FormError shows again what was sent: a GET form's query
			return q.FormError(err, "access.html", nil)
		}
		http.Redirect(q.W, q.R, accessURL(a.TIN), http.StatusSeeOther)
		return nil
	}
	q.Render(http.StatusOK, "access.html")
	return nil
}

// handleAccess shows an account as the УГНС restores it: its taxpayer, its state, the restores
// made, and the form that issues a one-time password (usable once: a reload of the handover does
// not issue another).
func (h *Handler) handleAccess(q *web.Request) error {
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	data, err := h.accessData(q, office, q.R.PathValue("tin"))
	if err != nil {
		return err
	}
	q.Page.Data = data
	q.Render(http.StatusOK, "access.html")
	return nil
}

// accessData is what the account's page shows, for a member of office ("" for an
// administrator): the account, its taxpayer, its restores and a new once-only form.
func (h *Handler) accessData(q *web.Request, office, tin string) (map[string]any, error) {
	a, p, err := h.d.Cabinet.AccessAccount(q.Ctx(), office, tin)
	if err != nil {
		return nil, err
	}
	restores, err := h.d.Cabinet.AccessRestores(q.Ctx(), a.TIN)
	if err != nil {
		return nil, err
	}
	flowID, err := h.issueFlow(q, a.TIN) // the same once-only form as a card's issue
	if err != nil {
		return nil, err
	}
	now := h.d.Cabinet.Now()
	holderName := ""
	if a.Signatory != "" {
		if hp, err := h.d.Cabinet.Person(q.Ctx(), a.Signatory); err == nil {
			holderName = hp.FullName()
		}
	}
	by := map[string]string{} // who issued each password, by name and position rather than login
	for _, r := range restores {
		if _, ok := by[r.IssuedBy]; !ok {
			by[r.IssuedBy] = h.issuer(q, r.IssuedBy)
		}
	}
	q.Page.Title = q.Page.T("office.access.title") + " " + a.TIN
	return map[string]any{"A": a, "P": p, "OfficeName": h.d.Cabinet.OfficeName(q.Ctx(), p.Office, q.Page.Lang), "Restores": restores, "By": by,
		"Flow": flowID, "Blocked": a.Blocked(now), "Expires": a.CardExpiresAt.In(q.Page.Zone()).Format("02.01.2006 15:04"), "HolderName": holderName,
		"Organization": a.Signatory != "" || p.OrgName != ""}, nil
}

// accessFailed shows the account's page again after a refused restore — the form posts to the
// page's own address — with each wrong field marked and what was typed kept (422 for bad input,
// 409 for a form used already); a JSON client gets the problem.
func (h *Handler) accessFailed(q *web.Request, office, tin string, err error) error {
	data, derr := h.accessData(q, office, tin)
	if derr != nil {
		return derr
	}
	return q.FormError(err, "access.html", data)
}

// handleAccessRestore issues the one-time password once the passport was shown, and shows the
// handover once.
func (h *Handler) handleAccessRestore(q *web.Request) error {
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	tin := q.R.PathValue("tin")
	if err := h.takeIssueFlow(q, tin); err != nil {
		return h.accessFailed(q, office, tin, err)
	}
	r, err := h.d.Cabinet.RestoreAccess(q.Ctx(), actor(q), office, cabinet.AccessRequest{TIN: tin, PassportShown: q.Form("passport_shown") != "",
		Passport: q.Form("passport"), Holder: q.Form("holder")})
	if err != nil {
		return h.accessFailed(q, office, tin, err)
	}
	q.W.Header().Set("Cache-Control", "no-store")
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"login": r.TIN, "one_time_password": r.OneTimePassword, "expires_at": r.ExpiresAt,
			"restore": r.ID, "notified": r.Notified, "pdf": accessURL(r.TIN) + "/pdf"})
		return nil
	}
	ho := h.accessHandover(q, r)
	q.Page.Title = q.Page.T("kg.restore.title") + " " + r.TIN
	q.Page.Data = map[string]any{"H": ho, "W": ho.words(), "LangName": q.Page.T("office.reg.lang." + ho.Lang), "Notified": len(r.Notified) > 0}
	q.Render(http.StatusOK, "access_restored.html")
	return nil
}

// handleAccessPDF sends the handover as a PDF in the owner's language: the handover's page posts
// the one-time password back (it is kept nowhere), checked against the account's before it is
// printed; the print is in the audit log.
func (h *Handler) handleAccessPDF(q *web.Request) error {
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	r, err := h.d.Cabinet.PrintAccessRestore(q.Ctx(), actor(q), office, q.Form("restore"), q.R.PostFormValue("one_time_password"))
	if err != nil {
		return err
	}
	if r.TIN != q.R.PathValue("tin") {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	var b bytes.Buffer
	if err := AccessPDF(&b, h.accessHandover(q, r)); err != nil {
		return err
	}
	q.W.Header().Set("Content-Type", "application/pdf")
	q.W.Header().Set("Content-Disposition", `attachment; filename="access-`+r.TIN+`.pdf"`)
	q.W.Header().Set("Cache-Control", "no-store")
	_, err = q.W.Write(b.Bytes())
	return err
}

// accessHandoverData is what is handed to the owner with the access restored: the login and the
// one-time password, printed in the owner's language.
type accessHandoverData struct {
	R           *cabinet.RestoredAccess
	OfficeName  string
	HolderName  string // who came for an organization's account
	Issued      string // the day of issue in the jurisdiction's zone
	Expires     string // the last moment of the one-time password, in the jurisdiction's zone
	LoginURL    string
	IssuedBy    string // the inspector's name and position
	Lang        string // the owner's language
	MinPassword int    // the least length of the own password (KG-1)
}

func (h *Handler) accessHandover(q *web.Request, r *cabinet.RestoredAccess) accessHandoverData {
	lang := r.Lang
	if !i18n.Supported(lang) {
		lang = q.Page.Lang
	}
	ho := accessHandoverData{R: r, OfficeName: h.d.Cabinet.OfficeName(q.Ctx(), r.Office, lang), Issued: r.IssuedAt.In(q.Page.Zone()).Format("02.01.2006"),
		Expires: r.ExpiresAt.In(q.Page.Zone()).Format("15:04 02.01.2006"), LoginURL: h.lkLoginURL(q), IssuedBy: h.issuer(q, r.IssuedBy), Lang: lang,
		MinPassword: h.d.Cabinet.Rules().Password.MinLength}
	if r.Holder != "" {
		if p, err := h.d.Cabinet.Person(q.Ctx(), r.Holder); err == nil {
			ho.HolderName = p.FullName()
		}
	}
	return ho
}

// accessWords are the words of the handover in the owner's language: the page prints what its
// PDF does, whatever language the inspector's pages are in.
type accessWords struct {
	Title, Subtitle, Issued, Office, Taxpayer, Holder, HolderRole, Login, Password, ValidUntil, Memo, IssuedBy string
	MemoLines                                                                                                  []string
}

func (h accessHandoverData) words() accessWords {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	w := accessWords{Title: t("kg.restore.title"), Subtitle: t("kg.restore.subtitle"), Issued: t("kg.restore.issued"), Office: t("kg.handover.office"),
		Taxpayer: t("kg.restore.taxpayer"), Holder: t("kg.restore.holder"), Login: t("kg.handover.login"), Password: t("kg.restore.password"),
		ValidUntil: t("kg.restore.valid_until"), Memo: t("kg.handover.memo"), IssuedBy: t("kg.restore.issued_by", h.IssuedBy), MemoLines: accessMemo(h)}
	if h.R.HolderRole != "" {
		w.HolderRole = t("enum.signatory_role." + h.R.HolderRole)
	}
	return w
}

// accessMemo is the memo handed over with the one-time password (LK-2, LK-10, KG-2).
func accessMemo(h accessHandoverData) []string {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	return []string{t("kg.restore.memo1", h.LoginURL, h.MinPassword), t("kg.restore.memo2", h.Expires), t("kg.restore.memo3"), t("kg.restore.memo4")}
}
