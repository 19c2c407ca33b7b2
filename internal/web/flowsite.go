package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
)

// A site's stored flows (a citizen's registration, login, recovery …) are driven alike: GET
// starts one (a browser is sent to ?flow=ID, a JSON client gets the flow) or shows the step it is
// at; POST takes the step. A browser's flow belongs to the browser that started it (its CSRF
// token). FlowPages is that driving, once for every site.

// FlowStep is a step of a flow as a site shows it: its page's template and its fields for a JSON
// client.
type FlowStep struct {
	Template string
	Fields   []FlowField
}

// FlowPages are the pages of one kind of flow on a site.
type FlowPages struct {
	Flows *flow.Manager
	Kind  string
	Path  string // where the flow's pages are: /lk/login
	Title string // the catalogue key of the pages' title; "" leaves the title to the handler
	// Start starts a flow for a browser or a JSON client.
	Start func(q *Request, client flow.Client) (*flow.Flow, error)
	Steps map[string]FlowStep
	Data  map[string]any // what every step's template needs besides the flow
	// FormTargets returns the origins besides this one that the form of a flow returning to
	// returnTo may post to (nil: none).
	FormTargets func(ctx context.Context, returnTo string) []string
}

// Action is where a flow's form posts and its browser is sent.
func (fp *FlowPages) Action(f *flow.Flow) string { return fp.Path + "?flow=" + f.ID }

// Get returns the request's flow, or starts one; done is true when the answer was written (a
// browser sent to its new flow, a JSON client answered).
func (fp *FlowPages) Get(q *Request) (f *flow.Flow, done bool, err error) {
	id := q.R.URL.Query().Get("flow")
	f, err = fp.Flows.Get(q.Ctx(), id, fp.Kind)
	if err == nil {
		return f, false, nil
	}
	if id != "" && flow.Expired(err) {
		q.Page.Problem = problem.Msg("flow.expired").In(q.Page.Lang)
	}
	client := flow.Browser
	if WantsJSON(q.R) {
		client = flow.API
	}
	if f, err = fp.Start(q, client); err != nil {
		return nil, true, err
	}
	if client == flow.API {
		WriteFlow(q.W, q.R, f, fp.Action(f), fp.Steps[f.State].Fields, nil)
		return f, true, nil
	}
	if q.Page.Problem == "" && q.Page.Flash == "" {
		http.Redirect(q.W, q.R, fp.Action(f), http.StatusSeeOther)
		return f, true, nil
	}
	// A message to show (the flash of the redirect that led here, or why the old flow ended):
	// the new flow's step is shown at once, its form posting to the flow.
	return f, false, nil
}

// Post returns the flow a POST takes a step of, checking that a browser's flow is this
// browser's.
func (fp *FlowPages) Post(q *Request) (*flow.Flow, error) {
	f, err := fp.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), fp.Kind)
	if err != nil {
		return nil, err
	}
	if f.Client == flow.Browser && subtle.ConstantTimeCompare([]byte(f.CSRF), []byte(q.R.PostFormValue("csrf"))) != 1 {
		return nil, problem.New(problem.Forbidden, problem.Msg("csrf"))
	}
	fp.title(q)
	return f, nil
}

func (fp *FlowPages) title(q *Request) {
	if fp.Title != "" {
		q.Page.Title = q.Page.T(fp.Title)
	}
}

// secretFields are never shown again after an error.
var secretFields = map[string]bool{"csrf": true, "password": true, "password_confirm": true, "password_repeat": true, "new_password": true,
	"new_password_confirm": true, "current_password": true, "code_word": true, "code_word_confirm": true, "answer": true, "signature": true}

// Show renders the flow's step (or writes it as JSON), with err the problem of the last
// submission and data what the step's template needs besides the flow and Data.
func (fp *FlowPages) Show(q *Request, f *flow.Flow, err error, data map[string]any) error {
	st, ok := fp.Steps[f.State]
	if !ok {
		return problem.New(problem.NotFound, problem.MsgNotFound)
	}
	fp.title(q)
	if f.Client == flow.API || WantsJSON(q.R) {
		if p, isProblem := problem.As(err); err != nil && (!isProblem || p.Code == problem.Internal) {
			return err
		}
		WriteFlow(q.W, q.R, f, fp.Action(f), st.Fields, err)
		return nil
	}
	if fp.FormTargets != nil && f.ReturnTo != "" {
		AllowFormTargets(q.W, fp.FormTargets(q.Ctx(), f.ReturnTo)...)
	}
	all := map[string]any{}
	for k, v := range fp.Data {
		all[k] = v
	}
	for k, v := range data {
		all[k] = v
	}
	all["Action"], all["Flow"], all["State"] = fp.Action(f), f, f.State
	if q.Page.Form == nil {
		q.Page.Form = map[string][]string{}
		for k, v := range f.Data {
			q.Page.Form[k] = []string{v}
		}
	}
	if err != nil {
		if q.R.Method == http.MethodPost {
			for k, v := range q.R.PostForm {
				if !secretFields[k] {
					q.Page.Form[k] = v
				}
			}
		}
		saved := q.R.PostForm
		q.R.PostForm = q.Page.Form
		e := q.FormError(err, st.Template, all)
		q.R.PostForm = saved
		return e
	}
	q.Page.Data = all
	q.Render(http.StatusOK, st.Template)
	return nil
}

// Next answers a step taken: a browser is sent to the flow's page (which shows the next step), a
// JSON client gets the flow.
func (fp *FlowPages) Next(q *Request, f *flow.Flow) error {
	if f.Client == flow.Browser {
		http.Redirect(q.W, q.R, fp.Action(f), http.StatusSeeOther)
		return nil
	}
	return fp.Show(q, f, nil, nil)
}

// DropSecrets removes from a form what is never shown again after an error (passwords, code
// words, the CSRF token …), for a page that shows the form again outside a flow.
func DropSecrets(form url.Values) {
	for k := range secretFields {
		form.Del(k)
	}
}
