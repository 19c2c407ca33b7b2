package oidcweb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Fetcher fetches the key sets clients publish by URL (private_key_jwt, RFC 7523), for package
// oidc: kept for fetchTTL, fetched again sooner when asked (a key not found: the client may
// have rotated), but at most once every refetchGap per URL, so that forged assertions cannot
// make kabinet hammer a client's server.
type Fetcher struct {
	client *http.Client
	mu     sync.Mutex
	sets   map[string]fetched
}

type fetched struct {
	body []byte
	at   time.Time
}

const (
	fetchTTL   = 5 * time.Minute
	refetchGap = 10 * time.Second
	maxJWKS    = 256 << 10
)

// NewFetcher returns a fetcher over client (a client with a 5-second timeout when nil).
func NewFetcher(client *http.Client) *Fetcher {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	return &Fetcher{client: client, sets: map[string]fetched{}}
}

// FetchJWKS returns the key set at url.
func (f *Fetcher) FetchJWKS(ctx context.Context, url string, refresh bool) ([]byte, error) {
	f.mu.Lock()
	c, ok := f.sets[url]
	f.mu.Unlock()
	age := time.Since(c.at)
	if ok && (age < refetchGap || (!refresh && age < fetchTTL)) {
		return c.body, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
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
		return nil, fmt.Errorf("jwks %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKS {
		return nil, errors.New("jwks: too large")
	}
	f.mu.Lock()
	f.sets[url] = fetched{body: body, at: time.Now()}
	f.mu.Unlock()
	return body, nil
}
