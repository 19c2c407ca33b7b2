package lkweb

import (
	"net/http"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/web"
)

// LK-8: the accounts the viewer may act in (as a representative with a power of attorney, or as a
// parent of a child under 14) and who may act in theirs, each with its validity today; the switch
// to a principal's account and back. The switch is checked again on every page.

func (h *Handler) handleRepresentatives(q *web.Request, st *State) error {
	var asPrincipal, asRep []cabinet.RepresentationView
	if !st.Demo {
		var err error
		if asPrincipal, asRep, err = h.d.Cabinet.Representations(q.Ctx(), st.Account.TIN); err != nil {
			return err
		}
	}
	q.Page.Title = q.Page.T("lk.reps.title")
	if web.WantsJSON(q.R) {
		type line struct {
			TIN, Name, Kind string
			Valid           bool
			Until           string
		}
		var out []line
		for _, r := range asRep {
			out = append(out, line{r.Principal, r.Name, string(r.Kind), r.Valid, r.Until.Format("2006-01-02")})
		}
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"principals": out, "acting_for": actingFor(st)})
		return nil
	}
	q.Page.Data = map[string]any{"S": st, "AsPrincipal": asPrincipal, "AsRepresentative": asRep}
	q.Render(http.StatusOK, "representatives.html")
	return nil
}

// handleActing switches to a principal's account (principal=TIN), or back to one's own
// (principal empty); a refusal says why.
func (h *Handler) handleActing(q *web.Request, st *State) error {
	if st.Demo {
		return cabinet.ErrDemo
	}
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	principal := q.Form("principal")
	if principal == "" || principal == st.Account.TIN {
		h.setActing(q.W, "")
		q.Redirect(Base, "lk.flash.own")
		return nil
	}
	if _, err := h.d.Cabinet.StartActing(q.Ctx(), st.Account.TIN, principal, origin(q, h.site)); err != nil {
		h.setActing(q.W, "")
		return q.FailTo(Base+"representatives", err)
	}
	h.setActing(q.W, principal)
	q.Redirect(Base, "lk.flash.acting")
	return nil
}
