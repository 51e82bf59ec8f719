package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// TestIngestNeo4jImport writes the finance sample as neo4j-admin import CSVs:
// the same snapshot id as a stored ingest, the files named in import.args,
// the command on stderr, and no store touched; a non-empty directory is a
// usage error. (graph/neo4jstore imports such files into a real server.)
func TestIngestNeo4jImport(t *testing.T) {
	store := newStore(t)
	want, _, code := run(t, "--store", store, "ingest", finance)
	require.Equal(t, cli.ExitOK, code)
	dir := filepath.Join(t.TempDir(), "import")
	untouched := filepath.Join(t.TempDir(), "untouched.db")
	stdout, stderr, code := run(t, "--store", "file:"+untouched, "ingest", "--neo4j-import", dir, finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Equal(t, want, stdout)
	require.Contains(t, stderr, "neo4j-admin database import full neo4j --overwrite-destination @"+dir+"/import.args")
	args, err := os.ReadFile(filepath.Join(dir, "import.args"))
	require.NoError(t, err)
	for _, f := range []string{"nodes-Identity.csv", "nodes-Snapshot.csv", "rels-GRANT.csv", "rels-HAS_CREDENTIAL.csv"} {
		require.Contains(t, string(args), filepath.Join(dir, f))
		require.FileExists(t, filepath.Join(dir, f))
	}
	require.NoFileExists(t, untouched)
	header, _, _ := strings.Cut(readFile(t, filepath.Join(dir, "rels-GRANT.csv")), "\n")
	require.Contains(t, header, ":START_ID(s-")
	require.Contains(t, header, "expires_at:datetime")

	_, stderr, code = run(t, "ingest", "--neo4j-import", dir, finance)
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "not empty")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
