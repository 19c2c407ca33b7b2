package idweb

import (
	"crypto/subtle"
	"net/http"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// The site's stored flows (registration, login, recovery) are driven alike: GET starts one (a
// browser is sent to ?flow=ID, a JSON client gets the flow) or shows the step it is at; POST
// takes the step. A browser's flow belongs to the browser that started it (its CSRF token).

type step struct {
	template string
	fields   []web.FlowField
}

type flowSite struct {
	kind  string
	path  string // /id/register
	start func(q *web.Request, client flow.Client) (*flow.Flow, error)
	steps map[string]step
	data  map[string]any // more for the steps' template
}

func notFound() error { return problem.New(problem.NotFound, problem.MsgNotFound) }

func (fs *flowSite) action(f *flow.Flow) string { return fs.path + "?flow=" + f.ID }

// get returns the request's flow, or starts one; done is true when the answer was written (a
// browser sent to its new flow, a JSON client answered).
func (h *Handler) getFlow(q *web.Request, fs *flowSite) (f *flow.Flow, done bool, err error) {
	id := q.R.URL.Query().Get("flow")
	f, err = h.d.Flows.Get(q.Ctx(), id, fs.kind)
	if err == nil {
		return f, false, nil
	}
	if id != "" && flow.Expired(err) {
		q.Page.Problem = problem.Msg("flow.expired").In(q.Page.Lang)
	}
	client := flow.Browser
	if web.WantsJSON(q.R) {
		client = flow.API
	}
	if f, err = fs.start(q, client); err != nil {
		return nil, true, err
	}
	if client == flow.API {
		web.WriteFlow(q.W, q.R, f, fs.action(f), fs.steps[f.State].fields, nil)
		return f, true, nil
	}
	if q.Page.Problem == "" {
		http.Redirect(q.W, q.R, fs.action(f), http.StatusSeeOther)
		return f, true, nil
	}
	return f, false, nil
}

// postFlow returns the flow a POST takes a step of, checking that a browser's flow is this
// browser's.
func (h *Handler) postFlow(q *web.Request, fs *flowSite) (*flow.Flow, error) {
	f, err := h.d.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), fs.kind)
	if err != nil {
		return nil, err
	}
	if f.Client == flow.Browser && subtle.ConstantTimeCompare([]byte(f.CSRF), []byte(q.R.PostFormValue("csrf"))) != 1 {
		return nil, problem.New(problem.Forbidden, problem.Msg("csrf"))
	}
	return f, nil
}

// show renders the flow's step (or writes it as JSON), with err the problem of the last
// submission.
func (h *Handler) show(q *web.Request, fs *flowSite, f *flow.Flow, err error) error {
	st, ok := fs.steps[f.State]
	if !ok {
		return notFound()
	}
	if f.Client == flow.API || web.WantsJSON(q.R) {
		if p, isProblem := problem.As(err); err != nil && (!isProblem || p.Code == problem.Internal) {
			return err
		}
		web.WriteFlow(q.W, q.R, f, fs.action(f), st.fields, err)
		return nil
	}
	if h.d.FormTargets != nil && f.ReturnTo != "" {
		web.AllowFormTargets(q.W, h.d.FormTargets(q.Ctx(), f.ReturnTo)...)
	}
	data := map[string]any{"Action": fs.action(f), "Flow": f, "State": f.State}
	for k, v := range fs.data {
		data[k] = v
	}
	if q.Page.Form == nil {
		q.Page.Form = map[string][]string{}
		for k, v := range f.Data {
			q.Page.Form[k] = []string{v}
		}
	}
	if err != nil {
		if q.R.Method == http.MethodPost {
			for k, v := range q.R.PostForm {
				if k != "csrf" && k != "password" && k != "password_confirm" && k != "answer" && k != "new_password" && k != "new_password_confirm" {
					q.Page.Form[k] = v
				}
			}
		}
		saved := q.R.PostForm
		q.R.PostForm = q.Page.Form
		e := q.FormError(err, st.template, data)
		q.R.PostForm = saved
		return e
	}
	q.Page.Data = data
	q.Render(http.StatusOK, st.template)
	return nil
}
