package identity

import (
	"context"
	"time"
)

// IDP-4b: confirmation by a code sent by registered mail to the citizen's postal address. The
// letter travels about two weeks; it can be tracked from the day after it was ordered; a new
// letter can be ordered no earlier than a month after the last one; the code is typed when the
// letter arrives. An account confirmed this way may not enter the personal account (LK-6).

// LetterStatus is where a registered letter is.
type LetterStatus string

// The statuses of a letter, in order.
const (
	LetterAccepted  LetterStatus = "accepted"   // accepted by the post
	LetterInTransit LetterStatus = "in_transit" // on its way
	LetterArrived   LetterStatus = "arrived"    // at the recipient's post office
	LetterHanded    LetterStatus = "handed"     // handed over to the recipient
)

// NextLetterAt is when a new letter may be ordered after one ordered at: a calendar month
// later, on the same day of the month in zone (the jurisdiction's: Moscow time), or on the
// month's last day when it has no such day (31 January → 28 or 29 February).
func NextLetterAt(ordered time.Time, zone *time.Location) time.Time {
	t := ordered.In(zone)
	y, m, d := t.Date()
	first := time.Date(y, m+1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(y, m+1, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
}

// trackedFrom is when the post tracks a letter ordered at: the start of the next day in zone.
func trackedFrom(ordered time.Time, zone *time.Location) time.Time {
	y, m, d := ordered.In(zone).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, zone)
}

// Letter is a registered letter with a confirmation code.
type Letter struct {
	ID        string // the post's tracking number
	AccountID string
	Address   string
	OrderedAt time.Time
	CodeUsed  bool
}

// Tracking is a letter's status at a moment, with when it reached each status so far.
type Tracking struct {
	Status  LetterStatus
	History []TrackingStep
}

// TrackingStep is one status a letter reached.
type TrackingStep struct {
	Status LetterStatus
	At     time.Time
}

// Post sends registered letters and tracks them. The embedded simulated post (package
// post) moves a letter through its statuses over days of the clock it is given.
type Post interface {
	// Send hands the post a letter with text to address and returns its tracking number.
	Send(ctx context.Context, address, text string, at time.Time) (string, error)
	// Track returns the letter's status at now.
	Track(ctx context.Context, id string, now time.Time) (Tracking, error)
}
