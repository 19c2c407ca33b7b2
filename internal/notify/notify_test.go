package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/notify"
)

func TestPrepareRendersInTheRecipientsLanguage(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	got, err := notify.Prepare(now,
		notify.Message{Channel: notify.Email, To: "elena@example.org", Lang: "ru", Key: "notify.code", Args: []string{"123456"}},
		notify.Message{Channel: notify.SMS, To: "+79161234567", Lang: "en", Key: "notify.code", Args: []string{"654321"}},
		notify.Message{Channel: notify.Email, To: "ivan@example.org", Lang: "fr", Key: "notify.welcome", Args: []string{"Иван"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	ru, en, fallback := got[0], got[1], got[2]
	if ru.Subject != "Код подтверждения" || !strings.HasPrefix(ru.Body, "Код подтверждения: 123456.") {
		t.Fatalf("Russian e-mail: %q %q", ru.Subject, ru.Body)
	}
	if en.Subject != "" || !strings.HasPrefix(en.Body, "Your confirmation code: 654321.") {
		t.Fatalf("English SMS: %q %q", en.Subject, en.Body)
	}
	if fallback.Lang != "ru" || !strings.HasPrefix(fallback.Body, "Здравствуйте, Иван!") {
		t.Fatalf("unknown language: %+v", fallback)
	}
	for _, m := range got {
		if len(m.ID) != 32 || m.State != notify.Queued || !m.CreatedAt.Equal(now) {
			t.Fatalf("prepared: %+v", m)
		}
	}
	if got[0].ID == got[1].ID {
		t.Fatal("two messages, one id")
	}
	job := ru.Job()
	var p struct{ Message string }
	if err := json.Unmarshal(job.Payload, &p); err != nil || p.Message != ru.ID || job.Kind != notify.EmailJob || job.Key != "notify:"+ru.ID {
		t.Fatalf("job: %+v %s", job, job.Payload)
	}
	if en.Job().Kind != notify.SMSJob {
		t.Fatal("SMS job kind")
	}
}

func TestPrepareRefusesWithoutQuotingTheMessage(t *testing.T) {
	for _, m := range []notify.Message{
		{Channel: notify.Email, To: "Elena <elena@example.org>", Key: "notify.code"},
		{Channel: notify.Email, To: "elena-at-example.org", Key: "notify.code"},
		{Channel: notify.SMS, To: "89161234567", Key: "notify.code"},
		{Channel: notify.SMS, To: "+7916123456x", Key: "notify.code"},
		{Channel: "pigeon", To: "elena@example.org", Key: "notify.code"},
		{Channel: notify.Email, To: "elena@example.org", Key: "notify.nothing"},
		{Channel: notify.Email, To: "elena@example.org"},
	} {
		_, err := notify.Prepare(time.Now(), m)
		if err == nil {
			t.Fatalf("%+v accepted", m)
		}
		if strings.Contains(err.Error(), "elena") || strings.Contains(err.Error(), "916") {
			t.Fatalf("the error quotes the recipient: %v", err)
		}
	}
}

func TestIsPhone(t *testing.T) {
	for s, want := range map[string]bool{"+79161234567": true, "+996555123456": true, "+7916": false, "79161234567": false, "+09161234567": false, "+7 916 123": false} {
		if notify.IsPhone(s) != want {
			t.Errorf("IsPhone(%q) = %v", s, !want)
		}
	}
}
