package neo4jstore_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/neo4jstore"
)

// TestWhoCanCypherDocs keeps the queries docs/neo4j.md points analysts to
// equal to the ones the integration tests hold to the engine's answers.
// REACHGRAPH_UPDATE_DOCS=1 rewrites them.
func TestWhoCanCypherDocs(t *testing.T) {
	auth, eff := neo4jstore.WhoCanCypher(neo4jstore.DefaultCypherExposures)
	header := "// Generated from graph/neo4jstore/whocan.go (WhoCanCypher, %d exposure hops); see docs/neo4j.md.\n" +
		"// Parameters: $snapshot, $resource (resource or system id), $action, $asOf (datetime).\n"
	for path, q := range map[string]string{
		"../../docs/cypher/whocan-authorized.cypher": auth,
		"../../docs/cypher/whocan-effective.cypher":  eff,
	} {
		want := fmt.Sprintf(header, neo4jstore.DefaultCypherExposures) + q + ";\n"
		if os.Getenv("REACHGRAPH_UPDATE_DOCS") == "1" {
			require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, want, string(got), "%s is stale: REACHGRAPH_UPDATE_DOCS=1 go test -run TestWhoCanCypherDocs ./graph/neo4jstore", path)
	}
}
