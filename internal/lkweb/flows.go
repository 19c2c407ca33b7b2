package lkweb

import (
	"crypto/subtle"
	"net/http"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// The site's stored flows (the login, the e-signature, the recovery) are driven alike: GET starts
// one (a browser is sent to ?flow=ID, a JSON client gets the flow) or shows the step it is at;
// POST takes the step. A browser's flow belongs to the browser that started it (its CSRF token).

type step struct {
	template string
	fields   []web.FlowField
}

type flowSite struct {
	kind  string
	path  string // /lk/login
	title string // the catalogue key of the pages' title
	start func(q *web.Request, client flow.Client) (*flow.Flow, error)
	steps map[string]step
}

func (fs *flowSite) action(f *flow.Flow) string { return fs.path + "?flow=" + f.ID }

// getFlow returns the request's flow, or starts one; done is true when the answer was written.
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
	if q.Page.Problem == "" && q.Page.Flash == "" {
		http.Redirect(q.W, q.R, fs.action(f), http.StatusSeeOther)
		return f, true, nil
	}
	// A message to show (the flash of the redirect that led here, or why the old flow ended):
	// the new flow's step is shown at once, its form posting to the flow.
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
	q.Page.Title = q.Page.T(fs.title)
	return f, nil
}

// secret fields are never shown again after an error.
var secret = map[string]bool{"csrf": true, "password": true, "password_confirm": true, "password_repeat": true, "new_password": true, "new_password_confirm": true,
	"current_password": true, "code_word": true, "code_word_confirm": true, "signature": true}

// show renders the flow's step (or writes it as JSON), with err the problem of the last
// submission and data what the step's template needs besides the flow.
func (h *Handler) show(q *web.Request, fs *flowSite, f *flow.Flow, err error, data map[string]any) error {
	st, ok := fs.steps[f.State]
	if !ok {
		return notFound()
	}
	q.Page.Title = q.Page.T(fs.title)
	if f.Client == flow.API || web.WantsJSON(q.R) {
		if p, isProblem := problem.As(err); err != nil && (!isProblem || p.Code == problem.Internal) {
			return err
		}
		web.WriteFlow(q.W, q.R, f, fs.action(f), st.fields, err)
		return nil
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Action"], data["Flow"], data["State"] = fs.action(f), f, f.State
	if q.Page.Form == nil {
		q.Page.Form = map[string][]string{}
		for k, v := range f.Data {
			q.Page.Form[k] = []string{v}
		}
	}
	if err != nil {
		if q.R.Method == http.MethodPost {
			for k, v := range q.R.PostForm {
				if !secret[k] {
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

// next answers a step taken: a browser is sent to the flow's page (which shows the next step), a
// JSON client gets the flow.
func (h *Handler) next(q *web.Request, fs *flowSite, f *flow.Flow) error {
	if f.Client == flow.Browser {
		http.Redirect(q.W, q.R, fs.action(f), http.StatusSeeOther)
		return nil
	}
	return h.show(q, fs, f, nil, nil)
}

// input reads the fields of a step from a form, or from a JSON client's flat JSON body.
func input(q *web.Request, names ...string) (map[string]string, error) {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return nil, err
	}
	in := make(map[string]string, len(names))
	for _, n := range names {
		in[n] = q.R.PostFormValue(n)
	}
	return in, nil
}
