package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/storeerr"
)

// Notify implements notify.Store: the outbox of e-mails and SMS (migration 00009_notify.sql).
type Notify struct{ db *DB }

// NewNotify returns the outbox storage of db.
func NewNotify(db *DB) *Notify { return &Notify{db: db} }

var _ notify.Store = (*Notify)(nil)

var notifyTable = table{name: "notify_messages",
	cols:  []string{"id", "channel", "recipient", "lang", "message_key", "subject", "body", "state", "created_at"},
	types: []string{"text", "text", "text", "text", "text", "text", "text", "text", "timestamptz"}}

// sendMessages stores messages prepared by notify.Prepare, and the job that sends each, inside
// the caller's transaction q: every store method whose change calls for a notification (a
// registration, a code) calls it with its own transaction, so the message exists exactly when the
// change is committed.
func sendMessages(ctx context.Context, q querier, d Dialect, msgs ...notify.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	rows := make([][]any, len(msgs))
	specs := make([]jobs.Spec, len(msgs))
	for i, m := range msgs {
		if m.ID == "" || m.Body == "" || m.CreatedAt.IsZero() {
			return errors.New("store: a notify message must be prepared with notify.Prepare")
		}
		rows[i] = []any{m.ID, string(m.Channel), m.To, m.Lang, m.Key, m.Subject, m.Body, string(notify.Queued), m.CreatedAt.UTC()}
		specs[i] = m.Job()
	}
	if err := insertRows(ctx, q, d, notifyTable, rows); err != nil {
		return err
	}
	return enqueueJobs(ctx, q, d, specs...)
}

// Send stores prepared messages and their jobs in a transaction of their own.
func (s *Notify) Send(ctx context.Context, msgs ...notify.Message) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return sendMessages(ctx, tx, s.db.Dialect, msgs...) })
}

const messageColumns = `id, channel, recipient, lang, message_key, subject, body, state, created_at, sent_at`

func scanMessage(sc interface{ Scan(...any) error }) (notify.Message, error) {
	var m notify.Message
	var channel, state string
	var created, sent sqlTime
	if err := sc.Scan(&m.ID, &channel, &m.To, &m.Lang, &m.Key, &m.Subject, &m.Body, &state, &created, &sent); err != nil {
		return m, err
	}
	m.Channel, m.State, m.CreatedAt, m.SentAt = notify.Channel(channel), notify.State(state), created.Time, sent.Time
	return m, nil
}

// Message returns one message.
func (s *Notify) Message(ctx context.Context, id string) (notify.Message, error) {
	m, err := scanMessage(s.db.SQL.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM notify_messages WHERE id = $1`, id))
	if IsNotFound(err) {
		return m, storeerr.ErrNotFound
	}
	return m, err
}

// MarkSent records that a message was sent (once: a second call keeps the first time).
func (s *Notify) MarkSent(ctx context.Context, id string, at time.Time) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'sent', sent_at = $1 WHERE id = $2 AND state = 'queued'`, at.UTC(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM notify_messages WHERE id = $1`, id).Scan(&state); IsNotFound(err) {
			return storeerr.ErrNotFound
		}
		return err
	})
}

// Outbox returns the newest messages first.
func (s *Notify) Outbox(ctx context.Context, limit int) ([]notify.Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := s.db.SQL.QueryContext(ctx, `SELECT `+messageColumns+` FROM notify_messages ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteSent removes messages sent before before: the outbox keeps a person's texts (and the
// codes in them) no longer than it needs to.
func (s *Notify) DeleteSent(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.SQL.ExecContext(ctx, `DELETE FROM notify_messages WHERE state = 'sent' AND sent_at < $1`, before.UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
