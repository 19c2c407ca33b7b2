package backoffice

import (
	"bytes"
	"net/http"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/web"
)

// KG-1, BO-3, BO-5: the queue of self-registrations of the Kyrgyz taxpayer cabinet, mounted where
// the jurisdiction registers by application. An inspector sees the applications of the УГНС the
// member works in (staff.Member.Office; an administrator every УГНС's), compares each with the
// register, records that the applicant showed the passport in person and grants access — only
// then is the login handed over, on a page to print and as a PDF in the applicant's language
// (registrationpdf.go) — or refuses with a reason. The applicant is told either way (package
// cabinet): by SMS or e-mail when the application gave a contact — the flash says whether a
// message went — and on the application's status page in any case; every decision and every
// print is in the audit log.

func registrationURL(number string) string { return "/office/registrations/" + number }

var msgNoOffice = problem.Msg("office.reg.no_office")

// regOffice returns the УГНС whose queue the member decides: the member's office, "" for an
// administrator (every office's). An inspector of no office has no queue.
func (h *Handler) regOffice(q *web.Request) (string, error) {
	m, err := h.d.Staff.Member(q.Ctx(), q.Viewer.Subject)
	if err != nil {
		return "", err
	}
	if m.Role == staff.RoleAdmin {
		return "", nil
	}
	if m.Office == "" {
		return "", problem.New(problem.Forbidden, msgNoOffice)
	}
	return m.Office, nil
}

// officeRegistration reads the application the page names, if the inspector may see it: one
// made to their office (an administrator sees every office's).
func (h *Handler) officeRegistration(q *web.Request) (*cabinet.Registration, error) {
	office, err := h.regOffice(q)
	if err != nil {
		return nil, err
	}
	r, err := h.d.Cabinet.Registration(q.Ctx(), q.R.PathValue("number"))
	if err != nil {
		return nil, err
	}
	if office != "" && r.Office != office {
		return nil, problem.New(problem.Forbidden, problem.Msg("lk.reg.other_office").With(r.Office))
	}
	return r, nil
}

func (h *Handler) handleRegistrations(q *web.Request) error {
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	query := q.R.URL.Query()
	if n := query.Get("number"); n != "" {
		if _, _, ok := cabinet.ParseNumber(n); ok {
			http.Redirect(q.W, q.R, registrationURL(n), http.StatusSeeOther)
			return nil
		}
		q.Page.FieldErrors(problem.InvalidField("number", problem.Msg("lk.reg_status.number_format")))
	}
	state := cabinet.AppState(query.Get("state"))
	if !query.Has("state") {
		state = cabinet.AppSubmitted
	}
	list, err := h.d.Cabinet.Registrations(q.Ctx(), office, state)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.reg.title")
	q.Page.Form = query
	q.Page.Data = map[string]any{"Regs": list, "State": string(state), "Office": office, "OfficeName": h.d.Cabinet.OfficeName(q.Ctx(), office, q.Page.Lang)}
	q.Render(http.StatusOK, "registrations.html")
	return nil
}

func (h *Handler) handleRegistration(q *web.Request) error {
	r, err := h.officeRegistration(q)
	if err != nil {
		return err
	}
	// What the register says now, beside what the application says.
	in := cabinet.RegistrationInput{Type: string(r.Type), TIN: r.TIN, OrgTIN: r.OrgTIN, Lang: q.Page.Lang}
	now, serr := h.d.Cabinet.Search(q.Ctx(), in, r.Type == cabinet.LegalEntity)
	problemNow := ""
	if p, ok := problem.As(serr); ok {
		problemNow = p.Message.In(q.Page.Lang)
		if len(p.Fields) > 0 {
			problemNow = p.Fields[0].In(q.Page.Lang)
		}
	}
	q.Page.Title = q.Page.T("office.reg.one", r.Number())
	q.Page.Data = map[string]any{"R": r, "Now": now, "NowProblem": problemNow, "OfficeName": h.d.Cabinet.OfficeName(q.Ctx(), r.Office, q.Page.Lang),
		"DecidedBy": h.issuer(q, r.DecidedBy)} // by name and position, not by login
	q.Render(http.StatusOK, "registration.html")
	return nil
}

func (h *Handler) handleRegistrationApprove(q *web.Request) error {
	number := q.R.PathValue("number")
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	r, err := h.d.Cabinet.ApproveRegistration(q.Ctx(), actor(q), office, number, q.Form("passport_shown") != "", q.Form("passport"))
	if err != nil {
		return q.FailTo(registrationURL(number), err)
	}
	q.Redirect(registrationURL(number)+"/handover", decisionFlash(r, "office.flash.registration_approved", "office.flash.registration_approved_unnotified"))
	return nil
}

// decisionFlash is the flash of a decision: notified, that the applicant was told — only when a
// message was queued; else unnotified, that they see the decision on the application's status
// page.
func decisionFlash(r *cabinet.Registration, notified, unnotified string) string {
	if len(r.Notified) == 0 {
		return unnotified
	}
	return notified
}

func (h *Handler) handleRegistrationRefuse(q *web.Request) error {
	number := q.R.PathValue("number")
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	r, err := h.d.Cabinet.RefuseRegistration(q.Ctx(), actor(q), office, number, q.Form("reason"))
	if err != nil {
		return q.FailTo(registrationURL(number), err)
	}
	q.Redirect(registrationURL(number), decisionFlash(r, "office.flash.registration_refused", "office.flash.registration_refused_unnotified"))
	return nil
}

// handover is what is handed to the applicant with the access granted: the login, printed.
type handover struct {
	R          *cabinet.Registration
	OfficeName string
	Decided    string // the day of the decision in the jurisdiction's zone
	LoginURL   string // the cabinet's login page
	IssuedBy   string // the inspector's name and position
	Lang       string // the applicant's language: the one they registered in
}

func (h *Handler) handover(q *web.Request, r *cabinet.Registration) handover {
	return handover{R: r, OfficeName: h.d.Cabinet.OfficeName(q.Ctx(), r.Office, r.Lang), Decided: r.DecidedAt.In(q.Page.Zone()).Format("02.01.2006"),
		LoginURL: h.lkLoginURL(q), IssuedBy: h.issuer(q, r.DecidedBy), Lang: r.Lang}
}

// handoverWords are the words of the login handed over in the applicant's language: the page
// prints what its PDF does, in the same language (KG-1), whatever language the inspector's pages
// are in.
type handoverWords struct {
	Title, Subtitle, Application, Decided, Office, Applicant, Organization, Role, RoleName, Login, Password, PasswordOwn, Memo, IssuedBy string
	MemoLines                                                                                                                            []string
}

func (h handover) words() handoverWords {
	t := func(key string, args ...any) string { return tr(h.Lang, key, args...) }
	w := handoverWords{Title: t("kg.handover.title"), Subtitle: t("kg.handover.subtitle"), Application: t("kg.handover.application"),
		Decided: t("kg.handover.decided"), Office: t("kg.handover.office"), Applicant: t("kg.handover.applicant"),
		Organization: t("kg.handover.organization"), Role: t("kg.handover.role"), Login: t("kg.handover.login"), Password: t("kg.handover.password"),
		PasswordOwn: t("kg.handover.password_own"), Memo: t("kg.handover.memo"), IssuedBy: t("kg.handover.issued_by", h.IssuedBy), MemoLines: handoverMemo(h)}
	if h.R.Role != "" {
		w.RoleName = t("enum.signatory_role." + h.R.Role)
	}
	return w
}

// handleRegistrationHandover shows the login granted on an application, printable, in the
// applicant's language like its PDF.
func (h *Handler) handleRegistrationHandover(q *web.Request) error {
	r, err := h.officeRegistration(q)
	if err != nil {
		return err
	}
	if r.State != cabinet.AppApproved {
		http.Redirect(q.W, q.R, registrationURL(r.Number()), http.StatusSeeOther)
		return nil
	}
	q.Page.Title = q.Page.T("kg.handover.title")
	ho := h.handover(q, r)
	if !i18n.Supported(ho.Lang) {
		ho.Lang = q.Page.Lang
	}
	q.Page.Data = map[string]any{"H": ho, "W": ho.words(), "LangName": q.Page.T("office.reg.lang." + ho.Lang)}
	q.Render(http.StatusOK, "registration_handover.html")
	return nil
}

// handleRegistrationPDF sends the login granted as a PDF for the applicant (in PT Sans, in the
// language they registered in); the print is in the audit log.
func (h *Handler) handleRegistrationPDF(q *web.Request) error {
	office, err := h.regOffice(q)
	if err != nil {
		return err
	}
	r, err := h.d.Cabinet.PrintRegistration(q.Ctx(), actor(q), office, q.R.PathValue("number"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := HandoverPDF(&b, h.handover(q, r)); err != nil {
		return err
	}
	q.W.Header().Set("Content-Type", "application/pdf")
	q.W.Header().Set("Content-Disposition", `attachment; filename="login-`+r.Login()+`.pdf"`)
	q.W.Header().Set("Cache-Control", "no-store")
	_, err = q.W.Write(b.Bytes())
	return err
}
