package memstore

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
)

// The spool passes its kind to graph.IDHasher.PutEncoded as a RecordKind, so
// the two numberings must agree.
func TestKindsMatchRecordKinds(t *testing.T) {
	require.Equal(t, int(graph.NumRecordKinds), int(numKinds))
	require.Equal(t, graph.RecGrant, graph.RecordKind(kindGrant))
	require.Equal(t, graph.RecDelegation, graph.RecordKind(kindDelegation))
	require.Equal(t, graph.RecSystem, graph.RecordKind(kindSystem))
}
