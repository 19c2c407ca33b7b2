// Package post is the embedded simulated post of registered letters (IDP-4b): it accepts the
// letters with a confirmation code that package identity sends to a citizen's postal address,
// gives each a tracking number like the Russian Post's, and tracks it through the statuses a
// registered letter passes over about two weeks. It is what the demo and a fresh installation
// use until a real post is connected behind the same interface (identity.Post). It owns the
// letters' numbers and statuses, not the codes or the rule of one letter a month (package
// identity).
package post

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
)

// A letter's tracking number is 14 digits, built as the Russian Post builds its domestic ones:
//
//	1 0 1 0 0 0 | 8 4 | 4 3 2 1 0 | 7
//	sending office's postal code | month | number within the month | check digit
//
// The month is counted from January 2000 (01) and comes round again after 99. The simulated
// post makes the number within the month from the minute the letter was sent — (day − 1) × 1440
// + minutes since midnight, UTC — and picks the sending office (one of Moscow's, 101000 to
// 129999) so that no two letters it sent share a number. A letter's send time is therefore
// derivable from its number alone, and with it every status: Track needs no storage and gives
// the same answer after a restart, in every process, for every number this post issued (it
// cannot tell them from a well-formed number it did not issue: it is a simulation). The letters
// themselves — address and text — are kept in memory only, for the demo to show.
//
// The statuses, on UTC days counted from the day the letter was sent (day 0):
//
//	accepted    day 0, at the minute sent
//	in_transit  day 1, between 01:00 and 04:00
//	arrived     day 12, 13 or 14, between 09:00 and 13:00 — at the recipient's post office
//	handed      1 to 3 days after it arrived, between 11:00 and 16:00
//
// The day and time within those bounds follow from a hash of the number, so that not every
// letter travels alike but each always travels the same way.

// ErrUnknownLetter is Track's error for a number that is not a tracking number of this post.
var ErrUnknownLetter = errors.New("post: no letter with this tracking number")

// maxKept bounds the letters kept in memory; the oldest are forgotten first (their tracking
// still works: it needs only the number).
const maxKept = 10000

// minutesInMonth is the most minutes a month has: the number within the month stays below it.
const minutesInMonth = 31 * 24 * 60

// Letter is a letter the post accepted.
type Letter struct {
	ID      string // tracking number
	Address string
	Text    string
	SentAt  time.Time
}

// Post is the simulated post; it implements identity.Post. Its zero value is not usable: use New.
type Post struct {
	mu      sync.Mutex
	letters map[string]Letter
	order   []string // the numbers, oldest first
	office  func() int
}

var _ identity.Post = (*Post)(nil)

// New returns an empty simulated post.
func New() *Post {
	return &Post{letters: map[string]Letter{}, office: func() int { return 101000 + rand.IntN(29000) }}
}

// Send accepts a letter with text to address, sent at at, and returns its tracking number.
func (p *Post) Send(_ context.Context, address, text string, at time.Time) (string, error) {
	if strings.TrimSpace(address) == "" {
		return "", errors.New("post: a letter needs an address")
	}
	at = at.UTC().Truncate(time.Minute)
	if at.Year() < 2000 {
		return "", errors.New("post: a letter cannot be sent before 2000")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for range 1000 {
		id := number(p.office(), at)
		if _, taken := p.letters[id]; taken {
			continue // a letter sent the same minute from the same office: another office
		}
		p.letters[id] = Letter{ID: id, Address: address, Text: text, SentAt: at}
		p.order = append(p.order, id)
		if len(p.order) > maxKept {
			delete(p.letters, p.order[0])
			p.order = p.order[1:]
		}
		return id, nil
	}
	return "", errors.New("post: no free tracking number this minute")
}

// Letters returns the letters kept in memory, the newest first.
func (p *Post) Letters() []Letter {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Letter, 0, len(p.order))
	for _, id := range slices.Backward(p.order) {
		out = append(out, p.letters[id])
	}
	return out
}

// Track returns the letter's status at now and the steps it has reached (IDP-4b).
func (p *Post) Track(_ context.Context, id string, now time.Time) (identity.Tracking, error) {
	sent, err := decode(id, now.UTC())
	if err != nil {
		return identity.Tracking{}, err
	}
	var t identity.Tracking
	for _, s := range steps(sent, id) {
		if s.At.After(now) && len(t.History) > 0 {
			break
		}
		t.History = append(t.History, s)
		t.Status = s.Status
	}
	return t, nil
}

// steps are every status of the letter of number id, sent at sent.
func steps(sent time.Time, id string) []identity.TrackingStep {
	h := fnv.New32a()
	h.Write([]byte(id))
	v := int(h.Sum32() & 0x7fffffff) // how this letter travels: the same every time
	pick := func(n int) int { r := v % n; v /= n; return r }
	day := func(n int) time.Time {
		y, m, d := sent.Date()
		return time.Date(y, m, d+n, 0, 0, 0, 0, time.UTC)
	}
	minutes := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	inTransit := day(1).Add(time.Hour + minutes(pick(180)))
	arrives := 12 + pick(3)
	arrived := day(arrives).Add(9*time.Hour + minutes(pick(240)))
	handed := day(arrives + 1 + pick(3)).Add(11*time.Hour + minutes(pick(300)))
	return []identity.TrackingStep{
		{Status: identity.LetterAccepted, At: sent},
		{Status: identity.LetterInTransit, At: inTransit},
		{Status: identity.LetterArrived, At: arrived},
		{Status: identity.LetterHanded, At: handed},
	}
}

// monthOf counts months from January 2000 (0).
func monthOf(t time.Time) int { return (t.Year()-2000)*12 + int(t.Month()) - 1 }

// number is the tracking number of a letter sent at at from office.
func number(office int, at time.Time) string {
	serial := (at.Day()-1)*24*60 + at.Hour()*60 + at.Minute()
	s := fmt.Sprintf("%06d%02d%05d", office, monthOf(at)%99+1, serial)
	return s + strconv.Itoa(checkDigit(s))
}

// checkDigit is the check digit of 13 digits: three times the sum of the digits in odd places
// plus the sum of those in even places, taken up to the next multiple of ten.
func checkDigit(s string) int {
	sum := 0
	for i, r := range s {
		d := int(r - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// decode returns when the letter of number id was sent: the latest time its number can mean
// that is not more than a day after now (clocks differ).
func decode(id string, now time.Time) (time.Time, error) {
	if len(id) != 14 || strings.Trim(id, "0123456789") != "" || id[0] == '0' || checkDigit(id[:13]) != int(id[13]-'0') {
		return time.Time{}, ErrUnknownLetter
	}
	code, _ := strconv.Atoi(id[6:8])
	serial, _ := strconv.Atoi(id[8:13])
	if code < 1 || serial >= minutesInMonth {
		return time.Time{}, ErrUnknownLetter
	}
	latest := now.Add(24 * time.Hour)
	for m := monthOf(latest); m >= 0; m-- {
		if m%99+1 != code {
			continue
		}
		first := time.Date(2000+m/12, time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
		sent := first.Add(time.Duration(serial) * time.Minute)
		if sent.Month() != first.Month() {
			return time.Time{}, ErrUnknownLetter // the 31st of a shorter month
		}
		if !sent.After(latest) {
			return sent, nil
		}
	}
	return time.Time{}, ErrUnknownLetter
}
