package neo4jstore_test

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
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

// newlines is a snapshot with CR and LF in some ids and names, so that
// only some of its files need multiline parsing (nodes-System,
// nodes-Resource, nodes-Group, rels-MEMBER_OF, rels-GRANT, rels-IN_SYSTEM,
// rels-CHILD_OF), with paths through the ids that hold them.
func newlines() *graph.Dataset {
	je, approver := "sap:fi\nje", "r-je\r\napprover"
	return &graph.Dataset{
		Info:           graph.SnapshotMeta{Source: "newlines", CollectedAt: time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)},
		SystemList:     []graph.System{{ID: "sap", Name: "SAP\nproduction", SOXScope: true}},
		ResourceList:   []graph.Resource{{ID: je, System: "sap", Name: "journal\r\nentries"}, {ID: "sap:fi:gl", System: "sap", Parent: je}},
		IdentityList:   []graph.Identity{{ID: "alice", Type: "human"}, {ID: "bob", Type: "human"}, {ID: "svc", Type: "service_account"}},
		GroupList:      []graph.Group{{ID: "g-fin", System: "sap"}, {ID: approver, Name: "JE\napprover", Type: "role"}},
		CredentialList: []graph.Credential{{ID: "k1", Identity: "svc", Type: "api_key", StoredIn: "sap:fi:gl"}},
		MembershipList: []graph.Membership{{Member: "alice", Group: "g-fin"}, {Member: "g-fin", Group: approver}},
		GrantList: []graph.Grant{{Principal: approver, Action: "approve", Resource: je},
			{Principal: "bob", Action: "read", Resource: "sap:fi:gl", Native: "line 1\nline 2"}},
		DelegationList: []graph.Delegation{{From: "bob", To: "svc", Kind: "assume_role", System: "sap"}},
	}
}

// TestBulkImportMatchesEmbeddedStore writes the finance sample, a seeded
// synthetic graph, a seeded generated estate and snapshots with newlines in
// ids and names (in some files, and in every record file) as neo4j-admin
// import CSVs, imports them offline into one new database of a second
// server, and requires the records read back to be those written,
// byte-identical WhoCan and Reach answers to the embedded store's, and the
// imported derived data (the projection) to be the one the imported records
// give.
func TestBulkImportMatchesEmbeddedStore(t *testing.T) {
	serverURI(t) // the same gate as every server test: java and the jars are there
	ctx := context.Background()
	fixed := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	opts := ingest.Options{Now: func() time.Time { return fixed }}
	finance := []ingest.Source{{Path: "../../testdata/finance/bundle.yaml"}}
	datasets := []*graph.Dataset{storetest.Synthetic(300, 7), generated(t, "XS", 3), newlines()}
	// Newlines (CR, LF, CR alone) in every record file; dangling references
	// for the projection, so only its records are compared.
	special := storetest.SpecialIDsDataset()

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
	specialDir := filepath.Join(root, "special")
	specialMeta, err := neo4jstore.BulkImport{Dir: specialDir}.Ingest(ctx, special.Info, special.WriteTo)
	require.NoError(t, err)
	_, err = neo4jstore.BulkImport{Dir: dirs[0]}.Ingest(ctx, datasets[0].Info, datasets[0].WriteTo)
	require.ErrorContains(t, err, "not empty")
	args, err := os.ReadFile(filepath.Join(dirs[3], neo4jstore.ImportArgsFile))
	require.NoError(t, err)
	_, multiline, _ := strings.Cut(string(args), `"--multiline-fields=`)
	multiline, _, _ = strings.Cut(multiline, "\n")
	require.Contains(t, multiline, "rels-GRANT.csv", "newlines(): some files are multiline")
	require.NotContains(t, multiline, "nodes-Identity.csv", "newlines(): not every file")

	neo := importedServer(t, append(dirs, specialDir)...)
	snaps, err := neo.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, snaps, len(metas)+1)
	r, err := neo.Snapshot(ctx, specialMeta.ID)
	require.NoError(t, err)
	require.Equal(t, storetest.WantMeta(special, specialMeta), r.Meta())
	storetest.RequireRecords(t, storetest.Normalize(special), storetest.ReadSnapshot(t, neo, specialMeta.ID))

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
		if i > 0 {
			d := datasets[i-1]
			require.Equal(t, storetest.WantMeta(d, metas[i]), r.Meta(), d.Info.Source)
			storetest.RequireRecords(t, storetest.Normalize(d), storetest.ReadSnapshot(t, neo, metas[i].ID))
		}
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

// TestBulkImportChangesNothingOnBadInput (no server): records that fail
// (the reader's error, or a dangling reference found while the files are
// written) leave no import directory behind, nor anything in the directory
// above it, and an empty directory given stays empty; a directory that is not empty is refused before
// any record is read; a good run leaves only the import directory where
// it was asked for.
func TestBulkImportChangesNothingOnBadInput(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "new", "csv")
	require.Equal(t, root, neo4jstore.ExistingParent(dir), "temporary files go where the directory will be")
	d := generated(t, "XS", 4)
	bad := errors.New("line 7: not a bundle")
	_, err := neo4jstore.BulkImport{Dir: dir}.Ingest(ctx, d.Info, func(w graph.Writer) error {
		if err := d.WriteTo(w); err != nil {
			return err
		}
		return bad
	})
	require.ErrorIs(t, err, bad)
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing made on bad input")

	dangling := &graph.Dataset{Info: graph.SnapshotMeta{Source: "dangling"},
		IdentityList:   []graph.Identity{{ID: "alice"}},
		MembershipList: []graph.Membership{{Member: "alice", Group: "nobody"}}}
	_, err = neo4jstore.BulkImport{Dir: dir}.Ingest(ctx, dangling.Info, dangling.WriteTo)
	require.ErrorIs(t, err, neo4jstore.ErrDanglingReference)
	entries, err = os.ReadDir(root)
	require.NoError(t, err)
	require.Empty(t, entries, "the files written before the dangling reference was found are gone")
	empty := t.TempDir()
	_, err = neo4jstore.BulkImport{Dir: empty}.Ingest(ctx, dangling.Info, dangling.WriteTo)
	require.ErrorIs(t, err, neo4jstore.ErrDanglingReference)
	entries, err = os.ReadDir(empty)
	require.NoError(t, err)
	require.Empty(t, entries, "an empty directory given is left empty")

	full := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(full, "old.csv"), nil, 0o644))
	called := false
	_, err = neo4jstore.BulkImport{Dir: full}.Ingest(ctx, d.Info, func(graph.Writer) error { called = true; return nil })
	require.ErrorContains(t, err, "is not empty")
	require.False(t, called, "refused before reading the records")

	meta, err := neo4jstore.BulkImport{Dir: dir}.Ingest(ctx, d.Info, d.WriteTo)
	require.NoError(t, err)
	require.Equal(t, d.Info.Source, meta.Source)
	entries, err = os.ReadDir(root)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the import directory")
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
