package gqlserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
