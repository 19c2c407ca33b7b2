package post_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/identity/post"
)

var ctx = context.Background()

// sent is when the tests' letters are sent.
var sent = time.Date(2026, 12, 2, 10, 17, 42, 0, time.UTC)

func send(t *testing.T, p *post.Post, at time.Time) string {
	t.Helper()
	id, err := p.Send(ctx, "119334, г. Москва, Ленинский проспект, д. 32, кв. 7", "код 123456", at)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func track(t *testing.T, p *post.Post, id string, now time.Time) identity.Tracking {
	t.Helper()
	tr, err := p.Track(ctx, id, now)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// valid checks a number as the Russian Post does: 14 digits, the last the check digit of the
// others (their digits in odd places thrice, those in even places once, up to a multiple of 10).
func valid(id string) bool {
	if len(id) != 14 {
		return false
	}
	sum := 0
	for i := range 13 {
		d, err := strconv.Atoi(id[i : i+1])
		if err != nil {
			return false
		}
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return int(id[13]-'0') == (10-sum%10)%10
}

func TestNumbers(t *testing.T) {
	p := post.New()
	seen := map[string]bool{}
	for range 500 { // many letters in one minute
		id := send(t, p, sent)
		if !valid(id) {
			t.Fatalf("%s is not a valid tracking number", id)
		}
		if office, _ := strconv.Atoi(id[:6]); office < 101000 || office > 129999 {
			t.Fatalf("%s: office %d is not in Moscow", id, office)
		}
		// December 2026 is the 324th month from January 2000: 323 % 99 + 1 = 27.
		if id[6:8] != "27" {
			t.Fatalf("%s: month %s", id, id[6:8])
		}
		// The 2nd, 10:17: (2−1)×1440 + 10×60 + 17.
		if id[8:13] != fmt.Sprintf("%05d", 1440+617) {
			t.Fatalf("%s: number within the month %s", id, id[8:13])
		}
		if seen[id] {
			t.Fatalf("%s issued twice", id)
		}
		seen[id] = true
	}
	if ls := p.Letters(); len(ls) != 500 || ls[0].Text != "код 123456" || !ls[0].SentAt.Equal(sent.Truncate(time.Minute)) {
		t.Fatalf("letters kept: %d, first %+v", len(ls), ls[0])
	}
}

func TestTrackingOverTwoWeeks(t *testing.T) {
	p := post.New()
	id := send(t, p, sent)
	day := func(n int, hm string) time.Time {
		h, _ := time.Parse("15:04", hm)
		return time.Date(2026, 12, 2+n, h.Hour(), h.Minute(), 0, 0, time.UTC)
	}
	tests := []struct {
		name    string
		now     time.Time
		want    identity.LetterStatus
		reached int
	}{
		{"the moment it is sent", sent, identity.LetterAccepted, 1},
		{"the evening of day 0", day(0, "23:59"), identity.LetterAccepted, 1},
		{"day 1, before the first sorting", day(1, "00:30"), identity.LetterAccepted, 1},
		{"day 1, morning", day(1, "04:00"), identity.LetterInTransit, 2},
		{"day 11", day(11, "23:59"), identity.LetterInTransit, 2},
		{"day 17, evening", day(17, "16:00"), identity.LetterHanded, 4},
		{"a year later", day(365, "00:00"), identity.LetterHanded, 4},
		{"a clock an hour behind the sender's", sent.Add(-time.Hour), identity.LetterAccepted, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := track(t, p, id, tc.now)
			if tr.Status != tc.want || len(tr.History) != tc.reached {
				t.Fatalf("got %s with %d steps, want %s with %d", tr.Status, len(tr.History), tc.want, tc.reached)
			}
			if !tr.History[0].At.Equal(sent.Truncate(time.Minute)) || tr.History[len(tr.History)-1].Status != tr.Status {
				t.Fatalf("history %+v", tr.History)
			}
		})
	}
}

// TestEveryLetterTravelsWithinTheBounds sends letters at every hour of two months and checks
// each one's steps: in order, in transit on day 1, arrived on day 12 to 14, handed 1 to 3 days
// later; and a post started afresh (a restart) tracks them the same.
func TestEveryLetterTravelsWithinTheBounds(t *testing.T) {
	p, restarted := post.New(), post.New()
	arrivals := map[int]bool{}
	for at := time.Date(2027, 1, 1, 0, 7, 0, 0, time.UTC); at.Before(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)); at = at.Add(time.Hour + 13*time.Minute) {
		id := send(t, p, at)
		now := at.AddDate(0, 1, 0)
		tr := track(t, p, id, now)
		if fmt.Sprint(tr) != fmt.Sprint(track(t, restarted, id, now)) {
			t.Fatalf("%s tracked differently after a restart", id)
		}
		want := []identity.LetterStatus{identity.LetterAccepted, identity.LetterInTransit, identity.LetterArrived, identity.LetterHanded}
		if len(tr.History) != 4 {
			t.Fatalf("%s sent %s: %+v", id, at, tr)
		}
		days := func(s identity.TrackingStep) int {
			y, m, d := at.Date()
			return int(s.At.Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		}
		for i, s := range tr.History {
			if s.Status != want[i] || (i > 0 && !s.At.After(tr.History[i-1].At)) {
				t.Fatalf("%s sent %s: %+v", id, at, tr.History)
			}
		}
		if !tr.History[0].At.Equal(at) || days(tr.History[1]) != 1 {
			t.Fatalf("%s sent %s: %+v", id, at, tr.History)
		}
		arrived := days(tr.History[2])
		if arrived < 12 || arrived > 14 {
			t.Fatalf("%s sent %s arrived on day %d", id, at, arrived)
		}
		if h := days(tr.History[3]) - arrived; h < 1 || h > 3 {
			t.Fatalf("%s sent %s handed %d days after it arrived", id, at, h)
		}
		arrivals[arrived] = true
	}
	if len(arrivals) != 3 {
		t.Fatalf("letters arrive on days %v: they should not all travel alike", arrivals)
	}
}

// TestMonthsComeRound: the month of a number comes round every 99 months; a letter is the
// latest one its number can be.
func TestMonthsComeRound(t *testing.T) {
	p := post.New()
	tests := []struct{ sent, now time.Time }{
		{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)},
		{time.Date(2020, 1, 15, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)},
		{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2008, 3, 30, 0, 0, 0, 0, time.UTC)},
		{time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		id := send(t, p, tc.sent)
		if tr := track(t, p, id, tc.now); !tr.History[0].At.Equal(tc.sent) {
			t.Errorf("sent %s, tracked %s: %+v", tc.sent, tc.now, tr.History[0])
		}
	}
}

func TestUnknownNumbers(t *testing.T) {
	p := post.New()
	id := send(t, p, sent)
	wrongCheck := id[:13] + strconv.Itoa((int(id[13]-'0')+1)%10)
	// The 31st of November does not exist: the number within the month is 30 × 1440.
	november31 := fmt.Sprintf("101000%02d%05d", (monthOf(2026, 11))%99+1, 30*1440)
	november31 += strconv.Itoa(check(november31))
	zeroMonth := "10100000" + "00000"
	zeroMonth += strconv.Itoa(check(zeroMonth))
	tooLate := "10100027" + "44640"
	tooLate += strconv.Itoa(check(tooLate))
	for _, bad := range []string{"", "RA123456789RU", id[:13], id + "0", "0" + id[1:], wrongCheck, november31, zeroMonth, tooLate, "1010002700000x"} {
		if _, err := p.Track(ctx, bad, sent.AddDate(0, 0, 3)); !errors.Is(err, post.ErrUnknownLetter) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := p.Track(ctx, id, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, post.ErrUnknownLetter) {
		t.Errorf("a letter tracked before 2000: %v", err)
	}
}

func monthOf(y int, m time.Month) int { return (y-2000)*12 + int(m) - 1 }

func check(s string) int {
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

func TestSendRefuses(t *testing.T) {
	p := post.New()
	if _, err := p.Send(ctx, "  ", "код", sent); err == nil {
		t.Error("a letter without an address")
	}
	if _, err := p.Send(ctx, "г. Москва", "код", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("a letter sent before 2000")
	}
}
