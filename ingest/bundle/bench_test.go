package bundle_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema"
)

// synthetic builds a deterministic dataset shaped like a real estate: mostly
// non-human identities, nested groups, many grants, credentials in a vault.
func synthetic(identities int) *graph.Dataset {
	d := &graph.Dataset{}
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	systems := 20
	for i := range systems {
		d.SystemList = append(d.SystemList, graph.System{ID: fmt.Sprintf("sys-%d", i), Name: fmt.Sprintf("System %d", i), Kind: "erp", SOXScope: i%2 == 0, Owner: "it"})
	}
	resources := identities / 2
	for i := range resources {
		r := graph.Resource{ID: fmt.Sprintf("sys-%d:res-%d", i%systems, i), System: fmt.Sprintf("sys-%d", i%systems), Name: fmt.Sprintf("Resource %d", i), Kind: "journal_entry"}
		if i >= systems && i%3 == 0 {
			r.Parent = d.ResourceList[i-systems].ID
		}
		d.ResourceList = append(d.ResourceList, r)
	}
	for i := range identities {
		typ := schema.IdentityServiceAccount
		if i%10 == 0 {
			typ = schema.IdentityHuman
		}
		d.IdentityList = append(d.IdentityList, graph.Identity{
			ID: fmt.Sprintf("identity-%07d", i), Name: fmt.Sprintf("Identity %d", i), Type: typ, Status: schema.StatusActive,
			Owners: graph.Owners{Business: "owner@example.com"}, Purpose: "batch processing", CreatedAt: t0,
			Tags: map[string]string{"env": "prod"},
		})
	}
	groups := identities / 5
	for i := range groups {
		d.GroupList = append(d.GroupList, graph.Group{ID: fmt.Sprintf("group-%06d", i), Type: schema.GroupRole})
	}
	for i := range identities {
		d.MembershipList = append(d.MembershipList, graph.Membership{Member: d.IdentityList[i].ID, Group: d.GroupList[i%groups].ID})
	}
	for i := range identities * 4 {
		d.GrantList = append(d.GrantList, graph.Grant{
			Principal: d.GroupList[i%groups].ID, Action: schema.Actions[i%len(schema.Actions)],
			Resource: d.ResourceList[i%resources].ID, Native: "F_BKPF_BUK/ACTVT=01", LastUsedAt: t0,
		})
	}
	for i := range identities / 2 {
		d.CredentialList = append(d.CredentialList, graph.Credential{
			ID: fmt.Sprintf("cred-%07d", i), Identity: d.IdentityList[i].ID, Type: schema.CredAPIKey,
			Systems: []string{"sys-1"}, CreatedAt: t0, LastRotatedAt: t0, RotationDays: 90, Vaulted: true,
		})
	}
	return d
}

// writeJSON writes d as a JSON bundle file and returns its path.
func writeJSON(tb testing.TB, d *graph.Dataset, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "bundle.json")
	fh, err := os.Create(path)
	require.NoError(tb, err)
	w := bundle.NewJSONWriter(fh, "bench", time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC))
	require.NoError(tb, d.WriteTo(w))
	require.NoError(tb, w.Close())
	require.NoError(tb, fh.Close())
	return path
}

// hashStore replays every record into a snapshot-id hasher, the least any
// store does, and keeps nothing.
type hashStore struct{}

func (hashStore) Ingest(_ context.Context, meta graph.SnapshotMeta, fn func(graph.Writer) error) (graph.SnapshotMeta, error) {
	return meta, fn(graph.NewIDHasher(meta))
}

// validateStore does not even run the callback: with it, Load is read +
// parse + validate only (the "bundle parse + validate" target of
// PERFORMANCE.md).
type validateStore struct{}

func (validateStore) Ingest(_ context.Context, meta graph.SnapshotMeta, _ func(graph.Writer) error) (graph.SnapshotMeta, error) {
	return meta, nil
}

func benchmarkLoad(b *testing.B, st graph.Ingester) {
	path := writeJSON(b, synthetic(50_000), b.TempDir())
	info, err := os.Stat(path)
	require.NoError(b, err)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bundle.Load(context.Background(), st, []ingest.Source{{Path: path}}, ingest.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateJSON measures JSON bundle read + parse + validate
// throughput (MB/s of input, file hashing included) on a ~50 MB bundle of
// 50k identities, 200k grants and their groups, resources and credentials.
func BenchmarkValidateJSON(b *testing.B) { benchmarkLoad(b, validateStore{}) }

// BenchmarkLoadJSON is BenchmarkValidateJSON plus the replay of every
// validated record into the store's writer (here a snapshot-id hasher).
func BenchmarkLoadJSON(b *testing.B) { benchmarkLoad(b, hashStore{}) }
