package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet/kabinet/internal/flow"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/limits"
	"github.com/kabinet/kabinet/internal/names"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/storeerr"
	"github.com/kabinet/kabinet/tin"
)

// IDP-1: simplified registration, a stored flow ("id.registration"). Step "contact": the kind of
// registration, surname, name, a mobile phone and/or an e-mail; a one-time code is sent to each.
// Step "code": the codes typed. Step "password": the password typed twice, a security question
// with its answer, and the terms of use and the processing of personal data accepted (recorded
// with their versions and time). Then the account exists at the simplified level. No step tells
// whether a phone or an e-mail is taken before its code has been confirmed: only its owner
// learns that it already has an account.

// Registration steps.
const (
	RegistrationKind = "id.registration"
	StepContact      = "contact"
	StepCode         = "code"
	StepPassword     = "password"
	RegistrationTTL  = time.Hour
)

// CodePolicy limits the tries of a one-time code: CodeTries in all, whatever the addresses.
var CodePolicy = limits.Policy{
	Scope:     "idp.code",
	PerClient: limits.Rule{Max: CodeTries, Window: CodeTTL},
	Overall:   limits.Throttle{Budget: CodeTries, Window: CodeTTL, Step: CodeTTL, MaxDelay: CodeTTL},
	PerDevice: limits.Rule{Max: CodeTries, Window: CodeTTL},
}

// Contact is what the first step of a registration takes. OrgOGRN and OrgName, the
// organization a representative of a legal entity acts for, are optional and only for the kind
// LegalEntity.
type Contact struct {
	Kind                           Kind
	Surname, GivenName, Patronymic string
	Phone, Email                   string
	OrgOGRN, OrgName               string
}

var (
	msgRequired     = problem.Msg("idp.required")
	msgPhone        = problem.Msg("idp.phone")
	msgEmail        = problem.Msg("idp.email")
	msgPhoneOrEmail = problem.Msg("idp.phone_or_email")
	msgKind         = problem.Msg("idp.kind")
	msgCode         = problem.Msg("idp.code.wrong")
	msgCodeExpired  = problem.Msg("idp.code.expired")
	msgConsent      = problem.Msg("idp.consent")
	msgQuestion     = problem.Msg("idp.question")
	msgAnswerLength = problem.Msg("idp.answer.length")
)

// checkName checks a name in any alphabet (a foreign citizen's too: names.Check), required or
// not.
func checkName(fe *problem.Fields, field, v string, req bool) {
	if !req || fe.RequiredAs(msgRequired, field, v) {
		names.Check(fe, field, v)
	}
}

// StartRegistration starts a registration flow.
func (s *Provider) StartRegistration(ctx context.Context, client flow.Client, csrf string) (*flow.Flow, error) {
	return s.o.Flows.Start(ctx, flow.Start{Kind: RegistrationKind, State: StepContact, Client: client, CSRF: csrf, TTL: RegistrationTTL})
}

// SubmitContact takes the first step: it checks the contact and sends a code to each identifier.
func (s *Provider) SubmitContact(ctx context.Context, f *flow.Flow, c Contact, o Origin) error {
	if f.State != StepContact && f.State != StepCode {
		return problem.New(problem.Conflict, msgStale)
	}
	var fe problem.Fields
	if !c.Kind.Valid() {
		fe.Add("kind", msgKind)
	}
	checkName(&fe, "surname", c.Surname, true)
	checkName(&fe, "given_name", c.GivenName, true)
	checkName(&fe, "patronymic", c.Patronymic, false)
	phone, email := notify.NormalizePhone(c.Phone), notify.NormalizeEmail(c.Email)
	switch {
	case strings.TrimSpace(c.Phone) == "" && strings.TrimSpace(c.Email) == "":
		fe.Add("phone", msgPhoneOrEmail)
	default:
		if strings.TrimSpace(c.Phone) != "" && phone == "" {
			fe.Add("phone", msgPhone)
		}
		if strings.TrimSpace(c.Email) != "" && email == "" {
			fe.Add("email", msgEmail)
		}
	}
	org := Organization{}
	if c.Kind == LegalEntity {
		org = checkOrganization(&fe, c.OrgOGRN, c.OrgName)
	}
	for k, v := range map[string]string{"kind": string(c.Kind), "surname": strings.TrimSpace(c.Surname), "given_name": strings.TrimSpace(c.GivenName),
		"patronymic": strings.TrimSpace(c.Patronymic), "phone": strings.TrimSpace(c.Phone), "email": strings.TrimSpace(c.Email),
		"organization_ogrn": strings.TrimSpace(c.OrgOGRN), "organization_name": strings.TrimSpace(c.OrgName)} {
		f.Data[k] = v
	}
	if err := fe.Err(); err != nil {
		f.Attempts++
		_ = s.o.Flows.Save(ctx, f)
		return err
	}
	f.Data["phone"], f.Data["email"], f.Data["lang"] = phone, email, o.Lang
	f.Data["organization_ogrn"], f.Data["organization_name"] = org.OGRN, org.Name
	delete(f.Data, "verified.phone")
	delete(f.Data, "verified.email")
	for _, to := range []string{phone, email} {
		if to == "" {
			continue
		}
		if err := s.countSend(ctx, RegistrationSends, to, o); err != nil {
			return err
		}
		if err := s.sendCode(ctx, ForRegistration, f.ID+":"+to, to, o.Lang, "notify.code"); err != nil {
			return err
		}
	}
	f.State = StepCode
	return s.o.Flows.Save(ctx, f)
}

// checkOrganization checks the organization a representative names (both parts optional): the
// ОГРН by its check digit, the name's length; it returns them normalized.
func checkOrganization(fe *problem.Fields, ogrn, name string) Organization {
	var o Organization
	if ogrn = strings.TrimSpace(ogrn); ogrn != "" {
		if v, err := tin.ParseOGRN(ogrn); err != nil {
			fe.Add("organization_ogrn", problem.Number(err))
		} else {
			o.OGRN = v.Digits
		}
	}
	o.Name = strings.Join(strings.Fields(name), " ")
	text(fe, "organization_name", o.Name, false)
	return o
}

// sendCode makes a new code for key and puts it in the outbox to destination to; the caller has
// counted it (countSend).
func (s *Provider) sendCode(ctx context.Context, p Purpose, key, to, lang, msgKey string) error {
	code := newCode()
	m, err := s.message(to, lang, msgKey, code)
	if err != nil {
		return err
	}
	return s.o.Store.PutCode(ctx, Code{Purpose: p, Key: key, Hash: codeHash(p, key, code), ExpiresAt: s.now().UTC().Add(CodeTTL)},
		Effects{Messages: m1(m)})
}

// ResendCode sends the codes of the code step again.
func (s *Provider) ResendCode(ctx context.Context, f *flow.Flow, o Origin) error {
	if f.State != StepCode {
		return problem.New(problem.Conflict, msgStale)
	}
	for _, to := range []string{f.Data["phone"], f.Data["email"]} {
		if to != "" && f.Data["verified."+to] == "" {
			if err := s.countSend(ctx, RegistrationSends, to, o); err != nil {
				return err
			}
			if err := s.sendCode(ctx, ForRegistration, f.ID+":"+to, to, o.Lang, "notify.code"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCode checks a typed code of purpose and key under CodePolicy: counted before the check
// (one left empty is named and not counted), single use, expiring.
func (s *Provider) checkCode(ctx context.Context, p Purpose, key, typed, field string, o Origin) error {
	var fe problem.Fields
	if !fe.RequiredAs(msgRequired, field, typed) {
		return fe.Err() // no try spent on a code not typed
	}
	t, err := s.o.Limits.Begin(ctx, CodePolicy, string(p)+":"+key, o.limits())
	if r, ok := limits.AsRefusal(err); ok {
		return r.Problem()
	}
	if err != nil {
		return err
	}
	c, err := s.o.Store.Code(ctx, p, key)
	if errors.Is(err, storeerr.ErrNotFound) {
		return problem.InvalidField(field, msgCodeExpired)
	}
	if err != nil {
		return err
	}
	if !c.ExpiresAt.After(s.now()) {
		_ = s.o.Store.DeleteCode(ctx, p, key)
		return problem.InvalidField(field, msgCodeExpired)
	}
	if !c.matches(typed) {
		return problem.InvalidField(field, msgCode)
	}
	if err := s.o.Store.DeleteCode(ctx, p, key); err != nil {
		return err
	}
	return s.o.Limits.Succeeded(ctx, t)
}

// SubmitCodes takes the code step: the code sent to the phone (field code_phone) and the one sent
// to the e-mail (code_email). Once every one is right it tells, to the owner only, whether the
// phone or the e-mail already has an account.
func (s *Provider) SubmitCodes(ctx context.Context, f *flow.Flow, codes map[string]string, o Origin) error {
	if f.State != StepCode {
		return problem.New(problem.Conflict, msgStale)
	}
	var fe problem.Fields
	for kind, to := range map[string]string{"phone": f.Data["phone"], "email": f.Data["email"]} {
		if to == "" || f.Data["verified."+to] != "" {
			continue
		}
		field := "code_" + kind
		if strings.TrimSpace(codes[field]) == "" {
			fe.Add(field, msgRequired.With(i18n.Field(field)))
			continue
		}
		if err := s.checkCode(ctx, ForRegistration, f.ID+":"+to, codes[field], field, o); err != nil {
			if p, ok := problem.As(err); ok && p.Code == problem.Invalid {
				fe = append(fe, p.Fields...)
				continue
			}
			return err
		}
		f.Data["verified."+to] = "1"
	}
	if err := fe.Err(); err != nil {
		f.Attempts++
		_ = s.o.Flows.Save(ctx, f)
		return err
	}
	for kind, to := range map[LoginKind]string{ByPhone: f.Data["phone"], ByEmail: f.Data["email"]} {
		if to == "" {
			continue
		}
		if _, err := s.o.Store.AccountBy(ctx, kind, to); err == nil {
			_ = s.o.Flows.Save(ctx, f)
			return problem.InvalidField(string(kind), msgTaken(string(kind)))
		} else if !errors.Is(err, storeerr.ErrNotFound) {
			return err
		}
	}
	f.State = StepPassword
	return s.o.Flows.Save(ctx, f)
}

// Secret is what the last step of a registration (and a recovery) takes.
type Secret struct {
	Password, Again  string
	Question, Answer string
	Accepted         []string // the documents accepted ("terms", "personal_data")
}

// SubmitPassword takes the last step and creates the account at the simplified level.
func (s *Provider) SubmitPassword(ctx context.Context, f *flow.Flow, sec Secret, o Origin) (*Account, error) {
	if f.State != StepPassword {
		return nil, problem.New(problem.Conflict, msgStale)
	}
	var fe problem.Fields
	CheckPassword(&fe, "password", sec.Password, sec.Again, f.Data["phone"], f.Data["email"], f.Data["surname"])
	question, answer := strings.TrimSpace(sec.Question), strings.TrimSpace(sec.Answer)
	if question != "" || answer != "" {
		if utf8.RuneCountInString(question) < 5 || utf8.RuneCountInString(question) > 200 {
			fe.Add("question", msgQuestion)
		}
		switch n := utf8.RuneCountInString(answer); {
		case n == 0:
			fe.Add("answer", msgRequired.With(i18n.Field("answer")))
		case n < 2 || n > 100:
			fe.Add("answer", msgAnswerLength)
		}
	} else {
		fe.Add("question", msgQuestion)
		fe.Add("answer", msgRequired.With(i18n.Field("answer")))
	}
	now := s.now().UTC()
	var consents []Consent
	for _, d := range s.o.Documents {
		ok := false
		for _, a := range sec.Accepted {
			ok = ok || a == d.Doc
		}
		if !ok {
			fe.Add("accept_"+d.Doc, msgConsent.With(i18n.Key("idp.doc."+d.Doc)))
		}
		consents = append(consents, Consent{Doc: d.Doc, Version: d.Version, At: now})
	}
	if err := fe.Err(); err != nil {
		f.Attempts++
		_ = s.o.Flows.Save(ctx, f)
		return nil, err
	}
	hash, err := s.o.Hasher.Hash(ctx, sec.Password)
	if err != nil {
		return nil, err
	}
	answerHash, err := s.o.Hasher.Hash(ctx, names.Fold(answer))
	if err != nil {
		return nil, err
	}
	a := Account{ID: newID(), Kind: Kind(f.Data["kind"]), Organization: Organization{OGRN: f.Data["organization_ogrn"], Name: f.Data["organization_name"]}, Surname: f.Data["surname"], GivenName: f.Data["given_name"], Patronymic: f.Data["patronymic"],
		Phone: f.Data["phone"], Email: f.Data["email"], Level: Simplified, PasswordHash: hash, Question: question, AnswerHash: answerHash,
		Consents: consents, CreatedAt: now, PasswordSetAt: now, Version: 1, Lang: messageLang(f.Data["lang"])}
	msgs, err := s.notifyAccount(&a, "notify.idp.welcome", a.GivenName)
	if err != nil {
		return nil, err
	}
	if err := s.o.Store.InsertAccount(ctx, a, Effects{Events: []Event{s.event(a.ID, "registered", o, string(a.Kind))}, Messages: msgs}); err != nil {
		if key, taken := storeerr.IsKeyTaken(err); taken {
			return nil, problem.InvalidField(takenField(key), msgTaken(key))
		}
		return nil, err
	}
	if err := s.o.Flows.Finish(ctx, f); err != nil {
		return nil, err
	}
	return &a, nil
}

// messageLang is the language the messages to a new account are sent in: the one the citizen
// registered in, when kabinet has it.
func messageLang(lang string) string {
	if slices.Contains(i18n.Languages(), lang) {
		return lang
	}
	return i18n.Default
}
