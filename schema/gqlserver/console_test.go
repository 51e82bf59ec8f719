package gqlserver_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/schema/gqlserver"
)

// findChromium returns a headless-capable Chromium binary, or "" when none is installed.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestConsoleInHeadlessChromium(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		if os.Getenv("REACHGRAPH_REQUIRE_SERVERS") == "1" {
			t.Fatal("no chromium binary on PATH (chromium, chromium-browser, google-chrome) and REACHGRAPH_REQUIRE_SERVERS=1")
		}
		t.Skip("no chromium binary on PATH (install Debian's chromium package); skipping the console test")
	}
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) { o.Tokens = nil })
	query := `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses(first: 1000) { totalCount complete edges { node { identity { id } resource { id } action effective paths { hops { from edge to action native } } } } } } }`
	frag := url.Values{"query": {query}, "run": {"1"}}.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--user-data-dir="+filepath.Join(t.TempDir(), "profile"), "--virtual-time-budget=5000", "--dump-dom", hs.URL+"/#"+frag)
	out, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", out)
	dom := string(out)
	require.Contains(t, dom, `data-state="done"`, "the query ran")
	require.Contains(t, dom, `"id": "grace.h"`, "the JSON result is in the DOM")
	require.Contains(t, dom, `class="chain effective"`, "paths are drawn as chains")
	require.Contains(t, dom, `<span class="node">grace.h</span><span class="edge"> —MEMBER_OF→ </span><span class="node">r-je-approver</span>`)

	// A link with run=1 never runs a mutation: it waits for a click.
	before, err := st.Snapshots(ctx)
	require.NoError(t, err)
	mutation := `mutation { ingest(bundle: "format: reachgraph/v1\nsource: x\n") { id } }`
	frag = url.Values{"query": {mutation}, "run": {"1"}}.Encode()
	cmd = exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--user-data-dir="+filepath.Join(t.TempDir(), "profile2"), "--virtual-time-budget=5000", "--dump-dom", hs.URL+"/#"+frag)
	out, err = cmd.Output()
	require.NoError(t, err, "chromium: %s", out)
	require.Contains(t, string(out), "a mutation from a link is not run automatically")
	after, err := st.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, len(before), len(after), "no ingest happened")
}

func TestConsoleIsOfflineAndSwitchable(t *testing.T) {
	st := newStore(t, financeBundle(t))
	on, _ := newServer(t, st, nil)
	off, _ := newServer(t, st, func(o *gqlserver.Options) { o.Console = false })
	public, _ := newServer(t, st, func(o *gqlserver.Options) { o.MetricsPublic = true })
	tests := []struct {
		name  string
		base  string
		path  string
		token string
		code  int
	}{
		{name: "console page", base: on.URL, path: "/", code: http.StatusOK},
		{name: "console script", base: on.URL, path: "/console.js", code: http.StatusOK},
		{name: "console style", base: on.URL, path: "/console.css", code: http.StatusOK},
		{name: "console off", base: off.URL, path: "/", code: http.StatusNotFound},
		{name: "healthz", base: off.URL, path: "/healthz", code: http.StatusOK},
		{name: "readyz", base: off.URL, path: "/readyz", code: http.StatusOK},
		{name: "metrics", base: off.URL, path: "/metrics", token: auditorToken, code: http.StatusOK},
		{name: "metrics needs a token", base: off.URL, path: "/metrics", code: http.StatusUnauthorized},
		{name: "metrics public", base: public.URL, path: "/metrics", code: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tt.base+tt.path, nil)
			require.NoError(t, err)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.code, resp.StatusCode)
			if strings.HasPrefix(tt.name, "console ") && tt.code == http.StatusOK {
				require.NotRegexp(t, `(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`, string(body), "no network fetch")
				require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
			}
			if tt.name == "metrics" {
				require.Contains(t, string(body), "reachgraph_http_requests_total")
			}
		})
	}
}
