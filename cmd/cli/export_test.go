package cli_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// whoCanApproveJE is whocan --kind journal_entry --action approve -o json
// on store, without the snapshot id.
func whoCanApproveJE(t *testing.T, store string, extra ...string) map[string]any {
	t.Helper()
	args := append([]string{"--store", store}, extra...)
	out, stderr, code := run(t, append(args, "whocan", "--kind", "journal_entry", "--action", "approve", "-o", "json")...)
	require.Equal(t, cli.ExitOK, code, stderr)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.NotEmpty(t, v["snapshot"])
	delete(v, "snapshot")
	return v
}

// TestExportIngestRoundTrip exports the finance sample to OpenGraph, ingests
// the file into another store and asks both the same question.
func TestExportIngestRoundTrip(t *testing.T) {
	a, b := newStore(t), newStore(t)
	_, stderr, code := run(t, "--store", a, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	dir := t.TempDir()
	file, ext := filepath.Join(dir, "acme.json"), filepath.Join(dir, "ext.json")
	_, stderr, code = run(t, "--store", a, "export", "--format", "opengraph", "--out", file, "--extension", ext)
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, stderr, "148 nodes, 197 edges → "+file)
	require.FileExists(t, ext)

	out, stderr, code := run(t, "--store", b, "ingest", "--collected-at", "2026-10-31T00:00:00Z", file) // format detected
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "source RGBase")
	require.Empty(t, stderr, "no warnings for reachgraph's own kinds")

	want := whoCanApproveJE(t, a)
	got := whoCanApproveJE(t, b)
	require.NotEmpty(t, want["accesses"])
	require.Equal(t, want, got)

	// The same export from the new store, byte for byte.
	again, stderr, code := run(t, "--store", b, "export", "--format", "opengraph")
	require.Equal(t, cli.ExitOK, code, stderr)
	first, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, string(first), again)
}

func TestExportGraphMLAndErrors(t *testing.T) {
	store := newStore(t)
	_, stderr, code := run(t, "--store", store, "export", "--format", "graphml")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "holds no snapshot yet")

	_, stderr, code = run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", store, "export", "--format", "graphml")
	require.Equal(t, cli.ExitOK, code, stderr)
	var doc struct {
		Nodes []struct{} `xml:"graph>node"`
		Edges []struct{} `xml:"graph>edge"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Nodes, 148)
	require.Len(t, doc.Edges, 197)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{name: "no format", args: []string{"export"}, want: `--format "": want opengraph or graphml`},
		{name: "bad format", args: []string{"export", "--format", "csv"}, want: `--format "csv": want opengraph or graphml`},
		{name: "extension with graphml", args: []string{"export", "--format", "graphml", "--extension", "x.json"}, want: "--extension is for --format opengraph only"},
		{name: "unknown snapshot", args: []string{"--snapshot", "s-nope", "export", "--format", "graphml"}, want: "snapshots` lists them"},
		{name: "out in a missing directory", args: []string{"export", "--format", "graphml", "--out", filepath.Join(t.TempDir(), "no", "x.graphml")}, want: "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"--store", store}, tc.args...)...)
			require.Equal(t, cli.ExitUsage, code)
			require.Contains(t, stderr, tc.want)
		})
	}
}

// TestIngestOpenGraphMap ingests the Okta-style sample with its map and shows
// the located warnings for the unmapped edge kinds; without the map the
// unmapped node kinds are located errors and nothing is stored.
func TestIngestOpenGraphMap(t *testing.T) {
	td := filepath.Join("..", "..", "testdata", "opengraph")
	store := newStore(t)
	out, stderr, code := run(t, "--store", store, "ingest", "--format", "opengraph", "--opengraph-map", filepath.Join(td, "foreign-map.yaml"), filepath.Join(td, "foreign.json"))
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Contains(t, out, "1 systems, 1 resources, 3 identities, 2 groups, 2 memberships, 2 grants, 1 credentials, 1 delegations")
	require.Contains(t, stderr, `warning: ../../testdata/opengraph/foreign.json: /graph/edges/7: 2 edges of kind "Okta_HasRoleAssignment" not imported`)
	require.Contains(t, stderr, "warning: ../../testdata/opengraph/foreign.json: 3 of 10 edges not imported (2 unmapped edge kinds)")

	other := newStore(t)
	_, stderr, code = run(t, "--store", other, "ingest", filepath.Join(td, "foreign.json"))
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "nothing was stored")
	require.Contains(t, stderr, `foreign.json: /graph/nodes/0/kinds: no mapping for node kinds ["Okta_Organization", "Okta"]`)
	require.NotContains(t, stderr, "warning:", "no edge warnings when the nodes already fail")
	out, _, _ = run(t, "--store", other, "snapshots")
	require.False(t, strings.Contains(out, "Okta"), out)
}
