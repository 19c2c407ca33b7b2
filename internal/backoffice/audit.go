package backoffice

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/web"
)

// The audit log as the back office shows it (BO-5): actions, subjects and details by their
// labels in the page's language, never by their codes; times in the office's zone.

type auditRow struct {
	At      time.Time
	Actor   string
	Action  string
	Subject string
	TIN     string // the subject when it is a TIN, for a link
	Count   int
	Details string
}

var detailKey = regexp.MustCompile(`(?:^|\s)([a-z_]+)=`)

// auditEnums names the enumeration of a detail's value, by action where it depends on it.
func auditEnum(action, key string) string {
	switch key {
	case "ground":
		switch action {
		case "person.register":
			return "person_ground"
		case "organization.register":
			return "org_ground"
		default:
			return "kpp_ground"
		}
	case "reason":
		return "end_reason"
	case "status":
		return "status"
	case "role":
		if strings.HasPrefix(action, "lk.") {
			return "signatory_role" // the head or the accountant of an organization (KG-1)
		}
		return "role"
	case "came":
		return "lk_came"
	case "kind":
		if strings.HasPrefix(action, "lk.representative") {
			return "lk_rep_kind" // a power of attorney, a parent (LK-8)
		}
	case "type":
		return "person_type"
	case "passport":
		return "shown"
	case "decision":
		return "review"
	case "by":
		return "limit_by"
	}
	return ""
}

// freeText are the keys of details whose value is text a staff member typed (the reason of a
// refusal, BO-3; an operator's note, BO-4): the last detail of an entry, read to the end
// whatever it holds.
var freeText = map[string]bool{"refusal": true, "note": true}

// listText words a detail that is a list ("view,extracts"): each item named, joined by commas.
func listText(val string, name func(string) string) string {
	var out []string
	for _, v := range strings.Split(val, ",") {
		if v != "" {
			out = append(out, name(v))
		}
	}
	return strings.Join(out, ", ")
}

// checkedText names a document that a staff member checked ("tin_certificate"): as a card's
// checklist names it, else by its field's label ("snils").
func checkedText(p *web.Page, code string) string {
	if i18n.Has(p.Lang, "lk.doc."+code) {
		return p.T("lk.doc." + code)
	}
	return web.Label(p.Lang, code)
}

// auditDetails words an entry's details ("ground=residence office=7842") as
// "Основание: место жительства; Налоговый орган: 7842".
func auditDetails(p *web.Page, action, details string) string {
	locs := detailKey.FindAllStringSubmatchIndex(details, -1)
	if len(locs) == 0 {
		return details
	}
	var parts []string
	for i, l := range locs {
		key := details[l[2]:l[3]]
		end := len(details)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if freeText[key] { // free text, which may hold anything, comes last: it runs to the end
			end = len(details)
		}
		val := strings.TrimSpace(details[l[1]:end])
		switch {
		case key == "fields":
			val = listText(val, func(f string) string { return web.Label(p.Lang, f) })
		case key == "powers":
			val = listText(val, func(pw string) string { return p.Enum("lk_power", pw) })
		case key == "checked":
			val = listText(val, func(d string) string { return checkedText(p, d) })
		case auditEnum(action, key) != "":
			val = p.Enum(auditEnum(action, key), val)
		default:
			val = dayText(val)
		}
		parts = append(parts, web.Label(p.Lang, "audit."+key)+": "+val)
		if freeText[key] {
			break
		}
	}
	return strings.Join(parts, "; ")
}

// auditSubject words a subject that is not a TIN or a login ("review:2" → "заявление № 2").
func auditSubject(p *web.Page, subject string) string {
	if kind, id, ok := strings.Cut(subject, ":"); ok && (kind == "review" || kind == "kio" || kind == "office") {
		return p.T("office.audit.subject."+kind, id)
	}
	return subject
}

func auditRows(p *web.Page, entries []audit.Entry) []auditRow {
	out := make([]auditRow, 0, len(entries))
	for _, e := range entries {
		r := auditRow{At: e.At.In(p.Zone()), Actor: e.Actor.Login, Action: p.Enum("audit", e.Action), Subject: auditSubject(p, e.Subject),
			Count: e.Count, Details: auditDetails(p, e.Action, e.Details)}
		if e.Actor.Name != "" {
			r.Actor = e.Actor.Name + " (" + e.Actor.Login + ")"
		}
		if len(e.Subject) == 10 || len(e.Subject) == 12 || len(e.Subject) == 14 { // a TIN of either jurisdiction
			if strings.Trim(e.Subject, "0123456789") == "" {
				r.TIN = e.Subject
			}
		}
		out = append(out, r)
	}
	return out
}

// auditPageSize is how many entries a page of the back office shows.
const auditPageSize = 50

// auditFilters are the fields of the filter form that the links to other pages keep.
var auditFilters = []string{"actor", "subject", "action", "from", "to", "limit"}

// auditActions are the choices of the action filter: every action of the log by its label, in
// the order of the labels.
func auditActions(p *web.Page) []web.Option {
	opts := []web.Option{{Value: "", Label: p.T("office.audit.any_action")}}
	var codes []string
	codes = append(codes, register.AuditActions...)
	codes = append(codes, staff.AuditActions...)
	codes = append(codes, identity.AuditActions...)
	codes = append(codes, cabinet.AuditActions...)
	for _, c := range codes {
		opts = append(opts, web.Option{Value: c, Label: p.Enum("audit", c)})
	}
	slices.SortStableFunc(opts[1:], func(a, b web.Option) int { return strings.Compare(a.Label, b.Label) })
	return opts
}

// auditLink is the address of another page of the log with the same filters and cursor (its
// name "before" or "after") set to id.
func auditLink(qs url.Values, cursor string, id int64) string {
	v := url.Values{}
	for _, k := range auditFilters {
		if s := qs.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	v.Set(cursor, strconv.FormatInt(id, 10))
	return Base + "audit?" + v.Encode()
}

// handleAudit shows the audit log (BO-5): a filter form (staff member by part of the login or
// name, record, action, a range of whole days in the office's zone) and a page of entries, newest
// first, with links to the newer and the older page that keep the filters. A wrong filter is
// shown in the form with its field marked.
func (h *Handler) handleAudit(q *web.Request) error {
	if !q.Viewer.Can("audit.read") {
		return problem.New(problem.Forbidden, problem.MsgForbidden)
	}
	qs := q.R.URL.Query()
	q.Page.Title = q.Page.T("office.audit.title")
	q.Page.Form = qs
	data := map[string]any{"Actions": auditActions(q.Page)}
	f, err := audit.Query{Actor: qs.Get("actor"), Subject: qs.Get("subject"), Action: qs.Get("action"), From: qs.Get("from"), To: qs.Get("to"),
		Before: qs.Get("before"), After: qs.Get("after"), Limit: qs.Get("limit")}.Filter(web.LocaleOf(q.Ctx()).Zone(), auditPageSize)
	if err != nil {
		// FormError shows again what was posted; what a GET form sent is its query.
		q.R.PostForm = qs
		return q.FormError(err, "audit.html", data)
	}
	page, err := audit.Read(q.Ctx(), h.d.Audit, f)
	if err != nil {
		return err
	}
	data["Entries"] = auditRows(q.Page, page.Entries)
	if page.Next > 0 {
		data["Older"] = auditLink(qs, "before", page.Next)
	}
	if page.Prev > 0 {
		data["Newer"] = auditLink(qs, "after", page.Prev)
	}
	q.Page.Data = data
	q.Render(http.StatusOK, "audit.html")
	return nil
}
