package idweb

import (
	"net/http"
	"slices"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// IDP-2: the catalogue of services with the level each needs — for a signed-in citizen, what
// the account may use now and, for the rest, the level needed and what to do to reach it.
// IDP-5: the finder of service centres by city and service. Both are public: a visitor without
// an account may browse them.

// serviceGroup is the services that need one level.
type serviceGroup struct {
	Level    identity.Level
	Services []identity.Service
}

func groupByLevel(services []identity.Service) []serviceGroup {
	var out []serviceGroup
	for _, s := range services {
		if n := len(out); n > 0 && out[n-1].Level == s.Level {
			out[n-1].Services = append(out[n-1].Services, s)
		} else {
			out = append(out, serviceGroup{Level: s.Level, Services: []identity.Service{s}})
		}
	}
	return out
}

func (h *Handler) handleServices(q *web.Request) error {
	var a *identity.Account
	var level identity.Level // none for a visitor: every service is "later"
	inProgress := false
	if q.Viewer != nil {
		var err error
		if a, err = h.account(q); err != nil {
			return err
		}
		level = a.Level
		if a.Level == identity.Simplified {
			v, err := h.d.Identity.VerificationOf(q.Ctx(), a)
			if err != nil {
				return err
			}
			inProgress = v.State == identity.InProgress
		}
	}
	now, later := h.d.Identity.Catalogue().ServicesFor(level)
	// A service that refuses the account's way of confirmation (the taxpayer's personal account
	// and a letter's code, LK-6) is not open to it, whatever its level.
	var barred []identity.Service
	if a != nil {
		now = slices.DeleteFunc(now, func(s identity.Service) bool {
			if s.Barred(a.Method) {
				barred = append(barred, s)
				return true
			}
			return false
		})
	}
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"level": level, "available": nonNil(now), "unavailable": nonNil(later), "barred": nonNil(barred)})
		return nil
	}
	q.Page.Title = q.Page.T("id.services.title")
	q.Page.Data = map[string]any{"A": a, "Now": now, "Later": groupByLevel(later), "Barred": barred, "InProgress": inProgress}
	q.Render(http.StatusOK, "services.html")
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *Handler) handleCentres(q *web.Request) error {
	query := q.R.URL.Query()
	city, service := query.Get("city"), query.Get("service")
	dir := h.d.Identity.Catalogue()
	centres, err := dir.FindCentres(city, service)
	if err != nil {
		p, ok := problem.As(err)
		if !ok || p.Code != problem.Invalid || web.WantsJSON(q.R) {
			return err
		}
		q.Page.FieldErrors(p) // in place, as a form's are, on a page answered to GET
	}
	if web.WantsJSON(q.R) {
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"city": city, "service": service, "cities": dir.Cities(), "centres": centres})
		return nil
	}
	opts := []web.Option{{Value: "", Label: q.Page.T("id.centres.any_service")}}
	for _, s := range identity.CentreServices {
		opts = append(opts, web.Option{Value: s, Label: q.Page.Enum("centre_service", s)})
	}
	q.Page.Title = q.Page.T("id.centres.title")
	q.Page.Form = query
	q.Page.Data = map[string]any{"Cities": dir.Cities(), "ServiceOptions": opts, "Centres": centres,
		"Searched": city != "" || service != "", "Failed": err != nil}
	status := http.StatusOK
	if err != nil {
		status = web.Status(problem.Invalid)
	}
	q.Render(status, "centres.html")
	return nil
}
