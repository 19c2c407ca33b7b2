package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kabinet/kabinet/internal/jobs"
	"github.com/kabinet/kabinet/internal/server"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/store/storetest"
)

func TestJobsCollector(t *testing.T) {
	ctx := context.Background()
	q := store.NewJobs(storetest.SQLite(t))
	if err := q.Enqueue(ctx, jobs.Spec{Kind: "notify.email"}, jobs.Spec{Kind: "notify.email"}, jobs.Spec{Kind: "notify.sms"}); err != nil {
		t.Fatal(err)
	}
	all, err := q.List(ctx, jobs.Filter{Kind: "notify.email"})
	if err != nil {
		t.Fatal(err)
	}
	oldest := all[len(all)-1].CreatedAt
	leases, err := q.Lease(ctx, []string{"notify.sms"}, 1, time.Now(), time.Now().Add(time.Minute))
	if err != nil || len(leases) != 1 {
		t.Fatalf("lease: %v %v", leases, err)
	}
	c := server.NewJobsCollector(q, func() time.Time { return oldest.Add(90 * time.Second) })
	reg := prometheus.NewRegistry()
	reg.MustRegister(c) // checks the descriptions against what Collect sends
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for _, l := range m.GetLabel() {
				name += " " + l.GetName() + "=" + l.GetValue()
			}
			got[name] = m.GetGauge().GetValue()
		}
	}
	want := map[string]float64{
		"kabinet_jobs kind=notify.email state=queued":          2,
		"kabinet_jobs kind=notify.sms state=running":           1,
		"kabinet_jobs_oldest_queued_seconds kind=notify.email": 90,
		"kabinet_jobs_scrape_error":                            0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("metrics (-want +got):\n%s", diff)
	}
}
