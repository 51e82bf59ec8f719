package session_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/rules"
	"github.com/reachgraph/reachgraph/analysis/session"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
)

// WithRuleRecords leaves the edge records out of memory when the snapshot
// has a stored projection, streams the grants to the rules, and gives the
// findings WithRecords gives; without a stored projection it reads every
// record (the projection is built from them).
func TestRuleRecords(t *testing.T) {
	ctx := context.Background()
	tier, err := gen.TierByName("XS")
	require.NoError(t, err)
	rs, err := rules.Load()
	require.NoError(t, err)
	for _, storedProjection := range []bool{true, false} {
		var opts []memstore.Option
		if storedProjection {
			opts = append(opts, memstore.WithDerived(projection.StoredName, projection.Derive))
		}
		st, err := memstore.Open(filepath.Join(t.TempDir(), "s.db"), opts...)
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		_, err = st.Ingest(ctx, gen.Meta(tier, 3), func(w graph.Writer) error { return gen.Generate(ctx, tier, 3, w, nil) })
		require.NoError(t, err)

		whole, err := session.Open(ctx, st, "", session.WithRecords())
		require.NoError(t, err)
		lean, err := session.Open(ctx, st, "", session.WithRuleRecords())
		require.NoError(t, err)
		require.Equal(t, storedProjection, lean.ProjectionStored())

		all, nodes := mustRecords(t, whole).Data(), mustRecords(t, lean).Data()
		require.NotEmpty(t, all.GrantList)
		require.NotEmpty(t, all.MembershipList)
		require.Equal(t, all.IdentityList, nodes.IdentityList)
		require.Equal(t, all.CredentialList, nodes.CredentialList)
		require.Equal(t, all.ResourceList, nodes.ResourceList)
		snap, err := lean.RuleSnapshot(ctx, time.Time{})
		require.NoError(t, err)
		if storedProjection {
			require.Empty(t, nodes.GrantList, "the edges stay in the store")
			require.Empty(t, nodes.MembershipList)
			require.Empty(t, nodes.DelegationList)
			require.NotNil(t, snap.Grants)
		} else {
			require.Equal(t, all, nodes)
			require.Nil(t, snap.Grants)
		}

		_, want, err := whole.Findings(ctx, rs, time.Time{})
		require.NoError(t, err)
		_, got, err := lean.Findings(ctx, rs, time.Time{})
		require.NoError(t, err)
		unused := 0
		for i := range want {
			if want[i].Category == "unused_grant" {
				unused++
			}
		}
		require.Positive(t, unused)
		require.Equal(t, want, got)
	}
}
