// Package smtpmail is the SMTP adapter of notify: it sends a notify.Message as a plain-text UTF-8
// e-mail through an SMTP server named by a URL. It holds no rule of its own; its errors name
// what failed and the server's reply code, never an address or the text (notify's rule).
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
)

// Sender sends e-mails through one SMTP server. It is safe for concurrent use: each message
// goes over a connection of its own.
type Sender struct {
	host    string
	from    string
	domain  string // of the sender's address: the right-hand side of every Message-ID
	opts    []gomail.Option
	now     func() time.Time
	timeout time.Duration
}

// New returns a sender for the server named by rawURL:
//
//	smtp://user:pass@host:port?from=kabinet@example.org     STARTTLS, required (port 587 by default)
//	smtp://host:25?starttls=opportunistic&from=…           STARTTLS when the server offers it
//	smtp://127.0.0.1:25?starttls=none&from=…               a local relay, no TLS
//	smtps://user:pass@host:port?from=…                     implicit TLS (port 465 by default)
//
// With a user, it authenticates with AUTH PLAIN (only over TLS, unless starttls=none). from is
// required. tlsConfig, if not nil, is used for TLS (its ServerName defaults to the host): tests
// pass one that trusts their own CA.
func New(rawURL string, tlsConfig *tls.Config) (*Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("smtpmail: the SMTP URL does not parse")
	}
	q := u.Query()
	from := q.Get("from")
	addr, err := mail.ParseAddress(from)
	if err != nil || addr.Name != "" {
		return nil, errors.New("smtpmail: the SMTP URL needs ?from= with the sender's bare address")
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("smtpmail: the SMTP URL names no host")
	}
	s := &Sender{host: host, from: addr.Address, domain: addr.Address[strings.LastIndex(addr.Address, "@")+1:], now: time.Now, timeout: 30 * time.Second}
	port := 587
	switch u.Scheme {
	case "smtp":
		policy := gomail.TLSMandatory
		switch q.Get("starttls") {
		case "", "required":
		case "opportunistic":
			policy = gomail.TLSOpportunistic
		case "none":
			policy = gomail.NoTLS
		default:
			return nil, fmt.Errorf("smtpmail: starttls=%q: want required, opportunistic or none", q.Get("starttls"))
		}
		s.opts = append(s.opts, gomail.WithTLSPolicy(policy))
	case "smtps":
		port = 465
		s.opts = append(s.opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("smtpmail: scheme %q: want smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, errors.New("smtpmail: the SMTP URL's port is not a number")
		}
	}
	s.opts = append(s.opts, gomail.WithPort(port), gomail.WithTimeout(s.timeout))
	if tlsConfig != nil {
		c := tlsConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		s.opts = append(s.opts, gomail.WithTLSConfig(c))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		auth := gomail.SMTPAuthPlain
		if q.Get("starttls") == "none" {
			auth = gomail.SMTPAuthPlainNoEnc // a local relay without TLS: the operator's choice
		}
		s.opts = append(s.opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	if hostname, err := os.Hostname(); err == nil && hostname != "" {
		s.opts = append(s.opts, gomail.WithHELO(hostname))
	}
	return s, nil
}

// MessageID returns the Message-ID of m (without angle brackets): derived from its id, so every
// attempt to send it carries the same one.
func (s *Sender) MessageID(m notify.Message) string { return "notify." + m.ID + "@" + s.domain }

// SendEmail sends m. A refusal the server says is final (a 5xx reply to the sender, the
// recipient or the data) is marked jobs.Permanent; anything else may be retried.
func (s *Sender) SendEmail(ctx context.Context, m notify.Message) error {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(s.from); err != nil {
		return jobs.Permanent(errors.New("smtpmail: the sender's address is refused"))
	}
	if err := msg.To(m.To); err != nil {
		return jobs.Permanent(errors.New("smtpmail: the recipient's address is refused"))
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	msg.SetMessageIDWithValue(s.MessageID(m))
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return jobs.Permanent(errors.New("smtpmail: the SMTP settings are refused"))
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.timeout)
	defer cancel()
	return sendError(client.DialAndSendWithContext(ctx, msg))
}

// sendError turns go-mail's error into one without personal content: what failed and the
// server's reply code (the reply's text may quote the address, so it is left out).
func sendError(err error) error {
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := ""
		if c := se.ErrorCode(); c > 0 {
			code = " (SMTP " + strconv.Itoa(c)
			if e := se.EnhancedStatusCode(); e != "" {
				code += " " + e
			}
			code += ")"
		}
		out := fmt.Errorf("smtpmail: %s failed%s", se.Reason, code)
		switch se.Reason {
		case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			if !se.IsTemp() && se.ErrorCode() >= 500 {
				return jobs.Permanent(out)
			}
		}
		return out
	}
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return errors.New("smtpmail: the SMTP server did not answer in time")
	case errors.As(err, new(*tls.CertificateVerificationError)):
		return errors.New("smtpmail: the SMTP server's certificate is not trusted")
	case errors.As(err, new(*net.OpError)):
		return errors.New("smtpmail: cannot connect to the SMTP server")
	case strings.Contains(strings.ToLower(err.Error()), "auth"):
		return errors.New("smtpmail: the SMTP server refused the login")
	case strings.Contains(strings.ToLower(err.Error()), "tls"):
		return errors.New("smtpmail: the SMTP server offers no TLS, or the TLS handshake failed")
	}
	return errors.New("smtpmail: the SMTP session failed")
}
