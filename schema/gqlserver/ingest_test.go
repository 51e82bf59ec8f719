package gqlserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIngestMutationIsAtomic(t *testing.T) {
	st := newStore(t) // empty store
	hs, _ := newServer(t, st, nil)
	good := readFile(t, financeBundle(t))
	const mutation = `mutation Ingest($b: String!) { ingest(bundle: $b) { id source counts { identities } } }`
	tests := []struct {
		name      string
		bundle    string
		wantError string
		snapshots int
	}{
		{name: "dangling reference changes nothing", bundle: strings.Replace(good, "system: sap, parent: \"sap:fi\"", "system: nosuch, parent: \"sap:fi\"", 1), wantError: "nosuch", snapshots: 0},
		{name: "secret field changes nothing", bundle: strings.Replace(good, "type: human\n", "type: human\n    password: hunter2\n", 1), wantError: "password", snapshots: 0},
		{name: "valid bundle lands one snapshot", bundle: good, snapshots: 1},
		{name: "bad bundle after a good one changes nothing", bundle: "format: reachgraph/v1\nsource: x\nidentities: [{id: a, type: robot}]\n", wantError: "robot", snapshots: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, resp, raw := post(t, hs.URL, adminToken, mutation, map[string]any{"b": tt.bundle})
			require.Equal(t, http.StatusOK, code)
			if tt.wantError != "" {
				require.NotEmpty(t, resp.Errors, "body: %s", raw)
				require.Contains(t, resp.Errors[0].Message, tt.wantError)
				require.NotContains(t, string(raw), "hunter2", "secret values are never echoed")
				require.NotContains(t, string(raw), "reachgraph-ingest-", "no temp paths leak")
			} else {
				require.Empty(t, resp.Errors, "body: %s", raw)
				require.Contains(t, string(resp.Data), `"source":"acme-finance-2026-10"`)
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
