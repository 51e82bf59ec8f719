package gqlserver

import (
	"context"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/schema"
)

// metrics are the server's Prometheus metrics, on a registry of its own.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	operations *prometheus.CounterVec
	projection prometheus.Histogram
	findings   *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reachgraph_http_requests_total", Help: "HTTP requests by handler and status code.",
		}, []string{"handler", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "reachgraph_http_request_duration_seconds", Help: "HTTP request latency by handler.",
			Buckets: prometheus.DefBuckets,
		}, []string{"handler"}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reachgraph_graphql_operations_total", Help: "GraphQL operations by type and outcome (ok or error).",
		}, []string{"type", "outcome"}),
	}
	m.projection = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "reachgraph_snapshot_open_seconds", Help: "Time to open a snapshot: read its records and build its projection.",
		Buckets: prometheus.ExponentialBuckets(0.01, 4, 8),
	})
	m.findings = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "reachgraph_findings", Help: "Built-in ruleset findings on the newest snapshot at its own as_of, by severity (set when they are first computed).",
	}, []string{"severity"})
	m.reg.MustRegister(m.requests, m.duration, m.operations, m.projection, m.findings,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// registerStore adds the metrics read from the store at scrape time and the
// build information.
func (m *metrics) registerStore(st graph.Store, build BuildInfo) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "reachgraph_newest_snapshot_age_seconds",
		Help: "Seconds since the newest snapshot was collected (its collected_at, else its ingest time); -1 without snapshots.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		metas, err := st.Snapshots(ctx)
		if err != nil || len(metas) == 0 {
			return -1
		}
		newest := metas[len(metas)-1]
		return time.Since(newest.AsOf()).Seconds()
	}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "reachgraph_build_info", Help: "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": build.Version, "commit": build.Commit, "goversion": runtime.Version()},
	}, func() float64 { return 1 }))
}

// BuildInfo names the running build in /metrics.
type BuildInfo struct {
	Version string
	Commit  string
}

// setFindings records the count of findings per severity.
func (m *metrics) setFindings(fs []rules.Finding) {
	counts := map[schema.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	for _, sev := range schema.Severities {
		m.findings.WithLabelValues(string(sev)).Set(float64(counts[sev]))
	}
}
