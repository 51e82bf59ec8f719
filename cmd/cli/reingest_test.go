package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/graph/projection"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
)

// TestReingestStoresProjection: a snapshot stored without its projection
// (an earlier build, or the store package used without it) gets it when
// `reachgraph ingest` runs on the same sources, without a second snapshot.
func TestReingestStoresProjection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rg.db")
	st, err := memstore.Open(path)
	require.NoError(t, err)
	meta, err := bundle.Load(ctx, st, []ingest.Source{{Path: finance}}, ingest.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Close())
	stored := func() bool {
		t.Helper()
		st, err := memstore.Open(path)
		require.NoError(t, err)
		defer st.Close()
		r, err := st.Snapshot(ctx, meta.ID)
		require.NoError(t, err)
		data, found, err := r.(graph.DerivedReader).Derived(ctx, projection.StoredName)
		require.NoError(t, err)
		if found {
			p, err := projection.Build(ctx, r)
			require.NoError(t, err)
			want, err := p.AppendBinary(nil)
			require.NoError(t, err)
			require.Equal(t, want, data)
		}
		return found
	}
	require.False(t, stored())
	// On a terminal, a question says why opening was slow and what fixes it.
	onTerminal := func() string {
		t.Helper()
		var out, errb bytes.Buffer
		root := cli.NewRoot(cli.Env{Stdout: &out, Stderr: &errb, IsTerminal: func() bool { return true }})
		root.SetArgs([]string{"--store", "file:" + path, "whocan", "--action", "approve", "--resource", "sap:fi:je"})
		require.NoError(t, root.Execute())
		require.Contains(t, out.String(), "bob.k")
		return errb.String()
	}
	require.Contains(t, onTerminal(), "note: snapshot "+string(meta.ID)+" has no stored projection")
	_, stderr, code := run(t, "--store", "file:"+path, "whocan", "--action", "approve", "--resource", "sap:fi:je")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Empty(t, stderr, "quiet when stderr is not a terminal")

	_, stderr, code = run(t, "--store", "file:"+path, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Equal(t, "snapshot "+string(meta.ID)+": stored projection was missing; stored now\n", stderr)
	require.True(t, stored(), "the re-ingest stored the projection")
	require.NotContains(t, onTerminal(), "no stored projection")
	out, _, code := run(t, "--store", "file:"+path, "snapshots", "-o", "json")
	require.Equal(t, cli.ExitOK, code)
	require.Contains(t, out, string(meta.ID))
	require.Equal(t, 1, strings.Count(out, `"id":`), "no second snapshot:\n%s", out)
}
