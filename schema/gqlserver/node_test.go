package gqlserver_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNodeFollowsEveryHop: node(id) returns the object behind every id an
// evidence path names (identity, group, resource, system, credential), with
// its GraphQL type; an unknown id is null.
func TestNodeFollowsEveryHop(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	var got struct {
		WhoCan struct {
			Accesses connection[struct {
				Paths []struct {
					Hops []struct{ From, To string }
				}
			}]
		}
	}
	require.NoError(t, json.Unmarshal(mustData(t, hs.URL, `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses(first: 100) { totalCount complete edges { node { paths { hops { from to } } } } } } }`, nil), &got))
	require.True(t, got.WhoCan.Accesses.Complete)
	ids := map[string]bool{}
	for _, a := range got.WhoCan.Accesses.Nodes() {
		for _, p := range a.Paths {
			for _, h := range p.Hops {
				ids[h.From], ids[h.To] = true, true
			}
		}
	}
	require.Contains(t, ids, "c-sap-batch-pw", "the exposure path names a credential")
	typesSeen := map[string]bool{}
	for id := range ids {
		var n struct {
			Node *struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
		require.NoError(t, json.Unmarshal(mustData(t, hs.URL, `query N($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": id}), &n))
		require.NotNil(t, n.Node, "hop end %s has an object", id)
		require.Equal(t, id, n.Node.ID)
		typesSeen[n.Node.Typename] = true
	}
	for _, typ := range []string{"Identity", "Group", "Resource", "System", "Credential"} {
		require.True(t, typesSeen[typ], "paths to sap:fi:je pass through a %s: %v", typ, typesSeen)
	}
	var none struct{ Node *struct{ ID string } }
	require.NoError(t, json.Unmarshal(mustData(t, hs.URL, `{ node(id: "no-such-id") { id } }`, nil), &none))
	require.Nil(t, none.Node)
	var conns struct {
		Identities struct{ Complete bool }
		Findings   struct{ Complete bool }
	}
	require.NoError(t, json.Unmarshal(mustData(t, hs.URL, `{ identities(first: 1) { complete } findings(first: 1) { complete } }`, nil), &conns))
	require.True(t, conns.Identities.Complete)
	require.True(t, conns.Findings.Complete)
}
