package e2e

import (
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	kapp "github.com/kabinet/kabinet/internal/app"
)

// The outside world of the citizens' journeys: a real SMTP server and an SMS gateway that the
// application's senders deliver to, so that a test reads a one-time code where its owner would.

// outside is the mailbox and the phone of the test's citizens.
type outside struct {
	mu   sync.Mutex
	sms  []delivery
	mail []delivery
}

// delivery is one message as its recipient got it.
type delivery struct{ To, Subject, Text string }

// newOutside starts the SMTP server and the SMS gateway and returns the senders that deliver to
// them.
func newOutside(t *testing.T) (*outside, kapp.Senders) {
	t.Helper()
	o := &outside{}
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ ID, To, Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		o.mu.Lock()
		o.sms = append(o.sms, delivery{To: m.To, Text: m.Text})
		o.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(gw.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtpBackend{o})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	senders, err := kapp.NewSenders("smtp://"+ln.Addr().String()+"?starttls=none&from=noreply@kabinet.test", gw.URL+"/send")
	if err != nil {
		t.Fatal(err)
	}
	return o, senders
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// code returns the one-time code of the last message delivered to (a phone or an e-mail), or "".
func (o *outside) code(to string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, list := range [][]delivery{o.sms, o.mail} {
		for i := len(list) - 1; i >= 0; i-- {
			if list[i].To == to {
				if c := sixDigits.FindString(list[i].Text); c != "" {
					return c
				}
			}
		}
	}
	return ""
}

// texts returns every text delivered to a phone or an e-mail, oldest first.
func (o *outside) texts(to string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, list := range [][]delivery{o.sms, o.mail} {
		for _, d := range list {
			if d.To == to {
				out = append(out, d.Subject+" "+d.Text)
			}
		}
	}
	return out
}

type smtpBackend struct{ o *outside }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{o: b.o}, nil }

type smtpSession struct {
	o  *outside
	to []string
}

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data reads the message as a mail client would: the subject decoded, the body's
// quoted-printable undone.
func (s *smtpSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	s.o.mu.Lock()
	for _, to := range s.to {
		s.o.mail = append(s.o.mail, delivery{To: to, Subject: subject, Text: string(text)})
	}
	s.o.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.to = nil }
func (s *smtpSession) Logout() error { return nil }
