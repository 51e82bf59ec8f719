package gqlserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"
)

// cdp is a minimal Chrome DevTools Protocol client over one page's websocket:
// enough to type into the console, press keys and read the page.
type cdp struct {
	t      *testing.T
	ctx    context.Context
	conn   *websocket.Conn
	nextID int
	mu     sync.Mutex
	urls   []string // every request the page sent (Network.requestWillBeSent)
	errs   []string // uncaught exceptions and error log entries (CSP violations among them)
}

// startCDP launches headless Chromium with remote debugging on a free port
// and connects to its first page.
func startCDP(t *testing.T, ctx context.Context, bin string) *cdp {
	t.Helper()
	profile := chromiumProfile(t) // registered first: removed after Chromium stopped
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1280,900",
		"--user-data-dir="+profile, "about:blank")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { stopChromium(cmd) })
	endpoint := regexp.MustCompile(`DevTools listening on ws://([^/]+)/`)
	var host string
	sc := bufio.NewScanner(stderr)
	for host == "" && sc.Scan() {
		if m := endpoint.FindStringSubmatch(sc.Text()); m != nil {
			host = m[1]
		}
	}
	require.NotEmpty(t, host, "chromium printed no DevTools endpoint")
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	resp, err := http.Get("http://" + host + "/json/list")
	require.NoError(t, err)
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&targets))
	for _, tg := range targets {
		if tg.Type == "page" {
			conn, _, err := websocket.Dial(ctx, tg.WebSocketDebuggerURL, nil)
			require.NoError(t, err)
			conn.SetReadLimit(64 << 20)
			t.Cleanup(func() { _ = conn.CloseNow() })
			return &cdp{t: t, ctx: ctx, conn: conn}
		}
	}
	t.Fatal("chromium has no page target")
	return nil
}

// stopChromium asks Chromium to quit (SIGTERM closes its helper processes
// too) and kills it when it has not within five seconds.
func stopChromium(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// call sends one command and returns its result, recording the page's
// requests from the events read meanwhile.
func (c *cdp) call(method string, params map[string]any) json.RawMessage {
	c.t.Helper()
	c.nextID++
	id := c.nextID
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	require.NoError(c.t, err)
	require.NoError(c.t, c.conn.Write(c.ctx, websocket.MessageText, msg))
	for {
		_, data, err := c.conn.Read(c.ctx)
		require.NoError(c.t, err, "waiting for %s", method)
		var m struct {
			ID     int             `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		require.NoError(c.t, json.Unmarshal(data, &m))
		c.record(m.Method, m.Params)
		if m.ID == id {
			require.Nil(c.t, m.Error, "%s failed", method)
			return m.Result
		}
	}
}

// record keeps the events the test asserts on.
func (c *cdp) record(method string, params json.RawMessage) {
	var ev struct {
		Request          struct{ URL string }
		ExceptionDetails struct {
			Text      string
			Exception struct{ Description string }
		}
		Entry struct{ Level, Source, Text, URL string }
	}
	if method == "" {
		return
	}
	require.NoError(c.t, json.Unmarshal(params, &ev))
	c.mu.Lock()
	defer c.mu.Unlock()
	switch method {
	case "Network.requestWillBeSent":
		c.urls = append(c.urls, ev.Request.URL)
	case "Runtime.exceptionThrown":
		c.errs = append(c.errs, ev.ExceptionDetails.Text+" "+ev.ExceptionDetails.Exception.Description)
	case "Log.entryAdded":
		// the schema request sent before the token was typed is refused: expected
		refusedSchema := ev.Entry.Source == "network" && strings.HasSuffix(ev.Entry.URL, "/graphql") && strings.Contains(ev.Entry.Text, "401")
		if ev.Entry.Level == "error" && !refusedSchema {
			c.errs = append(c.errs, ev.Entry.Source+": "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	}
}

// errors returns the page errors seen so far.
func (c *cdp) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (c *cdp) eval(expr string) any {
	c.t.Helper()
	raw := c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	var r struct {
		Result           struct{ Value any }
		ExceptionDetails *struct{ Text string }
	}
	require.NoError(c.t, json.Unmarshal(raw, &r))
	require.Nil(c.t, r.ExceptionDetails, "evaluating %s", expr)
	return r.Result.Value
}

// waitFor polls a boolean expression until it holds, for at most 20 seconds.
func (c *cdp) waitFor(what, expr string) {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if v, _ := c.eval(expr).(bool); v {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %s; page text: %.2000v", what, c.eval(`document.body.innerText`))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// typeText types text into the focused element, as a keyboard would (IME commit).
func (c *cdp) typeText(text string) {
	c.call("Input.insertText", map[string]any{"text": text})
}

// press sends one key (with modifiers: 2 = Ctrl) down and up.
func (c *cdp) press(key string, code int, modifiers int) {
	for _, typ := range []string{"rawKeyDown", "keyUp"} {
		c.call("Input.dispatchKeyEvent", map[string]any{"type": typ, "key": key, "code": key,
			"windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code, "modifiers": modifiers})
	}
}

// key types one printable character as key down, char and key up, so that
// editors reacting to key events (autocompletion) see it.
func (c *cdp) key(ch string) {
	for _, typ := range []string{"keyDown", "keyUp"} {
		c.call("Input.dispatchKeyEvent", map[string]any{"type": typ, "key": ch, "text": ch,
			"code": "Key" + strings.ToUpper(ch), "windowsVirtualKeyCode": int(strings.ToUpper(ch)[0])})
	}
}

// requests returns the URLs the page requested so far.
func (c *cdp) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.urls...)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestConsoleTypedInHeadlessChromium(t *testing.T) {
	bin := requireChromium(t)
	st := newStore(t, financeBundle(t))
	hs, _ := newServer(t, st, nil) // auth on: the token field must be used
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := startCDP(t, ctx, bin)
	c.call("Network.enable", nil)
	c.call("Runtime.enable", nil)
	c.call("Log.enable", nil)
	c.call("Emulation.setFocusEmulationEnabled", map[string]any{"enabled": true})
	c.call("Page.navigate", map[string]any{"url": hs.URL + "/"})
	c.waitFor("the query editor", `!!document.querySelector('.graphiql-query-editor .CodeMirror')`)

	// The token is typed into its field and kept in session storage only.
	c.eval(`document.getElementById('token').focus()`)
	c.typeText(auditorToken)
	c.press("Enter", 13, 0)
	require.Equal(t, auditorToken, c.eval(`sessionStorage.getItem('reachgraph:token')`))
	require.Equal(t, false, c.eval(`Object.keys(localStorage).some((k) => (localStorage.getItem(k) || '').includes(`+jsString(auditorToken)+`))`))
	require.Equal(t, false, c.eval(`location.href.includes(`+jsString(auditorToken)+`)`))

	// With the token the schema loads: the documentation explorer lists its types.
	c.eval(`document.querySelector('[aria-label="Show Documentation Explorer"]').click()`)
	c.waitFor("the schema in the documentation explorer", `((document.querySelector('.graphiql-doc-explorer') || {}).textContent || '').includes('AccessConnection')`)

	// Typing a field name offers completions from the schema.
	c.eval(`(() => { const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror; cm.setValue(''); cm.focus(); })()`)
	c.typeText("{ wh")
	c.key("o")
	c.waitFor("autocompletion", `[...document.querySelectorAll('.CodeMirror-hint')].some((h) => h.textContent === 'whoCan')`)
	c.press("Escape", 27, 0)

	// A query is typed into the editor and run with Ctrl+Enter.
	c.eval(`(() => { const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror; cm.setValue(''); cm.focus(); })()`)
	typed := "query TypedInTest " + jeQuery
	c.typeText(typed)
	require.Equal(t, typed, c.eval(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()`))
	c.waitFor("the tab named after the operation", `[...document.querySelectorAll('.graphiql-tab')].some((t) => t.textContent.includes('TypedInTest'))`)
	c.press("Enter", 13, 2)
	c.waitFor("the answer", `document.getElementById('status').dataset.state !== 'idle'`)
	require.Equal(t, "done", c.eval(`document.getElementById('status').dataset.state`), "status: %v; answer: %v", c.eval(`document.getElementById('status').textContent`), c.eval(`document.querySelector('.result-window').textContent`))

	// The path is drawn.
	c.waitFor("the drawn graph", `!!document.querySelector('.pv-canvas[data-drawn]')`)
	shape := func(id string) any {
		return c.eval(fmt.Sprintf(`(document.querySelector('#pv-drawn li[data-id=%s]') || {dataset: {}}).dataset.shape || ''`, jsString(id)))
	}
	require.Equal(t, "ellipse", shape("grace.h"))
	require.Equal(t, "round-rectangle", shape("r-je-approver"))
	require.Equal(t, "diamond", shape("c-sap-batch-pw"))
	require.Equal(t, "hexagon", shape("vault:kv/finance/sap-rfc"))
	require.Equal(t, "rectangle", shape("sap:fi:je"))
	require.Equal(t, c.eval(`document.getElementById('pathview').dataset.nodes`), c.eval(`document.querySelector('.pv-canvas').dataset.drawn`))

	// The run is in the history.
	c.eval(`document.querySelector('[aria-label="Show History"]').click()`)
	c.waitFor("the history entry", `((document.querySelector('.graphiql-history') || {}).textContent || '').includes('TypedInTest')`)

	// The query builder lists the query fields.
	c.eval(`document.querySelector('[aria-label="Show GraphiQL Explorer"]').click()`)
	c.waitFor("the query builder", `((document.querySelector('.graphiql-plugin') || {}).textContent || '').includes('whoCan')`)

	// No script error and no policy violation happened on the way.
	require.Empty(t, c.errors())

	// Nothing was requested from anywhere but this server.
	reqs := c.requests()
	require.NotEmpty(t, reqs)
	for _, u := range reqs {
		require.True(t, strings.HasPrefix(u, hs.URL+"/") || strings.HasPrefix(u, "data:"), "request to another origin: %s", u)
	}
}
