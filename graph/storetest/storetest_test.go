package storetest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// refStore is the simplest conforming store: snapshots are normalised
// graph.Datasets in a slice. Running the suite against it shows the suite
// asks for nothing beyond the graph.Store contract and the documented
// normalisation, independently of the embedded store.
type refStore struct {
	mu    sync.Mutex
	snaps []*graph.Dataset
}

func (s *refStore) Ingest(ctx context.Context, meta graph.SnapshotMeta, fn func(graph.Writer) error) (graph.SnapshotMeta, error) {
	d := &graph.Dataset{Info: meta}
	if err := fn(d); err != nil {
		return graph.SnapshotMeta{}, err
	}
	if err := ctx.Err(); err != nil {
		return graph.SnapshotMeta{}, err
	}
	d = storetest.Normalize(d)
	if d.Info.IngestedAt.IsZero() {
		d.Info.IngestedAt = time.Now().UTC()
	}
	d.Info.ID = storetest.SnapshotID(d)
	d.Info = d.Meta()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, old := range s.snaps {
		if old.Info.ID == d.Info.ID {
			return old.Info, nil
		}
	}
	s.snaps = append(s.snaps, d)
	return d.Info, nil
}

func (s *refStore) Snapshots(context.Context) ([]graph.SnapshotMeta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []graph.SnapshotMeta{}
	for _, d := range s.snaps {
		out = append(out, d.Info)
	}
	return out, nil
}

func (s *refStore) Snapshot(_ context.Context, id graph.SnapshotID) (graph.Reader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" && len(s.snaps) > 0 {
		return s.snaps[len(s.snaps)-1], nil
	}
	var found []*graph.Dataset
	for _, d := range s.snaps {
		if d.Info.ID == id {
			return d, nil
		}
		if id != "" && strings.HasPrefix(string(d.Info.ID), string(id)) {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("snapshot %q: %w", id, graph.ErrSnapshotNotFound)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("snapshot %q: %w", id, graph.ErrAmbiguousSnapshot)
}

func (s *refStore) Close() error { return nil }

func TestReferenceStoreConforms(t *testing.T) {
	storetest.Run(t, func(*testing.T) graph.Store { return &refStore{} })
}

func TestSynthetic(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{name: "tiny", n: 1},
		{name: "small", n: 1000},
		{name: "large", n: 100000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := storetest.Synthetic(tc.n, 7)
			c := d.Meta().Counts
			for name, n := range map[string]int{"systems": c.Systems, "resources": c.Resources, "identities": c.Identities,
				"groups": c.Groups, "memberships": c.Memberships, "grants": c.Grants, "credentials": c.Credentials,
				"delegations": c.Delegations} {
				require.Positive(t, n, name)
			}
			if tc.n >= 1000 {
				require.InDelta(t, tc.n, c.Total(), float64(tc.n)/100)
			}
			require.Equal(t, d, storetest.Synthetic(tc.n, 7), "deterministic")
			require.NotEqual(t, storetest.SnapshotID(d), storetest.SnapshotID(storetest.Synthetic(tc.n, 8)))
		})
	}
}

func TestNormalize(t *testing.T) {
	in := storetest.Denormalized()
	got := storetest.Normalize(in)
	want := storetest.EveryFieldSet()
	want.Info.Source, want.Info.Files = in.Info.Source, nil
	require.Equal(t, want.Info, got.Info)
	id := want.IdentityList[0]
	id.CompensatingControls, id.SameAs, id.Tags = nil, nil, nil
	require.Equal(t, id, got.IdentityList[0])
	cred := want.CredentialList[0]
	cred.Systems = nil
	require.Equal(t, cred, got.CredentialList[0])
	require.Equal(t, want.GrantList, got.GrantList)
	require.Equal(t, storetest.SnapshotID(in), storetest.SnapshotID(got), "normalising does not change the content id")

	got.IdentityList[0].Name = "changed"
	require.NotEqual(t, "changed", in.IdentityList[0].Name, "Normalize copies")
}

func TestSpecialIDsAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, id := range storetest.SpecialIDs() {
		require.False(t, seen[id], "duplicate %q", id)
		seen[id] = true
	}
	d := storetest.SpecialIDsDataset()
	require.Len(t, d.IdentityList, len(seen))
}
