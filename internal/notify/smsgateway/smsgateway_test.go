package smsgateway_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/notify"
	"github.com/kabinet/kabinet/internal/notify/smsgateway"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// gateway is a fake SMS gateway: down (503) for the first requests, then it records deliveries.
type gateway struct {
	mu         sync.Mutex
	down       int
	status     int // answer once up; 0: 200
	requests   int
	delivered  []map[string]string
	idempotent []string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	if g.down > 0 {
		g.down--
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	}
	if g.status != 0 {
		http.Error(w, "no", g.status)
		return
	}
	var body map[string]string
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.delivered = append(g.delivered, body)
	g.idempotent = append(g.idempotent, r.Header.Get("Idempotency-Key"))
	w.WriteHeader(http.StatusAccepted)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestSMSRetriedUntilTheGatewayIsUp sends an SMS through the outbox to a gateway that answers
// 503 twice: the worker retries it (the clock skips the back-off) and it is delivered once.
func TestSMSRetriedUntilTheGatewayIsUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gw := &gateway{down: 2}
		srv := httptest.NewServer(gw)
		defer srv.Close()
		sender, err := smsgateway.New(srv.URL+"/send?key=gateway-secret", nil)
		if err != nil {
			t.Fatal(err)
		}
		svc := notify.New(store.NewNotify(db), nil)
		msgs, err := svc.Send(ctx, notify.Message{Channel: notify.SMS, To: "+79161234567", Lang: "ru", Key: "notify.code", Args: []string{"480213"}})
		if err != nil {
			t.Fatal(err)
		}
		c := &clock{t: time.Now()}
		q := store.NewJobs(db)
		w := jobs.NewWorker(q, svc.Handlers(nil, sender), jobs.Options{Now: c.Now, Log: slog.New(slog.DiscardHandler)})
		for range 5 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			c.Add(time.Minute)
		}
		gw.mu.Lock()
		defer gw.mu.Unlock()
		if gw.requests != 3 || len(gw.delivered) != 1 {
			t.Fatalf("%d requests, %d deliveries; want 3 and 1", gw.requests, len(gw.delivered))
		}
		d := gw.delivered[0]
		if d["id"] != msgs[0].ID || d["to"] != "+79161234567" || !strings.HasPrefix(d["text"], "Код подтверждения: 480213.") || gw.idempotent[0] != msgs[0].ID {
			t.Fatalf("delivery: %v (Idempotency-Key %q)", d, gw.idempotent[0])
		}
		js, err := q.List(ctx, jobs.Filter{})
		if err != nil || len(js) != 1 || js[0].State != jobs.Done || js[0].Attempts != 3 {
			t.Fatalf("job: %+v %v", js, err)
		}
		if e := js[0].LastError; !strings.Contains(e, "503") || strings.Contains(e, "916") || strings.Contains(e, "480213") || strings.Contains(e, "gateway-secret") {
			t.Fatalf("last error %q", e)
		}
		if m, _ := store.NewNotify(db).Message(ctx, msgs[0].ID); m.State != notify.Sent {
			t.Fatalf("message: %+v", m)
		}
	})
}

// TestSMSAnswers checks how each kind of answer is taken: 2xx sent; 408, 429, 5xx and a
// gateway that does not answer in time retried; another 4xx permanent.
func TestSMSAnswers(t *testing.T) {
	msg := notify.Message{ID: "0123456789abcdef0123456789abcdef", Channel: notify.SMS, To: "+79161234567", Body: "Код: 1"}
	for _, c := range []struct {
		status    int
		ok, final bool
	}{{200, true, false}, {204, true, false}, {400, false, true}, {403, false, true}, {408, false, false}, {429, false, false}, {500, false, false}, {502, false, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(c.status) }))
		s, err := smsgateway.New(srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = s.SendSMS(context.Background(), msg)
		srv.Close()
		if (err == nil) != c.ok || jobs.IsPermanent(err) != c.final {
			t.Errorf("answer %d: %v (permanent %v)", c.status, err, jobs.IsPermanent(err))
		}
	}
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	s, err := smsgateway.New(slow.URL, &http.Client{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendSMS(context.Background(), msg); err == nil || jobs.IsPermanent(err) || !strings.Contains(err.Error(), "in time") {
		t.Fatalf("a gateway that does not answer: %v", err)
	}
	if _, err := smsgateway.New("ftp://gateway", nil); err == nil {
		t.Fatal("ftp URL accepted")
	}
}
