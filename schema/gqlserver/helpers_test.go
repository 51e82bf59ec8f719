package gqlserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph"
	"github.com/reachgraph/reachgraph/graph/memstore"
	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/ingest/bundle"
	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

// Tokens of the test server; the tokens file holds only their digests.
const (
	auditorToken = "test-auditor-token-0123456789"
	adminToken   = "test-admin-token-9876543210"
)

// ingestedAt is the fixed ingest time of every test snapshot.
var ingestedAt = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func financeBundle(t testing.TB) string {
	return filepath.Join(repoRoot(t), "testdata", "finance", "bundle.yaml")
}

// testIngest is the IngestFunc of the test server: the real loader at a fixed time.
func testIngest(ctx context.Context, st graph.Store, path string) (graph.SnapshotMeta, error) {
	meta, err := ingest.Load(ctx, st, []ingest.Source{{Path: path, Format: ingest.FormatBundle}},
		ingest.Options{Readers: ingest.Readers{Bundle: bundle.Read}, Now: func() time.Time { return ingestedAt }})
	if err != nil && isInvalid(err) {
		return meta, &invalidErr{err}
	}
	return meta, err
}

func isInvalid(err error) bool { return err != nil && errorsIs(err, ingest.ErrInvalid) }

type invalidErr struct{ err error }

func (e *invalidErr) Error() string { return e.err.Error() }
func (e *invalidErr) Unwrap() error { return e.err }
func (e *invalidErr) Is(target error) bool {
	return target == gqlserver.ErrInvalidInput
}

// newStore returns a temporary store holding the given bundles, one snapshot each.
func newStore(t testing.TB, bundles ...string) graph.Store {
	st, err := memstore.OpenTemp(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	for _, b := range bundles {
		_, err := testIngest(context.Background(), st, b)
		require.NoError(t, err)
	}
	return st
}

func tokensFile(t testing.TB) *gqlserver.Tokens {
	text := "# test tokens\nalice auditor " + gqlserver.TokenDigest(auditorToken) + "\nroot admin " + gqlserver.TokenDigest(adminToken) + "\n"
	tk, err := gqlserver.ParseTokens(bytes.NewBufferString(text))
	require.NoError(t, err)
	return tk
}

// newServer starts a real HTTP server over st with auth on; edit tweaks the options.
func newServer(t testing.TB, st graph.Store, edit func(*gqlserver.Options)) (*httptest.Server, *syncWriter) {
	logs := &syncWriter{w: &bytes.Buffer{}}
	opts := gqlserver.Options{
		Store: st, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Tokens: tokensFile(t),
		Ingest: testIngest, Console: true, Introspection: true,
	}
	if edit != nil {
		edit(&opts)
	}
	srv := gqlserver.NewServer(opts)
	require.NoError(t, srv.Warm(context.Background()))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs, logs
}

// gqlResponse is a decoded GraphQL answer.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// post sends one GraphQL request with a real client and returns the status and body.
func post(t testing.TB, base, token, query string, vars map[string]any) (int, gqlResponse, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out gqlResponse
	require.NoError(t, json.Unmarshal(raw, &out), "body: %s", raw)
	return resp.StatusCode, out, raw
}

// mustData posts as the auditor and fails on any error.
func mustData(t testing.TB, base, query string, vars map[string]any) json.RawMessage {
	t.Helper()
	code, resp, raw := post(t, base, auditorToken, query, vars)
	require.Equal(t, http.StatusOK, code, "body: %s", raw)
	require.Empty(t, resp.Errors, "body: %s", raw)
	return resp.Data
}

func readFile(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// connection decodes a Relay connection of T.
type connection[T any] struct {
	TotalCount int  `json:"totalCount"`
	Complete   bool `json:"complete"`
	Edges      []struct {
		Node T `json:"node"`
	} `json:"edges"`
}

// Nodes returns the nodes of the page.
func (c connection[T]) Nodes() []T {
	out := make([]T, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}
