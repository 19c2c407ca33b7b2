package smtpmail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/notify/smtpmail"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testCA makes a CA and a certificate of 127.0.0.1 signed by it: the server's TLS configuration,
// and a client configuration trusting only that CA.
func testCA(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kabinet test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// mailbox is the test SMTP server's backend: it accepts AUTH PLAIN of one user and records
// every message, refusing recipients at refused.example.
type mailbox struct {
	mu       sync.Mutex
	messages []received
	authed   []bool
}

type received struct {
	from string
	to   []string
	data []byte
	tls  bool
}

func (b *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{box: b, conn: c}, nil
}

type session struct {
	box    *mailbox
	conn   *smtp.Conn
	authed bool
	msg    received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "kabinet" || password != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	_, isTLS := s.conn.TLSConnectionState()
	s.msg = received{from: from, tls: isTLS}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refused.example") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox " + to + " unavailable"}
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = b
	s.box.mu.Lock()
	s.box.messages = append(s.box.messages, s.msg)
	s.box.authed = append(s.box.authed, s.authed)
	s.box.mu.Unlock()
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// startSMTP starts an SMTP server on 127.0.0.1 offering STARTTLS with cfg (nil: no TLS).
func startSMTP(t *testing.T, cfg *tls.Config) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "mx.test"
	srv.TLSConfig = cfg
	srv.AllowInsecureAuth = cfg == nil
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().String()
}

// TestSMTPDeliversThroughTheOutbox sends a Russian message through the outbox to a real SMTP
// server with STARTTLS and AUTH PLAIN, and checks what arrived: the headers and the decoded text.
func TestSMTPDeliversThroughTheOutbox(t *testing.T) {
	serverTLS, clientTLS := testCA(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		box, addr := startSMTP(t, serverTLS)
		sender, err := smtpmail.New("smtp://kabinet:s3cret@"+addr+"?from=noreply@kabinet.example", clientTLS)
		if err != nil {
			t.Fatal(err)
		}
		svc := notify.New(store.NewNotify(db), nil)
		msgs, err := svc.Send(ctx, notify.Message{Channel: notify.Email, To: "elena@example.org", Lang: "ru", Key: "notify.welcome", Args: []string{"Елена Викторовна"}},
			notify.Message{Channel: notify.Email, To: "nobody@refused.example", Lang: "ru", Key: "notify.code", Args: []string{"123456"}})
		if err != nil {
			t.Fatal(err)
		}
		q := store.NewJobs(db)
		w := jobs.NewWorker(q, svc.Handlers(sender, nil), jobs.Options{Log: slog.New(slog.DiscardHandler)})
		if n, err := w.RunOnce(ctx); err != nil || n != 2 {
			t.Fatalf("run: %d %v", n, err)
		}
		box.mu.Lock()
		defer box.mu.Unlock()
		if len(box.messages) != 1 || !box.messages[0].tls || !box.authed[0] {
			t.Fatalf("received %d messages (TLS, AUTH: %+v)", len(box.messages), box.authed)
		}
		got := box.messages[0]
		if got.from != "noreply@kabinet.example" || len(got.to) != 1 || got.to[0] != "elena@example.org" {
			t.Fatalf("envelope: %s → %v", got.from, got.to)
		}
		m, err := mail.ReadMessage(bytes.NewReader(got.data))
		if err != nil {
			t.Fatal(err)
		}
		h := m.Header
		subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		if err != nil || subject != "Учётная запись создана" || h.Get("Subject") == subject {
			t.Fatalf("Subject %q (decoded %q, %v): want it encoded", h.Get("Subject"), subject, err)
		}
		if from, _ := mail.ParseAddress(h.Get("From")); from == nil || from.Address != "noreply@kabinet.example" {
			t.Fatalf("From %q", h.Get("From"))
		}
		if to, _ := mail.ParseAddress(h.Get("To")); to == nil || to.Address != "elena@example.org" {
			t.Fatalf("To %q", h.Get("To"))
		}
		if d, err := h.Date(); err != nil || time.Since(d) > time.Hour {
			t.Fatalf("Date %q: %v", h.Get("Date"), err)
		}
		if h.Get("Message-ID") != "<notify."+msgs[0].ID+"@kabinet.example>" {
			t.Fatalf("Message-ID %q, want one derived from message %s", h.Get("Message-ID"), msgs[0].ID)
		}
		if mt, params, err := mime.ParseMediaType(h.Get("Content-Type")); err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
			t.Fatalf("Content-Type %q", h.Get("Content-Type"))
		}
		var body io.Reader = m.Body
		if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(m.Body)
		}
		text, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), "Здравствуйте, Елена Викторовна!") || !strings.Contains(string(text), "учётная запись в личном кабинете") {
			t.Fatalf("body %q", text)
		}
		if bytes.Contains(got.data, []byte("Здравствуйте")) && h.Get("Content-Transfer-Encoding") == "" {
			t.Fatal("8-bit text without a transfer encoding")
		}

		// The refused recipient's message is dead at once, and its job's error names the reply
		// code, not the address.
		dead, err := q.List(ctx, jobs.Filter{State: jobs.Dead})
		if err != nil || len(dead) != 1 || dead[0].Attempts != 1 {
			t.Fatalf("dead jobs: %+v %v", dead, err)
		}
		if e := dead[0].LastError; !strings.Contains(e, "550") || strings.Contains(e, "refused.example") || !strings.Contains(e, msgs[1].ID) {
			t.Fatalf("last error %q", e)
		}
		for i, want := range []notify.State{notify.Sent, notify.Queued} {
			if m, _ := store.NewNotify(db).Message(ctx, msgs[i].ID); m.State != want {
				t.Fatalf("message %d: %s, want %s", i, m.State, want)
			}
		}
	})
}

// TestSMTPRequiresTLS checks that a server without STARTTLS is refused (and the send retried)
// unless the URL says starttls=none, as for a local relay.
func TestSMTPRequiresTLS(t *testing.T) {
	_, addr := startSMTP(t, nil)
	msg := notify.Message{ID: "0123456789abcdef0123456789abcdef", Channel: notify.Email, To: "elena@example.org", Subject: "Тема", Body: "Текст"}
	strict, err := smtpmail.New("smtp://"+addr+"?from=noreply@kabinet.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = strict.SendEmail(context.Background(), msg)
	if err == nil || jobs.IsPermanent(err) || strings.Contains(err.Error(), "elena") {
		t.Fatalf("STARTTLS required, server without TLS: %v", err)
	}
	relay, err := smtpmail.New("smtp://kabinet:s3cret@"+addr+"?from=noreply@kabinet.example&starttls=none", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := relay.SendEmail(context.Background(), msg); err != nil {
		t.Fatalf("local relay: %v", err)
	}
}

func TestSMTPURL(t *testing.T) {
	for _, bad := range []string{
		"smtp://host:25", // no from
		"smtp://host:25?from=Kabinet <a@b.example>", // not a bare address
		"http://host?from=a@b.example",
		"smtp://?from=a@b.example",
		"smtp://host:x?from=a@b.example",
		"smtp://host?from=a@b.example&starttls=maybe",
	} {
		if _, err := smtpmail.New(bad, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"smtp://u:p@host?from=a@b.example", "smtps://host?from=a@b.example", "smtp://host:2525?from=a@b.example&starttls=opportunistic"} {
		if _, err := smtpmail.New(good, nil); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
}
