package audit

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/problem"
)

// Reading the log (BO-5): a reader asks for entries by staff member, record, action and a range
// of whole days, and reads them a page at a time, newest first. The page, the API and any later
// reader check what was typed here, so each names a wrong field the same way.

// Page sizes: the default when none is asked for, and the most a reader may ask for.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// OfficeZone is the time zone of the office's days: the dates of a Filter's range are whole days
// there, and the back office shows the times of entries in it. It is Moscow time, the zone of the
// Russian tax administration's rules and deadlines; Moscow has kept UTC+3 all year since
// 26 October 2014, which is the zone used when the system has no time-zone database.
var OfficeZone = officeZone()

func officeZone() *time.Location {
	if z, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return z
	}
	return time.FixedZone("MSK", 3*60*60)
}

// The reasons a query is refused, each naming its field.
var (
	MsgFrom   = problem.Msg("audit.from")
	MsgTo     = problem.Msg("audit.to")
	MsgRange  = problem.Msg("audit.range")
	MsgCursor = problem.Msg("audit.cursor")
	MsgLimit  = problem.Msg("audit.limit")
)

// Query is a request for a page of the log as a reader typed it (the back office's form, the
// API's query string): texts, each named after its field, checked by Filter.
type Query struct {
	Actor   string // part of a login or of a staff member's name
	Subject string // a record, in full: a TIN, a staff login
	Action  string
	From    string // YYYY-MM-DD, the first day of the range, whole
	To      string // YYYY-MM-DD, the last day of the range, whole
	Before  string // the cursor of an older page: an entry's id
	After   string // the cursor of a newer page: an entry's id
	Limit   string // entries per page, 1 to MaxLimit; more is read as MaxLimit
}

// Filter checks q and returns the filter it asks for: its dates as whole days in zone (From at
// the start of its day, To at the start of the day after), its page size def when none is given.
// Each wrong field is a field error naming it: a date that is not an existing YYYY-MM-DD
// ("from", "to"), an end before the start ("to"), a cursor that is not an entry's id ("before",
// "after"), a page size that is not a whole number from 1 ("limit").
func (q Query) Filter(zone *time.Location, def int) (Filter, error) {
	f := Filter{Staff: strings.TrimSpace(q.Actor), Subject: strings.TrimSpace(q.Subject), Action: strings.TrimSpace(q.Action), Limit: def}
	var fe problem.Fields
	from, okFrom := day(q.From, zone)
	if !okFrom {
		fe.Add("from", MsgFrom)
	}
	to, okTo := day(q.To, zone)
	if !okTo {
		fe.Add("to", MsgTo)
	}
	if !from.IsZero() {
		f.From = from
	}
	if !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
		if !from.IsZero() && to.Before(from) {
			fe.Add("to", MsgRange)
		}
	}
	var ok bool
	if f.Before, ok = cursor(q.Before); !ok {
		fe.Add("before", MsgCursor)
	}
	if f.After, ok = cursor(q.After); !ok {
		fe.Add("after", MsgCursor)
	}
	if s := strings.TrimSpace(q.Limit); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			fe.Add("limit", MsgLimit.With(MaxLimit))
		}
		f.Limit = min(n, MaxLimit)
	}
	return f, fe.Err()
}

// day parses s as a whole day in zone: its first instant, the zero time for an empty s, and
// false when s is not an existing date written YYYY-MM-DD.
func day(s string, zone *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(time.DateOnly, s, zone)
	if err != nil || len(s) != len(time.DateOnly) {
		return time.Time{}, false
	}
	return t, true
}

// cursor parses an entry's id: 0 for an empty s, false when s is not a positive whole number.
func cursor(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || strings.HasPrefix(s, "+") {
		return 0, false
	}
	return n, true
}

// Page is one page of the log, newest first, with the cursors of the pages beside it.
type Page struct {
	Entries []Entry
	Next    int64 // the Before of the next page (older entries), 0 when this page is the last
	Prev    int64 // the After of the page before (newer entries), 0 when this page is the newest
}

// Read reads the page of log that f selects (BO-5): at most f.Limit entries (DefaultLimit when
// not set, MaxLimit at most), older than f.Before or, with f.After, the ones just newer than it.
// It asks log for one entry more than the page holds, so that it knows whether another page
// follows without counting. Paging is by id, which never changes, so entries written while a
// reader pages are neither skipped nor shown twice.
func Read(ctx context.Context, log Log, f Filter) (Page, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	f.Limit = limit + 1
	list, err := log.ListAudit(ctx, f)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if f.After > 0 {
		// Read oldest first from After: the one more is the newest, and newer pages remain.
		if len(list) > limit {
			list = list[1:]
			p.Prev = list[0].ID
		}
		if len(list) > 0 {
			p.Next = list[len(list)-1].ID
		}
	} else {
		if len(list) > limit {
			list = list[:limit]
			p.Next = list[limit-1].ID
		}
		if f.Before > 0 && len(list) > 0 {
			p.Prev = list[0].ID
		}
	}
	p.Entries = list
	return p, nil
}
