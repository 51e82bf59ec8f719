package gqlserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
