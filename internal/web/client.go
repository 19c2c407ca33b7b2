package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the networks whose X-Forwarded-For and X-Forwarded-Proto are believed
// (--trusted-proxies): a reverse proxy or load balancer in front of kabinet. Nobody else's are.
type Proxies []netip.Prefix

// ParseProxies parses a comma-separated list of CIDR prefixes or addresses ("10.0.0.0/8,::1").
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (ps Proxies) trusts(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client is what kabinet knows of the other end of a request.
type Client struct {
	Addr   string // the client's IP address (behind trusted proxies, the one they report)
	Secure bool   // the request came over TLS (to kabinet, or to a trusted proxy)
}

// Resolve returns the client of r: its address is the peer's, or, when the peer is a trusted
// proxy, the right-most address of X-Forwarded-For that is not itself a trusted proxy; the
// request is secure when it came over TLS, or a trusted proxy says X-Forwarded-Proto: https.
func (ps Proxies) Resolve(r *http.Request) Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	c := Client{Addr: host, Secure: r.TLS != nil}
	peer, err := netip.ParseAddr(host)
	if err != nil || !ps.trusts(peer.Unmap()) {
		return c
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		c.Addr = a.Unmap().String()
		if !ps.trusts(a.Unmap()) {
			break
		}
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		last := strings.TrimSpace(p[strings.LastIndexByte(p, ',')+1:])
		c.Secure = strings.EqualFold(last, "https")
	}
	return c
}

// WithClient returns ctx carrying the client of the request.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, keyClient, c)
}

// ClientOf returns the client of r as resolved by the server's middleware (the peer address
// when none is set).
func ClientOf(r *http.Request) Client {
	if c, ok := r.Context().Value(keyClient).(Client); ok {
		return c
	}
	return Proxies(nil).Resolve(r)
}

// ClientAddr returns the client's IP address.
func ClientAddr(r *http.Request) string { return ClientOf(r).Addr }
