package lkweb

import (
	"io"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/session"
	"github.com/kabinet/kabinet/internal/web"
)

// LK-5: login and registration with a qualified e-signature, a stored flow ("lk.esign"). Step
// "sign" shows a challenge (also to download as a file) and takes a detached CMS signature of it,
// uploaded or pasted — no browser plug-in: `kabinet esign sign` or any tool makes one. The owner
// of an account is signed in; a person without one goes on to step "register", where the name,
// СНИЛС and TIN come from the certificate and the phone, the e-mail and the password are typed.

const (
	esignKind    = "lk.esign"
	stepSign     = "sign"
	stepRegister = "register"
)

func (h *Handler) esignFlow() *web.FlowPages {
	return &web.FlowPages{Flows: h.d.Flows, Kind: esignKind, Path: Base + "esign", Title: "lk.esign.title",
		Start: func(q *web.Request, client flow.Client) (*flow.Flow, error) {
			return h.d.Flows.Start(q.Ctx(), flow.Start{Kind: esignKind, State: stepSign, Client: client, CSRF: q.Page.CSRF,
				ReturnTo: web.SafeReturn(q.R.URL.Query().Get("back"), Base, Base), TTL: time.Hour})
		},
		Steps: map[string]web.FlowStep{
			stepSign: {Template: "esign.html", Fields: []web.FlowField{{Name: "challenge", Type: "hidden"}, {Name: "signature", Type: "text", Required: true}}},
			stepRegister: {Template: "esign.html", Fields: []web.FlowField{{Name: "surname", Type: "text"}, {Name: "given_name", Type: "text"}, {Name: "snils", Type: "text"},
				{Name: "tin", Type: "text"}, {Name: "phone", Type: "tel", Required: true}, {Name: "email", Type: "email", Required: true},
				{Name: "password", Type: "password", Required: true}, {Name: "password_confirm", Type: "password", Required: true}}},
		}}
}

// challenge issues a new challenge for the flow and keeps its id in the flow: the signature
// posted next answers it.
func (h *Handler) challenge(q *web.Request, f *flow.Flow) (string, error) {
	ch, err := h.d.Cabinet.IssueChallenge(q.Ctx(), f.ID)
	if err != nil {
		return "", err
	}
	f.Data["challenge"] = ch.ID
	if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
		return "", err
	}
	return string(ch.Bytes()), nil
}

func (h *Handler) handleESignForm(q *web.Request) error {
	fs := h.esignFlow()
	f, done, err := fs.Get(q)
	if done || err != nil {
		return err
	}
	data := map[string]any{}
	if f.State == stepSign {
		text, err := h.challenge(q, f)
		if err != nil {
			return err
		}
		data["Text"] = text
	}
	if f.State == stepRegister { // the password's rules under its field (LK-3)
		data["Rules"] = h.rules(q)
	}
	return fs.Show(q, f, nil, data)
}

// handleChallenge downloads a fresh challenge of the flow as a file to sign; the flow keeps it as
// the one the next signature answers.
func (h *Handler) handleChallenge(q *web.Request) error {
	f, err := h.d.Flows.Get(q.Ctx(), q.R.URL.Query().Get("flow"), esignKind)
	if err != nil {
		return err
	}
	if f.State != stepSign {
		return notFound()
	}
	text, err := h.challenge(q, f)
	if err != nil {
		return err
	}
	q.W.Header().Set("Content-Type", "text/plain; charset=utf-8")
	q.W.Header().Set("Content-Disposition", `attachment; filename="kabinet-challenge.txt"`)
	q.W.Header().Set("X-Challenge-ID", f.Data["challenge"])
	_, err = io.WriteString(q.W, text)
	return err
}

func (h *Handler) handleESign(q *web.Request) error {
	fs := h.esignFlow()
	f, err := fs.Post(q)
	if err != nil {
		return err
	}
	in, err := input(q, "signature", "phone", "email", "password", "password_confirm")
	if err != nil {
		return fs.Show(q, f, err, nil)
	}
	o := origin(q, h.site)
	if f.State == stepRegister {
		a, err := h.d.Cabinet.RegisterWithSignature(q.Ctx(), f.Data["tin"], cabinet.ESignRegistration{Phone: in["phone"], Email: in["email"],
			Password: in["password"], Again: in["password_confirm"]}, o)
		if err != nil {
			return fs.Show(q, f, err, map[string]any{"Rules": h.rules(q)})
		}
		if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
			return err
		}
		return h.signedIn(q, f, a, session.ESignature, "lk.flash.registered")
	}
	sig := []byte(strings.TrimSpace(in["signature"]))
	if file, _, err := q.R.FormFile("signature_file"); err == nil {
		b, rerr := io.ReadAll(io.LimitReader(file, 1<<20))
		file.Close()
		if rerr != nil {
			return rerr
		}
		if len(b) > 0 {
			sig = b
		}
	}
	var signed *cabinet.Signed
	if len(sig) == 0 {
		err = problem.InvalidField("signature", problem.Msg("signature.missing"))
	} else {
		signed, err = h.d.Cabinet.CheckSignature(q.Ctx(), f.ID, f.Data["challenge"], sig)
	}
	if err != nil {
		// The challenge is used whatever the outcome: a new one for the next try.
		if f, gerr := h.d.Flows.Get(q.Ctx(), f.ID, esignKind); gerr == nil {
			text, cerr := h.challenge(q, f)
			if cerr != nil {
				return cerr
			}
			return fs.Show(q, f, err, map[string]any{"Text": text})
		}
		return err
	}
	if signed.Account != nil {
		a, retired, err := h.d.Cabinet.LoginWithSignature(q.Ctx(), signed, o)
		if err != nil {
			return err
		}
		if err := h.d.Flows.Finish(q.Ctx(), f); err != nil {
			return err
		}
		flash := ""
		if retired {
			// LK-2: the card's temporary password stopped working; a password of one's own is offered.
			f.ReturnTo, flash = passwordStep(f.ReturnTo), "lk.flash.temporary_retired"
		}
		return h.signedIn(q, f, a, session.ESignature, flash)
	}
	p := signed.Person
	f.State = stepRegister
	for k, v := range map[string]string{"tin": p.TIN, "surname": p.Surname, "given_name": strings.TrimSpace(p.GivenName + " " + p.Patronymic),
		"snils": signed.Signer.SNILS} {
		f.Data[k] = v
	}
	delete(f.Data, "challenge")
	if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
		return err
	}
	return fs.Next(q, f)
}
