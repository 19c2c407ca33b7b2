// Package notify sends e-mails and SMS by message key and language, through the outbox: a message
// is rendered from the catalogue (internal/i18n) in the recipient's language, stored, and a job
// carrying its id is enqueued in the same transaction (internal/jobs), so a message exists and is
// sent exactly when the change that calls for it is committed, and a failure to send is retried
// from the outbox while the change stays committed. The job handlers load the message, hand it
// to an EmailSender or an SMSSender and mark it sent.
//
// A message's personal content (its recipient, its text, a code in it) never reaches a log or a
// job's error: handlers and senders name a message by its id only.
//
// This package holds the rules and declares the Store and the senders it needs; it imports no SQL
// driver and no net/http. The senders are adapters in smtpmail (SMTP) and smsgateway (an HTTP
// gateway); the store package implements Store.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Channel is how a message travels.
type Channel string

// The channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// State is where a message is: queued in the outbox, or sent.
type State string

// The states of a message.
const (
	Queued State = "queued"
	Sent   State = "sent"
)

// The job kinds that send messages, one per channel; their payload is {"message": "<id>"}.
const (
	EmailJob = "notify.email"
	SMSJob   = "notify.sms"
)

// Message is a notification to one recipient. A caller fills in Channel, To, Lang, Key and Args;
// Prepare renders it from the catalogue keys "<Key>.subject" (e-mail only) and "<Key>.body"
// formatted with Args, and gives it its id.
type Message struct {
	ID        string // random; the same for every attempt, so a receiver can recognise a repeat
	Channel   Channel
	To        string   // an e-mail address, or a phone number in international form (+7…)
	Lang      string   // the recipient's language; empty or unknown: i18n.Default
	Key       string   // catalogue key prefix, e.g. "notify.code"
	Args      []string // the arguments of the texts (not stored: the rendered texts are)
	Subject   string   // rendered (e-mail only)
	Body      string   // rendered
	State     State
	CreatedAt time.Time
	SentAt    time.Time
}

// Job returns the job that sends m, due when m was made (by the clock of whoever made it).
func (m Message) Job() jobs.Spec {
	kind := EmailJob
	if m.Channel == SMS {
		kind = SMSJob
	}
	payload, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{m.ID})
	return jobs.Spec{Kind: kind, Payload: payload, Key: "notify:" + m.ID, RunAt: m.CreatedAt}
}

// Prepare validates messages, renders their texts in their languages and gives each a new id,
// the state queued and the creation time now. Its errors name a message by its position, never
// by its content.
func Prepare(now time.Time, msgs ...Message) ([]Message, error) {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		if err := check(m); err != nil {
			return nil, fmt.Errorf("notify: message %d: %w", i+1, err)
		}
		if !i18n.Supported(m.Lang) {
			m.Lang = i18n.Default
		}
		subject, body, err := Render(m.Channel, m.Lang, m.Key, m.Args...)
		if err != nil {
			return nil, fmt.Errorf("notify: message %d: %w", i+1, err)
		}
		m.ID, m.Subject, m.Body, m.State, m.CreatedAt, m.SentAt = newID(), subject, body, Queued, now.UTC(), time.Time{}
		out[i] = m
	}
	return out, nil
}

// Render returns the subject (e-mail only) and the body of message key in lang with args.
func Render(ch Channel, lang, key string, args ...string) (subject, body string, err error) {
	a := make([]any, len(args))
	for i, s := range args {
		a[i] = s
	}
	if !i18n.Has(lang, key+".body") {
		return "", "", fmt.Errorf("no text %s.body in %s", key, lang)
	}
	body = text(lang, key+".body", a)
	if ch == Email {
		if !i18n.Has(lang, key+".subject") {
			return "", "", fmt.Errorf("no text %s.subject in %s", key, lang)
		}
		subject = text(lang, key+".subject", a)
	}
	return subject, body, nil
}

// text formats key's text with args, or returns it as it is when it takes none (a subject that
// names no argument of its body).
func text(lang, key string, args []any) string {
	if raw := i18n.T(lang, key); !strings.Contains(raw, "%") {
		return raw
	}
	return i18n.T(lang, key, args...)
}

func check(m Message) error {
	switch m.Channel {
	case Email:
		if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To || a.Name != "" {
			return errors.New("the recipient is not a bare e-mail address")
		}
	case SMS:
		if !IsPhone(m.To) {
			return errors.New("the recipient is not a phone number in international form")
		}
	default:
		return fmt.Errorf("unknown channel %q", m.Channel)
	}
	if m.Key == "" {
		return errors.New("no message key")
	}
	return nil
}

// IsPhone reports whether s is a phone number in international (E.164) form: "+" and 8 to 15
// digits, the first not 0.
func IsPhone(s string) bool {
	d, ok := strings.CutPrefix(s, "+")
	if !ok || len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Store is the storage of the outbox.
type Store interface {
	// Send stores prepared messages (see Prepare) and enqueues the job of each, in one transaction.
	Send(ctx context.Context, msgs ...Message) error
	// Message returns a message (storeerr.ErrNotFound when there is none).
	Message(ctx context.Context, id string) (Message, error)
	// MarkSent records that a message was sent.
	MarkSent(ctx context.Context, id string, at time.Time) error
	// Outbox returns the newest messages first, at most limit (≤ 0: 50).
	Outbox(ctx context.Context, limit int) ([]Message, error)
}

// EmailSender delivers e-mails. Its errors must carry no personal content (see jobs.Handler);
// an error marked jobs.Permanent is not retried.
type EmailSender interface {
	SendEmail(ctx context.Context, m Message) error
}

// SMSSender delivers SMS, with the same rules for its errors as EmailSender.
type SMSSender interface {
	SendSMS(ctx context.Context, m Message) error
}

// Service sends messages through the outbox.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns the service over s; now is the clock (nil: time.Now).
func New(s Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, now: now}
}

// Send prepares messages and puts them in the outbox, and returns them as stored. A store method
// that sends messages as part of a change prepares them with Prepare and stores them in the
// change's own transaction instead.
func (s *Service) Send(ctx context.Context, msgs ...Message) ([]Message, error) {
	prepared, err := Prepare(s.now(), msgs...)
	if err != nil {
		return nil, err
	}
	return prepared, s.store.Send(ctx, prepared...)
}

// Outbox returns the newest messages first (for a demo page).
func (s *Service) Outbox(ctx context.Context, limit int) ([]Message, error) {
	return s.store.Outbox(ctx, limit)
}

// Handlers returns the job handlers of the channels that have a sender: with no SMTP server
// configured there is no e-mail handler, and the e-mails stay queued in the outbox until a
// process that has one runs them.
func (s *Service) Handlers(email EmailSender, sms SMSSender) map[string]jobs.Handler {
	h := map[string]jobs.Handler{}
	if email != nil {
		h[EmailJob] = s.handler(Email, email.SendEmail)
	}
	if sms != nil {
		h[SMSJob] = s.handler(SMS, sms.SendSMS)
	}
	return h
}

// handler sends the message a job names. Its errors name the message by its id only.
func (s *Service) handler(ch Channel, send func(context.Context, Message) error) jobs.Handler {
	return func(ctx context.Context, j jobs.Job) error {
		var p struct {
			Message string `json:"message"`
		}
		if err := json.Unmarshal(j.Payload, &p); err != nil || p.Message == "" {
			return jobs.Permanent(errors.New("notify: the job names no message"))
		}
		m, err := s.store.Message(ctx, p.Message)
		if storeerr.IsNotFound(err) {
			return jobs.Permanent(fmt.Errorf("notify: message %s does not exist", p.Message))
		}
		if err != nil {
			return fmt.Errorf("notify: load message %s: %w", p.Message, err)
		}
		if m.State == Sent { // sent by an earlier run that died before its job was marked done
			return nil
		}
		if m.Channel != ch {
			return jobs.Permanent(fmt.Errorf("notify: message %s is not an %s message", m.ID, ch))
		}
		if err := send(ctx, m); err != nil {
			return fmt.Errorf("notify: send %s message %s: %w", ch, m.ID, err)
		}
		return s.store.MarkSent(ctx, m.ID, s.now())
	}
}
