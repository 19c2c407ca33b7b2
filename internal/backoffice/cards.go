package backoffice

import (
	"bytes"
	"net/http"
	"slices"
	"time"

	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/web"
)

// BO-2, LK-1, LK-8, LK-10: the personal account of a taxpayer as an inspector serves it. The
// inspector finds the person by TIN, records who came — the person with their passport, a
// representative with their passport and a notarized power of attorney, or a parent of a child of
// 14 to 17 with their passport and the child's birth or adoption certificate — checks the
// documents shown in person and issues a registration card (a new one replaces the old and ends
// every credential and session); the card is shown once, printable (the print stylesheet) and as
// PDF. The inspector records representatives (a notarized power of attorney; a parent's birth or
// adoption certificate for a child under 14), revokes them, and restores online recovery switched
// off by three wrong code words. Every action is in the audit log (BO-5).
//
// Where the jurisdiction's taxpayers do not get cards (the Kyrgyz Republic registers them by
// application, KG-1: registrations.go), the section is not offered: no card is issued and no
// card's page printed; an account's page still shows its state and restores its online recovery
// (LK-4), reached from the registration that opened it. Representatives are recorded only where
// the jurisdiction has them (jurisdiction.CabinetRules.Representatives).

// cardsPage is a page of the personal accounts: for members who may write the register.
func (h *Handler) cardsPage(fn func(q *web.Request) error) http.Handler {
	return h.page(true, func(q *web.Request) error {
		if h.d.Cabinet == nil {
			return problem.New(problem.NotFound, problem.MsgNotFound)
		}
		return fn(q)
	})
}

func cardsURL(tin string) string { return "/office/cards/" + tin }

// issuesCards reports whether the jurisdiction's tax offices issue registration cards (LK-1,
// BO-2): Russia's do; the Kyrgyz Republic's taxpayers register themselves (KG-1).
func (h *Handler) issuesCards() bool { return h.d.Cabinet.Rules().Registration == jurisdiction.ByCard }

// cardsOnly is a page of the cards' section, NotFound where the jurisdiction issues none.
func (h *Handler) cardsOnly(fn func(q *web.Request) error) func(q *web.Request) error {
	return func(q *web.Request) error {
		if !h.issuesCards() {
			return problem.New(problem.NotFound, problem.MsgNotFound)
		}
		return fn(q)
	}
}

// repsOnly is an action on representatives, NotFound where the jurisdiction has none (LK-8).
func (h *Handler) repsOnly(fn func(q *web.Request) error) func(q *web.Request) error {
	return func(q *web.Request) error {
		if !h.d.Cabinet.Rules().Representatives {
			return problem.New(problem.NotFound, problem.MsgNotFound)
		}
		return fn(q)
	}
}

// issueKind is the flow that makes an issue form usable once: a card is shown once, and a
// reload of the page it was shown on must not issue another.
const issueKind = "office.card_issue"

// issueFlow starts the flow of an issue form for tin.
func (h *Handler) issueFlow(q *web.Request, tin string) (string, error) {
	f, err := h.d.Flows.Start(q.Ctx(), flow.Start{Kind: issueKind, State: "form", Client: flow.Browser, CSRF: q.Page.CSRF, TTL: 2 * time.Hour})
	if err != nil {
		return "", err
	}
	f.Data["tin"] = tin
	if err := h.d.Flows.Save(q.Ctx(), f); err != nil {
		return "", err
	}
	return f.ID, nil
}

// takeIssueFlow uses the issue form's flow once.
func (h *Handler) takeIssueFlow(q *web.Request, subject string) error {
	f, err := h.d.Flows.Get(q.Ctx(), q.Form("flow"), issueKind)
	if err != nil || f.Data["tin"] != subject {
		return problem.New(problem.Conflict, problem.Msg("office.cards.used_form"))
	}
	return h.d.Flows.Finish(q.Ctx(), f)
}

func (h *Handler) handleCardsFind(q *web.Request) error { return h.cardsOnly(h.cardsFind)(q) }

func (h *Handler) cardsFind(q *web.Request) error {
	if t := q.R.URL.Query().Get("tin"); t != "" {
		v, err := h.d.Cabinet.ParseTIN(t)
		if err != nil {
			q.Page.Form = q.R.URL.Query()
			q.Page.Title = q.Page.T("office.cards.title")
			return q.FormError(err, "cards.html", nil)
		}
		http.Redirect(q.W, q.R, cardsURL(v), http.StatusSeeOther)
		return nil
	}
	q.Page.Title = q.Page.T("office.cards.title")
	q.Render(http.StatusOK, "cards.html")
	return nil
}

// handleCard shows a person's personal account: its state, its cards, its representatives, and
// the forms to issue a card and to record a representative.
func (h *Handler) handleCard(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	c := h.d.Cabinet
	p, err := c.Subject(q.Ctx(), t) // a person, or where organizations have accounts (KG-1) an organization
	if err != nil {
		return err
	}
	if _, err := c.Person(q.Ctx(), t); err != nil && h.issuesCards() {
		return err // cards and representatives are persons'
	}
	a, err := c.Account(q.Ctx(), t)
	if problem.Is(err, problem.NotFound) {
		a, err = nil, nil
	}
	if err != nil {
		return err
	}
	cards, err := c.Cards(q.Ctx(), t)
	if err != nil {
		return err
	}
	asPrincipal, asRep, err := c.Representations(q.Ctx(), t)
	if err != nil {
		return err
	}
	offices, err := h.officeOptions(q)
	if err != nil {
		return err
	}
	flowID, err := h.issueFlow(q, t)
	if err != nil {
		return err
	}
	now := c.Now()
	var powers []web.Option
	for _, pw := range cabinet.Powers { // ticked again after a refused form
		powers = append(powers, web.Option{Value: pw, Label: q.Page.Enum("lk_power", pw), Selected: slices.Contains(q.R.PostForm["powers"], pw)})
	}
	q.Page.Title = q.Page.T("office.cards.account") + " " + p.FullName()
	expires := ""
	if a != nil {
		expires = a.CardExpiresAt.In(q.Page.Zone()).Format("02.01.2006")
	}
	age := cabinet.Age(p.BirthDate, now, q.Page.Zone())
	minor := age < cabinet.AdultAge && !p.BirthDate.IsZero()
	came := q.Page.Value("came")
	if came == "" {
		came = string(cabinet.CameSelf)
	}
	var cameOptions []web.Option
	for _, c := range cabinet.CameKinds {
		if c == cabinet.CameParent && !minor {
			continue // BO-2: a parent receives only a minor's card
		}
		cameOptions = append(cameOptions, web.Option{Value: string(c), Label: q.Page.Enum("lk_came", c), Selected: string(c) == came})
	}
	by := map[string]string{} // who issued each card, by name and position rather than login
	for _, c := range cards {
		if _, ok := by[c.IssuedBy]; !ok {
			by[c.IssuedBy] = h.issuer(q, c.IssuedBy)
		}
	}
	q.Page.Data = map[string]any{"P": p, "A": a, "Cards": cards, "By": by, "AsPrincipal": asPrincipal, "AsRepresentative": asRep, "Offices": offices,
		"OfficeName": officeName(offices, p.Office), "Flow": flowID, "Now": now, "Blocked": a != nil && a.Blocked(now), "Expires": expires,
		"Age": age, "ChildAge": cabinet.ChildAge, "AdultAge": cabinet.AdultAge, "Minor": minor, "Came": cameOptions, "Powers": powers,
		"IssuesCards": h.issuesCards(), "RecoveryBlocked": a != nil && a.RecoveryOff == cabinet.RecoveryOffCodeWord}
	q.Render(http.StatusOK, "card.html")
	return nil
}

// checklist reads what the inspector recorded of who came and of the documents shown (BO-2).
func checklist(q *web.Request) cabinet.Checklist {
	return cabinet.Checklist{Came: cabinet.Came(q.Form("came")), PassportShown: q.Form("passport_shown") != "",
		TINCertificateShown: q.Form("tin_certificate_shown") != "", BearerName: q.Form("bearer_name"), BearerPassportShown: q.Form("bearer_passport_shown") != "",
		AttorneyShown: q.Form("attorney_shown") != "", AttorneyNumber: q.Form("attorney_number"), AttorneyNotary: q.Form("attorney_notary"),
		AttorneyValidUntil: q.Form("attorney_valid_until"), CertificateShown: q.Form("certificate_shown") != "", Note: q.Form("note")}
}

// handleCardIssue issues a card after the documents were checked, and shows it once.
func (h *Handler) handleCardIssue(q *web.Request) error { return h.cardsOnly(h.cardIssue)(q) }

func (h *Handler) cardIssue(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	if err := h.takeIssueFlow(q, t); err != nil {
		return q.FailTo(cardsURL(t), err)
	}
	card, err := h.d.Cabinet.IssueCard(q.Ctx(), actor(q), cabinet.CardRequest{TIN: t, Office: q.Form("office"), Checks: checklist(q)})
	if err != nil {
		return q.FailTo(cardsURL(t), err)
	}
	return h.showCard(q, card)
}

// showCard shows an issued card with its temporary password, once: printable, with a form that
// downloads it as PDF.
func (h *Handler) showCard(q *web.Request, card *cabinet.IssuedCard) error {
	q.Page.Title = q.Page.T("office.card.title") + " " + card.TIN
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(q.Page.Zone()).Format("02.01.2006")
	}
	received := ""
	if card.Came != cabinet.CameSelf && card.Came != "" {
		received = q.Page.T("office.card.received", q.Page.Enum("lk_came", card.Came), card.Bearer)
	}
	q.Page.Data = map[string]any{"C": card, "Memo": h.cardMemo(q.Page.Lang, card, h.lkLoginURL(q), q.Page.Zone()), "IssuedBy": h.issuer(q, card.IssuedBy),
		"Issued": day(card.IssuedAt), "Expires": day(card.ExpiresAt), "ActiveFrom": day(card.ActiveFrom), "Received": received}
	q.W.Header().Set("Cache-Control", "no-store")
	q.Render(http.StatusOK, "card_issued.html")
	return nil
}

// issuer is how a card names who issued it: the staff member's name and position, as an
// extract does (REG-9), or the login when the member has no name.
func (h *Handler) issuer(q *web.Request, login string) string {
	if login == "" {
		return ""
	}
	m, err := h.d.Staff.Member(q.Ctx(), login)
	if err != nil || m.Name == "" {
		return login
	}
	if m.Position != "" {
		return m.Name + ", " + m.Position
	}
	return m.Name
}

// lkLoginURL is the personal account's login page as the card prints it.
func (h *Handler) lkLoginURL(q *web.Request) string {
	return h.extracts().BaseURL(web.ClientOf(q.R).Secure, q.R.Host) + "/lk/login"
}

// handleCardPDF sends the card as PDF: the page of the issued card posts its temporary password
// back (it is kept nowhere), and it is checked against the account's before it is printed.
func (h *Handler) handleCardPDF(q *web.Request) error { return h.cardsOnly(h.cardPDF)(q) }

func (h *Handler) cardPDF(q *web.Request) error {
	card, err := h.d.Cabinet.PrintCard(q.Ctx(), actor(q), q.Form("card"), q.R.PostFormValue("temporary_password"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := CardPDF(&b, card, q.Page.Lang, h.lkLoginURL(q), h.issuer(q, card.IssuedBy), q.Page.Zone(), h.d.Cabinet.Rules().Password.MinLength); err != nil {
		return err
	}
	q.W.Header().Set("Content-Type", "application/pdf")
	q.W.Header().Set("Content-Disposition", `attachment; filename="card-`+card.TIN+`.pdf"`)
	q.W.Header().Set("Cache-Control", "no-store")
	_, err = q.W.Write(b.Bytes())
	return err
}

func (h *Handler) handleRepresentativeAdd(q *web.Request) error {
	return h.repsOnly(h.representativeAdd)(q)
}

func (h *Handler) representativeAdd(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	in := cabinet.RepInput{Principal: t, Representative: q.Form("representative"), Kind: cabinet.RepKind(q.Form("kind")), Notary: q.Form("notary"),
		Series: q.Form("series"), Number: q.Form("number"), IssuedOn: q.Form("issued_on"), ValidUntil: q.Form("valid_until"),
		Powers: q.R.PostForm["powers"], PassportShown: q.Form("rep_passport_shown") != "", DocumentShown: q.Form("document_shown") != ""}
	if _, err := h.d.Cabinet.AddRepresentation(q.Ctx(), actor(q), in); err != nil {
		return q.FailTo(cardsURL(t), err, web.Rename{"passport_shown": "rep_passport_shown"})
	}
	q.Redirect(cardsURL(t), "office.flash.representative_added")
	return nil
}

func (h *Handler) handleRepresentativeRevoke(q *web.Request) error {
	return h.repsOnly(h.representativeRevoke)(q)
}

func (h *Handler) representativeRevoke(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	if _, err := h.d.Cabinet.RevokeRepresentation(q.Ctx(), actor(q), q.R.PathValue("id")); err != nil {
		return q.FailTo(cardsURL(t), err)
	}
	q.Redirect(cardsURL(t), "office.flash.representative_revoked")
	return nil
}

func (h *Handler) handleRecoveryRestore(q *web.Request) error {
	t, err := h.pathTIN(q)
	if err != nil {
		return err
	}
	if err := h.d.Cabinet.RestoreRecovery(q.Ctx(), actor(q), t, q.Form("recovery_passport_shown") != ""); err != nil {
		return q.FailTo(cardsURL(t), err, web.Rename{"passport_shown": "recovery_passport_shown"})
	}
	q.Redirect(cardsURL(t), "office.flash.recovery_restored")
	return nil
}

// cardMemo is the short memo a card carries (LK-1, LK-2, LK-3, LK-10), its dates in zone, the
// zone of the jurisdiction's days.
func (h *Handler) cardMemo(lang string, c *cabinet.IssuedCard, loginURL string, zone *time.Location) []string {
	return cardMemo(lang, c, loginURL, zone, h.d.Cabinet.Rules().Password.MinLength)
}

// cardMemo is the memo of a card whose own password has at least minPassword characters.
func cardMemo(lang string, c *cabinet.IssuedCard, loginURL string, zone *time.Location, minPassword int) []string {
	t := func(key string, args ...any) string { return tr(lang, key, args...) }
	memo := []string{t("office.card.memo1", loginURL), t("office.card.memo2", minPassword),
		t("office.card.memo3", c.ExpiresAt.In(zone).Format("02.01.2006"))}
	if !c.ActiveFrom.IsZero() {
		memo = append(memo, t("office.card.memo_next_day", c.ActiveFrom.In(zone).Format("02.01.2006")))
	}
	return append(memo, t("office.card.memo4"))
}

// tr translates for a card, which is printed in the page's language.
func tr(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }
