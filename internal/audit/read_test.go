package audit_test

import (
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/i18n"
	"github.com/kabinet/kabinet/internal/problem"
)

// A query's days are whole days in the office's zone (Moscow, UTC+3): from its first instant to
// the first instant of the day after the last.
func TestQueryDays(t *testing.T) {
	f, err := audit.Query{Actor: "  Иван ", From: "2026-03-02", To: "2026-03-04", Before: "120", Limit: "20"}.Filter(audit.OfficeZone, 50)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC); !f.From.Equal(want) {
		t.Errorf("from %v, want %v", f.From.UTC(), want)
	}
	if want := time.Date(2026, 3, 4, 21, 0, 0, 0, time.UTC); !f.To.Equal(want) {
		t.Errorf("to %v, want %v", f.To.UTC(), want)
	}
	if f.Staff != "Иван" || f.Before != 120 || f.Limit != 20 {
		t.Errorf("filter %+v", f)
	}
	// One day; no dates; the default page size; a page size over the largest is the largest.
	if f, err := (audit.Query{From: "2026-03-02", To: "2026-03-02"}).Filter(audit.OfficeZone, 50); err != nil || f.To.Sub(f.From) != 24*time.Hour {
		t.Errorf("one day: %v – %v %v", f.From, f.To, err)
	}
	if f, err := (audit.Query{}).Filter(audit.OfficeZone, 50); err != nil || !f.From.IsZero() || !f.To.IsZero() || f.Limit != 50 {
		t.Errorf("empty query: %+v %v", f, err)
	}
	if f, err := (audit.Query{Limit: "100000"}).Filter(audit.OfficeZone, 50); err != nil || f.Limit != audit.MaxLimit {
		t.Errorf("large limit: %+v %v", f, err)
	}
	if z := audit.OfficeZone; time.Date(2026, 7, 1, 12, 0, 0, 0, z).UTC().Hour() != 9 || time.Date(2026, 1, 1, 12, 0, 0, 0, z).UTC().Hour() != 9 {
		t.Errorf("the office's zone is not UTC+3 all year: %v", z)
	}
}

// Every wrong field of a query is a field error naming it, with a text in Russian and English.
func TestQueryErrors(t *testing.T) {
	for _, c := range []struct {
		q     audit.Query
		field string
		msg   problem.Message
	}{
		{audit.Query{From: "01.03.2026"}, "from", audit.MsgFrom},
		{audit.Query{From: "2026-3-1"}, "from", audit.MsgFrom},
		{audit.Query{From: "2026-02-30"}, "from", audit.MsgFrom},
		{audit.Query{From: "2026-03-01T00:00:00Z"}, "from", audit.MsgFrom},
		{audit.Query{To: "вчера"}, "to", audit.MsgTo},
		{audit.Query{From: "2026-03-02", To: "2026-03-01"}, "to", audit.MsgRange},
		{audit.Query{Before: "abc"}, "before", audit.MsgCursor},
		{audit.Query{Before: "0"}, "before", audit.MsgCursor},
		{audit.Query{Before: "-5"}, "before", audit.MsgCursor},
		{audit.Query{Before: "+5"}, "before", audit.MsgCursor},
		{audit.Query{Before: "99999999999999999999"}, "before", audit.MsgCursor},
		{audit.Query{After: "1.5"}, "after", audit.MsgCursor},
		{audit.Query{Limit: "0"}, "limit", audit.MsgLimit},
		{audit.Query{Limit: "ten"}, "limit", audit.MsgLimit},
	} {
		_, err := c.q.Filter(audit.OfficeZone, 50)
		p, ok := problem.As(err)
		if !ok || p.Code != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != c.field || p.Fields[0].Key != c.msg.Key {
			t.Errorf("%+v: %v, want a field error on %s (%s)", c.q, err, c.field, c.msg.Key)
			continue
		}
		ru, en := p.Fields[0].In("ru"), p.Fields[0].In("en")
		if !i18n.Has("ru", c.msg.Key) || !i18n.Has("en", c.msg.Key) || ru == en {
			t.Errorf("%s: ru %q, en %q", c.msg.Key, ru, en)
		}
	}
	// Both dates wrong: both named.
	_, err := audit.Query{From: "x", To: "y"}.Filter(audit.OfficeZone, 50)
	if p, _ := problem.As(err); p == nil || len(p.Fields) != 2 || p.Fields[0].Field != "from" || p.Fields[1].Field != "to" {
		t.Errorf("two wrong dates: %v", err)
	}
}
