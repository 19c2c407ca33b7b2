package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kabinet/kabinet/internal/jobs"
)

// JobStats reads the job queue's counts; jobs.Store (store.Jobs) is one.
type JobStats interface {
	Stats(ctx context.Context) ([]jobs.Stat, error)
}

// JobsCollector is a Prometheus collector of the job queue (the outbox included), read from the
// database on each scrape, so that every process reports the same shared queue:
//
//	kabinet_jobs{kind,state}                      jobs per kind and state
//	kabinet_jobs_oldest_queued_seconds{kind}      age of the oldest queued job of a kind
//
// A growing age of notify.email means e-mails wait in the outbox (no SMTP server, or it fails).
// Register it on the server's registry: registry.MustRegister(server.NewJobsCollector(store.NewJobs(db), nil)).
type JobsCollector struct {
	stats  JobStats
	now    func() time.Time
	count  *prometheus.Desc
	oldest *prometheus.Desc
	failed *prometheus.Desc
}

// NewJobsCollector returns a collector reading s; now is the clock (nil: time.Now).
func NewJobsCollector(s JobStats, now func() time.Time) *JobsCollector {
	if now == nil {
		now = time.Now
	}
	return &JobsCollector{stats: s, now: now,
		count:  prometheus.NewDesc("kabinet_jobs", "Jobs in the queue by kind and state (queued, running, done, dead).", []string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("kabinet_jobs_oldest_queued_seconds", "Age in seconds of the oldest queued job of a kind.", []string{"kind"}, nil),
		failed: prometheus.NewDesc("kabinet_jobs_scrape_error", "1 when the job queue could not be read at this scrape.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *JobsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.count
	ch <- c.oldest
	ch <- c.failed
}

// Collect implements prometheus.Collector.
func (c *JobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := c.stats.Stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, 0)
	now := c.now()
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(s.Count), s.Kind, string(s.State))
		if s.State == jobs.Queued && !s.Oldest.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, max(0, now.Sub(s.Oldest).Seconds()), s.Kind)
		}
	}
}
