package cli_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/cmd/cli"
)

// TestVerifyStoreNeo4j: verify-store on a Neo4j store reads every snapshot
// back; intact, it exits 0; after a property of one record is changed on
// the server, it exits 2 naming the snapshot. Needs REACHGRAPH_NEO4J_URI
// (scripts/neo4j-test-server start); required in CI.
func TestVerifyStoreNeo4j(t *testing.T) {
	uri := os.Getenv("REACHGRAPH_NEO4J_URI")
	if uri == "" {
		if os.Getenv("REACHGRAPH_REQUIRE_SERVERS") == "1" {
			t.Fatal("REACHGRAPH_NEO4J_URI is not set but REACHGRAPH_REQUIRE_SERVERS=1")
		}
		t.Skip("REACHGRAPH_NEO4J_URI is not set: start scripts/neo4j-test-server and export it")
	}
	ctx := context.Background()
	drv, err := neo4j.NewDriverWithContext(uri, neo4j.NoAuth())
	require.NoError(t, err)
	defer drv.Close(ctx)
	exec := func(cypher string) {
		t.Helper()
		_, err := neo4j.ExecuteQuery(ctx, drv, cypher, nil, neo4j.EagerResultTransformer)
		require.NoError(t, err)
	}
	exec("MATCH (n) DETACH DELETE n")

	_, stderr, code := run(t, "--store", uri, "ingest", finance)
	require.Equal(t, cli.ExitOK, code, stderr)
	out, stderr, code := run(t, "--store", uri, "verify-store")
	require.Equal(t, cli.ExitOK, code, stderr)
	require.Equal(t, "s-fd350d0c11345ef8147a0a9571226e22  intact   acme-finance-2026-10\n", out)

	exec("MATCH (i:Identity {id: 'heidi.w-adm'}) SET i.name = 'someone else'")
	out, stderr, code = run(t, "--store", uri, "verify-store")
	require.Equal(t, cli.ExitUsage, code)
	require.Equal(t, "s-fd350d0c11345ef8147a0a9571226e22  DAMAGED  acme-finance-2026-10\n", out)
	require.Contains(t, stderr, "store "+strings.TrimSuffix(uri, "/")+" is damaged; damaged snapshots: s-fd350d0c11345ef8147a0a9571226e22")
	require.Contains(t, stderr, "snapshot s-fd350d0c11345ef8147a0a9571226e22 is damaged: its records hash to s-")
}
