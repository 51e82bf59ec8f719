package neo4jstore_test

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

// testScript is the script that runs the test server; the bulk-import test
// starts a second server with it.
const testScript = "../../scripts/neo4j-test-server"

// generated returns the seeded tier-tier estate of graph/gen, collected at a
// fixed instant so that as_of is the same in every store.
func generated(t testing.TB, tier string, seed int64) *graph.Dataset {
	t.Helper()
	tr, err := gen.TierByName(tier)
	require.NoError(t, err)
	d := &graph.Dataset{Info: graph.SnapshotMeta{Source: "gen-" + tier + "-" + strconv.FormatInt(seed, 10),
		CollectedAt: time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)}}
	require.NoError(t, gen.Generate(context.Background(), tr, seed, d, nil))
	return d
}

// TestBulkImportMatchesEmbeddedStore writes the finance sample, a seeded
// synthetic graph and a seeded generated estate as neo4j-admin import CSVs,
// imports the three offline into one new database of a second server, and
// requires byte-identical WhoCan and Reach answers to the embedded store's,
// and the imported derived data (the projection) to be the one the
// imported records give.
func TestBulkImportMatchesEmbeddedStore(t *testing.T) {
	serverURI(t) // the same gate as every server test: java and the jars are there
	ctx := context.Background()
	fixed := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	opts := ingest.Options{Now: func() time.Time { return fixed }}
	finance := []ingest.Source{{Path: "../../testdata/finance/bundle.yaml"}}
	datasets := []*graph.Dataset{storetest.Synthetic(300, 7), generated(t, "XS", 3)}

	root := t.TempDir()
	var dirs []string
	var metas []graph.SnapshotMeta
	dir := filepath.Join(root, "finance")
	derived := testDerived()
	meta, err := bundle.Load(ctx, neo4jstore.BulkImport{Dir: dir, Derived: derived}, finance, opts)
	require.NoError(t, err)
	dirs, metas = append(dirs, dir), append(metas, meta)
	for i, d := range datasets {
		dir := filepath.Join(root, "d"+strconv.Itoa(i))
		meta, err := neo4jstore.BulkImport{Dir: dir, Derived: derived}.Ingest(ctx, d.Info, d.WriteTo)
		require.NoError(t, err)
		dirs, metas = append(dirs, dir), append(metas, meta)
	}
	_, err = neo4jstore.BulkImport{Dir: dirs[0]}.Ingest(ctx, datasets[0].Info, datasets[0].WriteTo)
	require.ErrorContains(t, err, "not empty")

	neo := importedServer(t, dirs...)
	snaps, err := neo.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, snaps, len(metas))

	mem, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = mem.Close() })
	memMetas := []graph.SnapshotMeta{}
	m, err := bundle.Load(ctx, mem, finance, opts)
	require.NoError(t, err)
	memMetas = append(memMetas, m)
	for _, d := range datasets {
		memMetas = append(memMetas, storetest.Ingest(t, mem, d))
	}
	for i := range metas {
		require.Equal(t, memMetas[i].ID, metas[i].ID, "the content id does not depend on the store")
		r, err := neo.Snapshot(ctx, metas[i].ID)
		require.NoError(t, err)
		require.Equal(t, metas[i], r.Meta())
		stored := builtProjection(t, neo, metas[i].ID)
		imported, found, err := derivedOf(t, neo, metas[i].ID, projection.StoredName)
		require.NoError(t, err)
		require.True(t, found, "%s: the projection is imported", metas[i].Source)
		require.Equal(t, stored, imported, "%s: the imported projection is the one the records give", metas[i].Source)
		big, found, err := derivedOf(t, neo, metas[i].ID, "big")
		require.NoError(t, err)
		require.True(t, found)
		wantBig, _ := bigDerived(ctx, r)
		require.Equal(t, wantBig, big, "%s: data of several parts", metas[i].Source)
		want, got := answersOf(t, mem, memMetas[i]), answersOf(t, neo, metas[i])
		require.Equal(t, len(want), len(got))
		for q, w := range want {
			require.Equal(t, w, got[q], "%s: %s", metas[i].Source, q)
		}
	}
}

// importedServer bulk-imports dirs into a new database of a second test
// server (a free port, a temporary state directory), stopped at the end of
// the test, and returns a Store on it.
func importedServer(t testing.TB, dirs ...string) *neo4jstore.Store {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	env := append(os.Environ(), "REACHGRAPH_NEO4J_PORT="+strconv.Itoa(port),
		"REACHGRAPH_NEO4J_STATE="+filepath.Join(t.TempDir(), "state"))
	script := func(args ...string) (string, error) {
		cmd := exec.Command(testScript, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		if out, err := script("stop"); err != nil {
			t.Errorf("stop the import server: %v\n%s", err, out)
		}
	})
	start := time.Now()
	out, err := script(append([]string{"import"}, dirs...)...)
	require.NoError(t, err, out)
	t.Logf("imported %d snapshots and started in %s", len(dirs), time.Since(start).Round(time.Second))
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "IMPORT DONE") || strings.HasPrefix(line, "Peak memory") {
			t.Log(line)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	s, err := neo4jstore.Open(context.Background(), lines[len(lines)-1], neo4jstore.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestBulkImportRefusesWhatStoreIngestRefuses: an edge endpoint missing from
// the snapshot, and a node id declared twice, fail the export as they fail
// Store.Ingest (no server needed).
func TestBulkImportRefusesWhatStoreIngestRefuses(t *testing.T) {
	ctx := context.Background()
	dangling := &graph.Dataset{Info: graph.SnapshotMeta{Source: "dangling"},
		IdentityList:   []graph.Identity{{ID: "alice"}},
		MembershipList: []graph.Membership{{Member: "alice", Group: "nobody"}}}
	_, err := neo4jstore.BulkImport{Dir: t.TempDir()}.Ingest(ctx, dangling.Info, dangling.WriteTo)
	require.ErrorIs(t, err, neo4jstore.ErrDanglingReference)

	twice := &graph.Dataset{Info: graph.SnapshotMeta{Source: "twice"},
		IdentityList: []graph.Identity{{ID: "alice"}}, GroupList: []graph.Group{{ID: "alice"}}}
	_, err = neo4jstore.BulkImport{Dir: t.TempDir()}.Ingest(ctx, twice.Info, twice.WriteTo)
	require.ErrorContains(t, err, "declared more than once")
}

// TestBulkImportWritesDerivedParts (no server): the export computes the
// derived data while it writes the other files and puts it in
// nodes-Derived.csv, one row per part, listed in the argument file; the
// parts put back together are the data; a derivation that fails leaves no
// row.
func TestBulkImportWritesDerivedParts(t *testing.T) {
	ctx := context.Background()
	d := generated(t, "XS", 4)
	dir := t.TempDir()
	meta, err := neo4jstore.BulkImport{Dir: dir, Derived: testDerived()}.Ingest(ctx, d.Info, d.WriteTo)
	require.NoError(t, err)
	args, err := os.ReadFile(filepath.Join(dir, neo4jstore.ImportArgsFile))
	require.NoError(t, err)
	require.Contains(t, string(args), strconv.Quote("--nodes=Derived="+filepath.Join(dir, "nodes-Derived.csv")))

	f, err := os.Open(filepath.Join(dir, "nodes-Derived.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"snapshot", "name", "part:long", "parts:long", "size:long", "sha256", "data"}, rows[0])
	got := map[string][]byte{}
	for _, row := range rows[1:] {
		require.Equal(t, string(meta.ID), row[0])
		require.Equal(t, strconv.Itoa(len(got[row[1]])/(3<<19)), row[2], "parts of 1.5 MiB, in order")
		raw, err := base64.StdEncoding.DecodeString(row[6])
		require.NoError(t, err)
		got[row[1]] = append(got[row[1]], raw...)
	}
	require.NotContains(t, got, "fails")
	want, err := graph.DeriveBytes(ctx, projection.Derive, metaDataset{d, meta})
	require.NoError(t, err)
	require.Equal(t, want, got[projection.StoredName])
	wantBig, _ := bigDerived(ctx, metaDataset{d, meta})
	require.Equal(t, wantBig, got["big"])
}

// metaDataset is d read as the snapshot meta describes.
type metaDataset struct {
	*graph.Dataset
	meta graph.SnapshotMeta
}

func (m metaDataset) Meta() graph.SnapshotMeta { return m.meta }
