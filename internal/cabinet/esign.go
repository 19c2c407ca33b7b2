package cabinet

import (
	"context"
	"fmt"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// LK-5: login and registration with a qualified electronic signature, with no browser plug-in:
// the user signs a challenge (kabinet esign sign, or any tool that makes a detached CMS
// signature) and uploads the signature. The certificate must be valid, trusted and not revoked
// (the refusal says which); its ИНН must be a person's applied TIN in the register, and its name
// and СНИЛС the register's. Then the owner of an account is signed in; a person without one
// registers: the name, СНИЛС and TIN come from the certificate, the phone and the e-mail are
// typed by hand, and the user sets a password (LK-3).

var (
	msgCertINN    = problem.Msg("lk.esign.no_inn")
	msgCertName   = problem.Msg("lk.esign.name")
	msgCertSNILS  = problem.Msg("lk.esign.snils")
	msgRegistered = problem.Msg("lk.esign.registered")
)

// ESignPurpose is the purpose of the challenge of an e-signature flow: it binds the signature to
// that flow.
func ESignPurpose(flowID string) string { return "lk.esign:" + flowID }

// IssueChallenge makes the text a user signs in the e-signature flow flowID.
func (s *Service) IssueChallenge(ctx context.Context, flowID string) (esign.Challenge, error) {
	return s.o.Challenges.Issue(ctx, ESignPurpose(flowID))
}

// Signed is a verified signature over a challenge, matched with the register.
type Signed struct {
	Person *Person
	Signer *esign.Signer
	// Account is the person's account, nil when they have none with credentials (they register).
	Account *Account
}

// CheckSignature verifies a signature over the challenge of flow flowID and matches its
// certificate with the register (LK-5). Each refusal is a field error on "signature".
func (s *Service) CheckSignature(ctx context.Context, flowID, challengeID string, sig []byte) (*Signed, error) {
	signer, err := s.o.Challenges.Verify(ctx, s.o.Verifier, challengeID, ESignPurpose(flowID), sig)
	if err != nil {
		if _, ok := esign.AsError(err); ok {
			return nil, &problem.Error{Code: problem.Invalid, Message: problem.MsgInvalid, Err: err,
				Fields: []problem.FieldError{{Field: "signature", Message: problem.Signature(err)}}}
		}
		return nil, err
	}
	if signer.INN == "" {
		return nil, problem.InvalidField("signature", msgCertINN)
	}
	p, err := s.Person(ctx, signer.INN)
	if p, ok := problem.As(err); ok && p.Code == problem.NotFound {
		return nil, problem.InvalidField("signature", msgTINUnknown.With(signer.INN))
	}
	if err != nil {
		return nil, err
	}
	var fe problem.Fields
	if !p.Applied() {
		fe.Add("signature", msgNotApplied.With(p.TIN))
	}
	if !names.OfCertificate(signer.Surname, signer.GivenName, p.Surname, p.GivenName, p.Patronymic) {
		fe.Add("signature", msgCertName)
	}
	if signer.SNILS != "" && p.SNILS != "" && signer.SNILS != p.SNILS {
		fe.Add("signature", msgCertSNILS)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	a, err := s.findAccount(ctx, p.TIN)
	if err != nil {
		return nil, err
	}
	if a != nil && !a.HasPassword() && a.CardID == "" {
		// An account without credentials of its own (a managed one, or one first entered through
		// the identity provider): its owner registers. A card's account whose temporary password
		// was retired (LK-2, retireTemporary) logs in.
		a = nil
	}
	return &Signed{Person: p, Signer: signer, Account: a}, nil
}

// LoginWithSignature signs in the owner of the account a verified signature names (LK-5). When
// the account's card still had its temporary password, valid and not replaced, that password
// stops working (LK-2, retireTemporary) and retired is true: the owner is offered a password of
// their own.
func (s *Service) LoginWithSignature(ctx context.Context, sg *Signed, o Origin) (a *Account, retired bool, err error) {
	if sg.Account == nil {
		return nil, false, problem.New(problem.NotFound, msgNoAccount)
	}
	if a, err = s.Account(ctx, sg.Account.TIN); err != nil {
		return nil, false, err
	}
	if err := s.admit(ctx, a, o); err != nil {
		return nil, false, err
	}
	details := fmt.Sprintf("certificate serial=%s", sg.Signer.Serial)
	if err := s.o.Store.Record(ctx, Effects{Events: []Event{s.event(a.TIN, "esign_login", o, "", details)}}); err != nil {
		return nil, false, err
	}
	if retired, err = s.retireTemporary(ctx, a, o, "esign"); err != nil {
		return nil, false, err
	}
	return a, retired, nil
}

// ESignRegistration is what a person registering with an e-signature types: the phone and the
// e-mail, by hand, and the password twice.
type ESignRegistration struct {
	Phone, Email    string
	Password, Again string
}

// RegisterWithSignature creates the account of the person a verified signature named (the e-
// signature flow holds their TIN), with the contacts typed and the password set (LK-5).
func (s *Service) RegisterWithSignature(ctx context.Context, tin string, in ESignRegistration, o Origin) (*Account, error) {
	p, err := s.appliedPerson(ctx, tin)
	if err != nil {
		return nil, err
	}
	var fe problem.Fields
	phone, email := s.phone(in.Phone), notify.NormalizeEmail(in.Email)
	if fe.RequiredAs(msgRequired, "phone", in.Phone) && phone == "" {
		fe.Add("phone", msgPhone)
	}
	if fe.RequiredAs(msgRequired, "email", in.Email) && email == "" {
		fe.Add("email", msgEmail)
	}
	if err := s.checkPassword("password", in.Password, in.Again); err != nil {
		pe, _ := problem.As(err)
		fe = append(fe, pe.Fields...)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	a, err := s.findAccount(ctx, tin)
	if err != nil {
		return nil, err
	}
	if a != nil && a.HasPassword() {
		return nil, problem.New(problem.Conflict, msgRegistered)
	}
	now := s.now().UTC()
	insert := a == nil
	if insert {
		a = &Account{TIN: tin, CreatedAt: now, Version: 1}
	}
	a.Source, a.Name, a.Phone, a.Email, a.Lang, a.UpdatedAt = FromESign, p.FullName(), phone, email, messageLang(o.Lang), now
	if err := s.setPassword(ctx, a, in.Password); err != nil {
		return nil, err
	}
	e := Effects{Events: []Event{s.event(tin, "esign_registered", o, "", "")}}
	if insert {
		err = s.o.Store.InsertAccount(ctx, *a, e)
		if _, taken := storeerr.IsKeyTaken(err); taken {
			return nil, problem.New(problem.Conflict, msgRegistered)
		}
		return a, err
	}
	return a, s.update(ctx, a, e)
}
