package gqlserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

// TestInsecureServesLoopbackHostsOnly: without authentication, a request
// whose Host is not a loopback name (DNS rebinding from a web page) is
// refused, whatever the address it reached.
func TestInsecureServesLoopbackHostsOnly(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) { o.Tokens = nil })
	port := hs.URL[strings.LastIndex(hs.URL, ":"):]
	for host, want := range map[string]int{
		"127.0.0.1" + port:           http.StatusOK,
		"localhost" + port:           http.StatusOK,
		"[::1]" + port:               http.StatusOK,
		"rebind.attacker.example":    http.StatusMisdirectedRequest,
		"rebind.attacker.example:80": http.StatusMisdirectedRequest,
		"10.0.0.1" + port:            http.StatusMisdirectedRequest,
	} {
		req, err := http.NewRequest(http.MethodPost, hs.URL+"/graphql", strings.NewReader(`{"query":"{ snapshots { id } }"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, "Host %s", host)
	}
	// With tokens, the token is the check; any Host is served.
	authed, _ := newServer(t, st, nil)
	req, err := http.NewRequest(http.MethodGet, authed.URL+"/healthz", nil)
	require.NoError(t, err)
	req.Host = "reachgraph.internal.example"
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestNoSuggestionsWithoutIntrospection: a misspelt field is an error, but
// without introspection the error does not spell out the schema.
func TestNoSuggestionsWithoutIntrospection(t *testing.T) {
	st := newStore(t, financeBundle(t))
	on, _ := newServer(t, st, nil)
	off, _ := newServer(t, st, func(o *gqlserver.Options) { o.Introspection = false })
	q := `{ snapshotz { id } }`
	_, resp, raw := post(t, on.URL, auditorToken, q, nil)
	require.NotEmpty(t, resp.Errors, "%s", raw)
	require.Contains(t, resp.Errors[0].Message, "Did you mean")
	_, resp, raw = post(t, off.URL, auditorToken, q, nil)
	require.NotEmpty(t, resp.Errors, "%s", raw)
	require.NotContains(t, resp.Errors[0].Message, "Did you mean")
	require.NotContains(t, resp.Errors[0].Message, "snapshots")
}

// TestOperationalMetrics: /metrics names the build, the newest snapshot's
// age, how long opening a snapshot took and the findings by severity once
// they were computed.
func TestOperationalMetrics(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) {
		o.MetricsPublic = true
		o.Build = gqlserver.BuildInfo{Version: "v9.9.9", Commit: "abc123"}
	})
	mustData(t, hs.URL, `{ findings(first: 1) { totalCount } }`, nil)
	resp, err := http.Get(hs.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	body := string(b)
	require.Regexp(t, `reachgraph_build_info\{commit="abc123",goversion="go[^"]+",version="v9.9.9"\} 1`, body)
	require.Regexp(t, `(?m)^reachgraph_newest_snapshot_age_seconds [0-9.e+]+$`, body)
	require.Regexp(t, `(?m)^reachgraph_snapshot_open_seconds_count [1-9]`, body)
	total := 0
	for _, m := range regexp.MustCompile(`(?m)^reachgraph_findings\{severity="[a-z]+"\} (\d+)$`).FindAllStringSubmatch(body, -1) {
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		total += n
	}
	var got struct{ Findings struct{ TotalCount int } }
	require.NoError(t, json.Unmarshal(mustData(t, hs.URL, `{ findings(first: 1) { totalCount } }`, nil), &got))
	require.Positive(t, total)
	require.Equal(t, got.Findings.TotalCount, total, "the gauges add up to the findings")
}

// TestMalformedBodyNotEchoed: a body that is not JSON is refused without
// being repeated in the answer (it may hold anything a client pasted).
func TestMalformedBodyNotEchoed(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	for _, body := range []string{"SECRETSTUFF-not-json", `{"query": "{ snapshots { id } }", "variables": <script>x</script>`} {
		req, err := http.NewRequest(http.MethodPost, hs.URL+"/graphql", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+auditorToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		require.Contains(t, string(b), "not valid JSON")
		require.NotContains(t, string(b), "SECRETSTUFF")
		require.NotContains(t, string(b), "script")
	}
}

// TestAuditLog: each request is logged with the client address, token name,
// role, operation name and the SHA-256 of the body — never the token or the
// query text.
func TestAuditLog(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, logs := newServer(t, st, nil)
	const q = `query WhoApproves { whoCan(action: APPROVE, resource: "sap:fi:je") { accesses { totalCount } } }`
	_, resp, raw := post(t, hs.URL, auditorToken, q, nil)
	require.Empty(t, resp.Errors, "%s", raw)
	body, err := json.Marshal(map[string]any{"query": q, "variables": nil})
	require.NoError(t, err)
	sum := sha256.Sum256(body)
	log := logs.String()
	require.Contains(t, log, `"client":"127.0.0.1:`)
	require.Contains(t, log, `"principal":"alice"`)
	require.Contains(t, log, `"role":"auditor"`)
	require.Contains(t, log, `"operation":"WhoApproves"`)
	require.Contains(t, log, `"query_sha256":"`+hex.EncodeToString(sum[:])+`"`)
	require.NotContains(t, log, auditorToken)
	require.NotContains(t, log, "sap:fi:je", "the query text is not logged")
}
