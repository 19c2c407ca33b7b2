// Package limits holds the attempt limits every secret check shares — staff and citizens'
// passwords now, one-time codes, security answers and code words next — so that guessing costs
// the guesser, not the owner. An attempt is counted by one atomic statement of the database
// before the expensive check (a password hash), so parallel attempts cannot overrun a limit on
// either engine, and the counters live in the database, shared by every process.
//
// The design (README, "Attempt limits"): a stranger's burst must not lock the owner out, and an
// unknown login must behave exactly like a known one. So a secret is guarded by three counters:
//
//   - per secret and client address (an IPv6 client counts by its /64): after Rule.Max attempts
//     in the window that address may not try that secret until the window ends;
//   - per secret from anywhere: a budget of attempts per window, then a progressive delay (one
//     attempt per Step, growing with each attempt up to MaxDelay) instead of a hard lock, so the
//     total number of checks stays bounded whatever the number of addresses;
//   - per secret and trusted device: a browser in which the owner signed in before carries a
//     device token; its attempts skip the first two counters and have a counter of their own,
//     which only that device can spend, so the owner's own browser gets in during an attack.
//
// Counters are keyed by the SHA-256 of the secret's name and the address, so the table holds no
// login, phone or address. An attempt that starts a lock or a delay is reported once (Outcome.
// Locked), so a lock is one audit entry, not one per attempt. No SQL and no net/http here.
package limits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
)

// Rule allows at most Max attempts per Window (counted from the first attempt of the window).
type Rule struct {
	Max    int
	Window time.Duration
}

// Throttle allows Budget attempts per Window at once, then one attempt per delay, the delay
// growing by Step after each attempt, up to MaxDelay. The attempt that spends the budget sets
// the first delay; Budget is at least 2.
type Throttle struct {
	Budget   int
	Window   time.Duration
	Step     time.Duration
	MaxDelay time.Duration
}

// Policy is how one kind of secret is guarded.
type Policy struct {
	Scope     string   // "staff.password", "idp.password", "idp.code" …: counters of scopes are apart
	PerClient Rule     // per secret and address
	Overall   Throttle // per secret, from any address without a trusted device
	PerDevice Rule     // per secret and trusted device
}

// StaffLogin is the policy of staff passwords: 5 tries per address and 15 minutes; 10 in all per
// 15 minutes, then one per 30 s more each time, at most one per 15 minutes; 5 per trusted device.
var StaffLogin = Policy{
	Scope:     "staff.password",
	PerClient: Rule{Max: 5, Window: 15 * time.Minute},
	Overall:   Throttle{Budget: 10, Window: 15 * time.Minute, Step: 30 * time.Second, MaxDelay: 15 * time.Minute},
	PerDevice: Rule{Max: 5, Window: 15 * time.Minute},
}

// Store counts attempts atomically; implemented by package store.
type Store interface {
	// HitRule counts an attempt against r on key and returns the attempts in the window.
	HitRule(ctx context.Context, key string, now time.Time, r Rule) (hits int, windowStart time.Time, err error)
	// HitThrottle counts an attempt against t on key if it is allowed now; ok is false (and
	// nothing counted) when the attempt comes before the delay has passed.
	HitThrottle(ctx context.Context, key string, now time.Time, t Throttle) (ok bool, hits int, next time.Time, err error)
	Reset(ctx context.Context, keys ...string) error
	// TrustDevice records a device token (its hash) of subject in scope; DeviceTrusted checks one.
	TrustDevice(ctx context.Context, scope, subject string, hash []byte, now time.Time) error
	DeviceTrusted(ctx context.Context, scope, subject string, hash []byte, now time.Time) (bool, error)
	DeleteOld(ctx context.Context, before time.Time) (int, error)
}

// Limiter applies policies over a Store.
type Limiter struct {
	st  Store
	now func() time.Time
}

// New returns a limiter over st.
func New(st Store, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{st: st, now: now}
}

// Origin is where an attempt comes from.
type Origin struct {
	Address string // client IP address
	Device  string // the device token the client carries for this scope, or ""
}

// Ticket is a counted attempt, to be reported as succeeded.
type Ticket struct {
	p       Policy
	subject string
	keys    []string // counters to reset on success
	Trusted bool     // the attempt came from a trusted device of the subject
	// DelayStarted is set on the one attempt that spent the overall budget: from now on the
	// subject's secret may be tried only once per delay (one audit entry, not one per attempt).
	DelayStarted bool
}

// Refusal says why an attempt was not allowed and reports the start of a lock once.
type Refusal struct {
	RetryAfter time.Duration
	Started    bool   // this attempt started the lock or the delay: write one audit entry
	Which      string // "client", "overall" or "device"
}

func (r *Refusal) Error() string { return "limits: attempt refused (" + r.Which + ")" }

var msgTooMany = problem.Msg("limits.too_many")

// Problem returns the refusal as a TooMany problem telling when to try again.
func (r *Refusal) Problem() *problem.Error {
	mins := int((r.RetryAfter + time.Minute - 1) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	p := problem.New(problem.TooMany, msgTooMany.With(mins))
	p.Extra = map[string]any{"retry_after": int(r.RetryAfter.Round(time.Second) / time.Second)}
	p.Err = r
	return p
}

// AsRefusal returns err as a *Refusal if it is one.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}

func key(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// addressKey groups an IPv6 client by its /64, which one subscriber usually holds whole.
func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// normalize makes the secret's name case- and space-insensitive, so "Ivanova" and " ivanova"
// share counters.
func normalize(subject string) string { return strings.ToLower(strings.TrimSpace(subject)) }

// Begin counts an attempt on subject's secret under p before it is checked. It returns a
// *Refusal (see Problem) when the attempt may not be made now; then the secret must not be
// checked at all. An unknown subject is counted exactly like a known one.
func (l *Limiter) Begin(ctx context.Context, p Policy, subject string, o Origin) (Ticket, error) {
	now := l.now().UTC()
	subject = normalize(subject)
	t := Ticket{p: p, subject: subject}
	if o.Device != "" && len(o.Device) < 100 {
		ok, err := l.st.DeviceTrusted(ctx, p.Scope, subject, hashToken(o.Device), now)
		if err != nil {
			return t, err
		}
		if ok {
			k := key(p.Scope, "device", subject, o.Device)
			hits, start, err := l.st.HitRule(ctx, k, now, p.PerDevice)
			if err != nil {
				return t, err
			}
			if hits > p.PerDevice.Max {
				return t, &Refusal{RetryAfter: start.Add(p.PerDevice.Window).Sub(now), Started: hits == p.PerDevice.Max+1, Which: "device"}
			}
			t.keys, t.Trusted = []string{k, key(p.Scope, "overall", subject)}, true
			return t, nil
		}
	}
	ck := key(p.Scope, "client", subject, addressKey(o.Address))
	hits, start, err := l.st.HitRule(ctx, ck, now, p.PerClient)
	if err != nil {
		return t, err
	}
	if hits > p.PerClient.Max {
		return t, &Refusal{RetryAfter: start.Add(p.PerClient.Window).Sub(now), Started: hits == p.PerClient.Max+1, Which: "client"}
	}
	ok, n, next, err := l.st.HitThrottle(ctx, key(p.Scope, "overall", subject), now, p.Overall)
	if err != nil {
		return t, err
	}
	if !ok {
		return t, &Refusal{RetryAfter: next.Sub(now), Which: "overall"}
	}
	t.keys = []string{ck, key(p.Scope, "overall", subject)}
	// The attempt that spends the budget is allowed and starts the delay, reported once.
	t.DelayStarted = n == p.Overall.Budget
	return t, nil
}

// Succeeded reports that the attempt of t found the right secret: the counters of its address or
// device and the overall one start again (the owner proved who they are; a guesser who does not
// know the secret never gets here), so that an owner who signs in often is never delayed.
func (l *Limiter) Succeeded(ctx context.Context, t Ticket) error {
	if len(t.keys) == 0 {
		return nil
	}
	return l.st.Reset(ctx, t.keys...)
}

// TrustDevice makes a new device token for subject after a successful sign-in, to be kept by
// the client (a long-lived cookie) and sent with later attempts.
func (l *Limiter) TrustDevice(ctx context.Context, p Policy, subject string) (string, error) {
	tok := newToken()
	if err := l.st.TrustDevice(ctx, p.Scope, normalize(subject), hashToken(tok), l.now().UTC()); err != nil {
		return "", err
	}
	return tok, nil
}

// Trusted reports whether device is a trusted device of subject under p — one in which a
// sign-in succeeded before — without counting an attempt. A step that is not a secret's check (a
// recovery code sent to the owner) uses it to let the owner's own browser through a stranger's
// burst, as Begin does for the secret itself.
func (l *Limiter) Trusted(ctx context.Context, p Policy, subject, device string) (bool, error) {
	if device == "" || len(device) >= 100 {
		return false, nil
	}
	return l.st.DeviceTrusted(ctx, p.Scope, normalize(subject), hashToken(device), l.now().UTC())
}

// Cleanup deletes counters whose windows ended a day ago and devices unused for a year.
func (l *Limiter) Cleanup(ctx context.Context) (int, error) {
	return l.st.DeleteOld(ctx, l.now().UTC().Add(-24*time.Hour))
}

// Count counts one event of kind scope on key against r (a code sent to a phone, a letter
// ordered) and refuses it with a *Refusal when r's limit for the window is spent. Keys are
// hashed like the others.
func (l *Limiter) Count(ctx context.Context, scope, subject string, r Rule) error {
	now := l.now().UTC()
	hits, start, err := l.st.HitRule(ctx, key(scope, "count", normalize(subject)), now, r)
	if err != nil {
		return err
	}
	if hits > r.Max {
		return &Refusal{RetryAfter: start.Add(r.Window).Sub(now), Started: hits == r.Max+1, Which: "count"}
	}
	return nil
}
