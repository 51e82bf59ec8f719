package gqlserver_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/analysis/reach"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/awsiam"
	"github.com/reachgraph/reachgraph/schema"
	"github.com/reachgraph/reachgraph/schema/iam"
)

// TestWhoCanNative: the GraphQL field answers exactly what the engine does
// for a native IAM request on the CloudMapper demo account, and rejects a
// wildcard request with a message naming the problem.
func TestWhoCanNative(t *testing.T) {
	ctx := context.Background()
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = ingest.Load(ctx, st, []ingest.Source{{Path: filepath.Join(repoRoot(t), "ingest", "awsiam", "testdata", "cloudmapper-demo"), Format: ingest.FormatAWSIAM}},
		ingest.Options{Readers: ingest.Readers{AWSIAM: awsiam.Read}, Now: func() time.Time { return ingestedAt }})
	require.NoError(t, err)
	hs, _ := newServer(t, st, nil)

	const action, arn = "s3:GetObject", "arn:aws:s3:::fin-ledger/q3.csv"
	r, err := st.Snapshot(ctx, "")
	require.NoError(t, err)
	p, err := projection.Build(ctx, r)
	require.NoError(t, err)
	match, class, err := iam.Request(action, arn)
	require.NoError(t, err)
	want, err := reach.New(p, r.Meta().AsOf()).WhoCanNative(ctx, reach.NativeQuery{Match: match, Resource: arn, Native: action, Action: class})
	require.NoError(t, err)
	require.NotEmpty(t, want)

	data := mustData(t, hs.URL, `query N($a: String!, $r: String!) { whoCanNative(action: $a, resource: $r) { accesses(first: 1000) { totalCount complete edges { node {
	  identity { id } nativeAction resource action effective conditional critical
	  authentication { credential } paths { hops { from edge to native } } } } } } }`, map[string]any{"a": action, "r": arn})
	type nativeNode struct {
		Identity                       struct{ ID string }
		NativeAction, Resource, Action string
		Effective, Conditional         bool
		Authentication                 *struct{ Credential string }
		Paths                          []struct {
			Hops []struct {
				From, Edge, To string
				Native         *string
			}
		}
	}
	var got struct {
		WhoCanNative struct {
			Accesses connection[nativeNode]
		}
	}
	require.NoError(t, json.Unmarshal(data, &got))
	require.Len(t, got.WhoCanNative.Accesses.Nodes(), len(want))
	for i, g := range got.WhoCanNative.Accesses.Nodes() {
		w := want[i]
		assert.Equal(t, w.Identity, g.Identity.ID)
		assert.Equal(t, action, g.NativeAction)
		assert.Equal(t, arn, g.Resource)
		assert.Equal(t, schema.GQLName(w.Action), g.Action)
		assert.Equal(t, w.Effective, g.Effective, w.Identity)
		assert.Equal(t, w.Conditional, g.Conditional, w.Identity)
		assert.Equal(t, w.Authentication != nil, g.Authentication != nil, w.Identity)
		require.Len(t, g.Paths[0].Hops, len(w.Paths[0]))
		for j, h := range g.Paths[0].Hops {
			assert.Equal(t, w.Paths[0][j].To, h.To)
			assert.Equal(t, w.Paths[0][j].Native, str(h.Native))
		}
	}

	_, resp, _ := post(t, hs.URL, auditorToken, `{ whoCanNative(action: "s3:Get*", resource: "arn:aws:s3:::b/k") { accesses(first: 1000) { totalCount complete edges { node { resource } } } } }`, nil)
	require.NotEmpty(t, resp.Errors)
	assert.Contains(t, resp.Errors[0].Message, "concrete IAM action")
}
