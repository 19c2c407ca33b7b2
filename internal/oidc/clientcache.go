package oidc

import (
	"context"
	"sync"
	"time"
)

// The token endpoint authenticates its client on every request: a process keeps the clients it
// read for ClientCacheTTL, so the hot path of a grant reads no client row. What another process
// changes (a secret rotated or a client removed with the command line) is seen here within that
// time; a secret that does not match the remembered client is checked once more against the
// stored one before it is refused, so a new secret works at once.

// ClientCacheTTL is how long a process trusts a client it read.
const ClientCacheTTL = 10 * time.Second

type cachedClient struct {
	c  Client
	at time.Time
}

type clientCache struct {
	mu sync.Mutex
	m  map[string]cachedClient
}

// cachedClient returns the client id as read at most ClientCacheTTL ago, or reads it; fresh
// makes it read.
func (p *Provider) cachedClient(ctx context.Context, id string, fresh bool) (*Client, error) {
	now := p.now()
	if !fresh {
		p.clients.mu.Lock()
		e, ok := p.clients.m[id]
		p.clients.mu.Unlock()
		if ok && now.Sub(e.at) < ClientCacheTTL {
			c := e.c
			return &c, nil
		}
	}
	c, err := p.o.Store.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	p.clients.mu.Lock()
	if p.clients.m == nil || len(p.clients.m) > 4096 {
		p.clients.m = map[string]cachedClient{}
	}
	p.clients.m[id] = cachedClient{c: *c, at: now}
	p.clients.mu.Unlock()
	return c, nil
}

// forgetClient drops a client this process changed from the cache.
func (p *Provider) forgetClient(id string) {
	p.clients.mu.Lock()
	delete(p.clients.m, id)
	p.clients.mu.Unlock()
}
