package gqlserver_test

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/gen"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

// TestPerRequestTimeoutBites: with a deadline already past when the resolver
// runs, the engine call is not waited for and the answer is a clear error.
func TestPerRequestTimeoutBites(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) { o.Timeout = time.Nanosecond })
	code, resp, raw := post(t, hs.URL, auditorToken, `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`, nil)
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.NotEmpty(t, resp.Errors, "body: %s", raw)
	require.Contains(t, resp.Errors[0].Message, "time limit")

	hs, _ = newServer(t, st, nil)
	_, resp, raw = post(t, hs.URL, auditorToken, `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses(first: 1000) { totalCount complete edges { node { effective } } } } }`, nil)
	require.Empty(t, resp.Errors, "body: %s", raw)
}

// TestTimedOutRequestStopsItsWork: on a tier-S estate, a request whose
// findings evaluation outlives the time limit is answered 503 at the limit,
// and its engine work stops with it: no goroutine of the request is left
// computing after the answer (before, the work ran on, detached, for tens of
// CPU-seconds).
func TestTimedOutRequestStopsItsWork(t *testing.T) {
	tier, err := gen.TierByName("S")
	require.NoError(t, err)
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.Ingest(context.Background(), gen.Meta(tier, 1), func(w graph.Writer) error {
		return gen.Generate(context.Background(), tier, 1, w, nil)
	})
	require.NoError(t, err)
	hs, _ := newServer(t, st, func(o *gqlserver.Options) { o.Timeout = 300 * time.Millisecond })
	post(t, hs.URL, auditorToken, `{ snapshots { id } }`, nil) // connections and caches warm
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(50 * time.Millisecond)
	before := runtime.NumGoroutine()
	start := time.Now()
	code, resp, raw := post(t, hs.URL, auditorToken, `{ findings(first: 1) { totalCount } }`, nil)
	elapsed := time.Since(start)
	require.Equal(t, http.StatusServiceUnavailable, code, "%s", raw)
	require.NotEmpty(t, resp.Errors)
	require.Equal(t, "TIMEOUT", resp.Errors[0].Extensions["code"])
	require.Less(t, elapsed, 5*time.Second, "answered at the limit, not when the work would have ended")
	// The evaluation's workers end with the request (they check the context
	// between actors): the goroutine count falls back within a short while.
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "no work left running after the answer")
}
