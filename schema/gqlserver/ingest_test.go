package gqlserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
)

func TestIngestMutationIsAtomic(t *testing.T) {
	st := newStore(t) // empty store
	hs, _ := newServer(t, st, nil)
	good := readFile(t, financeBundle(t))
	const mutation = `mutation Ingest($b: String!) { ingest(input: {bundle: $b}) { snapshot { id source counts { identities } } problems { line pointer message } } }`
	tests := []struct {
		name      string
		bundle    string
		wantError string
		// wantLine is the line of the first problem.
		wantLine  int
		snapshots int
	}{
		{name: "dangling reference changes nothing", bundle: strings.Replace(good, "system: sap, parent: \"sap:fi\"", "system: nosuch, parent: \"sap:fi\"", 1), wantError: "nosuch", wantLine: 18, snapshots: 0},
		{name: "secret field changes nothing", bundle: strings.Replace(good, "type: human\n", "type: human\n    password: hunter2\n", 1), wantError: "password", wantLine: 0, snapshots: 0},
		{name: "valid bundle lands one snapshot", bundle: good, snapshots: 1},
		{name: "bad bundle after a good one changes nothing", bundle: "format: reachgraph/v1\nsource: x\nidentities: [{id: a, type: robot}]\n", wantError: "robot", wantLine: 3, snapshots: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp, raw := post(t, hs.URL, adminToken, mutation, map[string]any{"b": tt.bundle})
			require.Equal(t, http.StatusOK, code)
			require.Empty(t, resp.Errors, "an invalid bundle is an answer, not an error: %s", raw)
			var got struct {
				Ingest struct {
					Snapshot *struct{ ID, Source string }
					Problems []struct {
						Line             int
						Pointer, Message string
					}
				}
			}
			require.NoError(t, json.Unmarshal(resp.Data, &got))
			if tt.wantError != "" {
				require.Nil(t, got.Ingest.Snapshot)
				require.NotEmpty(t, got.Ingest.Problems, "body: %s", raw)
				require.Contains(t, got.Ingest.Problems[0].Message, tt.wantError)
				if tt.wantLine > 0 {
					require.Equal(t, tt.wantLine, got.Ingest.Problems[0].Line, "the problem is located: %s", raw)
				}
				require.NotContains(t, string(raw), "hunter2", "secret values are never echoed")
				require.NotContains(t, string(raw), "reachgraph-ingest-", "no temp paths leak")
			} else {
				require.NotNil(t, got.Ingest.Snapshot, "body: %s", raw)
				require.Equal(t, "acme-finance-2026-10", got.Ingest.Snapshot.Source)
				require.Empty(t, got.Ingest.Problems)
			}
			metas, err := st.Snapshots(context.Background())
			require.NoError(t, err)
			require.Len(t, metas, tt.snapshots)
		})
	}
	// The new snapshot is served at once as the newest.
	data := mustData(t, hs.URL, `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses(first: 1000) { totalCount complete edges { node { identity { id } } } } } }`, nil)
	require.Contains(t, string(data), "grace.h")
}

// TestIngestMutationNotices: the ingest mutation answers with what the
// store repaired on the way. A snapshot stored without its projection (a
// store written by an older build) is ingested again from the same bundle
// over the API: the answer names the snapshot and says the projection was
// stored, and the store now holds it. A first ingest and an ingest with
// nothing to repair answer no notices.
func TestIngestMutationNotices(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	good := readFile(t, financeBundle(t))
	old, err := memstore.Open(path) // no stored projection
	require.NoError(t, err)
	meta, err := testIngest(ctx, old, financeBundle(t))
	require.NoError(t, err)
	require.NoError(t, old.Close())

	st, err := memstore.Open(path, memstore.WithDerived(projection.StoredName, projection.Derive))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	hs, _ := newServer(t, st, nil)
	const mutation = `mutation Ingest($b: String!) { ingest(input: {bundle: $b}) { snapshot { id } problems { message } notices } }`
	ingestOnce := func() (id string, notices []string) {
		t.Helper()
		code, resp, raw := post(t, hs.URL, adminToken, mutation, map[string]any{"b": good})
		require.Equal(t, http.StatusOK, code)
		require.Empty(t, resp.Errors, "%s", raw)
		var got struct {
			Ingest struct {
				Snapshot struct{ ID string }
				Problems []struct{ Message string }
				Notices  []string
			}
		}
		require.NoError(t, json.Unmarshal(resp.Data, &got))
		require.Empty(t, got.Ingest.Problems)
		require.NotNil(t, got.Ingest.Notices, "an empty list, never null: %s", raw)
		return got.Ingest.Snapshot.ID, got.Ingest.Notices
	}
	id, notices := ingestOnce()
	require.Equal(t, string(meta.ID), id, "the same sources are the same snapshot")
	require.Equal(t, []string{"snapshot " + id + ": stored " + projection.StoredName + " was missing; stored now"}, notices)
	r, err := st.Snapshot(ctx, meta.ID)
	require.NoError(t, err)
	_, found, err := r.(graph.DerivedReader).Derived(ctx, projection.StoredName)
	require.NoError(t, err)
	require.True(t, found, "the projection is stored now")

	_, notices = ingestOnce()
	require.Empty(t, notices, "nothing left to repair")

	fresh := newStore(t)
	hs2, _ := newServer(t, fresh, nil)
	code, resp, raw := post(t, hs2.URL, adminToken, mutation, map[string]any{"b": good})
	require.Equal(t, http.StatusOK, code)
	require.Empty(t, resp.Errors)
	require.Contains(t, string(resp.Data), `"notices":[]`, "a new snapshot repairs nothing: %s", raw)
}
