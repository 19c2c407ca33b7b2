package server

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kabinet/kabinet/internal/api"
	"github.com/kabinet/kabinet/internal/backoffice"
	"github.com/kabinet/kabinet/internal/demosite"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/idweb"
	"github.com/kabinet/kabinet/internal/lkweb"
	"github.com/kabinet/kabinet/internal/mobileapi"
	"github.com/kabinet/kabinet/internal/oidcweb"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/verifysite"
	"github.com/kabinet/kabinet/internal/web"
)

// New returns kabinet's HTTP handler. Every URL it serves is listed here or in the Routes of
// the packages it mounts, all on one mux with full patterns: /api/v1/ (register JSON API),
// /office/ (back office), /id/ (identity provider), /oidc/ and /.well-known/openid-configuration
// (its OpenID Connect provider; these three where the jurisdiction has it: Profile.IdentityProvider),
// /lk/ (the personal account), /api/mobile/v1/ (its mobile
// application's login, where the jurisdiction has one: KG-2), /verify/ (public check of extracts), /demo/ (with --demo only),
// /static/, /healthz, /metrics.
func New(d Deps) (http.Handler, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	mux := http.NewServeMux()
	m := newMetrics(d.Collectors...)

	api.New(api.Deps{Register: d.Register, Extracts: d.Extracts, Staff: d.Staff, Audit: d.Audit, Log: d.Log}).Routes(mux)

	// IDP-1..7, BO-4: the identity provider is the jurisdiction's when it has one (Russia's);
	// elsewhere /id/, /oidc/, the well-known endpoints and the back office's confirmation of its
	// accounts are not served at all (404).
	ident := d.Identity
	if !d.Profile.OrDefault().IdentityProvider {
		ident = nil
	}
	office, err := backoffice.New(backoffice.Deps{Register: d.Register, Extracts: d.Extracts, Staff: d.Staff, Audit: d.Audit, Sessions: d.Sessions, Flows: d.Flows,
		Identity: ident, Cabinet: d.Cabinet, Log: d.Log})
	if err != nil {
		return nil, err
	}
	office.Routes(mux)
	sites := siteList{office.Site()}
	if err := mountVerify(mux, d); err != nil { // /verify/extract/{number}: public, no login (REG-9)
		return nil, err
	}
	if ident != nil {
		idd := idweb.Deps{Identity: ident, Sessions: d.Sessions, Flows: d.Flows, Log: d.Log, Countries: d.Register.Reference().Countries}
		var op *oidcweb.Handler
		if d.OIDC != nil {
			// The OpenID Connect provider (IDP-7): its pages are the /id/ site's.
			op = oidcweb.New(oidcweb.Deps{OIDC: d.OIDC, Identity: ident, Flows: d.Flows, Issuer: d.Issuer, Log: d.Log})
			idd.OIDC, idd.Pages, idd.FormTargets = d.OIDC, oidcweb.Pages(), op.FormTargets
		}
		id, err := idweb.New(idd)
		if err != nil {
			return nil, err
		}
		id.Routes(mux)
		sites = append(sites, id.Site())
		if op != nil {
			op.Routes(mux, id.Site())
		}
	}
	if d.Cabinet != nil { // /lk/: the personal account (SPEC section 4)
		lk, err := mountCabinet(mux, d)
		if err != nil {
			return nil, err
		}
		sites = append(sites, lk)
		if d.Cabinet.Rules().Mobile { // /api/mobile/v1/: the mobile application's login (KG-2)
			mobileapi.New(d.Cabinet, d.Log).Routes(mux)
		}
	}
	if d.Outbox != nil {
		if err := demosite.Mount(mux, d.Outbox, d.Log); err != nil {
			return nil, err
		}
	}
	mux.Handle("GET /static/", web.Static())

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := d.DB.SQL.PingContext(r.Context()); err != nil {
			web.WriteProblem(w, r, d.Log, problem.Wrap(problem.Unavailable, problem.MsgUnavailable, err))
			return
		}
		web.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, backoffice.Base, http.StatusSeeOther)
	})
	mux.HandleFunc("/", sites.notFound)
	mux.HandleFunc("GET /lang", web.LangSwitch) // the shared error page's language links
	return middleware(mux, m, d.Proxies, web.NewLocale(d.Profile), d.Log, sites), nil
}

// siteList are the sites whose users sign in: an address under one of them that no page serves,
// or that is refused for bad text before any page sees it, is answered with that site's error
// page, where a signed-in user keeps their navigation and sign-out; any other address with the
// shared one.
type siteList []*web.Site

// errorPage answers err for r with the error page of the site r's path is under.
func (l siteList) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	for _, s := range l {
		if strings.HasPrefix(r.URL.Path, s.Base) {
			s.Error(w, r, err)
			return
		}
	}
	web.ErrorPage(w, r, err)
}

func (l siteList) notFound(w http.ResponseWriter, r *http.Request) {
	l.errorPage(w, r, problem.New(problem.NotFound, problem.MsgNotFound))
}

// mountVerify mounts the public verification of extracts (REG-9).
func mountVerify(mux *http.ServeMux, d Deps) error {
	x := d.Extracts
	if x == nil {
		x = extract.NewService(d.Register, nil, "")
	}
	v, err := verifysite.New(x, d.Log)
	if err != nil {
		return err
	}
	v.Routes(mux)
	return nil
}

// mountCabinet mounts the personal account (LK-*) and returns its site.
func mountCabinet(mux *http.ServeMux, d Deps) (*web.Site, error) {
	x := d.Extracts
	if x == nil {
		x = extract.NewService(d.Register, nil, "")
	}
	lk, err := lkweb.New(lkweb.Deps{Cabinet: d.Cabinet, Extracts: x, Sessions: d.Sessions, Flows: d.Flows, IdP: d.LKIdP, Log: d.Log})
	if err != nil {
		return nil, err
	}
	lk.Routes(mux)
	return lk.Site(), nil
}
