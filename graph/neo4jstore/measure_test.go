package neo4jstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/schema"
)

// measureEnv names the tier the measurements below run on (S, M); they are
// skipped without it: docs/performance.md records their output. They are
// benchmarks (one-shot: run them with -benchtime 1x), not tests.
const measureEnv = "REACHGRAPH_MEASURE_TIER"

func measureTier(t testing.TB) string {
	t.Helper()
	tier := os.Getenv(measureEnv)
	if tier == "" {
		t.Skipf("%s is not set (S or M): a measurement, not a test", measureEnv)
	}
	return tier
}

// BenchmarkMeasureBulkImport times the offline path at a tier: CSV export
// (with the projection, as the CLI exports it), neo4j-admin import plus
// server start, Open (constraints and indexes populated), a session opened
// on the imported database (the stored projection read and loaded), the
// projection rebuilt from the imported records (what a snapshot without a
// stored projection costs; the two must be byte-identical), and the engine
// against the analyst Cypher on it (compareCypher).
func BenchmarkMeasureBulkImport(b *testing.B) {
	for range b.N {
		measureBulkImport(b)
	}
}

func measureBulkImport(t testing.TB) {
	tier := measureTier(t)
	serverURI(t)
	ctx := context.Background()
	start := time.Now()
	d := generated(t, tier, 1)
	rows := d.Meta().Counts.Total()
	var ids []string
	for _, r := range d.ResourceList {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	var targets []string
	for i := range 20 {
		targets = append(targets, ids[i*len(ids)/20])
	}
	t.Logf("tier %s: %d rows generated in %s", tier, rows, time.Since(start).Round(time.Millisecond))
	dir := filepath.Join(t.TempDir(), "csv")
	start = time.Now()
	meta, err := neo4jstore.BulkImport{Dir: dir, Derived: map[string]graph.DeriveFunc{projection.StoredName: projection.Derive}}.
		Ingest(ctx, d.Info, d.WriteTo)
	require.NoError(t, err)
	export := time.Since(start)
	d = nil
	start = time.Now()
	neo := importedServer(t, dir)
	imported := time.Since(start)
	t.Logf("export %s (%.0f rows/s); import + start + Open %s; export + import %.0f rows/s",
		export.Round(time.Millisecond), float64(rows)/export.Seconds(), imported.Round(time.Millisecond),
		float64(rows)/(export+imported).Seconds())
	start = time.Now()
	sess, err := session.Open(ctx, neo, meta.ID)
	require.NoError(t, err)
	t.Logf("session opened on the imported database (stored projection read and loaded): %s",
		time.Since(start).Round(time.Millisecond))
	stored, err := sess.Projection().AppendBinary(nil)
	require.NoError(t, err)
	sess = nil
	start = time.Now()
	r, err := neo.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	t.Logf("projection rebuilt from the imported records: %s (%.0f rows/s)", time.Since(start).Round(time.Millisecond),
		float64(rows)/time.Since(start).Seconds())
	built, err := p.AppendBinary(nil)
	require.NoError(t, err)
	require.True(t, bytes.Equal(stored, built), "the stored projection is the one the records give")
	stored, built = nil, nil
	compareCypher(t, neo, meta, reach.New(p, meta.AsOf()), targets)
}

// BenchmarkMeasureWhoCanCypher ingests a tier, then times the engine's WhoCan and
// the analyst Cypher (authorized + effective) on 20 resources, approve,
// checking that the answers agree, and logs p50 and p99 of each.
func BenchmarkMeasureWhoCanCypher(b *testing.B) {
	for range b.N {
		measureWhoCanCypher(b)
	}
}

func measureWhoCanCypher(t testing.TB) {
	tier := measureTier(t)
	neo := openEmpty(t)
	ctx := context.Background()
	d := generated(t, tier, 1)
	start := time.Now()
	meta, err := neo.Ingest(ctx, d.Info, d.WriteTo)
	require.NoError(t, err)
	t.Logf("tier %s: %d rows ingested in %s (%.0f rows/s)", tier, meta.Counts.Total(), time.Since(start).Round(time.Millisecond),
		float64(meta.Counts.Total())/time.Since(start).Seconds())
	start = time.Now()
	e, targets := engineOn(t, neo, meta, 20)
	t.Logf("projection read from Neo4j (and ReadAll): %s", time.Since(start).Round(time.Millisecond))
	compareCypher(t, neo, meta, e, targets)
}

// compareCypher times the engine's WhoCan and the analyst Cypher on targets
// (approve), requires equal answers, and logs p50 and p99 of each.
func compareCypher(t testing.TB, neo *neo4jstore.Store, meta graph.SnapshotMeta, e *reach.Engine, targets []string) {
	ctx := context.Background()
	start := time.Now() // the first run of each query compiles its plan
	_, _, err := neo.WhoCanCypher(ctx, meta.ID, targets[0], schema.ActionApprove, e.AsOf(), neo4jstore.DefaultCypherExposures)
	require.NoError(t, err)
	t.Logf("cypher, first run (plans compiled): %s", time.Since(start).Round(time.Millisecond))
	var eng, cy []time.Duration
	for _, target := range targets {
		start := time.Now()
		accs, err := e.WhoCan(ctx, reach.WhoCanQuery{Resource: target, Action: schema.ActionApprove})
		require.NoError(t, err)
		eng = append(eng, time.Since(start))
		start = time.Now()
		auth, eff, err := neo.WhoCanCypher(ctx, meta.ID, target, schema.ActionApprove, e.AsOf(), neo4jstore.DefaultCypherExposures)
		require.NoError(t, err)
		cy = append(cy, time.Since(start))
		var wantAuth, wantEff []string
		for _, acc := range accs {
			wantAuth = append(wantAuth, acc.Identity)
			if acc.Effective {
				wantEff = append(wantEff, acc.Identity)
			}
		}
		require.Equal(t, len(wantAuth), len(auth), target)
		require.Equal(t, len(wantEff), len(eff), target)
		if len(auth) > 0 {
			require.Equal(t, wantAuth, auth, target)
		}
		if len(eff) > 0 {
			require.Equal(t, wantEff, eff, target)
		}
		t.Logf("%s: %d authorized, %d effective; engine %s, cypher %s", target, len(auth), len(eff), eng[len(eng)-1], cy[len(cy)-1])
	}
	pct := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[min(len(s)-1, int(p*float64(len(s))))]
	}
	t.Logf("engine p50 %s p99 %s; cypher (authorized + effective) p50 %s p99 %s",
		pct(eng, 0.5), pct(eng, 0.99), pct(cy, 0.5), pct(cy, 0.99))
}

// BenchmarkMeasureBulkExport times the CSV export of a tier without and with
// the stored projection, alternated in one run (no server needed): what
// storing the projection adds to `ingest --neo4j-import`.
func BenchmarkMeasureBulkExport(b *testing.B) {
	tier := measureTier(b)
	ctx := context.Background()
	d := generated(b, tier, 1)
	with := map[string]graph.DeriveFunc{projection.StoredName: projection.Derive}
	for range b.N {
		for _, derived := range []map[string]graph.DeriveFunc{nil, with, nil, with} {
			start := time.Now()
			_, err := neo4jstore.BulkImport{Dir: filepath.Join(b.TempDir(), "csv"), Derived: derived}.Ingest(ctx, d.Info, d.WriteTo)
			require.NoError(b, err)
			b.Logf("tier %s export, projection stored %t: %s", tier, derived != nil, time.Since(start).Round(time.Millisecond))
		}
	}
}
