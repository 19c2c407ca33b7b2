// Package smsgateway is the SMS adapter of notify: it posts a notify.Message to an HTTP gateway as
// JSON {"id": "<message id>", "to": "+7…", "text": "…"}. The id is the same for every attempt, so
// the gateway can recognise a repeated send. It holds no rule of its own; its errors name the
// gateway's status code, never the number, the text or the gateway's URL (which may hold a key).
package smsgateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
)

// Timeout bounds one request to the gateway, unless the caller's client says otherwise.
const Timeout = 15 * time.Second

// Sender posts SMS to one gateway.
type Sender struct {
	url    string
	client *http.Client
}

// New returns a sender posting to rawURL (http or https; credentials may be in the URL's user
// info or query, as the gateway wants them). client nil means a client with Timeout.
func New(rawURL string, client *http.Client) (*Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("smsgateway: the gateway URL must be an http:// or https:// URL")
	}
	if client == nil {
		client = &http.Client{Timeout: Timeout}
	}
	return &Sender{url: rawURL, client: client}, nil
}

// SendSMS posts m. A 2xx answer is success; 408, 429 and 5xx answers and network failures are
// retried; any other answer (a 4xx: the gateway refuses this message) is jobs.Permanent.
func (s *Sender) SendSMS(ctx context.Context, m notify.Message) error {
	body, err := json.Marshal(struct {
		ID   string `json:"id"`
		To   string `json:"to"`
		Text string `json:"text"`
	}{m.ID, m.To, m.Body})
	if err != nil {
		return jobs.Permanent(errors.New("smsgateway: cannot encode the message"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(errors.New("smsgateway: cannot build the request"))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.ID)
	resp, err := s.client.Do(req)
	if err != nil {
		var netErr net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
			return errors.New("smsgateway: the gateway did not answer in time")
		}
		return errors.New("smsgateway: cannot reach the gateway") // the error quotes the URL: left out
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return fmt.Errorf("smsgateway: the gateway answered %d", c)
	case c >= 400:
		return jobs.Permanent(fmt.Errorf("smsgateway: the gateway refused the message (%d)", c))
	default:
		return fmt.Errorf("smsgateway: unexpected answer %d", c)
	}
}
