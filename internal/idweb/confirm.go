package idweb

import (
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// IDP-4: the confirmed level — a code from an operator or a registered letter, a letter ordered
// and tracked, or a qualified e-signature over a challenge (signed with `kabinet esign sign` or
// any tool that makes a detached CMS signature, no browser plug-in).

func (h *Handler) confirmPage(q *web.Request, status int) error {
	a, err := h.account(q)
	if err != nil {
		return err
	}
	letters, err := h.d.Identity.Letters(q.Ctx(), a.ID)
	if err != nil {
		return err
	}
	canOrder := h.d.Identity.CanOrderLetter(letters)
	if web.WantsJSON(q.R) && status == http.StatusOK {
		web.WriteJSON(q.W, status, map[string]any{"account": accountJSON(a, q.Page.Lang), "letters": lettersJSON(letters, q.Page.Lang),
			"can_order_letter": canOrder, "actions": map[string]string{"code": Base + "confirm/code", "letter": Base + "confirm/letter",
				"esign": Base + "confirm/esign"}})
		return nil
	}
	// The letter's address starts as the profile's, also when the page comes back with another
	// form's error (a wrong code).
	if q.Page.Value("address") == "" {
		addr := a.Profile.Postal
		if addr == "" {
			addr = a.Profile.Residence
		}
		if q.Page.Form == nil {
			q.Page.Form = map[string][]string{}
		}
		q.Page.Form.Set("address", addr)
	}
	q.Page.Title = q.Page.T("id.confirm.title")
	q.Page.Data = map[string]any{"A": a, "Letters": letters, "CanOrder": canOrder}
	q.Render(status, "confirm.html")
	return nil
}

func (h *Handler) handleConfirm(q *web.Request) error { return h.confirmPage(q, http.StatusOK) }

func (h *Handler) handleConfirmCode(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	if err := h.d.Identity.ConfirmWithCode(q.Ctx(), q.Viewer.Subject, q.Form("code"), origin(q, h.site)); err != nil {
		return q.FailTo(Base+"confirm", err)
	}
	q.Redirect(Base, "id.flash.confirmed")
	return nil
}

func (h *Handler) handleOrderLetter(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	if _, err := h.d.Identity.OrderLetter(q.Ctx(), q.Viewer.Subject, q.Form("address"), origin(q, h.site)); err != nil {
		return q.FailTo(Base+"confirm", err)
	}
	q.Redirect(Base+"confirm", "id.flash.letter")
	return nil
}

func (h *Handler) handleESign(q *web.Request) error {
	a, err := h.account(q)
	if err != nil {
		return err
	}
	ch, err := h.d.Identity.IssueChallenge(q.Ctx(), a.ID)
	if err != nil {
		return err
	}
	if web.WantsJSON(q.R) {
		// A native client signs the text and posts {"challenge": id, "signature": base64}.
		web.WriteJSON(q.W, http.StatusOK, map[string]any{"challenge": ch.ID, "text": string(ch.Bytes()), "expires_at": ch.ExpiresAt,
			"action": Base + "confirm/esign"})
		return nil
	}
	q.Page.Title = q.Page.T("id.esign.title")
	// The file to download is this page's challenge, whose id the form posts: a link to the
	// server would issue another, which the form's signature would not match.
	download := template.URL("data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(ch.Bytes()))
	q.Page.Data = map[string]any{"A": a, "Challenge": ch, "Text": string(ch.Bytes()), "Download": download,
		"Expires": ch.ExpiresAt.In(q.Page.Zone()).Format("15:04")}
	q.Render(http.StatusOK, "esign.html")
	return nil
}

// handleChallenge downloads a fresh challenge as a file to sign, its id in X-Challenge-ID, for a
// tool that signs it and posts the signature with that id (the page offers its own challenge).
func (h *Handler) handleChallenge(q *web.Request) error {
	ch, err := h.d.Identity.IssueChallenge(q.Ctx(), q.Viewer.Subject)
	if err != nil {
		return err
	}
	q.W.Header().Set("Content-Type", "text/plain; charset=utf-8")
	q.W.Header().Set("Content-Disposition", `attachment; filename="kabinet-challenge-`+ch.ID+`.txt"`)
	q.W.Header().Set("X-Challenge-ID", ch.ID)
	_, err = q.W.Write(ch.Bytes())
	return err
}

// handleESignSubmit takes the signature: an uploaded file (PEM, base64 or DER) or pasted base64.
func (h *Handler) handleESignSubmit(q *web.Request) error {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return err
	}
	sig := []byte(strings.TrimSpace(q.R.PostFormValue("signature")))
	if f, _, err := q.R.FormFile("signature_file"); err == nil {
		b, rerr := io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if rerr != nil {
			return rerr
		}
		if len(b) > 0 {
			sig = b
		}
	}
	if len(sig) == 0 {
		return q.FailTo(Base+"confirm/esign", problem.InvalidField("signature", problem.Msg("signature.missing")))
	}
	if err := h.d.Identity.ConfirmWithSignature(q.Ctx(), q.Viewer.Subject, q.Form("challenge"), sig, origin(q, h.site)); err != nil {
		return q.FailTo(Base+"confirm/esign", err)
	}
	q.Redirect(Base, "id.flash.confirmed")
	return nil
}
