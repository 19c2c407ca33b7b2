package identity

import (
	"context"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
	"github.com/kabinet/kabinet/tin"
)

// The operators' tool (`kabinet idp account add`): an account made at the level it is given, for
// a deployment's first accounts and for tests. It checks what registration and verification
// check, but asks no registry.

// NewAccount is what AddAccount takes.
type NewAccount struct {
	Kind                           Kind
	Surname, GivenName, Patronymic string
	Phone, Email, SNILS, INN       string
	BirthDate                      time.Time
	Level                          Level
	Method                         Method // for the confirmed level
	Password                       string
	Question, Answer               string // the security question and its answer (IDP-6), optional
}

var (
	msgLevel  = problem.Msg("idp.admin.level")
	msgMethod = problem.Msg("idp.admin.method")
)

// AddAccount creates an account.
func (s *Provider) AddAccount(ctx context.Context, n NewAccount) (*Account, error) {
	if n.Kind == "" {
		n.Kind = RussianCitizen
	}
	var fe problem.Fields
	checkName(&fe, "surname", n.Surname, true)
	checkName(&fe, "given_name", n.GivenName, true)
	checkName(&fe, "patronymic", n.Patronymic, false)
	phone, email := notify.NormalizePhone(n.Phone), notify.NormalizeEmail(n.Email)
	switch {
	case n.Phone == "" && n.Email == "":
		fe.Add("phone", msgPhoneOrEmail)
	case n.Phone != "" && phone == "":
		fe.Add("phone", msgPhone)
	case n.Email != "" && email == "":
		fe.Add("email", msgEmail)
	}
	var snils string
	if n.SNILS != "" {
		if v, err := tin.ParseSNILS(n.SNILS); err != nil {
			fe.Add("snils", problem.Number(err))
		} else {
			snils = v.Digits
		}
	}
	if n.INN != "" {
		// A person's ИНН has 12 digits; a 10-digit one is an organization's.
		if v, err := tin.ParseINN(n.INN); err != nil {
			fe.Add("inn", problem.Number(err))
		} else if len(v.Digits) != 12 {
			fe.Add("inn", problem.Msg("idp.inn_person"))
		} else {
			n.INN = v.Digits
		}
	}
	if n.Level.Rank() == 0 {
		fe.Add("level", msgLevel)
	}
	if n.Level == Confirmed && !n.Method.Valid() {
		fe.Add("confirmed_by", msgMethod)
	}
	if n.Level.AtLeast(Standard) && snils == "" {
		fe.Add("snils", msgRequired.With(problem.Msg("field.snils")))
	}
	CheckPassword(&fe, "password", n.Password, n.Password, phone, email)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	hash, err := s.o.Hasher.Hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	answerHash := ""
	if n.Question != "" {
		if answerHash, err = s.o.Hasher.Hash(ctx, names.Fold(n.Answer)); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	a := Account{Question: strings.TrimSpace(n.Question), AnswerHash: answerHash, ID: newID(), Kind: n.Kind, Surname: strings.TrimSpace(n.Surname), GivenName: strings.TrimSpace(n.GivenName),
		Patronymic: strings.TrimSpace(n.Patronymic), Phone: phone, Email: email, SNILS: snils, Level: n.Level, PasswordHash: hash,
		CreatedAt: now, PasswordSetAt: now, Version: 1,
		Profile: Profile{SNILS: snils, INN: n.INN, BirthDate: n.BirthDate}}
	if n.Level == Confirmed {
		a.Method, a.ConfirmedAt, a.Evidence = n.Method, now, "added by an operator's command"
	}
	for _, d := range s.o.Documents {
		a.Consents = append(a.Consents, Consent{Doc: d.Doc, Version: d.Version, At: now})
	}
	if err := s.o.Store.InsertAccount(ctx, a, Effects{Events: []Event{{AccountID: a.ID, At: now, Kind: "registered", Details: "cli"}}}); err != nil {
		if key, taken := storeerr.IsKeyTaken(err); taken {
			return nil, problem.InvalidField(takenField(key), msgTaken(key))
		}
		return nil, err
	}
	return &a, nil
}

// AccountByLogin returns the account a login (phone, e-mail or СНИЛС) names.
func (s *Provider) AccountByLogin(ctx context.Context, login string) (*Account, error) {
	a, err := s.find(ctx, login)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, problem.New(problem.NotFound, msgNoAccount)
	}
	return a, nil
}
