package neo4jstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/neo4jstore"
)

// uriEnv names the server the tests run against; requireEnv=1 turns a
// missing server into a failure (CI).
const (
	uriEnv     = "REACHGRAPH_NEO4J_URI"
	requireEnv = "REACHGRAPH_REQUIRE_SERVERS"
)

// serverURI returns the test server's URI or skips (fails under CI) the test.
func serverURI(t testing.TB) string {
	t.Helper()
	uri := os.Getenv(uriEnv)
	if uri == "" {
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("%s is not set but %s=1", uriEnv, requireEnv)
		}
		t.Skipf("%s is not set: start a server with scripts/neo4j-test-server start and export %s=bolt://127.0.0.1:7687", uriEnv, uriEnv)
	}
	return uri
}

// testOptions carries the test server's credentials from the environment.
func testOptions() neo4jstore.Options {
	return neo4jstore.Options{Username: os.Getenv("NEO4J_USERNAME"), Password: os.Getenv("NEO4J_PASSWORD")}
}

// rawDriver returns a driver on the test server for checks below the Store.
func rawDriver(t testing.TB) neo4j.DriverWithContext {
	t.Helper()
	o := testOptions()
	auth := neo4j.NoAuth()
	if o.Username != "" {
		auth = neo4j.BasicAuth(o.Username, o.Password, "")
	}
	d, err := neo4j.NewDriverWithContext(serverURI(t), auth)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	return d
}

// query runs one statement on the test server and returns its records.
func query(t testing.TB, d neo4j.DriverWithContext, cypher string, params map[string]any) []*neo4j.Record {
	t.Helper()
	res, err := neo4j.ExecuteQuery(context.Background(), d, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(neo4jstore.DefaultDatabase))
	require.NoError(t, err)
	return res.Records
}

// wipe deletes every node and relationship of the test database.
func wipe(t testing.TB) {
	t.Helper()
	d := rawDriver(t)
	for {
		recs := query(t, d, "MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS deleted", nil)
		if n, _ := recs[0].Get("deleted"); n.(int64) == 0 {
			return
		}
	}
}

// openEmpty wipes the test database and opens a Store on it, closed at the
// end of the test.
func openEmpty(t testing.TB) *neo4jstore.Store {
	t.Helper()
	uri := serverURI(t)
	wipe(t)
	s, err := neo4jstore.Open(context.Background(), uri, testOptions())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}
