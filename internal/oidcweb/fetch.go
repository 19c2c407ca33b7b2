package oidcweb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Fetcher fetches the key sets clients publish by URL, for package oidc: private_key_jwt
// (RFC 7523) with the client's JWKS registered by URL (IDP-7). What it does and refuses:
//
//   - Only https, or http to the loopback interface (a developer's machine), as the registration
//     requires; the URL is checked again at every fetch, so a row changed by hand cannot make
//     kabinet fetch over plain http elsewhere.
//   - Redirects are not followed: the URL registered is the key set's, and an answer that sends
//     elsewhere is refused like any other failure.
//   - An answer is accepted only with status 200, at most 256 KiB, and a JSON JWK set with at
//     least one key; anything else is refused, and the copy fetched before stays in use.
//   - A set is kept for fetchTTL. Asked to refresh (an assertion names a key the copy lacks: the
//     client may have rotated its keys), the fetcher fetches again, but at most once every
//     refetchGap per URL, so that forged assertions cannot make kabinet hammer the client's
//     server; a failed fetch counts as an attempt too, and its error is answered meanwhile.
//   - Once its copy is older than fetchTTL, a client whose server does not answer cannot
//     authenticate until it does: an old set may still hold a key the client has withdrawn.
//
// Concurrent requests for one URL wait for one fetch.
type Fetcher struct {
	client *http.Client
	now    func() time.Time
	mu     sync.Mutex
	sets   map[string]*fetched
}

// fetched is what the fetcher knows of one URL; its mutex is held during a fetch.
type fetched struct {
	mu      sync.Mutex
	body    []byte    // the last set accepted
	at      time.Time // when it was fetched
	tried   time.Time // the last attempt, accepted or not
	lastErr error     // the last attempt's failure, nil after a success
}

const (
	fetchTTL   = 5 * time.Minute
	refetchGap = 10 * time.Second
	maxJWKS    = 256 << 10
	maxURLs    = 4096
)

// NewFetcher returns a fetcher over client (one with a 5-second timeout when nil; a copy of it
// is used, which follows no redirect), by the clock now (time.Now when nil).
func NewFetcher(client *http.Client, now func() time.Time) *Fetcher {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if now == nil {
		now = time.Now
	}
	return &Fetcher{client: &c, now: now, sets: map[string]*fetched{}}
}

// FetchJWKS returns the key set at rawURL: the copy kept, or fetched again when the copy is
// older than fetchTTL, or when refresh asks for it and the last attempt was refetchGap ago.
func (f *Fetcher) FetchJWKS(ctx context.Context, rawURL string, refresh bool) ([]byte, error) {
	if err := checkJWKSURL(rawURL); err != nil {
		return nil, err
	}
	f.mu.Lock()
	e, ok := f.sets[rawURL]
	if !ok {
		if len(f.sets) >= maxURLs {
			f.sets = map[string]*fetched{}
		}
		e = &fetched{}
		f.sets[rawURL] = e
	}
	f.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := f.now()
	fresh := e.body != nil && now.Sub(e.at) < fetchTTL
	if fresh && !refresh {
		return e.body, nil
	}
	if now.Sub(e.tried) < refetchGap && (fresh || e.lastErr != nil) {
		// Tried a moment ago: answer what that attempt left.
		if fresh {
			return e.body, nil
		}
		return nil, e.lastErr
	}
	e.tried = now
	// The fetch serves every request waiting for it: one client hanging up does not end it
	// (the HTTP client's timeout does).
	body, err := f.fetch(context.WithoutCancel(ctx), rawURL)
	if err != nil {
		e.lastErr = err
		if fresh {
			return e.body, nil
		}
		return nil, err
	}
	e.body, e.at, e.lastErr = body, now, nil
	return body, nil
}

// checkJWKSURL allows https, and http to the loopback interface only.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("jwks %q: not an absolute URL", raw)
	}
	switch h := u.Hostname(); {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && (h == "127.0.0.1" || h == "::1" || h == "localhost"):
		return nil
	}
	return fmt.Errorf("jwks %s: only https (or http to the loopback interface)", raw)
}

// fetch gets the key set once.
func (f *Fetcher) fetch(ctx context.Context, rawURL string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if loc := resp.Header.Get("Location"); loc != "" {
			return nil, fmt.Errorf("jwks %s: status %d to %s: redirects are not followed", rawURL, resp.StatusCode, loc)
		}
		return nil, fmt.Errorf("jwks %s: status %d", rawURL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKS {
		return nil, fmt.Errorf("jwks %s: larger than %d bytes", rawURL, maxJWKS)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("jwks %s: not JSON: %w", rawURL, err)
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("jwks " + rawURL + ": no keys")
	}
	return body, nil
}
