package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
	"github.com/kabinet/kabinet/tin"
)

// The profile and its verification (IDP-3): see verification.go for the rule.

// VerifyJob is the job kind that asks the registries about a submitted profile.
const VerifyJob = "idp.verify"

type verifyPayload struct {
	Account string `json:"account"`
	Seq     int    `json:"seq"`
}

var (
	msgDate         = problem.Msg("idp.date")
	msgFuture       = problem.Msg("idp.date_future")
	msgSex          = problem.Msg("idp.sex")
	msgCitizenship  = problem.Msg("idp.citizenship")
	msgCitizenRU    = problem.Msg("idp.citizenship_russian")
	msgCitizenOther = problem.Msg("idp.citizenship_foreign")
	msgSeriesRU     = problem.Msg("idp.passport_series")
	msgPassportRU   = problem.Msg("idp.passport_ru")
	msgPassportAge  = problem.Msg("idp.passport_age")
	msgTooLong      = problem.Msg("idp.too_long")
	msgVerifying    = problem.Msg("idp.verifying")
	msgNotVerifying = problem.Msg("idp.not_verifying")
	msgNotStandard  = problem.Msg("idp.needs_standard")
)

// Verification returns the account's profile and its verification (a draft when none was saved).
func (s *Provider) Verification(ctx context.Context, accountID string) (*Verification, error) {
	v, err := s.o.Store.Verification(ctx, accountID)
	if errors.Is(err, storeerr.ErrNotFound) {
		a, err := s.Account(ctx, accountID)
		if err != nil {
			return nil, err
		}
		return &Verification{AccountID: accountID, State: Draft, Draft: a.Profile}, nil
	}
	return v, err
}

// VerificationOf is Verification for an account already read.
func (s *Provider) VerificationOf(ctx context.Context, a *Account) (*Verification, error) {
	v, err := s.o.Store.Verification(ctx, a.ID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return &Verification{AccountID: a.ID, State: Draft, Draft: a.Profile}, nil
	}
	return v, err
}

// VerificationStateOf is where the verification of an account already read is — its state, the
// refusal's reason, the level lost — without the data typed and sent (a draft when none was
// saved): what the account's page shows, read on every visit of a simplified account.
func (s *Provider) VerificationStateOf(ctx context.Context, a *Account) (*Verification, error) {
	v, err := s.o.Store.VerificationState(ctx, a.ID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return &Verification{AccountID: a.ID, State: Draft}, nil
	}
	return v, err
}

// SaveDraft keeps what the citizen has typed so far, unchecked (they may stop half-way).
func (s *Provider) SaveDraft(ctx context.Context, accountID string, p Profile) error {
	v, err := s.Verification(ctx, accountID)
	if err != nil {
		return err
	}
	if v.State == InProgress {
		return problem.New(problem.Conflict, msgVerifying)
	}
	v.Draft = p
	return s.putVerification(ctx, v, Effects{})
}

func (s *Provider) putVerification(ctx context.Context, v *Verification, e Effects) error {
	err := s.o.Store.PutVerification(ctx, *v, e)
	if errors.Is(err, storeerr.ErrConflict) {
		return problem.New(problem.Conflict, msgStale)
	}
	if err == nil {
		v.Version++
	}
	return err
}

// CheckProfile adds to fe what is wrong with a profile submitted for verification. known tells
// whether a country of ОКСМ has an alpha-3 code (nil: any three Latin letters are taken).
func CheckProfile(fe *problem.Fields, kind Kind, p Profile, now time.Time, known func(alpha3 string) bool) {
	if p.Sex != "male" && p.Sex != "female" {
		fe.Add("sex", msgSex)
	}
	switch {
	case p.BirthDate.IsZero():
		fe.Add("birth_date", msgRequired.With(i18n.Field("birth_date")))
	case p.BirthDate.After(now) || p.BirthDate.Year() < 1900:
		fe.Add("birth_date", msgDate.With(i18n.Field("birth_date")))
	}
	text(fe, "birth_place", p.BirthPlace, true)
	text(fe, "residence", p.Residence, false)
	text(fe, "postal", p.Postal, false)
	c := strings.ToUpper(strings.TrimSpace(p.Citizenship))
	switch {
	case len(c) != 3 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || known != nil && !known(c):
		fe.Add("citizenship", msgCitizenship)
	case kind == RussianCitizen && c != "RUS":
		fe.Add("citizenship", msgCitizenRU)
	case kind == ForeignCitizen && c == "RUS":
		fe.Add("citizenship", msgCitizenOther)
	}
	// A Russian citizen has a СНИЛС and a Russian passport (a representative of a legal entity
	// who chose Russia too); a foreign citizen's account with Russia chosen is told above.
	if kind == RussianCitizen || kind == LegalEntity && c == "RUS" {
		if _, err := tin.ParseSNILS(p.SNILS); err != nil {
			fe.Add("snils", problem.Number(err))
		}
		if len(digits(p.Passport.Series)) != 4 {
			fe.Add("passport.series", msgSeriesRU)
		}
		if len(digits(p.Passport.Number)) != 6 || p.Passport.Type != "passport_ru" {
			fe.Add("passport.number", msgPassportRU)
		}
	} else {
		if p.SNILS != "" {
			if _, err := tin.ParseSNILS(p.SNILS); err != nil {
				fe.Add("snils", problem.Number(err))
			}
		}
		text(fe, "passport.number", p.Passport.Number, true)
	}
	switch d := p.Passport.IssuedOn; {
	case d.IsZero():
		fe.Add("passport.issued_on", msgRequired.With(i18n.Field("passport.issued_on")))
	case d.After(now):
		fe.Add("passport.issued_on", msgFuture.With(i18n.Field("passport.issued_on")))
	case !p.BirthDate.IsZero() && p.Passport.Type == "passport_ru" && d.Before(p.BirthDate.AddDate(14, 0, 0)):
		fe.Add("passport.issued_on", msgPassportAge)
	}
	if p.INN != "" {
		if v, err := tin.ParseINN(p.INN); err != nil {
			fe.Add("inn", problem.Number(err))
		} else if len(v.Digits) != 12 {
			fe.Add("inn", problem.Msg("idp.inn_person"))
		}
	}
	// A document or a vehicle is named by its label ("Водительское удостоверение"), not by its
	// place in the list.
	for i, d := range p.Others {
		var label i18n.Localized = i18n.Field(fmt.Sprintf("others.%d.number", i))
		if slices.Contains(OtherDocuments, d.Type) {
			label = i18n.Key("id.doc." + d.Type)
		}
		labelled(fe, fmt.Sprintf("others.%d.number", i), label, d.Number, true)
	}
	for i, v := range p.Vehicles {
		labelled(fe, fmt.Sprintf("vehicles.%d.plate", i), i18n.Key("id.f.vehicle"), v.Plate, true)
	}
}

// OtherDocuments are the types of the profile's other documents (IDP-3; labels id.doc.<type>).
var OtherDocuments = []string{"medical_insurance", "driving_licence", "birth_certificate", "military_id"}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r != ' ' && r != '-' {
			return ""
		}
	}
	return b.String()
}

func text(fe *problem.Fields, field, v string, req bool) {
	labelled(fe, field, i18n.Field(field), v, req)
}

// labelled checks a text of at most 300 characters, required or not, its errors naming label.
func labelled(fe *problem.Fields, field string, label i18n.Localized, v string, req bool) {
	switch {
	case strings.TrimSpace(v) == "":
		if req {
			fe.Add(field, msgRequired.With(label))
		}
	case utf8.RuneCountInString(v) > 300:
		fe.Add(field, msgTooLong.With(label))
	}
}

// verifiedChanged reports whether a new profile changes data a verification vouched for.
func verifiedChanged(a *Account, old, p Profile) bool {
	return p.Surname != a.Surname || p.GivenName != a.GivenName || p.Patronymic != a.Patronymic || old.SNILS != p.SNILS || digits(old.Passport.Series)+digits(old.Passport.Number) != digits(p.Passport.Series)+digits(p.Passport.Number) ||
		!old.BirthDate.Equal(p.BirthDate) || old.Citizenship != p.Citizenship || old.Sex != p.Sex
}

// SubmitProfile sends the profile to verification: the checks are jobs of the queue, enqueued
// with the submission. Changing data a past verification vouched for (a new passport, another
// СНИЛС) or the name takes the account back to the simplified level until the new data are
// verified, and the citizen is told why.
func (s *Provider) SubmitProfile(ctx context.Context, accountID string, p Profile, o Origin) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	v, err := s.Verification(ctx, accountID)
	if err != nil {
		return err
	}
	if v.State == InProgress {
		return problem.New(problem.Conflict, msgVerifying)
	}
	p.Citizenship = strings.ToUpper(strings.TrimSpace(p.Citizenship))
	if sn, err := tin.ParseSNILS(p.SNILS); err == nil {
		p.SNILS = sn.Digits
	}
	p.Surname, p.GivenName, p.Patronymic = strings.TrimSpace(p.Surname), strings.TrimSpace(p.GivenName), strings.TrimSpace(p.Patronymic)
	if p.Surname == "" && p.GivenName == "" && p.Patronymic == "" {
		p.Surname, p.GivenName, p.Patronymic = a.Surname, a.GivenName, a.Patronymic // the name is not being changed
	}
	v.Draft = p
	var fe problem.Fields
	checkName(&fe, "surname", p.Surname, true)
	checkName(&fe, "given_name", p.GivenName, true)
	checkName(&fe, "patronymic", p.Patronymic, false)
	CheckProfile(&fe, a.Kind, p, s.now(), s.o.Countries)
	if err := fe.Err(); err != nil {
		_ = s.putVerification(ctx, v, Effects{})
		return err
	}
	now := s.now().UTC()
	// A level lost by an earlier submission stays shown until a verification ends well.
	v.State, v.Submitted, v.SubmittedAt, v.Reason, v.DecidedAt = InProgress, p, now, "", time.Time{}
	v.Seq++
	// The pension fund is asked about a СНИЛС; a foreign citizen may have none, and then only
	// the passport is checked.
	v.Checks = nil
	if p.SNILS != "" {
		v.Checks = append(v.Checks, Check{Registry: PensionFund, State: Waiting})
	}
	v.Checks = append(v.Checks, Check{Registry: Migration, State: Waiting})
	if p.INN != "" {
		v.Checks = append(v.Checks, Check{Registry: TaxRegister, State: Waiting})
	}
	payload, _ := json.Marshal(verifyPayload{Account: accountID, Seq: v.Seq})
	e := Effects{Events: []Event{s.event(accountID, "profile_submitted", o, "")},
		Jobs: []jobs.Spec{{Kind: VerifyJob, Payload: payload, RunAt: now, Key: fmt.Sprintf("%s:%s:%d", VerifyJob, accountID, v.Seq), MaxAttempts: verifyAttempts}}}
	if a.Level.AtLeast(Standard) && verifiedChanged(a, a.Profile, p) {
		// The level this account loses, and why: recorded, and shown on its pages.
		old := a.Level
		v.LostLevel = old
		a.Level, a.Method, a.ConfirmedAt, a.Evidence = Simplified, "", time.Time{}, ""
		e.Events = append(e.Events, s.event(accountID, "level_lost", o, string(old)+"→"+string(Simplified)))
		if err := s.update(ctx, a, Effects{}); err != nil {
			return err
		}
	}
	return s.putVerification(ctx, v, e)
}

// WithdrawVerification takes a verification in progress back to a draft (the data as sent), so
// that the citizen may correct them and send them again; the job finds it withdrawn and asks no
// more. A level lost by the submission is not given back: the data it vouched for were changed.
func (s *Provider) WithdrawVerification(ctx context.Context, accountID string, o Origin) error {
	v, err := s.Verification(ctx, accountID)
	if err != nil {
		return err
	}
	if v.State != InProgress {
		return problem.New(problem.Conflict, msgNotVerifying)
	}
	v.State, v.Draft, v.Checks, v.DecidedAt = Draft, v.Submitted, nil, s.now().UTC()
	return s.putVerification(ctx, v, Effects{Events: []Event{s.event(accountID, "verification_withdrawn", o, "")}})
}

// HandleVerify is the job that asks the registries about a submitted profile and decides it.
// A registry that cannot be reached makes the job fail and be tried again (the queue's
// back-off, capped at an hour), until VerifyDeadline after the submission or the job's last
// attempt: then the verification ends as not completed. One that has not decided yet puts the
// next question in a job due when it said to ask again.
func (s *Provider) HandleVerify(ctx context.Context, j jobs.Job) error {
	var pl verifyPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return jobs.Permanent(err)
	}
	v, err := s.o.Store.Verification(ctx, pl.Account)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if v.State != InProgress || v.Seq != pl.Seq {
		return nil // a later submission replaced this one, or it was decided
	}
	a, err := s.Account(ctx, pl.Account)
	if err != nil {
		return err
	}
	p := v.Submitted
	q := PersonQuery{Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: p.BirthDate, SNILS: p.SNILS, Passport: p.Passport, INN: p.INN}
	if q.Surname == "" { // submitted before names were part of the profile
		q.Surname, q.GivenName, q.Patronymic = a.Surname, a.GivenName, a.Patronymic
	}
	var later time.Time
	for i := range v.Checks {
		c := &v.Checks[i]
		if c.State != Waiting {
			continue
		}
		ans, err := s.ask(ctx, c.Registry, q)
		if err != nil {
			if !s.now().Before(v.SubmittedAt.Add(VerifyDeadline)) || (j.MaxAttempts > 0 && j.Attempts >= j.MaxAttempts) {
				return s.notCompleted(ctx, a, v)
			}
			return fmt.Errorf("identity: registry %s unavailable: %w", c.Registry, err)
		}
		if !ans.Ready {
			if later.IsZero() || ans.RetryAt.Before(later) {
				later = ans.RetryAt
			}
			continue
		}
		c.State, c.Reason, c.At = Passed, "", s.now().UTC()
		if !ans.OK {
			c.State, c.Reason = Failed, ans.Reason
		}
	}
	return s.decide(ctx, a, v, later, pl)
}

// decide ends a verification when every registry answered (or one refused), and otherwise
// asks again at later.
func (s *Provider) decide(ctx context.Context, a *Account, v *Verification, later time.Time, pl verifyPayload) error {
	var e Effects
	failed, waiting := "", false
	for _, c := range v.Checks {
		switch c.State {
		case Failed:
			if failed == "" {
				failed = c.Reason
			}
		case Waiting:
			waiting = true
		}
	}
	lang := messageLang(a.Lang)
	now := s.now().UTC()
	switch {
	case failed != "":
		v.State, v.Reason, v.DecidedAt = Refused, failed, now
		msgs, err := s.notifyAccount(a, "notify.idp.refused", i18n.T(lang, failed))
		if err != nil {
			return err
		}
		e.Messages = msgs
		e.Events = []Event{{AccountID: a.ID, At: now, Kind: "verification_refused", Details: failed}}
	case waiting:
		payload, _ := json.Marshal(pl)
		e.Jobs = []jobs.Spec{{Kind: VerifyJob, Payload: payload, RunAt: later, MaxAttempts: verifyAttempts,
			Key: fmt.Sprintf("%s:%s:%d:%d", VerifyJob, a.ID, pl.Seq, later.Unix())}}
		return s.putVerification(ctx, v, e)
	default:
		if other, err := s.o.Store.AccountBy(ctx, BySNILS, v.Submitted.SNILS); err == nil && other.ID != a.ID {
			v.State, v.Reason, v.DecidedAt = Refused, ReasonSNILSTaken, now
			msgs, err := s.notifyAccount(a, "notify.idp.refused", i18n.T(lang, ReasonSNILSTaken))
			if err != nil {
				return err
			}
			return s.putVerification(ctx, v, Effects{Messages: msgs, Events: []Event{{AccountID: a.ID, At: now, Kind: "verification_refused", Details: ReasonSNILSTaken}}})
		}
		v.State, v.DecidedAt, v.LostLevel = Verified, now, ""
		a.Profile, a.SNILS = v.Submitted, v.Submitted.SNILS
		if n := v.Submitted; n.Surname != "" {
			a.Surname, a.GivenName, a.Patronymic = n.Surname, n.GivenName, n.Patronymic // a new name, verified
		}
		if !a.Level.AtLeast(Standard) {
			a.Level = Standard
		}
		msgs, err := s.notifyAccount(a, "notify.idp.verified")
		if err != nil {
			return err
		}
		if err := s.update(ctx, a, Effects{Messages: msgs, Events: []Event{{AccountID: a.ID, At: now, Kind: "verified"}}}); err != nil {
			return err
		}
	}
	return s.putVerification(ctx, v, e)
}

// notCompleted ends a verification whose registries could not be reached (VerifyDeadline, or
// the job's last attempt): nothing is decided about the data; the citizen is told so and may
// send them again.
func (s *Provider) notCompleted(ctx context.Context, a *Account, v *Verification) error {
	now := s.now().UTC()
	v.State, v.Reason, v.DecidedAt = NotCompleted, ReasonUnreachable, now
	msgs, err := s.notifyAccount(a, "notify.idp.not_completed")
	if err != nil {
		return err
	}
	return s.putVerification(ctx, v, Effects{Messages: msgs, Events: []Event{{AccountID: a.ID, At: now, Kind: "verification_not_completed"}}})
}

// ask asks one registry; the ИНН is checked against kabinet's own register.
func (s *Provider) ask(ctx context.Context, r RegistryName, q PersonQuery) (Answer, error) {
	if r != TaxRegister {
		return s.o.Registry.Check(ctx, r, q)
	}
	if s.o.Taxpayers == nil {
		return Answer{Ready: true, OK: true}, nil
	}
	surname, given, birth, found, err := s.o.Taxpayers.Person(ctx, q.INN)
	if err != nil {
		return Answer{}, err
	}
	same := func(a, b string) bool {
		return strings.EqualFold(strings.ReplaceAll(a, "ё", "е"), strings.ReplaceAll(b, "ё", "е"))
	}
	if !found || !same(surname, q.Surname) || !same(given, q.GivenName) || !birth.Equal(q.BirthDate) {
		return Answer{Ready: true, OK: false, Reason: ReasonINNMismatch}, nil
	}
	return Answer{Ready: true, OK: true}, nil
}
