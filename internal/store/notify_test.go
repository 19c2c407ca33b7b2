package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// fakeMailer stands for an SMTP server: it records what it is given, failing first as told.
type fakeMailer struct {
	mu    sync.Mutex
	fails int
	sent  []notify.Message
}

func (f *fakeMailer) SendEmail(_ context.Context, m notify.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("smtp: server busy (SMTP 421)")
	}
	f.sent = append(f.sent, m)
	return nil
}

var codeMail = notify.Message{Channel: notify.Email, To: "elena@example.org", Lang: "ru", Key: "notify.code", Args: []string{"731904"}}

// TestNotifyOutboxInTransaction checks that a message stored in a transaction that rolls back is
// never sent, and that one stored in a committed transaction is sent once and marked sent, after
// a failure whose job error carries nothing of the message.
func TestNotifyOutboxInTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		out := store.NewNotify(db)
		rolledBack, err := notify.Prepare(time.Now(), codeMail)
		if err != nil {
			t.Fatal(err)
		}
		failed := errors.New("the registration failed")
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := store.SendMessagesTx(ctx, tx, db.Dialect, rolledBack...); err != nil {
				return err
			}
			return failed
		}); !errors.Is(err, failed) {
			t.Fatal(err)
		}
		if _, err := out.Message(ctx, rolledBack[0].ID); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("rolled-back message: %v", err)
		}
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			return store.SendMessagesTx(ctx, tx, db.Dialect, notify.Message{ID: "x", Channel: notify.Email})
		}); err == nil {
			t.Fatal("an unprepared message was stored")
		}
		svc := notify.New(out, nil)
		sent, err := svc.Send(ctx, codeMail)
		if err != nil {
			t.Fatal(err)
		}
		mailer := &fakeMailer{fails: 1}
		clock := newTestClock()
		w := testWorker(store.NewJobs(db), clock, svc.Handlers(mailer, nil))
		for range 3 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Add(time.Minute)
		}
		if len(mailer.sent) != 1 || mailer.sent[0].ID != sent[0].ID || !strings.Contains(mailer.sent[0].Body, "731904") || mailer.sent[0].Subject != "Код подтверждения" {
			t.Fatalf("sent: %+v", mailer.sent)
		}
		m, err := out.Message(ctx, sent[0].ID)
		if err != nil || m.State != notify.Sent || m.SentAt.IsZero() || m.To != "elena@example.org" || m.Key != "notify.code" || m.Lang != "ru" {
			t.Fatalf("stored message: %+v %v", m, err)
		}
		js := listJobs(t, store.NewJobs(db), jobs.Filter{})
		if len(js) != 1 || js[0].State != jobs.Done || js[0].Attempts != 2 || js[0].Kind != notify.EmailJob {
			t.Fatalf("jobs: %+v", js)
		}
		if e := js[0].LastError; !strings.Contains(e, sent[0].ID) || strings.Contains(e, "elena") || strings.Contains(e, "731904") {
			t.Fatalf("job error %q: names the message by its id only", e)
		}
	})
}

// TestNotifyWithoutSenderStaysQueued checks that with no sender configured for a channel the
// message stays queued in the outbox, and is listed there newest first.
func TestNotifyWithoutSenderStaysQueued(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		out := store.NewNotify(db)
		svc := notify.New(out, nil)
		first, err := svc.Send(ctx, codeMail)
		if err != nil {
			t.Fatal(err)
		}
		second, err := svc.Send(ctx, notify.Message{Channel: notify.SMS, To: "+79161234567", Lang: "en", Key: "notify.code", Args: []string{"1"}})
		if err != nil {
			t.Fatal(err)
		}
		clock := newTestClock()
		handlers := svc.Handlers(nil, nil)
		handlers["test.other"] = func(context.Context, jobs.Job) error { return nil }
		w := testWorker(store.NewJobs(db), clock, handlers)
		for range 3 {
			clock.Add(2 * time.Hour)
			if n, err := w.RunOnce(ctx); err != nil || n != 0 {
				t.Fatalf("ran %d jobs (%v)", n, err)
			}
		}
		list, err := svc.Outbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != second[0].ID || list[1].ID != first[0].ID || list[0].State != notify.Queued || list[1].State != notify.Queued {
			t.Fatalf("outbox: %+v", list)
		}
		for _, j := range listJobs(t, store.NewJobs(db), jobs.Filter{}) {
			if j.State != jobs.Queued || j.Attempts != 0 {
				t.Fatalf("job: %+v", j)
			}
		}
		if err := out.MarkSent(ctx, "missing", time.Now()); !errors.Is(err, storeerr.ErrNotFound) {
			t.Fatalf("mark a missing message sent: %v", err)
		}
		if err := out.MarkSent(ctx, first[0].ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if n, err := out.DeleteSent(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("delete sent: %d %v", n, err)
		}
	})
}
