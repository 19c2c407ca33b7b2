package lkweb

import (
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// The home page: what the register knows of the taxpayer (TIN, name, tax office, status), the
// sections the tax data will fill (SPEC section 5: objects, accruals and payments, payment
// documents, declarations, appeals — shown empty for now), and the signed extract to download
// (REG-9). A representative sees the principal's (LK-8).

// Sections are the sections of the tax data (SPEC section 5), shown empty until the issues that
// build them fill them: objects, settlements, payment documents, declarations, appeals.
var Sections = []string{"objects", "settlements", "payments", "declarations", "appeals"}

//go:embed sections.html
var sectionsSource string

var sectionsTemplate = template.Must(template.New("sections").Parse(sectionsSource))

// section is a section of the tax data as the home page shows it.
type section struct{ Title, Text string }

// renderSections renders the sections of the tax data once for each language of the catalogue,
// in the jurisdiction's own wording (i18n.Local: a Kyrgyz taxpayer's declarations are not the
// Russian 3-НДФЛ): they are the same on every home page, which is the account's busiest, so no
// request translates or renders them again.
func renderSections(p jurisdiction.Profile) (map[string]template.HTML, error) {
	out := map[string]template.HTML{}
	code := string(p.OrDefault().Code)
	for _, lang := range i18n.Languages() {
		list := make([]section, len(Sections))
		for i, k := range Sections {
			list[i] = section{Title: i18n.T(lang, i18n.Local("lk.section."+k, code)), Text: i18n.T(lang, i18n.Local("lk.section."+k+".text", code))}
		}
		var b strings.Builder
		if err := sectionsTemplate.Execute(&b, map[string]any{"List": list, "Later": i18n.T(lang, "lk.section.later")}); err != nil {
			return nil, err
		}
		out[lang] = template.HTML(b.String())
	}
	return out, nil
}

// homeView is the home page's data, made into strings in the handler: the template prints
// fields and calls no method (a call through the template's reflection costs more than the work
// it does).
type homeView struct {
	TIN, Name, Birth, Office, Status, StatusLabel, Registered string
	Org                                                       bool // an organization's account (KG-1): its name is labelled so
	Sections                                                  template.HTML
}

func (h *Handler) handleHome(q *web.Request) error {
	if q.Viewer == nil {
		if web.WantsJSON(q.R) {
			return problem.New(problem.Unauthorized, problem.MsgUnauthorized)
		}
		http.Redirect(q.W, q.R, h.site.Login, http.StatusSeeOther)
		return nil
	}
	st, err := h.state(q)
	if err != nil {
		return err
	}
	return h.home(q, st)
}

func (h *Handler) home(q *web.Request, st *State) error {
	p, office, err := h.subject(q, st)
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("lk.home.title")
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"tin": p.TIN, "name": p.FullName(), "office": p.Office, "office_name": office,
			"status": p.Status, "demo": st.Demo, "acting_for": actingFor(st)})
		return nil
	}
	v := &homeView{TIN: p.TIN, Name: p.FullName(), Office: p.Office, Status: p.Status, StatusLabel: q.Page.Enum("status", p.Status), Org: p.OrgName != "",
		Sections: h.sections[q.Page.Lang]}
	if office != "" {
		v.Office += " — " + office
	}
	if !p.BirthDate.IsZero() {
		v.Birth = p.BirthDate.Format("02.01.2006")
	}
	if !p.RegisteredOn.IsZero() {
		v.Registered = p.RegisteredOn.Format("02.01.2006")
	}
	q.Page.Data = v
	q.Render(http.StatusOK, "home.html")
	return nil
}

func actingFor(st *State) string {
	if st.Acting == nil {
		return ""
	}
	return st.Acting.Principal.TIN
}

// subject returns the person whose account the page shows, and their tax office's name.
func (h *Handler) subject(q *web.Request, st *State) (*cabinet.Person, string, error) {
	if st.Demo {
		p := cabinet.DemoPerson()
		return p, q.Page.T("lk.demo.office"), nil
	}
	p := (*cabinet.Person)(nil)
	if st.Acting != nil {
		p = st.Acting.Principal
	} else {
		var err error
		if p, err = h.d.Cabinet.Subject(q.Ctx(), st.Account.TIN); err != nil {
			return nil, "", err
		}
	}
	return p, h.d.Cabinet.OfficeName(q.Ctx(), p.Office, q.Page.Lang), nil
}

// handleExtract issues the extract confirming the TIN whose account is shown (REG-9) and shows
// it as a printable page with a link to its signed PDF; ?format=pdf sends the PDF at once, and
// ?number=N&format=pdf the PDF of an extract of this TIN issued before. A representative needs
// the power to obtain extracts; the demonstration account shows a sample, issued to no one.
func (h *Handler) handleExtract(q *web.Request, st *State) error {
	if st.Demo {
		return h.demoExtract(q)
	}
	if st.Acting != nil && !st.Acting.Representation.Can(cabinet.PowerExtracts) {
		return problem.New(problem.Forbidden, problem.Msg("lk.acting.power"))
	}
	tin := st.Subject()
	x := h.d.Extracts
	format, number := q.R.URL.Query().Get("format"), q.R.URL.Query().Get("number")
	if number != "" {
		f, err := x.Files(q.Ctx(), tin, number, format == "p7s")
		if err != nil {
			return err
		}
		n, _ := register.NormalizeExtractNumber(number)
		if format == "p7s" {
			sendFile(q, "extract-"+n+".p7s", "application/pkcs7-signature", f.Signature)
		} else {
			sendFile(q, "extract-"+n+".pdf", "application/pdf", f.PDF)
		}
		return nil
	}
	role, by := "taxpayer", ""
	if st.Acting != nil {
		role, by = "representative", st.Account.TIN
	}
	actor := audit.Actor{Login: "lk:" + st.Account.TIN, Role: role, RemoteAddr: web.ClientAddr(q.R)}
	base := x.BaseURL(web.ClientOf(q.R).Secure, q.R.Host)
	e, err := x.Issue(q.Ctx(), actor, tin, register.Officer{Login: actor.Login, Name: q.Page.T("lk.extract.officer")}, q.Page.Lang, base)
	if err != nil {
		return err
	}
	_ = h.d.Cabinet.RecordEvent(q.Ctx(), tin, "extract_issued", by, e.Number, origin(q, h.site))
	if format == "pdf" {
		sendFile(q, "extract-"+e.Number+".pdf", "application/pdf", e.Document.PDF)
		return nil
	}
	o := x.Options(e, base)
	o.Notice = actingNotice(q.Page, st)
	o.PDFURL = Base + "extract?number=" + url.QueryEscape(e.Number) + "&format=pdf"
	if x.Signed() {
		o.SignatureURL = Base + "extract?number=" + url.QueryEscape(e.Number) + "&format=p7s"
	}
	q.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.W.Header().Set("Cache-Control", "no-store")
	return extract.HTML(q.W, e, q.Page.Lang, o)
}

// demoExtract shows the demonstration taxpayer's extract: a sample, not numbered by the
// register, not signed.
func (h *Handler) demoExtract(q *web.Request) error {
	p := cabinet.DemoPerson()
	t := &register.Taxpayer{TIN: p.TIN, Kind: register.KindPerson, Status: register.StatusActive, TaxOffice: p.Office, RegisteredOn: p.RegisteredOn,
		Person: &register.Person{Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: p.BirthDate, BirthPlace: "г. Москва"}}
	e := &register.Extract{Number: q.Page.T("lk.demo.extract_number"), IssuedAt: h.d.Cabinet.Now().UTC(), IssuedBy: q.Page.T("lk.extract.officer"),
		Office: register.OfficeCard{Office: register.Office{Code: p.Office, Name: q.Page.T("lk.demo.office")}, FullName: q.Page.T("lk.demo.office")}, Taxpayer: t}
	q.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	return extract.HTML(q.W, e, q.Page.Lang, extract.Options{Profile: h.d.Cabinet.Profile()})
}

// actingNotice says, on a page outside the site's layout (the extract, a document of its own),
// who is acting for whom (LK-8): the representative, the principal and the ground; "" when the
// viewer acts for nobody.
func actingNotice(p *web.Page, st *State) string {
	act := st.Acting
	if act == nil {
		return ""
	}
	r := act.Representation
	ground := p.Enum("lk_rep_kind", r.Kind)
	if r.Kind == cabinet.PowerOfAttorney {
		ground += ", " + p.T("lk.acting.until", r.ValidUntil.Format("02.01.2006"))
	}
	return p.T("lk.acting.who", st.Account.Name, st.Account.TIN, act.Principal.FullName(), act.Principal.TIN, ground)
}

// sendFile sends a file to download.
func sendFile(q *web.Request, name, ctype string, b []byte) {
	q.W.Header().Set("Content-Type", ctype)
	q.W.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	q.W.Write(b)
}
