package web

import (
	"context"
	"mime"
	"net/http"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
)

// Access says who may open a page, and how its input is checked.
type Access int

// Access levels, and a flag.
const (
	Public   Access = 0 // anyone; the session, if any, is read
	SignedIn Access = 1 // a live session of the site; others are sent to its login page
	// OwnInput leaves the refusal of bad text in the form to the action: a login answers it as
	// wrong credentials (401), not as a form error that would tell what was wrong.
	OwnInput Access = 2
)

// MaxFormBody bounds a form's body.
const MaxFormBody = 1 << 20

// Request is what a page action gets: the request, the session and viewer (nil when public and
// signed out), and a page in the request's language, ready to fill and render.
type Request struct {
	W       http.ResponseWriter
	R       *http.Request
	Site    *Site
	Session *session.Session
	Viewer  *Viewer
	Page    *Page
}

// Ctx returns the request's context.
func (q *Request) Ctx() context.Context { return q.R.Context() }

// Form returns the trimmed value of a posted form field.
func (q *Request) Form(field string) string { return trim(q.R.PostFormValue(field)) }

// Redirect answers a successful POST with 303 to a page of the site (POST-redirect-GET), which
// shows the flash message of flashKey (a key "<site>.flash.…", or ""); a JSON client gets
// {"done": true, "next": to, "message": …}.
func (q *Request) Redirect(to, flashKey string) {
	if WantsJSON(q.R) {
		// A JSON client driving the same action: what a browser would be shown next.
		v := map[string]any{"done": true, "next": to}
		if flashKey != "" {
			v["message"] = q.Page.T(flashKey)
		}
		WriteJSON(q.W, http.StatusOK, v)
		return
	}
	if flashKey != "" {
		q.Site.setFlash(q.W, flashKey)
	}
	http.Redirect(q.W, q.R, to, http.StatusSeeOther)
}

// Render writes the page template name with status.
func (q *Request) Render(status int, name string) { q.Site.Render(q.W, q.R, status, name, q.Page) }

// FormError shows a form again after err: each wrong field marked with its message, the whole
// form's problem on top, and what the user typed kept. Errors that are not about the input
// (internal, unavailable) are returned for the error page.
func (q *Request) FormError(err error, name string, data any) error {
	p, ok := problem.As(err)
	if !ok || p.Code == problem.Internal || p.Code == problem.Unavailable {
		return err
	}
	if WantsJSON(q.R) {
		WriteProblem(q.W, q.R, q.Site.Log, err)
		return nil
	}
	q.Page.Problem = p.Message.In(q.Page.Lang)
	if p.Code == problem.Invalid {
		q.Page.Problem = q.Page.T("form.errors")
		q.Page.addErrors(p.Fields)
	}
	q.Page.Form = q.R.PostForm
	q.Page.Data = data
	q.Render(Status(p.Code), name)
	return nil
}

// Page wraps a page action: it reads the site's session (and for SignedIn pages sends visitors
// without one to the login page), turns it into the viewer, checks CSRF and the form's text on
// POST, prepares the page (language, viewer, CSRF token, flash message) and renders the action's
// error, if any, as the site's error page.
func (s *Site) Page(access Access, fn func(q *Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = s.withLanguages(r) // every answer of the site is in one of its languages (Lang)
		if s.CSP != "" {
			w.Header().Set("Content-Security-Policy", s.CSP)
		}
		sess, err := s.Session(r)
		if err != nil {
			s.errorPage(w, r, err, nil, nil)
			return
		}
		var viewer *Viewer
		if sess != nil && s.Authorize != nil {
			if viewer, err = s.Authorize(r.Context(), sess); err != nil {
				s.EndSession(w, r)
				sess = nil
			}
		}
		if access&SignedIn != 0 && sess == nil {
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				back = ""
			}
			if WantsJSON(r) {
				WriteProblem(w, r, s.Log, problem.New(problem.Unauthorized, problem.MsgUnauthorized))
				return
			}
			http.Redirect(w, r, s.LoginURL(back), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch || r.Method == http.MethodDelete {
			if err := s.parseForm(w, r, access&OwnInput == 0); err != nil {
				s.errorPage(w, r, err, sess, viewer)
				return
			}
			// A session token in a header or a JSON body cannot come from another site's page
			// (neither can be sent cross-site without CORS, which kabinet never allows); every
			// other unsafe request needs the token.
			if _, byHeader := s.token(r); !byHeader && !isJSON(r) {
				want := ""
				if sess != nil {
					want = sess.CSRF
				}
				if err := s.CheckCSRF(r, want); err != nil {
					s.errorPage(w, r, err, sess, viewer)
					return
				}
			}
		}
		p := s.NewPage(r, s.Tagline)
		p.Viewer = viewer
		p.CSRF = s.CSRFToken(w, r, sess)
		p.Flash = s.takeFlash(w, r, p.Lang)
		if r.Method == http.MethodGet {
			s.loadForm(r, p)
		}
		if err := fn(&Request{W: w, R: r, Site: s, Session: sess, Viewer: viewer, Page: p}); err != nil {
			s.errorPage(w, r, err, sess, viewer)
		}
	})
}

// parseForm reads a posted form (bounded) and refuses bad text in it.
func (s *Site) parseForm(w http.ResponseWriter, r *http.Request, check bool) error {
	if isJSON(r) {
		return nil // a JSON body: the action decodes it (DecodeJSON, JSONForm)
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBody)
	parse := r.ParseForm
	if isMultipart(r) {
		// A form with a file (a signature to upload): the whole body is bounded as any form's,
		// kept in memory, and its text fields are checked like any other.
		parse = func() error { return r.ParseMultipartForm(MaxFormBody) }
	}
	if err := parse(); err != nil {
		var tooBig *http.MaxBytesError
		if asMaxBytes(err, &tooBig) {
			return problem.New(problem.TooLarge, problem.MsgTooLarge)
		}
		return problem.New(problem.Invalid, problem.MsgInvalid)
	}
	if !check {
		return nil
	}
	return CheckForm(r.PostForm)
}

// isMultipart reports whether the request's body is a multipart form.
func isMultipart(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "multipart/form-data"
}

// addErrors marks the fields of errs on the page, the first one focused, all of them listed in
// the summary.
// FieldErrors marks on the page the fields of err, an Invalid problem, each with its message, as
// FormError does for a form sent: for a page that shows what a look-up typed into it found.
func (p *Page) FieldErrors(err error) {
	if pe, ok := problem.As(err); ok && len(pe.Fields) > 0 {
		if p.Problem == "" {
			p.Problem = p.T("form.errors")
		}
		p.addErrors(pe.Fields)
	}
}

func (p *Page) addErrors(errs []problem.FieldError) {
	for _, f := range errs {
		if _, dup := p.Errors[f.Field]; dup {
			continue
		}
		msg := f.In(p.Lang)
		p.Errors[f.Field] = msg
		if p.FirstError == "" {
			p.FirstError = f.Field
		}
		p.ErrorList = append(p.ErrorList, ErrorItem{ID: ErrorID(f.Field), Message: msg})
	}
}
