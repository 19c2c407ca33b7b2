package demosite_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/app/apptest"
	"github.com/kabinet/kabinet/internal/jurisdiction"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The outbox shows when a message was made in the jurisdiction's zone, as every other page does:
// Bishkek's (UTC+6) in the Kyrgyz profile, Moscow's (UTC+3) in the Russian one; never UTC.
func TestOutboxZone(t *testing.T) {
	at := time.Date(2026, 12, 2, 4, 5, 6, 0, time.UTC)
	for _, c := range []struct {
		profile   jurisdiction.Code
		want, utc string
		to, lang  string
	}{
		{jurisdiction.KG, "02.12.2026 10:05:06", "02.12.2026 04:05:06", "+996555100200", "ky"},
		{jurisdiction.RU, "02.12.2026 07:05:06", "02.12.2026 04:05:06", "+79001234567", "ru"},
	} {
		t.Run(string(c.profile), func(t *testing.T) {
			a := apptest.Start(t, storetest.SQLite(t), apptest.Options{Demo: true, Clock: apptest.NewClock(at), Profile: jurisdiction.MustLookup(c.profile)})
			if _, err := a.Notify.Send(context.Background(), notify.Message{Channel: notify.SMS, To: c.to, Lang: c.lang, Key: "notify.code", Args: []string{"123456"}}); err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(a.URL + "/demo/outbox")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(b)
			if resp.StatusCode != 200 || !strings.Contains(body, "123456") {
				t.Fatalf("%d %.300s", resp.StatusCode, body)
			}
			if !strings.Contains(body, "<td>"+c.want+"</td>") || strings.Contains(body, c.utc) {
				t.Errorf("the message's time is not %s: %s", c.want, body[strings.Index(body, `id="outbox"`):])
			}
		})
	}
}
