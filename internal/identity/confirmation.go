package identity

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
	"github.com/kabinet/kabinet/tin"
)

// IDP-4: the confirmed level, by one of three methods, the method recorded with its evidence:
// (a) at a service centre an operator (BO-4) finds the account by СНИЛС or passport, checks the
// passport and the СНИЛС shown in person, records what was checked, and confirms — or hands over
// a code the citizen types in; (b) a code by registered mail (mail.go); (c) a qualified
// electronic signature whose certificate's СНИЛС, name and ИНН match the account, at once.
// Only a standard account (its profile verified) can be confirmed.

var (
	msgChecklist     = problem.Msg("idp.operator.checklist")
	msgConfirmed     = problem.Msg("idp.already_confirmed")
	msgCentre        = problem.Msg("idp.operator.centre")
	msgCentreUnknown = problem.Msg("idp.operator.centre_unknown")
	msgCertSNILS     = problem.Msg("idp.esign.snils")
	msgCertName      = problem.Msg("idp.esign.name")
	msgCertINN       = problem.Msg("idp.esign.inn")
	msgLetterSoon    = problem.Msg("idp.letter.too_soon")
	msgAddress       = problem.Msg("idp.letter.address")
	msgNoCode        = problem.Msg("idp.code.none")
)

// Checklist is what an operator checked of the documents shown in person.
type Checklist struct {
	PassportShown bool   // the passport was shown and its data match the profile
	SNILSShown    bool   // the СНИЛС was shown and matches
	Centre        string // the service centre
	Note          string
}

// evidence is what the operator checked, as kept with the account and in the audit entry: the
// centre, the documents shown, and the operator's note (quoted, at most 300 characters).
func (c Checklist) evidence() string {
	var checked []string
	if c.PassportShown {
		checked = append(checked, "passport")
	}
	if c.SNILSShown {
		checked = append(checked, "snils")
	}
	e := fmt.Sprintf("centre=%s checked=%s", c.Centre, strings.Join(checked, ","))
	if note := strings.Join(strings.Fields(c.Note), " "); note != "" {
		if r := []rune(note); len(r) > 300 {
			note = string(r[:300])
		}
		e += " note=" + strconv.Quote(note)
	}
	return e
}

// confirmable refuses to confirm an account that is not standard yet or is confirmed already —
// except an account confirmed by registered mail, which may be confirmed again in person or with
// an e-signature (m: the method about to be used): the taxpayer's personal account refuses mail
// (LK-6), and this is how its owner gets in.
func (s *Provider) confirmable(a *Account, m Method) error {
	switch {
	case a.Level == Confirmed && (a.Method != Mail || m == Mail):
		return problem.New(problem.Conflict, msgConfirmed)
	case !a.Level.AtLeast(Standard):
		return problem.New(problem.Conflict, msgNotStandard)
	}
	return nil
}

// confirm raises a to confirmed by method m with its evidence.
func (s *Provider) confirm(ctx context.Context, a *Account, m Method, evidence string, e Effects, o Origin) error {
	a.Level, a.Method, a.ConfirmedAt, a.Evidence = Confirmed, m, s.now().UTC(), evidence
	e.Events = append(e.Events, s.event(a.ID, "confirmed", o, string(m)))
	msgs, err := s.notifyAccount(a, "notify.idp.confirmed")
	if err != nil {
		return err
	}
	e.Messages = append(e.Messages, msgs...)
	return s.update(ctx, a, e)
}

// FindForOperator finds accounts by СНИЛС or by passport series and number (BO-4), typed in any
// of the usual ways: a СНИЛС as 11 digits, with hyphens and a space (112-233-445 95), with spaces
// only (112 233 445 95) or hyphens only; a passport's series and number with or without spaces
// (4510 123456, 45 10 123456, 4510123456) or a "№" between them; a foreign passport with its
// letters (C01X00T47, in either case, its letters typed on a Russian keyboard too). Eleven
// digits are a СНИЛС (a Russian passport has ten), whose check digits are then checked.
func (s *Provider) FindForOperator(ctx context.Context, query string) ([]Account, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, nil
	}
	search := Search{Limit: 20}
	d, letters, ok := operatorQuery(q)
	switch {
	case ok && !letters && len(d) == 11:
		v, err := tin.ParseSNILS(d)
		if err != nil {
			return nil, problem.InvalidField("q", problem.Number(err))
		}
		search.SNILS = v.Digits
	case ok && !letters && len(d) >= 6 && len(d) <= 12, ok && letters && len(d) >= 5 && len(d) <= 20:
		search.Passport = d
	default:
		return nil, problem.InvalidField("q", problem.Msg("idp.operator.query"))
	}
	return s.o.Store.FindAccounts(ctx, search)
}

// operatorQuery returns a СНИЛС or a passport's series and number as an operator types them, as
// PassportKey keys it (digits and letters in upper case, Cyrillic look-alikes as their Latin
// letters), whether it has letters, and whether it held nothing but those and the separators
// people put between their groups: spaces (a non-breaking one too), hyphens and dashes, "№" — and a digit
// at least (a name is not searched).
func operatorQuery(s string) (key string, letters, ok bool) {
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', unicode.IsLetter(r):
		case unicode.IsSpace(r), r == '-', r == '‐', r == '‑', r == '–', r == '—', r == '№':
		default:
			return "", false, false
		}
	}
	key = passportKey(s)
	hasDigit := strings.IndexFunc(key, unicode.IsDigit) >= 0 // a name is no document
	return key, strings.IndexFunc(key, unicode.IsLetter) >= 0, hasDigit
}

// lookalikes are the Cyrillic capitals a Russian keyboard types for the Latin ones of a foreign
// passport's number.
var lookalikes = strings.NewReplacer("А", "A", "В", "B", "Е", "E", "К", "K", "М", "M", "Н", "H", "О", "O", "Р", "P", "С", "C", "Т", "T",
	"У", "Y", "Х", "X")

// PassportKey is how an account's passport is stored for the operator's search (BO-4): the
// series and the number, their digits and letters only, in upper case, a Cyrillic letter that
// looks like a Latin one as that Latin letter — so a foreign passport keeps its letters
// (C01X00T47), and two foreign passports that differ only in letters do not share a key.
func PassportKey(d Document) string { return passportKey(d.Series + d.Number) }

func passportKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= '0' && r <= '9' || unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return lookalikes.Replace(b.String())
}

func (s *Provider) checkList(c Checklist) error {
	var fe problem.Fields
	if !c.PassportShown {
		fe.Add("passport_shown", msgChecklist.With(i18n.Key("idp.operator.passport")))
	}
	if !c.SNILSShown {
		fe.Add("snils_shown", msgChecklist.With(i18n.Key("idp.operator.snils")))
	}
	if id := strings.TrimSpace(c.Centre); id == "" {
		fe.Add("centre", msgCentre)
	} else if centre, ok := s.o.Catalogue.Centre(id); !ok || !centre.Does(DoConfirm) {
		// IDP-4a, IDP-5: only a centre of the directory that confirms accounts.
		fe.Add("centre", msgCentreUnknown)
	}
	return fe.Err()
}

// ConfirmInPerson confirms an account after an operator checked the documents (IDP-4a, BO-4);
// the operator's action is in the audit log.
func (s *Provider) ConfirmInPerson(ctx context.Context, op audit.Actor, accountID string, c Checklist) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.confirmable(a, ServiceCenter); err != nil {
		return err
	}
	if err := s.checkList(c); err != nil {
		return err
	}
	e := Effects{Audit: []audit.Entry{{At: s.now().UTC(), Actor: op, Action: "account.confirm", Subject: "account:" + a.ID, Details: c.evidence()}}}
	return s.confirm(ctx, a, ServiceCenter, c.evidence()+" operator="+op.Login, e, Origin{Address: op.RemoteAddr, Lang: i18n.Default})
}

// IssueOperatorCode makes the code an operator hands over after checking the documents; the
// citizen types it in their account (ConfirmWithCode) within OperatorTTL. It is shown once.
func (s *Provider) IssueOperatorCode(ctx context.Context, op audit.Actor, accountID string, c Checklist) (string, error) {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return "", err
	}
	if err := s.confirmable(a, ServiceCenter); err != nil {
		return "", err
	}
	if err := s.checkList(c); err != nil {
		return "", err
	}
	code := newCode()
	e := Effects{Audit: []audit.Entry{{At: s.now().UTC(), Actor: op, Action: "account.confirm_code", Subject: "account:" + a.ID, Details: c.evidence()}}}
	// One code per account; what the operator checked is in the audit entry.
	if err := s.o.Store.PutCode(ctx, Code{Purpose: ForOperator, Key: a.ID, Hash: codeHash(ForOperator, a.ID, code), ExpiresAt: s.now().UTC().Add(OperatorTTL)}, e); err != nil {
		return "", err
	}
	return code, nil
}

// ConfirmWithCode confirms an account with the code an operator handed over (IDP-4a) or the
// code of a registered letter (IDP-4b), whichever it is.
func (s *Provider) ConfirmWithCode(ctx context.Context, accountID, typed string, o Origin) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.confirmable(a, ServiceCenter); err != nil {
		return err
	}
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, "code", typed) {
		return fe.Err()
	}
	var last error
	for _, p := range []struct {
		purpose Purpose
		method  Method
		what    string
	}{{ForOperator, ServiceCenter, "operator code"}, {ForLetter, Mail, "registered letter"}} {
		if p.method == Mail && a.Level == Confirmed {
			continue // confirmed by mail already: only an operator's code confirms it again
		}
		if _, err := s.o.Store.Code(ctx, p.purpose, a.ID); errors.Is(err, storeerr.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if last = s.checkCode(ctx, p.purpose, a.ID, typed, "code", o); last == nil {
			return s.confirm(ctx, a, p.method, p.what, Effects{}, o)
		}
	}
	if last == nil {
		// No code was ever handed or sent: none can have expired, and none is asked for here.
		return problem.InvalidField("code", msgNoCode)
	}
	return last
}

// ESignPurpose is the purpose of a confirmation challenge of an account: it binds the signature
// to that account.
func ESignPurpose(accountID string) string { return "idp.confirm:" + accountID }

// IssueChallenge makes the text an account's owner signs to confirm it (IDP-4c).
func (s *Provider) IssueChallenge(ctx context.Context, accountID string) (esign.Challenge, error) {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return esign.Challenge{}, err
	}
	if err := s.confirmable(a, ESign); err != nil {
		return esign.Challenge{}, err
	}
	return s.o.Challenges.Issue(ctx, ESignPurpose(accountID))
}

// ConfirmWithSignature confirms an account with a qualified signature over its challenge: the
// certificate must be valid, trusted and not revoked, and its СНИЛС, name and ИНН (when both
// have one) the account's. Confirmation is immediate.
func (s *Provider) ConfirmWithSignature(ctx context.Context, accountID, challengeID string, sig []byte, o Origin) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.confirmable(a, ESign); err != nil {
		return err
	}
	signer, err := s.o.Challenges.Verify(ctx, s.o.Verifier, challengeID, ESignPurpose(accountID), sig)
	if err != nil {
		if _, ok := esign.AsError(err); ok {
			return &problem.Error{Code: problem.Invalid, Message: problem.MsgInvalid, Err: err,
				Fields: []problem.FieldError{{Field: "signature", Message: problem.Signature(err)}}}
		}
		return err
	}
	var fe problem.Fields
	if signer.SNILS == "" || signer.SNILS != a.SNILS {
		fe.Add("signature", msgCertSNILS)
	}
	if !names.OfCertificate(signer.Surname, signer.GivenName, a.Surname, a.GivenName, a.Patronymic) {
		fe.Add("signature", msgCertName)
	}
	if signer.INN != "" && a.Profile.INN != "" && signer.INN != a.Profile.INN {
		fe.Add("signature", msgCertINN)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.confirm(ctx, a, ESign, fmt.Sprintf("certificate serial=%s issuer=%s", signer.Serial, signer.Issuer), Effects{}, o)
}

// OrderLetter orders a registered letter with a code to the postal address (IDP-4b): no earlier
// than a calendar month after the last one (NextLetterAt).
func (s *Provider) OrderLetter(ctx context.Context, accountID, address string, o Origin) (*Letter, error) {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := s.confirmable(a, Mail); err != nil {
		return nil, err
	}
	address = strings.TrimSpace(address)
	if len([]rune(address)) < 10 || len([]rune(address)) > 300 {
		return nil, problem.InvalidField("address", msgAddress)
	}
	letters, err := s.o.Store.Letters(ctx, accountID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	for _, l := range letters {
		if next := NextLetterAt(l.OrderedAt, s.zone); now.Before(next) {
			return nil, problem.New(problem.Conflict, msgLetterSoon.With(next.In(s.zone).Format("02.01.2006")))
		}
	}
	code := newCode()
	text := i18n.T(o.Lang, "idp.letter.text", a.FullName(), code)
	id, err := s.o.Post.Send(ctx, address, text, now)
	if err != nil {
		return nil, err
	}
	l := Letter{ID: id, AccountID: accountID, Address: address, OrderedAt: now}
	if err := s.o.Store.PutCode(ctx, Code{Purpose: ForLetter, Key: a.ID, Hash: codeHash(ForLetter, a.ID, code), ExpiresAt: now.Add(LetterTTL)}, Effects{}); err != nil {
		return nil, err
	}
	if err := s.o.Store.InsertLetter(ctx, l, Effects{Events: []Event{s.event(a.ID, "letter_ordered", o, id)}}); err != nil {
		return nil, err
	}
	return &l, nil
}

// LetterView is an ordered letter with its tracking; Tracked is false on the day it was ordered
// (the post tracks a letter from the next day, in the jurisdiction's time zone).
type LetterView struct {
	Letter   Letter
	Tracked  bool
	Tracking Tracking
	NextAt   time.Time // when a new letter may be ordered
}

// CanOrderLetter reports whether a new letter may be ordered now, given the account's letters:
// no earlier than a calendar month after the last one (IDP-4b).
func (s *Provider) CanOrderLetter(letters []LetterView) bool {
	now := s.now()
	for _, l := range letters {
		if now.Before(l.NextAt) {
			return false
		}
	}
	return true
}

// Letters returns the account's letters, the newest first, with their tracking.
func (s *Provider) Letters(ctx context.Context, accountID string) ([]LetterView, error) {
	ls, err := s.o.Store.Letters(ctx, accountID)
	if err != nil {
		return nil, err
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].OrderedAt.After(ls[j].OrderedAt) })
	now := s.now()
	out := make([]LetterView, 0, len(ls))
	for _, l := range ls {
		v := LetterView{Letter: l, NextAt: NextLetterAt(l.OrderedAt, s.zone)}
		if !now.Before(trackedFrom(l.OrderedAt, s.zone)) {
			t, err := s.o.Post.Track(ctx, l.ID, now)
			if err != nil {
				return nil, err
			}
			v.Tracked, v.Tracking = true, t
		}
		out = append(out, v)
	}
	return out, nil
}
