package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/graph/stores"
	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestServeEndToEnd runs `serve` over a file store with a tokens file, asks
// one query as the auditor, and stops it as SIGTERM would (context cancel).
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	storeURL := "file:" + filepath.Join(dir, "rg.db")
	st, err := stores.Open(context.Background(), storeURL, stores.Options{})
	require.NoError(t, err)
	_, err = IngestBundle(context.Background(), st, filepath.Join("..", "..", "testdata", "finance", "bundle.yaml"))
	require.NoError(t, err)
	require.NoError(t, st.Close())

	var tokOut, tokErr bytes.Buffer
	tg := &globals{env: Env{Stdout: &tokOut, Stderr: &tokErr, Getenv: func(string) string { return "" }}}
	require.NoError(t, newTokenCmd(tg).RunE(nil, []string{"alice", "auditor"}))
	token := strings.TrimSpace(tokErr.String()[strings.LastIndex(tokErr.String(), " ")+1:])
	require.NotContains(t, tokOut.String(), token, "the tokens file line holds no clear token")
	tokens := filepath.Join(dir, "tokens")
	require.NoError(t, os.WriteFile(tokens, tokOut.Bytes(), 0o600))

	var stdout, stderr bytes.Buffer
	g := &globals{env: Env{Stdout: &stdout, Stderr: &syncBuf{b: &stderr}, Getenv: func(string) string { return "" }}, store: storeURL}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- g.serve(ctx, serveFlags{listen: addr, tokens: tokens, maxDepth: gqlserver.DefaultMaxDepth,
			maxComplexity: gqlserver.DefaultMaxComplexity, maxBody: gqlserver.DefaultMaxBodyBytes, timeout: gqlserver.DefaultTimeout})
	}()
	base := "http://" + addr
	var up bool
	for range 200 {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			up = true
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	require.True(t, up, "server did not come up")
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"query Who { whoCan(action: APPROVE, resource: \"sap:fi:je\") { accesses(first: 1000) { totalCount complete edges { node { identity { id } } } } } }"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	var out map[string]any
	require.NoError(t, json.Unmarshal(body, &out))
	require.Contains(t, string(body), "grace.h")
	cancel()
	require.NoError(t, <-done, "graceful shutdown")
	require.Contains(t, stderr.String(), `"principal":"alice"`)
	require.Contains(t, stderr.String(), `"operation":"Who"`)
	require.NotContains(t, stderr.String(), token)
}

func TestServeRefusesNoAuth(t *testing.T) {
	tests := []struct {
		name  string
		flags serveFlags
		want  string
	}{
		{name: "no tokens", flags: serveFlags{listen: "127.0.0.1:0"}, want: "refusing to serve without authentication"},
		{name: "insecure off loopback", flags: serveFlags{listen: "0.0.0.0:0", insecure: true}, want: "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &globals{env: Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}, store: "file:" + filepath.Join(t.TempDir(), "x.db")}
			err := g.serve(context.Background(), tt.flags)
			require.ErrorContains(t, err, tt.want)
			var ee *ExitError
			require.ErrorAs(t, err, &ee)
			require.Equal(t, ExitUsage, ee.Code)
		})
	}
}

// TestServerTimeouts: the serve HTTP server bounds every phase of a
// connection (a slow client used to hold one forever).
func TestServerTimeouts(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), 30*time.Second)
	require.Positive(t, hs.ReadHeaderTimeout)
	require.Positive(t, hs.ReadTimeout)
	require.Greater(t, hs.WriteTimeout, 30*time.Second, "room for the per-request limit")
	require.Positive(t, hs.IdleTimeout)
	require.Positive(t, hs.MaxHeaderBytes)

	// A client that sends half a header is cut off.
	hs = newHTTPServer(http.NotFoundHandler(), time.Second)
	hs.ReadHeaderTimeout = 200 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = io.ReadAll(c)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the slow connection before the client gave up")
}
