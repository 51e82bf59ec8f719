package gqlserver

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, on a registry of its own.
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	operations    *prometheus.CounterVec
	loaderBatches *prometheus.CounterVec
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
		loaderBatches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reachgraph_graphql_loader_batches_total", Help: "Batched dataloader fetches by loader.",
		}, []string{"loader"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.operations, m.loaderBatches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
