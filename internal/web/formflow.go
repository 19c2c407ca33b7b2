package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
)

// A form posted from a page that is not the form's own address (an action on a taxpayer's page)
// fails into a redirect, not into a page at the POST's address that a reload would post again:
// FailTo keeps what was typed and the errors in a stored flow, and the page it redirects to
// shows them once (?form=ID). Nothing secret is kept: fields named csrf or password never are.

const formFlowTTL = 10 * time.Minute

func (s *Site) formKind() string { return s.Name + ".form" }

// Rename maps the fields of a problem to the inputs of a form that names them otherwise (a
// page with several forms: "ground" of the КПП form is its input "kpp_ground").
type Rename map[string]string

// FailTo answers a failed form with a redirect to the page to (a path of the site) that shows
// the form again with err's messages (their fields renamed by rename, if given) and the values
// typed. Errors that are not about the input are returned for the error page.
func (q *Request) FailTo(to string, err error, rename ...Rename) error {
	p, ok := problem.As(err)
	if !ok || p.Code == problem.Internal || p.Code == problem.Unavailable || q.Site.Flows == nil || WantsJSON(q.R) {
		return err // the error page, or problem+json for a JSON client
	}
	f, ferr := q.Site.Flows.Start(q.Ctx(), flow.Start{Kind: q.Site.formKind(), State: "failed", Client: flow.Browser, TTL: formFlowTTL})
	if ferr != nil {
		return ferr
	}
	lang := q.Page.Lang
	if p.Code == problem.Invalid {
		f.Data["problem"] = q.Page.T("form.errors")
	} else {
		f.Data["problem"] = p.Message.In(lang)
	}
	for i, fe := range p.Fields {
		field := fe.Field
		for _, r := range rename {
			if to, ok := r[field]; ok {
				field = to
			}
		}
		f.Data["err."+field] = fe.In(lang)
		if i == 0 {
			f.Data["first"] = field
		}
		f.Data["order."+field] = fmt.Sprintf("%04d", i)
	}
	for k, vs := range q.R.PostForm {
		if k == "csrf" || strings.Contains(k, "password") || len(vs) == 0 {
			continue
		}
		f.Data["v."+k] = vs[0]
	}
	if err := q.Site.Flows.Save(q.Ctx(), f); err != nil {
		return err
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(q.W, q.R, to+sep+"form="+url.QueryEscape(f.ID), http.StatusSeeOther)
	return nil
}

// loadForm fills the page with a failed form kept by FailTo, once.
func (s *Site) loadForm(r *http.Request, p *Page) {
	id := r.URL.Query().Get("form")
	if id == "" || s.Flows == nil {
		return
	}
	f, err := s.Flows.Get(r.Context(), id, s.formKind())
	if err != nil {
		return
	}
	data := f.Data
	_ = s.Flows.Finish(r.Context(), f) // shown once
	p.Form = url.Values{}
	p.Problem = data["problem"]
	type item struct{ order, field, msg string }
	var items []item
	for k, v := range data {
		switch {
		case strings.HasPrefix(k, "v."):
			p.Form.Set(k[2:], v)
		case strings.HasPrefix(k, "err."):
			field := k[4:]
			items = append(items, item{data["order."+field], field, v})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].order < items[j].order })
	for _, it := range items {
		p.Errors[it.field] = it.msg
		p.ErrorList = append(p.ErrorList, ErrorItem{ID: ErrorID(it.field), Message: it.msg})
	}
	p.FirstError = data["first"]
	p.Path = strings.Replace(p.Path, "form="+id, "", 1)
}
