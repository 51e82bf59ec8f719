package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest/postgres"
	"github.com/reachgraph/reachgraph/ingest/postgres/pgtest"
)

// BenchmarkLargeCatalog reads, transforms and ingests the catalog of
// database pgbench_catalog, made beforehand with
// testdata/postgres/bench-setup.sql (docs/performance.md gives the sizes
// measured); it is skipped when that database is absent. Metrics per
// phase: fetch-s, transform-s, load-s (whole ingest.Load: fetch, transform,
// validation).
func BenchmarkLargeCatalog(b *testing.B) {
	u := pgtest.URL(b)
	src := pgtest.WithDB(b, u, "pgbench_catalog")
	ctx := context.Background()
	cat, err := postgres.Fetch(ctx, src, postgres.FetchOptions{})
	if err != nil {
		b.Skipf("no benchmark catalog (run testdata/postgres/bench-setup.sql): %v", err)
	}
	tables := len(cat.Databases[0].Tables)
	b.Logf("catalog: %d roles, %d memberships, %d tables", len(cat.Roles), len(cat.Members), tables)
	var fetch, transform, load time.Duration
	for b.Loop() {
		t0 := time.Now()
		c, err := postgres.Fetch(ctx, src, postgres.FetchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		recs := postgres.Transform(c, nil)
		t2 := time.Now()
		_ = recs
		st := &storetest.Capture{}
		if err := loadInto(st, src); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		fetch += t1.Sub(t0)
		transform += t2.Sub(t1)
		load += t3.Sub(t2)
	}
	n := float64(b.N)
	b.ReportMetric(fetch.Seconds()/n, "fetch-s")
	b.ReportMetric(transform.Seconds()/n, "transform-s")
	b.ReportMetric(load.Seconds()/n, "load-s")
	b.ReportMetric(float64(tables), "tables")
}
