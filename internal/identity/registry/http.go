package registry

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
)

// The wire protocol of the HTTP adapter (IDP-3). One question is one request:
//
//	POST {base}/{registry}/check          registry: pension_fund, migration (tax_register is never asked)
//	Content-Type: application/json
//	X-Request-Id: 32 hex digits, the same for every try of one question
//
//	{"surname": "Соколова", "given_name": "Анна", "patronymic": "Сергеевна",
//	 "birth_date": "1988-05-14",
//	 "snils": "11223344595",                                       pension fund only
//	 "passport": {"type": "passport_ru", "series": "4510",        migration service only
//	              "number": "123456", "issued_on": "2008-06-01"},
//	 "inn": "…"}                                                   other registries only
//
// Each registry is sent only what it checks: the pension fund the name, birth date and СНИЛС,
// the migration service the name, birth date and passport. The answer, with status 200:
//
//	{"status": "ready", "ok": true}
//	{"status": "ready", "ok": false, "reason": "passport_invalid"}
//	{"status": "pending", "retry_after_seconds": 3600}
//
// "pending" means the registry has not decided yet: kabinet asks again after retry_after_seconds
// (60 when missing; at most a day later). The reasons of a refusal are not_found,
// snils_mismatch, passport_invalid, passport_unknown and inn_mismatch; any other (or none) is
// shown as a refusal without a known reason (ReasonRefused). A 408, 429 or 5xx status, a timeout
// and a failed connection are transient: the question is tried again in the same Check, after a
// back-off (or the Retry-After the server sent), up to Attempts tries; then Check returns an
// error and the verification job asks again later, the citizen seeing "in progress". Any other
// status, an answer that is not the protocol's, and a refused TLS handshake are errors at once.
// Neither errors nor logs carry the person's data: only the registry, the status and the try.

// HTTPOptions configure the HTTP adapter.
type HTTPOptions struct {
	// URL is the registries' base URL (https://registry.example/api/v1): each registry is a
	// path below it.
	URL string
	// Timeout bounds each request, connection and answer included: 10 s when zero.
	Timeout time.Duration
	// Attempts is how many times one Check tries a question that failed transiently: 3 when
	// zero, 1 for no retry.
	Attempts int
	// Backoff is the wait before the second try, doubled before each further one (at most
	// MaxBackoff): 500 ms when zero.
	Backoff time.Duration
	// CertFile and KeyFile are the client certificate and its key (PEM) kabinet authenticates
	// with (mutual TLS); both or neither.
	CertFile, KeyFile string
	// CAFile holds the certificates (PEM) of the CAs the server's certificate must chain to,
	// trusted instead of the system's; empty: the system's.
	CAFile string
	// Now is the clock a pending answer's retry time is counted on; time.Now when nil.
	Now func() time.Time
	// Sleep waits between tries, returning early with the context's error; tests pass one that
	// records the waits and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// MaxBackoff is the longest wait between two tries of one Check; a server asking (by
// Retry-After) to wait longer is not tried again in this Check.
const MaxBackoff = 10 * time.Second

// maxRetryAfter is the latest a pending answer is asked again, whatever the registry says.
const maxRetryAfter = 24 * time.Hour

// HTTP asks registries over HTTP with the protocol above; it implements identity.Registry.
type HTTP struct {
	base   *url.URL
	client *http.Client
	o      HTTPOptions
}

var _ identity.Registry = (*HTTP)(nil)

// NewHTTP returns the adapter, its TLS configured from the files of o (read now: a wrong file
// is an error at start, not at the first question).
func NewHTTP(o HTTPOptions) (*HTTP, error) {
	base, err := url.Parse(strings.TrimRight(o.URL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("registry: the URL must be an absolute http:// or https:// URL")
	}
	if base.User != nil {
		return nil, fmt.Errorf("registry: the URL must not carry credentials (use a client certificate)")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Attempts <= 0 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	tc, err := tlsConfig(o)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	tr.Proxy = nil // registries are reached directly, never through the environment's proxy
	return &HTTP{base: base, o: o, client: &http.Client{Transport: tr, Timeout: o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

func tlsConfig(o HTTPOptions) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case o.CertFile != "" && o.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("registry: client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	case o.CertFile != "" || o.KeyFile != "":
		return nil, errors.New("registry: a client certificate needs both its certificate and its key file")
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("registry: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("registry: CA file %s holds no PEM certificate", o.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type wirePassport struct {
	Type     string `json:"type,omitempty"`
	Series   string `json:"series,omitempty"`
	Number   string `json:"number"`
	IssuedOn string `json:"issued_on,omitempty"`
}

type wireQuery struct {
	Surname    string        `json:"surname"`
	GivenName  string        `json:"given_name"`
	Patronymic string        `json:"patronymic,omitempty"`
	BirthDate  string        `json:"birth_date,omitempty"`
	SNILS      string        `json:"snils,omitempty"`
	Passport   *wirePassport `json:"passport,omitempty"`
	INN        string        `json:"inn,omitempty"`
}

type wireAnswer struct {
	Status            string  `json:"status"`
	OK                bool    `json:"ok"`
	Reason            string  `json:"reason,omitempty"`
	RetryAfterSeconds float64 `json:"retry_after_seconds,omitempty"`
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// query is what registry r is sent of q: only what it checks.
func query(r identity.RegistryName, q identity.PersonQuery) wireQuery {
	w := wireQuery{Surname: q.Surname, GivenName: q.GivenName, Patronymic: q.Patronymic, BirthDate: day(q.BirthDate)}
	passport := &wirePassport{Type: q.Passport.Type, Series: q.Passport.Series, Number: q.Passport.Number, IssuedOn: day(q.Passport.IssuedOn)}
	switch r {
	case identity.PensionFund:
		w.SNILS = q.SNILS
	case identity.Migration:
		w.Passport = passport
	default:
		w.SNILS, w.Passport, w.INN = q.SNILS, passport, q.INN
	}
	return w
}

// transientError is a failure worth another try: the registry may answer next time.
type transientError struct {
	err        error
	retryAfter time.Duration // what the server asked for, when it did
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// Check asks registry r about q (IDP-3), trying again after transient failures.
func (h *HTTP) Check(ctx context.Context, r identity.RegistryName, q identity.PersonQuery) (identity.Answer, error) {
	body, err := json.Marshal(query(r, q))
	if err != nil {
		return identity.Answer{}, fmt.Errorf("registry %s: %w", r, err)
	}
	endpoint := h.base.JoinPath(string(r), "check").String()
	id := requestID()
	wait := h.o.Backoff
	for try := 1; ; try++ {
		ans, err := h.ask(ctx, endpoint, id, body)
		if err == nil {
			return ans, nil
		}
		err = fmt.Errorf("registry %s: try %d of %d: %w", r, try, h.o.Attempts, err)
		var te *transientError
		if !errors.As(err, &te) || try >= h.o.Attempts || ctx.Err() != nil {
			return identity.Answer{}, err
		}
		d := wait
		if te.retryAfter > d {
			if te.retryAfter > MaxBackoff {
				return identity.Answer{}, err // the server asks for longer than a Check waits
			}
			d = te.retryAfter
		}
		if serr := h.o.Sleep(ctx, d); serr != nil {
			return identity.Answer{}, errors.Join(err, serr)
		}
		wait = min(2*wait, MaxBackoff)
	}
}

// ask makes one try.
func (h *HTTP) ask(ctx context.Context, endpoint, id string, body []byte) (identity.Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return identity.Answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "kabinet")
	req.Header.Set("X-Request-Id", id)
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil || refusedTLS(err) {
			return identity.Answer{}, err
		}
		return identity.Answer{}, &transientError{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return identity.Answer{}, &transientError{err: fmt.Errorf("status %d", resp.StatusCode), retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	case resp.StatusCode != http.StatusOK:
		return identity.Answer{}, fmt.Errorf("status %d", resp.StatusCode)
	case err != nil:
		return identity.Answer{}, &transientError{err: fmt.Errorf("reading the answer: %w", err)}
	}
	var w wireAnswer
	if err := json.Unmarshal(data, &w); err != nil {
		// The answer's text is not quoted: it may hold what the registry knows of the person.
		return identity.Answer{}, errors.New("the answer is not JSON of the protocol")
	}
	return h.answer(w)
}

// answer words a registry's answer.
func (h *HTTP) answer(w wireAnswer) (identity.Answer, error) {
	switch w.Status {
	case "ready":
		if w.OK {
			return identity.Answer{Ready: true, OK: true}, nil
		}
		return identity.Answer{Ready: true, Reason: ReasonKey(w.Reason)}, nil
	case "pending":
		var after time.Duration
		switch secs := w.RetryAfterSeconds; {
		case secs <= 0:
			after = time.Minute
		case secs >= maxRetryAfter.Seconds():
			after = maxRetryAfter
		default:
			after = time.Duration(secs * float64(time.Second)).Round(time.Second)
		}
		return identity.Answer{RetryAt: h.o.Now().UTC().Add(after)}, nil
	}
	return identity.Answer{}, errors.New("the answer's status is neither ready nor pending")
}

// refusedTLS reports whether a TLS handshake failed for a reason another try will not change: the
// server's certificate is not trusted, or the server refused kabinet's.
func refusedTLS(err error) bool {
	var cv *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var op *net.OpError // a TLS alert from the server ("certificate required", "bad certificate")
	return errors.As(err, &cv) || errors.As(err, &unknown) || errors.As(err, &host) || (errors.As(err, &op) && op.Op == "remote error")
}

// retryAfter reads a Retry-After header given in seconds (the form registries use).
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
