package gqlserver_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
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

// requireChromium returns the Chromium binary; it skips the test when there
// is none, and fails it instead when REACHGRAPH_REQUIRE_SERVERS=1.
func requireChromium(t *testing.T) string {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("REACHGRAPH_REQUIRE_SERVERS") == "1" {
			t.Fatal("no chromium binary on PATH (chromium, chromium-browser, google-chrome) and REACHGRAPH_REQUIRE_SERVERS=1")
		}
		t.Skip("no chromium binary on PATH (install Debian's chromium package; REACHGRAPH_REQUIRE_SERVERS=1 makes this a failure); skipping the console test")
	}
	return bin
}

// chromiumProfile returns a fresh profile directory, removed after the test
// (retrying a moment, as Chromium's helpers may still be closing files).
func chromiumProfile(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "reachgraph-chromium-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for i := 0; i < 20 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}

// dumpDOM loads the console with the given fragment in headless Chromium and
// returns the DOM once the page is idle.
func dumpDOM(t *testing.T, bin, base string, frag url.Values) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--user-data-dir="+chromiumProfile(t), "--virtual-time-budget=8000", "--dump-dom",
		base+"/#"+frag.Encode())
	out, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", out)
	return string(out)
}

const jeQuery = `{ whoCan(action: APPROVE, resource: "sap:fi:je") { accesses(first: 1000) { totalCount complete edges { node { identity { id } resource { id } action effective paths { hops { from edge to action native } } } } } } }`

// resultText is the text GraphiQL's result pane shows.
func resultText(t *testing.T, dom string) string {
	t.Helper()
	i := strings.Index(dom, `aria-label="Result Window"`)
	require.GreaterOrEqual(t, i, 0, "no result pane in the DOM")
	end := strings.Index(dom[i:], "</section>")
	require.Greater(t, end, 0)
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(dom[i:i+end], ""))
}

// drawnNode returns the kind and shape the path view drew id with.
func drawnNode(dom, id string) (kind, shape string) {
	re := regexp.MustCompile(`<li data-id="` + regexp.QuoteMeta(html.EscapeString(id)) + `" data-kind="([a-z]+)" data-shape="([a-z-]+)">`)
	m := re.FindStringSubmatch(dom)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

func TestConsoleInHeadlessChromium(t *testing.T) {
	bin := requireChromium(t)
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) { o.Tokens = nil })
	var direct struct {
		WhoCan struct {
			Accesses connection[json.RawMessage] `json:"accesses"`
		} `json:"whoCan"`
	}
	require.NoError(t, json.Unmarshal(mustData(t, hs.URL, jeQuery, nil), &direct))
	require.Positive(t, direct.WhoCan.Accesses.TotalCount)

	dom := dumpDOM(t, bin, hs.URL, url.Values{"query": {jeQuery}, "run": {"1"}})
	require.Contains(t, dom, `data-state="done"`, "the query ran")
	require.Contains(t, resultText(t, dom), `"totalCount": `+strconv.Itoa(direct.WhoCan.Accesses.TotalCount), "the JSON result is shown")
	require.Contains(t, dom, `class="chain effective"`, "paths are listed as chains")
	require.Contains(t, dom, `<span class="node">grace.h</span><span class="edge"> —MEMBER_OF→ </span><span class="node">r-je-approver</span>`)

	// The path is drawn: nodes by kind and shape, the MEMBER_OF hop as an edge,
	// and Cytoscape really drew as many nodes as the path view lists.
	for _, tt := range []struct{ id, kind, shape string }{
		{id: "grace.h", kind: "identity", shape: "ellipse"},
		{id: "r-je-approver", kind: "group", shape: "round-rectangle"},
		{id: "c-sap-batch-pw", kind: "credential", shape: "diamond"},
		{id: "vault:kv/finance/sap-rfc", kind: "secret", shape: "hexagon"},
		{id: "sap:fi:je", kind: "resource", shape: "rectangle"},
		{id: "svc-sap-batch", kind: "identity", shape: "ellipse"},
	} {
		kind, shape := drawnNode(dom, tt.id)
		require.Equal(t, tt.kind+" "+tt.shape, kind+" "+shape, "node %s", tt.id)
	}
	require.Contains(t, dom, `data-from="grace.h" data-edge="MEMBER_OF" data-to="r-je-approver"`)
	require.Contains(t, dom, `data-from="vault:kv/finance/sap-rfc" data-edge="STORED_IN" data-to="c-sap-batch-pw"`)
	nodes := regexp.MustCompile(`id="pathview"[^>]* data-nodes="(\d+)"`).FindStringSubmatch(dom)
	require.NotNil(t, nodes)
	require.Contains(t, dom, `data-drawn="`+nodes[1]+`"`, "Cytoscape drew every listed node")

	// A link with run=1 never runs a mutation: it waits for a click.
	ctx := context.Background()
	before, err := st.Snapshots(ctx)
	require.NoError(t, err)
	mutation := `mutation { ingest(input: {bundle: "format: reachgraph/v1\nsource: x\n"}) { snapshot { id } } }`
	dom = dumpDOM(t, bin, hs.URL, url.Values{"query": {mutation}, "run": {"1"}})
	require.Contains(t, dom, "a mutation from a link is not run automatically")
	after, err := st.Snapshots(ctx)
	require.NoError(t, err)
	require.Equal(t, len(before), len(after), "no ingest happened")
}

func TestConsoleWithoutIntrospection(t *testing.T) {
	bin := requireChromium(t)
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, func(o *gqlserver.Options) { o.Tokens = nil; o.Introspection = false })
	dom := dumpDOM(t, bin, hs.URL, url.Values{"query": {jeQuery}, "run": {"1"}})
	require.Contains(t, dom, `data-state="done"`, "the console loads and runs a query without a schema")
	kind, shape := drawnNode(dom, "grace.h")
	require.Equal(t, "identity ellipse", kind+" "+shape)
}

// bundleURLs are the only URL-like strings the bundled script holds: XML
// namespaces, license and documentation links in comments and error texts.
// None is fetched (the CSP allows no other origin either); a new one fails
// this test so that someone reads where it comes from.
var bundleURLs = regexp.MustCompile(`^(https?:)?//(www\.w3\.org/|reactjs\.org/docs/error-decoder|github\.com/(jquery|jonschlinkert|graphql/graphiql|OneGraph/graphiql-explorer)|en\.wikipedia\.org/wiki/|opensource\.org/licenses/|tldrlegal\.com/license/|jquery\.org/license|yarnpkg\.com/en/docs/|commonmark\.org/|codemirror\.net/5/doc/)`)

func TestConsoleIsOfflineAndSwitchable(t *testing.T) {
	st := newStore(t, financeBundle(t))
	on, _ := newServer(t, st, nil)
	off, _ := newServer(t, st, func(o *gqlserver.Options) { o.Console = false })
	public, _ := newServer(t, st, func(o *gqlserver.Options) { o.MetricsPublic = true })
	anyURL := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/[^\s"'<>)]*`)
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
		{name: "console licenses", base: on.URL, path: "/LICENSES.txt", code: http.StatusOK},
		{name: "console sources not served", base: on.URL, path: "/_src/package.json", code: http.StatusNotFound},
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
			switch tt.name {
			case "console page", "console style":
				require.NotRegexp(t, anyURL, string(body), "no network fetch")
			case "console script":
				for _, u := range anyURL.FindAllString(string(body), -1) {
					require.Regexp(t, bundleURLs, u, "a URL in the bundle nobody has reviewed")
				}
				require.Contains(t, string(body), "@license React", "license headers are kept")
			case "console licenses":
				require.Contains(t, string(body), "==== cytoscape ")
				require.Contains(t, string(body), "==== graphiql ")
			case "metrics":
				require.Contains(t, string(body), "reachgraph_http_requests_total")
			}
			if strings.HasPrefix(tt.name, "console ") && tt.code == http.StatusOK {
				require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
				require.Contains(t, resp.Header.Get("Content-Security-Policy"), "connect-src 'self'")
			}
		})
	}
}

func TestConsoleBundleIsServedCompressed(t *testing.T) {
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil)
	get := func(enc string) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodGet, hs.URL+"/console.js", nil)
		require.NoError(t, err)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	plainResp, plain := get("identity")
	require.Empty(t, plainResp.Header.Get("Content-Encoding"))
	zResp, zipped := get("gzip, deflate")
	require.Equal(t, "gzip", zResp.Header.Get("Content-Encoding"))
	require.Contains(t, zResp.Header.Get("Content-Type"), "javascript")
	require.Less(t, len(zipped), len(plain)/2)
	zr, err := gzip.NewReader(strings.NewReader(string(zipped)))
	require.NoError(t, err)
	unzipped, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Equal(t, plain, unzipped)
	_, refused := get("gzip;q=0")
	require.Equal(t, plain, refused)
}
