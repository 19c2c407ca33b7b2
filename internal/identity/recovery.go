package identity

import (
	"context"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/problem"
)

// IDP-6: recovery of a lost password, a stored flow ("id.recovery"): the phone, e-mail or СНИЛС
// of the account; a one-time code sent to the account's phone (or e-mail); the answer to the
// security question when one is set; then a new password. No step reveals whether an account
// exists: an unknown identifier gets the same page ("if an account exists, a code was sent"), and
// every code typed for it is wrong, counted like any other.

// Recovery steps.
const (
	RecoveryKind = "id.recovery"
	StepIdentify = "identify"
	StepAnswer   = "answer"
	StepNewPass  = "new_password"
	RecoveryTTL  = 30 * time.Minute
)

// AnswerPolicy limits the tries of a security answer per account.
var AnswerPolicy = limits.Policy{
	Scope:     "idp.answer",
	PerClient: limits.Rule{Max: 5, Window: time.Hour},
	Overall:   limits.Throttle{Budget: 10, Window: 24 * time.Hour, Step: time.Hour, MaxDelay: 24 * time.Hour},
	PerDevice: limits.Rule{Max: 5, Window: time.Hour},
}

var msgAnswer = problem.Msg("idp.answer.wrong")

// StartRecovery starts a recovery flow.
func (s *Provider) StartRecovery(ctx context.Context, client flow.Client, csrf string) (*flow.Flow, error) {
	return s.o.Flows.Start(ctx, flow.Start{Kind: RecoveryKind, State: StepIdentify, Client: client, CSRF: csrf, TTL: RecoveryTTL})
}

// SubmitIdentifier takes the first step. It answers alike whether an account exists or not: the
// codes it sends are counted (RecoverySends) on the identifier as typed, normalized — "+7 916…",
// "8916…" and "916…" are one phone, a СНИЛС with or without its hyphens one СНИЛС — from the
// client's address, for a known and an unknown login the same, so neither the answers nor the
// limits tell whether an account exists. Only the owner's trusted device, which a stranger does
// not have, counts apart (recoverySend).
func (s *Provider) SubmitIdentifier(ctx context.Context, f *flow.Flow, login string, o Origin) error {
	if f.State != StepIdentify && f.State != StepCode {
		return problem.New(problem.Conflict, msgStale)
	}
	ls := ParseLogin(login)
	if len(ls) == 0 {
		return problem.InvalidField("login", problem.Msg("idp.login_format"))
	}
	a, err := s.find(ctx, login)
	if err != nil {
		return err
	}
	if err := s.recoverySend(ctx, a, ls[0].Value, o); err != nil {
		return err
	}
	f.Data["login"], f.Data["account"] = strings.TrimSpace(login), ""
	if a != nil {
		to := a.Phone
		if to == "" {
			to = a.Email
		}
		f.Data["account"] = a.ID
		if err := s.sendCode(ctx, ForRecovery, f.ID, to, o.Lang, "notify.code"); err != nil {
			return err
		}
	}
	f.State = StepCode
	return s.o.Flows.Save(ctx, f)
}

// recoverySend counts a recovery's code before it is sent (or, for an unknown login, not sent):
// on the identifier typed under RecoverySends; or, from a device the account's owner signed in
// on before (their browser keeps its token), on that device alone, so that a stranger's burst
// of recoveries typing the owner's phone does not keep the owner's own browser from a code.
func (s *Provider) recoverySend(ctx context.Context, a *Account, typed string, o Origin) error {
	if a != nil && o.Device != "" {
		trusted, err := s.o.Limits.Trusted(ctx, PasswordPolicy, a.ID, o.Device)
		if err != nil {
			return err
		}
		if trusted {
			err := s.o.Limits.Count(ctx, RecoverySends.Scope+".device", a.ID+":"+o.Device, deviceSendRule)
			if r, ok := limits.AsRefusal(err); ok {
				return r.Problem()
			}
			return err
		}
	}
	return s.countSend(ctx, RecoverySends, typed, o)
}

// SubmitRecoveryCode takes the code step.
func (s *Provider) SubmitRecoveryCode(ctx context.Context, f *flow.Flow, code string, o Origin) error {
	if f.State != StepCode {
		return problem.New(problem.Conflict, msgStale)
	}
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, "code", code) {
		return fe.Err() // with an account or without: no try, the same answer
	}
	if f.Data["account"] == "" {
		// No account: count the try like a real one and refuse it like a wrong code.
		if _, err := s.o.Limits.Begin(ctx, CodePolicy, string(ForRecovery)+":"+f.ID, o.limits()); err != nil {
			if r, ok := limits.AsRefusal(err); ok {
				return r.Problem()
			}
			return err
		}
		return problem.InvalidField("code", msgCode)
	}
	if err := s.checkCode(ctx, ForRecovery, f.ID, code, "code", o); err != nil {
		return err
	}
	a, err := s.Account(ctx, f.Data["account"])
	if err != nil {
		return err
	}
	f.State = StepNewPass
	if a.AnswerHash != "" {
		f.State = StepAnswer
		f.Data["question"] = a.Question
	}
	return s.o.Flows.Save(ctx, f)
}

// SubmitAnswer takes the security answer.
func (s *Provider) SubmitAnswer(ctx context.Context, f *flow.Flow, answer string, o Origin) error {
	if f.State != StepAnswer {
		return problem.New(problem.Conflict, msgStale)
	}
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, "answer", answer) {
		return fe.Err() // no try spent
	}
	a, err := s.Account(ctx, f.Data["account"])
	if err != nil {
		return err
	}
	t, err := s.o.Limits.Begin(ctx, AnswerPolicy, a.ID, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return r.Problem()
	}
	if err != nil {
		return err
	}
	ok, err := s.o.Hasher.Verify(ctx, a.AnswerHash, names.Fold(answer))
	if err != nil {
		return err
	}
	if !ok {
		return problem.InvalidField("answer", msgAnswer)
	}
	_ = s.o.Limits.Succeeded(ctx, t)
	f.State = StepNewPass
	return s.o.Flows.Save(ctx, f)
}

// SubmitNewPassword sets the new password and ends the flow; the caller ends every session of
// the account.
func (s *Provider) SubmitNewPassword(ctx context.Context, f *flow.Flow, pw, again string, o Origin) (*Account, error) {
	if f.State != StepNewPass {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	a, err := s.Account(ctx, f.Data["account"])
	if err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, a, pw, again, "recovered", o); err != nil {
		return nil, err
	}
	return a, s.o.Flows.Finish(ctx, f)
}

func (s *Provider) setPassword(ctx context.Context, a *Account, pw, again, event string, o Origin) error {
	var fe problem.Fields
	CheckPassword(&fe, "new_password", pw, again, a.Phone, a.Email, a.Surname)
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := s.o.Hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	a.PasswordHash, a.PasswordSetAt = hash, s.now().UTC()
	msgs, err := s.notifyAccount(a, "notify.idp.password_changed")
	if err != nil {
		return err
	}
	return s.update(ctx, a, Effects{Events: []Event{s.event(a.ID, event, o, "")}, Messages: msgs})
}

// ChangePassword changes the password of a signed-in citizen, who types the current one (under
// the password limits).
func (s *Provider) ChangePassword(ctx context.Context, accountID, current, pw, again string, o Origin) error {
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, "current_password", current) {
		return fe.Err() // no try spent
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	t, err := s.o.Limits.Begin(ctx, PasswordPolicy, a.ID, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return r.Problem()
	}
	if err != nil {
		return err
	}
	ok, err := s.o.Hasher.Verify(ctx, a.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return problem.InvalidField("current_password", problem.Msg("idp.current_password"))
	}
	_ = s.o.Limits.Succeeded(ctx, t)
	return s.setPassword(ctx, a, pw, again, "password_changed", o)
}

// Events returns the account's security history, the newest first.
func (s *Provider) Events(ctx context.Context, accountID string, limit int) ([]Event, error) {
	return s.o.Store.Events(ctx, accountID, limit)
}

// RecordEvent records a security event of the account (a sign-out everywhere …).
func (s *Provider) RecordEvent(ctx context.Context, accountID, kind string, o Origin) error {
	return s.o.Store.Record(ctx, Effects{Events: []Event{s.event(accountID, kind, o, "")}})
}
