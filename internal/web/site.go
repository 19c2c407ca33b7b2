package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
)

// Site is one web site of kabinet (the back office, the identity provider, the personal
// account …): its base path, its layout (the shared one with the site's navigation), its own
// session cookie, so that sessions of several sites live side by side in one browser, and how a
// session becomes the viewer of a page.
type Site struct {
	Name    string // short name: "office"; also the session's site
	Base    string // base path, with the trailing slash: "/office/"
	Tagline string // catalogue key of the name shown beside the brand
	// Login is the page that a visitor without a session is sent to (with ?back=), and Home
	// where a signed-out or signed-in visitor lands by default.
	Login, Home string

	Sessions *session.Manager
	Flows    *flow.Manager // keeps a failed form across a redirect (Request.FailTo)
	// Authorize turns a live session into the viewer of a page; an error ends the session
	// (a disabled account, a re-issued card).
	Authorize func(ctx context.Context, s *session.Session) (*Viewer, error)
	Log       *slog.Logger
	// CSP, when set, replaces the kit's content security policy on the site's pages (a site
	// that must allow one more source says so here, nowhere else).
	CSP string
	// Zone is the time zone the site's pages show times in; the jurisdiction's when nil (Locale:
	// Moscow time, UTC+3 all year, for the Russian tax administration; Bishkek time for the
	// Kyrgyz one).
	Zone *time.Location
	// Languages are the languages the site's texts are written in; of the languages of the
	// request's jurisdiction (Locale) the site offers those, and no other: none of its pages is
	// declared in a language it has no texts in (WCAG 3.1.1: the fallback's text under lang="ky").
	// Nil: the languages the catalogue has every text of (Russian and English); a site whose
	// texts a language with a fallback has (Kyrgyz: the taxpayer's cabinet, i18n.Fallbacks)
	// names it here.
	Languages []string

	rd    *renderer
	langs *sync.Map // *Locale → the languages offered in it (offered)
}

// moscow is Moscow time, UTC+3 all year since 26 October 2014, the zone used when the system
// has no time-zone database.
var moscow = func() *time.Location {
	if z, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return z
	}
	return time.FixedZone("MSK", 3*60*60)
}()

func (s *Site) zone() *time.Location {
	if s == nil || s.Zone == nil {
		return moscow
	}
	return s.Zone
}

// NewSite parses the site's page templates (pages: *.html, with _*.html partials such as the
// navigation, _nav.html, which defines "nav") and returns the site. More file systems add pages
// that other packages serve on the site (the OpenID Connect provider's on /id/); every page
// gets the partials of all of them.
func NewSite(s Site, pages fs.FS, more ...fs.FS) (*Site, error) {
	if !strings.HasPrefix(s.Base, "/") || !strings.HasSuffix(s.Base, "/") || s.Name == "" {
		return nil, errors.New("web: a site needs a name and a base path like /office/")
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Home == "" {
		s.Home = s.Base
	}
	rd, err := newRenderer(append([]fs.FS{pages}, more...)...)
	if err != nil {
		return nil, err
	}
	s.rd, s.langs = rd, &sync.Map{}
	rd.site = &s
	return &s, nil
}

// Cookie is the name of the site's session cookie. The __Host- prefix makes browsers refuse it
// unless it is Secure, host-only and for path / (browsers treat http://localhost and 127.0.0.1
// as secure, so it works in development too).
func (s *Site) Cookie() string { return "__Host-kabinet_" + s.Name }

func (s *Site) csrfCookie() string   { return "__Host-kabinet_" + s.Name + "_csrf" }
func (s *Site) deviceCookie() string { return "__Host-kabinet_" + s.Name + "_device" }

// DeviceToken returns the trusted-device token the browser keeps for this site (package
// limits), or "".
func (s *Site) DeviceToken(r *http.Request) string {
	if c, err := r.Cookie(s.deviceCookie()); err == nil && len(c.Value) < 100 {
		return c.Value
	}
	return ""
}

// SetDeviceToken keeps a trusted-device token in the browser for a year.
func (s *Site) SetDeviceToken(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.deviceCookie(), Value: token, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}
func (s *Site) flashCookie() string { return "__Host-kabinet_" + s.Name + "_flash" }

// SessionHeader carries a session token for clients that keep no cookies (a native app driving
// a flow as JSON). A header cannot be sent by another site's page, so such requests need no
// CSRF token.
const SessionHeader = "X-Session-Token"

// token returns the session token the request carries and whether it came in the header.
func (s *Site) token(r *http.Request) (string, bool) {
	if t := r.Header.Get(SessionHeader); t != "" {
		return t, true
	}
	if c, err := r.Cookie(s.Cookie()); err == nil {
		return c.Value, false
	}
	return "", false
}

// Session returns the request's live session on this site, or nil.
func (s *Site) Session(r *http.Request) (*session.Session, error) {
	if s.Sessions == nil {
		return nil, nil
	}
	t, _ := s.token(r)
	return s.Sessions.Get(r.Context(), s.Name, t)
}

// StartSession begins a session on this site after a successful sign-in, ending the session of
// this site the request carried (a token fixed before sign-in is never reused), and returns its
// token (also set as the site's cookie). A token of another site's session (a client may send
// one in the session header) is left alone: sessions of two sites live side by side.
func (s *Site) StartSession(w http.ResponseWriter, r *http.Request, subject string, m session.Method, assurance string) (string, *session.Session, error) {
	if old, _ := s.token(r); old != "" {
		cur, err := s.Sessions.Get(r.Context(), s.Name, old)
		if err != nil {
			return "", nil, err
		}
		if cur != nil {
			_ = s.Sessions.End(r.Context(), old)
		}
	}
	token, sess, err := s.Sessions.Start(r.Context(), session.Start{Site: s.Name, Subject: subject, Method: m, Assurance: assurance,
		UserAgent: r.UserAgent(), Address: ClientAddr(r)})
	if err != nil {
		return "", nil, err
	}
	http.SetCookie(w, &http.Cookie{Name: s.Cookie(), Value: token, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	return token, sess, nil
}

// EndSession ends the request's session on this site and clears its cookie.
func (s *Site) EndSession(w http.ResponseWriter, r *http.Request) {
	if t, _ := s.token(r); t != "" && s.Sessions != nil {
		_ = s.Sessions.End(r.Context(), t)
	}
	http.SetCookie(w, &http.Cookie{Name: s.Cookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// SessionsOf lists the live sessions of the subject on this site, the most recently used first
// (the "devices" of a security settings page).
func (s *Site) SessionsOf(r *http.Request, subject string) ([]session.Session, error) {
	return s.Sessions.List(r.Context(), s.Name, subject)
}

// SignOutEverywhere ends every session of the subject on this site but the request's own, and
// returns how many ended.
func (s *Site) SignOutEverywhere(r *http.Request, subject string) (int, error) {
	t, _ := s.token(r)
	return s.Sessions.EndAll(r.Context(), s.Name, subject, t)
}

// SignOutSession ends one session of the subject on this site by its public id.
func (s *Site) SignOutSession(r *http.Request, subject, id string) error {
	return s.Sessions.EndOne(r.Context(), s.Name, subject, id)
}

// CSRFToken returns the anti-forgery token for a form: the session's, or before sign-in a random
// value also set as the site's CSRF cookie (double submit).
func (s *Site) CSRFToken(w http.ResponseWriter, r *http.Request, sess *session.Session) string {
	if sess != nil {
		return sess.CSRF
	}
	if c, err := r.Cookie(s.csrfCookie()); err == nil && len(c.Value) >= 32 && len(c.Value) < 100 {
		return c.Value
	}
	t := session.NewToken()
	http.SetCookie(w, &http.Cookie{Name: s.csrfCookie(), Value: t, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return t
}

var msgCSRF = problem.Msg("csrf")

// CheckCSRF verifies an unsafe request from a browser: the Origin (when sent) is this host, the
// browser does not call it cross-site, and the form's "csrf" field equals want (the session's
// token, or the pre-sign-in cookie when want is ""), compared in constant time.
func (s *Site) CheckCSRF(r *http.Request, want string) error {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if o != "http://"+r.Host && o != "https://"+r.Host {
			return problem.New(problem.Forbidden, msgCSRF)
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return problem.New(problem.Forbidden, msgCSRF)
	}
	if want == "" {
		if c, err := r.Cookie(s.csrfCookie()); err == nil {
			want = c.Value
		}
	}
	got := r.PostFormValue("csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return problem.New(problem.Forbidden, msgCSRF)
	}
	return nil
}

// NewPage returns a page of this site for the request, in its language, titled by the key.
func (s *Site) NewPage(r *http.Request, titleKey string) *Page {
	r = s.withLanguages(r) // a page of the site is in one of its languages
	lang := Lang(r)
	path := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		path = s.Home
	}
	loc := LocaleOf(r.Context())
	return &Page{Site: s, Lang: lang, Langs: langLinks(s.offered(r.Context()), s.Base, lang, path), Title: i18n.T(lang, titleKey), Path: path,
		Errors: map[string]string{}, Profile: &loc.profile, zone: loc.zone}
}

// Render writes page name with status; a failure to render is logged and answered with a bare
// 500 (the page's own error page could fail the same way).
func (s *Site) Render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	if err := s.rd.render(w, status, name, p); err != nil {
		LogInternal(s.Log, r, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// Error answers err: a JSON client gets problem+json, a browser the site's error page with the
// status of err's code and its message; internal errors are logged with the request id and only
// a neutral text is shown. A signed-in user keeps their navigation and sign-out on it.
func (s *Site) Error(w http.ResponseWriter, r *http.Request, err error) {
	sess, viewer := s.signedIn(r)
	s.errorPage(w, r, err, sess, viewer)
}

// signedIn returns the request's session and its viewer when it has a live one the site
// authorizes, else nils: it serves the error pages, so a failure only means the visitor's menu.
func (s *Site) signedIn(r *http.Request) (*session.Session, *Viewer) {
	sess, err := s.Session(r)
	if err != nil || sess == nil || s.Authorize == nil {
		return nil, nil
	}
	viewer, err := s.Authorize(r.Context(), sess)
	if err != nil {
		return nil, nil
	}
	return sess, viewer
}

// errorPage is Error for a request whose session is known: the page of a signed-in user keeps
// their navigation and sign-out.
func (s *Site) errorPage(w http.ResponseWriter, r *http.Request, err error, sess *session.Session, viewer *Viewer) {
	r = s.withLanguages(r)
	if WantsJSON(r) {
		WriteProblem(w, r, s.Log, err)
		return
	}
	code := problem.CodeOf(err)
	if code == problem.Internal {
		LogInternal(s.Log, r, err)
	}
	status := Status(code)
	p := s.NewPage(r, "error.title")
	if pe, ok := problem.As(err); ok && code != problem.Internal {
		p.Problem = pe.Message.In(p.Lang)
		// The fields, one per line under the problem: the page has no form to link them to.
		for _, f := range pe.Fields {
			p.ErrorList = append(p.ErrorList, ErrorItem{Message: f.In(p.Lang)})
		}
	}
	if sess != nil && viewer != nil {
		p.Viewer, p.CSRF = viewer, sess.CSRF
	}
	p.Data = map[string]any{"Status": status, "RequestID": RequestID(r.Context())}
	s.Render(w, r, status, "error.html", p)
}

var (
	fallbackOnce sync.Once
	fallback     *Site
)

// ErrorPage answers err outside any site (a path no site serves, a request refused before
// routing) with the shared error page, or problem+json for a JSON client or an API path.
func ErrorPage(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		WriteProblem(w, r, nil, err)
		return
	}
	fallbackSite().Error(w, r, err)
}

// fallbackSite is the site of the shared error page: its texts are in every language of the
// catalogue (the kit's).
func fallbackSite() *Site {
	fallbackOnce.Do(func() {
		fallback, _ = NewSite(Site{Name: "kabinet", Base: "/", Tagline: "app.tagline", Languages: i18n.Languages()}, nil)
	})
	return fallback
}

// LangSwitch is the language switch of the shared error page (GET /lang): a server mounts it
// beside NotFound, so that the page's language links lead somewhere.
func LangSwitch(w http.ResponseWriter, r *http.Request) { fallbackSite().handleLang(w, r) }

// NotFound answers a path no site serves with the shared 404 page.
func NotFound(w http.ResponseWriter, r *http.Request) {
	ErrorPage(w, r, problem.New(problem.NotFound, problem.MsgNotFound))
}

// setFlash keeps a message key for the next page the browser loads (after a redirect).
func (s *Site) setFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: s.flashCookie(), Value: key, Path: "/", MaxAge: 60, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash returns the flash message of the request in lang, clearing it.
func (s *Site) takeFlash(w http.ResponseWriter, r *http.Request, lang string) string {
	c, err := r.Cookie(s.flashCookie())
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: s.flashCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	if !strings.HasPrefix(c.Value, s.Name+".flash.") || !i18n.Has(lang, c.Value) {
		return ""
	}
	return i18n.T(lang, c.Value)
}

// Mount registers what every site has: the language switch (GET {base}lang), signing out
// (POST {base}logout) and the session check (GET {base}session: who is signed in, how and
// until when, as JSON; 401 without a session).
func (s *Site) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+s.Base+"lang", s.handleLang)
	mux.HandleFunc("GET "+s.Base+"session", func(w http.ResponseWriter, r *http.Request) { s.handleSession(w, s.withLanguages(r)) })
	mux.Handle("POST "+s.Base+"logout", s.Page(SignedIn, func(q *Request) error {
		s.EndSession(q.W, q.R)
		http.Redirect(q.W, q.R, s.Login, http.StatusSeeOther)
		return nil
	}))
}

// LoginURL returns the login page with a return address.
func (s *Site) LoginURL(back string) string {
	if back == "" || back == s.Home {
		return s.Login
	}
	return s.Login + "?back=" + url.QueryEscape(back)
}

// SessionView is the session check's answer.
type SessionView struct {
	Site      string    `json:"site"`
	Subject   string    `json:"subject"`
	Name      string    `json:"name,omitempty"`
	Method    string    `json:"method"`
	Assurance string    `json:"assurance,omitempty"`
	AuthTime  time.Time `json:"auth_time"`
	ExpiresAt time.Time `json:"expires_at"`
}

// handleSession answers the session check without a page: it is the hot path of every client
// that asks whether it is still signed in.
func (s *Site) handleSession(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Session(r)
	if err != nil {
		WriteProblem(w, r, s.Log, err)
		return
	}
	var viewer *Viewer
	if sess != nil && s.Authorize != nil {
		if viewer, err = s.Authorize(r.Context(), sess); err != nil {
			sess = nil
		}
	}
	if sess == nil {
		WriteProblem(w, r, s.Log, problem.New(problem.Unauthorized, problem.MsgUnauthorized))
		return
	}
	v := SessionView{Site: s.Name, Subject: sess.Subject, Method: string(sess.Method), Assurance: sess.Assurance,
		AuthTime: sess.AuthTime, ExpiresAt: sess.ExpiresAt}
	if viewer != nil {
		v.Name = viewer.Name
	}
	WriteJSON(w, http.StatusOK, v)
}
