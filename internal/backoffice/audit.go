package backoffice

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// The audit log as the back office shows it (BO-5): actions, subjects and details by their
// labels in the page's language, never by their codes.

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
		return "role"
	case "decision":
		return "review"
	case "by":
		return "limit_by"
	}
	return ""
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
		val := strings.TrimSpace(details[l[1]:end])
		switch {
		case key == "fields":
			var labels []string
			for _, f := range strings.Split(val, ",") {
				labels = append(labels, web.Label(p.Lang, f))
			}
			val = strings.Join(labels, ", ")
		case auditEnum(action, key) != "":
			val = p.Enum(auditEnum(action, key), val)
		}
		parts = append(parts, web.Label(p.Lang, "audit."+key)+": "+val)
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
		r := auditRow{At: e.At, Actor: e.Actor.Login, Action: p.Enum("audit", e.Action), Subject: auditSubject(p, e.Subject), Count: e.Count,
			Details: auditDetails(p, e.Action, e.Details)}
		if len(e.Subject) == 10 || len(e.Subject) == 12 {
			if strings.Trim(e.Subject, "0123456789") == "" {
				r.TIN = e.Subject
			}
		}
		out = append(out, r)
	}
	return out
}

func (h *Handler) handleAudit(q *web.Request) error {
	if !q.Viewer.Can("audit.read") {
		return problem.New(problem.Forbidden, problem.MsgForbidden)
	}
	qs := q.R.URL.Query()
	list, err := h.d.Audit.ListAudit(q.Ctx(), audit.Filter{Actor: qs.Get("actor"), Subject: qs.Get("subject"), Limit: 200})
	if err != nil {
		return err
	}
	q.Page.Title = q.Page.T("office.audit.title")
	q.Page.Form = qs
	q.Page.Data = map[string]any{"Entries": auditRows(q.Page, list)}
	q.Render(http.StatusOK, "audit.html")
	return nil
}
