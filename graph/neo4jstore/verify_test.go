package neo4jstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/neo4jstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/graph/storetest"
)

// TestVerify: every snapshot read back from Neo4j hashes to its id — the
// fixtures with every field set, every field unset, denormalized values and
// special ids included — and a changed property, a deleted relationship, an
// added node, a property of the wrong type and a changed projection part
// each make Verify report that snapshot damaged, and only it.
func TestVerify(t *testing.T) {
	ctx := context.Background()
	s := openDerived(t, map[string]graph.DeriveFunc{projection.StoredName: projection.Derive})
	var metas []graph.SnapshotMeta
	for _, d := range []*graph.Dataset{storetest.EveryFieldSet(), storetest.EveryFieldUnset(), storetest.Denormalized(),
		storetest.SpecialIDsDataset(), generated(t, "XS", 9)} {
		metas = append(metas, storetest.Ingest(t, s, d))
	}
	checks, err := s.Verify(ctx)
	require.NoError(t, err)
	require.Len(t, checks, len(metas))
	for _, c := range checks {
		require.NoError(t, c.Err, "%s reads back as it was written", c.Meta.Source)
	}

	drv := rawDriver(t)
	xs := string(metas[4].ID)
	for name, damage := range map[string]string{
		"changed property": "MATCH (i:Identity {snapshot: $s}) WITH i ORDER BY i.seq LIMIT 1 SET i.name = i.name + 'x'",
		"deleted edge":     "MATCH ()-[g:GRANT {snapshot: $s}]->() WITH g ORDER BY g.seq LIMIT 1 DELETE g",
		"added node":       "CREATE (:Group {snapshot: $s, id: 'g-planted', seq: 999999, name: 'planted'})",
		"wrong type":       "MATCH (c:Credential {snapshot: $s}) WITH c ORDER BY c.seq LIMIT 1 SET c.revoked = 'no'",
		"changed part":     "MATCH (d:Derived {snapshot: $s}) SET d.sha256 = 'feed'",
	} {
		t.Run(name, func(t *testing.T) {
			s := openDerived(t, map[string]graph.DeriveFunc{projection.StoredName: projection.Derive})
			d := generated(t, "XS", 9)
			meta := storetest.Ingest(t, s, d)
			require.Equal(t, xs, string(meta.ID))
			other := storetest.Ingest(t, s, storetest.EveryFieldSet())
			query(t, drv, damage, map[string]any{"s": xs})
			checks, err := s.Verify(ctx)
			require.NoError(t, err)
			require.Len(t, checks, 2)
			for _, c := range checks {
				if c.Meta.ID == other.ID {
					require.NoError(t, c.Err)
					continue
				}
				require.ErrorIs(t, c.Err, neo4jstore.ErrDamaged)
				require.ErrorContains(t, c.Err, "snapshot "+xs+" is damaged")
			}
		})
	}
}
