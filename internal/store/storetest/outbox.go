package storetest

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/store"
)

// Sent returns the messages of db's outbox to an address (an e-mail, or a phone in international
// form), the oldest first: what the tests read the codes, links and notices from.
func Sent(t testing.TB, db *store.DB, to string) []notify.Message {
	t.Helper()
	msgs, err := store.NewNotify(db).Outbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Message
	for _, m := range slices.Backward(msgs) {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// LastSent returns the body of the newest message to an address, "" when there is none.
func LastSent(t testing.TB, db *store.DB, to string) string {
	t.Helper()
	if msgs := Sent(t, db, to); len(msgs) > 0 {
		return msgs[len(msgs)-1].Body
	}
	return ""
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// LastCode returns the one-time code (six digits) of the newest message to an address that has
// one, and fails the test when none has.
func LastCode(t testing.TB, db *store.DB, to string) string {
	t.Helper()
	msgs := Sent(t, db, to)
	for _, m := range slices.Backward(msgs) {
		if c := sixDigits.FindString(m.Body); c != "" {
			return c
		}
	}
	t.Fatalf("no code sent to %s", to)
	return ""
}
